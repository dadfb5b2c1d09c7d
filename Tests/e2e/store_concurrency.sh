#!/usr/bin/env bash
# The store under concurrency and crashes: parallel logins of one account and of many accounts
# served by two responder processes sharing one store, then SIGKILL during writes.
source "$(dirname "$0")/lib.sh"
e2e_start
api=(-s -u demo:demo-secret -H 'Accept: application/json')

# A second responder process on its own socket, sharing the store; nginx balances between both.
"$STACK_BINARY" serve --config "$E2E_RUN/connection.json" --socket "$E2E_RUN/connection2.sock" 2>>"$E2E_RUN/connection2.log" &
second=$!
stack_wait_for_socket "$E2E_RUN/connection2.sock" connection2 "$E2E_RUN"
sed -i "s#fastcgi_pass unix:$E2E_RUN/connection.sock;#fastcgi_pass pinterest_connection_pool;#" "$E2E_RUN/pinterest-connection.conf"
sed -i "s#^http {#http {\n    upstream pinterest_connection_pool { server unix:$E2E_RUN/connection.sock; server unix:$E2E_RUN/connection2.sock; }#" "$E2E_RUN/nginx.conf"
nginx -p "$E2E_RUN" -c "$E2E_RUN/nginx.conf" -e "$E2E_RUN/nginx-error.log" -s reload
sleep 0.5

# Ten simultaneous first logins of one account end as one user with logins_count 10.
# `wait` names the logins, because a bare `wait` would also wait for the second responder.
logins=()
for i in $(seq 1 10); do
  e2e_login "$E2E_RUN/jar-same-$i" sandbox_pinner "same-$i" > "$E2E_RUN/result-same-$i" &
  logins+=($!)
done
wait "${logins[@]}"
successes=$(grep -l "state=same-" "$E2E_RUN"/result-same-* | wc -l)
expect_eq "ten parallel logins of one account succeed" 10 "$successes"
record=$(curl "${api[@]}" "$BASE/api/users/pinterest%7C4714936491839602101")
expect_eq "one account counts ten logins" 10 "$(json_field "$record" logins_count)"
expect_contains "both processes served logins" "$(cat "$E2E_RUN/connection2.log")" "login completed"

# Twenty logins spread over four accounts.
accounts=(sandbox_business sandbox_minimal sandbox_unicode fault_token_no_refresh)
logins=()
for i in $(seq 0 19); do
  e2e_login "$E2E_RUN/jar-many-$i" "${accounts[$((i % 4))]}" "many-$i" > "$E2E_RUN/result-many-$i" &
  logins+=($!)
done
wait "${logins[@]}"
expect_eq "twenty parallel logins succeed" 20 "$(grep -l "state=many-" "$E2E_RUN"/result-many-* | wc -l)"
page=$(curl "${api[@]}" "$BASE/api/users?per_page=100")
expect_eq "five users exist" 5 "$(printf '%s' "$page" | grep -o '"user_id":"pinterest|' | wc -l)"
total=$(printf '%s' "$page" | grep -oE '"logins_count":[0-9]+' | cut -d: -f2 | awk '{ sum += $1 } END { print sum }')
expect_eq "logins add up across users" 30 "$total"
for i in $(seq 1 10); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' -b "$E2E_RUN/jar-same-$i" "$BASE/profile")" = 200 ] || { fail "session $i works after parallel logins"; continue; }
done
pass "every parallel session works"

# SIGKILL during writes, many times: every record stays parseable, and every login the browser
# was told had succeeded keeps a working session.
kill -TERM "$second"; wait "$second" 2>/dev/null
sed -i "s#fastcgi_pass pinterest_connection_pool;#fastcgi_pass unix:$E2E_RUN/connection.sock;#" "$E2E_RUN/pinterest-connection.conf"
nginx -p "$E2E_RUN" -c "$E2E_RUN/nginx.conf" -e "$E2E_RUN/nginx-error.log" -s reload
sleep 0.5
confirmed=0
for round in $(seq 1 8); do
  logins=()
  for i in $(seq 1 6); do
    e2e_login "$E2E_RUN/jar-crash-$round-$i" "${accounts[$((i % 4))]}" "crash-$round-$i" > "$E2E_RUN/result-crash-$round-$i" &
    logins+=($!)
  done
  sleep "0.$((RANDOM % 4 + 1))"
  kill -KILL "$(cat "$E2E_RUN/connection.pid")" 2>/dev/null
  wait "${logins[@]}"
  for _ in $(seq 1 50); do curl -s -o /dev/null "$BASE/healthz" && [ -S "$E2E_RUN/connection.sock" ] && break; sleep 0.1; done
done
sleep 0.5
lost=0
for result in "$E2E_RUN"/result-crash-*; do
  grep -q "state=crash-" "$result" || continue
  confirmed=$((confirmed + 1))
  jar=${result/result-/jar-}
  [ "$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "$BASE/profile")" = 200 ] || lost=$((lost + 1))
done
echo "     $confirmed logins were confirmed to the browser across 8 crashes"
expect_eq "no confirmed session lost to SIGKILL" 0 "$lost"
status=$(curl "${api[@]}" -o "$E2E_RUN/list-after" -w '%{http_code}' "$BASE/api/users?per_page=100")
expect_eq "every record still parses after crashes" 200 "$status"
expect_eq "no corrupt record was reported" 0 "$(grep -c 'corrupt' "$E2E_RUN/connection.log")"
expect_eq "no temporary file is left after restart" 0 "$(find "$E2E_RUN/store/tmp" -type f | wc -l)"
