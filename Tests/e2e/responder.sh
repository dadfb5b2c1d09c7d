#!/usr/bin/env bash
# The FastCGI responder behind the real nginx: routing, mount prefix, HEAD, errors, body limits,
# parallel requests, client aborts, stale sockets and graceful stop under load.
source "$(dirname "$0")/lib.sh"
export STACK_SLOW_SECONDS=4 STACK_TIMEOUT_MS=3000
e2e_start

# Routing at the root and under a prefix.
expect_eq "healthz answers 200" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")"
expect_eq "healthz body says ok" '{"status":"ok"}' "$(curl -s "$BASE/healthz")"
expect_eq "healthz under a mount prefix" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/mounted/healthz")"
expect_eq "HEAD healthz answers 200" 200 "$(curl -s -o /dev/null -w '%{http_code}' -I "$BASE/healthz")"
expect_eq "HEAD has no body" 0 "$(curl -s -I "$BASE/healthz" | sed '1,/^\r$/d' | wc -c)"

# Unknown paths and wrong methods, as JSON or HTML by Accept.
body=$(curl -s -H 'Accept: application/json' "$BASE/mounted/no-such-page")
expect_eq "unknown path is a JSON 404" not_found "$(json_field "$body" error)"
expect_eq "unknown path status" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/mounted/no-such-page")"
expect_contains "unknown path is HTML for browsers" "$(curl -s -H 'Accept: text/html' "$BASE/mounted/no-such-page")" "<code>not_found</code>"
headers=$(curl -s -D - -o /dev/null -X POST "$BASE/healthz")
expect_contains "POST healthz is 405" "$headers" "HTTP/1.1 405"
expect_contains "405 names the allowed methods" "$headers" "Allow: GET, HEAD"

# Bodies: 1 MiB is read whole (the route then rejects the method); over the cap is 413.
head -c 1048576 /dev/zero | tr '\0' 'a' > "$E2E_RUN/one-mib"
expect_eq "1 MiB body is read and routed" 405 "$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$E2E_RUN/one-mib" "$BASE/healthz")"
head -c 1572864 /dev/zero | tr '\0' 'a' > "$E2E_RUN/too-big"
body=$(curl -s -H 'Accept: application/json' --data-binary @"$E2E_RUN/too-big" "$BASE/healthz")
expect_eq "body over the cap is 413" request_too_large "$(json_field "$body" error)"
expect_eq "service still up after 413" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")"

# 200 parallel requests, none lost.
codes=$(seq 1 200 | xargs -P 50 -I{} curl -s -o /dev/null -w '%{http_code}\n' "$BASE/healthz?n={}" | sort | uniq -c | tr -s ' ')
expect_eq "200 parallel requests all answered 200" " 200 200" "$codes"

# A client that gives up while the responder waits on Pinterest: the worker finishes and the
# responder keeps serving.
consent=$(e2e_authorize "$E2E_RUN/jar-abort")
callback=$(e2e_consent "$E2E_RUN/jar-abort" "$consent" fault_token_slow allow)
curl -s -o /dev/null --max-time 1 -b "$E2E_RUN/jar-abort" "$callback"
sleep 3
expect_eq "service up after a client abort" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")"
expect_contains "aborted callback still finished" "$(cat "$E2E_RUN/connection.log")" "path=/login/callback status=302"

# A second responder on the same socket is refused while the first one lives.
output=$("$STACK_BINARY" serve --config "$E2E_RUN/connection.json" --socket "$E2E_RUN/connection.sock" 2>&1)
expect_contains "live socket is not taken over" "$output" "another responder is already listening"

# SIGTERM under load: every request gets a complete answer (200, or 502 while no responder
# listens), the responder exits 0, and the supervisor's restart finds no stale socket in its way.
old_pid=$(cat "$E2E_RUN/connection.pid")
seq 1 400 | xargs -P 16 -I{} curl -s -o /dev/null -w '%{http_code}\n' "$BASE/healthz?load={}" > "$E2E_RUN/load-codes" &
load=$!
sleep 0.3
kill -TERM "$old_pid"
wait "$load"
unexpected=$(grep -vcE '^(200|502)$' "$E2E_RUN/load-codes")
expect_eq "no broken answer during a graceful stop" 0 "$unexpected"
expect_contains "stop is logged" "$(cat "$E2E_RUN/connection.log")" "responder stopped"
for _ in $(seq 1 50); do
  new_pid=$(cat "$E2E_RUN/connection.pid")
  [ "$new_pid" != "$old_pid" ] && [ -S "$E2E_RUN/connection.sock" ] && break
  sleep 0.1
done
expect_eq "restarted responder serves" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")"

# SIGKILL leaves a stale socket file; the next start replaces it.
old_pid=$(cat "$E2E_RUN/connection.pid")
kill -KILL "$old_pid"
sleep 1
expect_eq "restart after SIGKILL serves" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")"
expect_contains "stale socket is replaced" "$(cat "$E2E_RUN/connection.log")" "removing stale socket"

# A listening socket handed over on fd 0, as spawn-fcgi and systemd socket activation do, spoken
# to with libfcgi's own cgi-fcgi client.
/usr/bin/python3 - "$E2E_RUN/inherited.sock" "$STACK_BINARY" "$E2E_RUN/connection.json" 2>>"$E2E_RUN/inherited.log" <<'PYTHON' &
import os, socket, sys
path, binary, config = sys.argv[1:4]
listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listener.bind(path)
listener.listen(16)
os.dup2(listener.fileno(), 0)
os.execv(binary, [binary, "serve", "--config", config, "--workers", "2"])
PYTHON
inherited=$!
stack_wait_for_socket "$E2E_RUN/inherited.sock" inherited "$E2E_RUN"
sleep 0.5
output=$(REQUEST_METHOD=GET DOCUMENT_URI=/healthz cgi-fcgi -bind -connect "$E2E_RUN/inherited.sock" 2>&1)
expect_contains "socket on fd 0 serves" "$output" '{"status":"ok"}'
kill -TERM "$inherited"
wait "$inherited"
expect_eq "responder on fd 0 stops with status 0" 0 "$?"
expect_contains "fd 0 start is logged" "$(cat "$E2E_RUN/inherited.log")" "socket=\"fd 0\""

# Socket permissions: only the owner and nginx's group may connect.
expect_eq "socket mode is 0660" 660 "$(stat -c '%a' "$E2E_RUN/connection.sock")"

# Log lines carry no cookie or secret values.
secret=$(cat "$E2E_RUN/secrets/session-key")
expect_not_contains "log holds no session key" "$(cat "$E2E_RUN"/*.log)" "$secret"
