#!/usr/bin/env bash
# Pinterest failing in every way a remote API can: the sandbox paused or killed, a refused port,
# and a misbehaving stand-in (Tests/e2e/support/mock_pinterest.py) that is slow, drips bytes,
# resets the connection, responds with 500, 429, invalid or huge JSON, redirects, or sends token
# lifetimes and user ids that must not be trusted. Each login ends within the configured timeout
# with a clean error back at the application, the responder keeps its pid and serves the next
# request, and no failed login leaves a user record behind.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/support/hardening.sh"
export STACK_TIMEOUT_MS=2000 STACK_WORKERS=4 STACK_SLOW_SECONDS=20
e2e_start
pid=$(connection_pid)
timeout_seconds=2
# The timeout, plus connect time and a second of scheduling slack on a loaded 2-core machine.
bound=$((timeout_seconds + 3))

# Checks that the last timed_callback ended at the application with error code CODE in time.
expect_clean_failure() {  # LABEL CODE
  expect_eq "$1: redirect to the application" 302 "$STATUS"
  expect_eq "$1: back at the redirect URI" "$BASE/demo/" "${LOCATION%%\?*}"
  expect_eq "$1: error_code" "$2" "$ERROR_CODE"
  expect_eq "$1: state kept" app-state "$(url_param "$LOCATION" state)"
  expect_eq "$1: no session cookie" "" "$(set_cookie_line "$HEADERS" pc_session)"
  if [ "$SECONDS_TAKEN" -le "$bound" ]; then pass "$1: ended within $bound s"; else fail "$1: ended within $bound s" "took $SECONDS_TAKEN s"; fi
}

# The sandbox paused: the token call waits for the timeout, then the login fails cleanly.
callback=$(consented_callback "$E2E_RUN/jar-paused" sandbox_pinner)
sandbox_pid=$(cat "$E2E_RUN/sandbox.pid")
kill -STOP "$sandbox_pid"
timed_callback "$E2E_RUN/jar-paused" "$callback"
kill -CONT "$sandbox_pid"
expect_clean_failure "sandbox paused" pinterest_unavailable

# The sandbox killed between consent and callback: the supervisor restarts it without the code,
# so the login fails as unreachable or as an unknown code, depending on the restart's timing.
callback=$(consented_callback "$E2E_RUN/jar-killed" sandbox_pinner)
kill -KILL "$(cat "$E2E_RUN/sandbox.pid")"
timed_callback "$E2E_RUN/jar-killed" "$callback"
case "$ERROR_CODE" in
  pinterest_unavailable|pinterest_invalid_grant) pass "sandbox killed: clean error $ERROR_CODE" ;;
  *) fail "sandbox killed: clean error" "got status $STATUS, location $LOCATION" ;;
esac
for _ in $(seq 1 50); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/sandbox/oauth/")" != 502 ] && break
  sleep 0.1
done
expect_eq "sandbox restarted: login works again" "$BASE/demo/?state=after-kill" \
  "$(e2e_login "$E2E_RUN/jar-after-kill" sandbox_pinner after-kill)"
expect_same_responder "responder survived the sandbox faults" "$pid"

# From here on the API is the misbehaving stand-in, while consent still happens at the sandbox.
mock_port=$(e2e_free_port)
mode_file=$E2E_RUN/mock-mode
echo "ok ok" > "$mode_file"
python3 "$E2E_ROOT/Tests/e2e/support/mock_pinterest.py" "$mock_port" "$mode_file" 2>"$E2E_RUN/mock.log" &
mock_pid=$!
trap 'kill "$mock_pid" 2>/dev/null; e2e_finish' EXIT
for _ in $(seq 1 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$mock_port") 2>/dev/null && break
  sleep 0.1
done
configure "c['pinterest']['api_url'] = 'http://127.0.0.1:$mock_port'" || fail "responder restarts with the stand-in"
pid=$(connection_pid)
users_before=$(user_count)

# Runs one login with the stand-in in MODE ("TOKEN USER") and checks it failed with CODE.
fault_case() {  # LABEL MODE CODE
  echo "$2" > "$mode_file"
  local jar=$E2E_RUN/jar-${RANDOM}
  callback=$(consented_callback "$jar" sandbox_pinner)
  timed_callback "$jar" "$callback"
  expect_clean_failure "$1" "$3"
}

fault_case "token endpoint slow" "slow ok" pinterest_unavailable
fault_case "token endpoint drips bytes" "drip ok" pinterest_unavailable
fault_case "token endpoint resets" "reset ok" pinterest_unavailable
fault_case "token endpoint 500" "500 ok" pinterest_unavailable
fault_case "token endpoint 429" "429 ok" pinterest_rate_limited
fault_case "token answer invalid JSON" "invalid_json ok" pinterest_invalid_response
fault_case "token answer empty" "empty ok" pinterest_invalid_response
fault_case "token answer not an object" "not_object ok" pinterest_invalid_response
fault_case "token endpoint redirects" "redirect ok" pinterest_invalid_response
fault_case "token answer huge" "huge ok" pinterest_invalid_response
fault_case "expires_in near Int64.max" "expires_max ok" pinterest_invalid_response
fault_case "negative refresh token lifetime" "expires_negative ok" pinterest_invalid_response
fault_case "user account slow" "ok slow" pinterest_unavailable
fault_case "user account drips bytes" "ok drip" pinterest_unavailable
fault_case "user account resets" "ok reset" pinterest_unavailable
fault_case "user account 5xx" "ok 500" pinterest_unavailable
fault_case "user account 429" "ok 429" pinterest_rate_limited
fault_case "user account invalid JSON" "ok invalid_json" pinterest_invalid_response
fault_case "user account redirects" "ok redirect" pinterest_invalid_response
fault_case "user account huge" "ok huge" pinterest_invalid_response
fault_case "user account nested 5000 deep" "ok deep" pinterest_invalid_response
fault_case "user id with path separators" "ok id_path" pinterest_invalid_response
fault_case "user id of 5000 digits" "ok id_huge" pinterest_invalid_response
expect_same_responder "responder survived every Pinterest fault" "$pid"
expect_eq "no failed login left a user record" "$users_before" "$(user_count)"

# Slow responses on every worker at once: each ends at the timeout, then the workers are free.
echo "slow ok" > "$mode_file"
busy=()
for index in 1 2 3 4 5 6; do
  callback=$(consented_callback "$E2E_RUN/jar-busy-$index" sandbox_pinner)
  curl -s -o /dev/null -w '%{http_code}\n' -b "$E2E_RUN/jar-busy-$index" --max-time 30 "$callback" > "$E2E_RUN/busy-$index" &
  busy+=($!)
done
wait "${busy[@]}"
expect_eq "six slow logins on four workers all end with a redirect" "302 302 302 302 302 302" \
  "$(cat "$E2E_RUN"/busy-* | tr '\n' ' ' | sed 's/ $//')"
started=$(date +%s)
expect_eq "workers free after the slow logins" 200 "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$BASE/healthz")"
expect_eq "health answered at once" 0 "$(( $(date +%s) - started ))"

# Data a login does store: a numeric id is accepted as digits, and markup and CR LF in the
# username are stored as text, escaped in JSON and kept out of response headers.
echo "ok id_number" > "$mode_file"
expect_eq "numeric user id logs in" "$BASE/demo/?state=numeric" "$(e2e_login "$E2E_RUN/jar-numeric" sandbox_pinner numeric)"
expect_contains "numeric user id stored as digits" "$(curl -s -b "$E2E_RUN/jar-numeric" "$BASE/profile")" \
  '"user_id":"pinterest|5000000000000000002"'
echo "ok markup" > "$mode_file"
expect_eq "markup username logs in" "$BASE/demo/?state=markup" "$(e2e_login "$E2E_RUN/jar-markup" sandbox_pinner markup)"
profile=$(curl -s -b "$E2E_RUN/jar-markup" "$BASE/profile")
expect_not_contains "profile JSON escapes <" "$profile" "<script>"
expect_contains "profile JSON keeps the username as text" "$profile" '\u003cscript\u003e'
e2e_call -b "$E2E_RUN/jar-markup" "$BASE/auth"
expect_eq "auth_request with a markup username is 204" 204 "$STATUS"
expect_eq "no header injected through the username" 0 "$(printf '%s\n' "$HEADERS" | grep -ci '^x-injected:')"
expect_eq "CR LF dropped from the nickname header" "<script>alert(1)</script>X-Injected: yes" \
  "$(header_value "$HEADERS" X-Auth-Nickname)"
e2e_call -b "$E2E_RUN/jar-markup" "$BASE/protected/page"
expect_eq "protected page with a markup username is 200" 200 "$STATUS"
expect_contains "upstream gets the nickname as one value" "$BODY" "nickname=<script>alert(1)</script>X-Injected: yes"

# The operator's test page shows what Pinterest returned: the markup account stays text there too.
jar=$E2E_RUN/jar-test-markup
consent=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$BASE/test/start")
e2e_call -b "$jar" -c "$jar" "$(e2e_consent "$jar" "$consent" sandbox_pinner allow)"
expect_eq "test report for the markup account: 200" 200 "$STATUS"
expect_contains "test report names the account" "$BODY" "5000000000000000003"
expect_not_contains "test report escapes the username" "$BODY" "<script>alert(1)"
expect_not_contains "test report escapes the business name" "$BODY" "<img src=x"

# Nothing listens on the API port: connection refused, at once.
dead_port=$(e2e_free_port)
configure "c['pinterest']['api_url'] = 'http://127.0.0.1:$dead_port'" || fail "responder restarts with a dead API port"
callback=$(consented_callback "$E2E_RUN/jar-refused" sandbox_pinner)
timed_callback "$E2E_RUN/jar-refused" "$callback"
expect_clean_failure "connection refused" pinterest_unavailable
expect_eq "store intact after the faults" "0" "$(store_check | cut -d' ' -f1)"
