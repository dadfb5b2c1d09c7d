#!/usr/bin/env bash
# The responder killed with SIGKILL, three times, while wrk loads the session check and four
# browsers log in over and over. After the supervisor's restarts every record and session index
# in the store parses, no temporary file outlives a restart, and every session a browser was
# issued still works. A login in flight at a kill may fail, with nginx's 502 while no responder
# listens, but never leaves a half-written file.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/support/hardening.sh"
export STACK_WORKERS=8
e2e_start
duration=12

expect_eq "first login" "$BASE/demo/?state=first" "$(e2e_login "$E2E_RUN/jar-first" sandbox_pinner first)"
session=$(jar_cookie "$E2E_RUN/jar-first" pc_session)

# Four browsers, each logging in to its own account again and again with a fresh cookie jar until
# the time is up. A user keeps at most 100 sessions, so each loop stops at 60 logins. Each login's
# outcome goes to a file: the final Location, or "failed".
accounts=(sandbox_pinner sandbox_business sandbox_minimal sandbox_unicode)
login_loop() {  # INDEX
  local deadline=$(( $(date +%s) + duration )) count=0 jar result
  while [ "$(date +%s)" -lt "$deadline" ] && [ "$count" -lt 60 ]; do
    count=$((count + 1))
    jar=$E2E_RUN/jar-loop-$1-$count
    result=$(e2e_login "$jar" "${accounts[$1 - 1]}" "loop-$1-$count" 2>/dev/null)
    echo "$jar ${result:-failed}" >> "$E2E_RUN/logins-$1"
  done
}
loops=()
for index in 1 2 3 4; do
  login_loop "$index" &
  loops+=($!)
done
wrk -t 2 -c 16 -d "${duration}s" -H "Cookie: pc_session=$session" "$BASE/auth" > "$E2E_RUN/wrk.log" 2>&1 &
load=$!

pids=("$(connection_pid)")
for kill_number in 1 2 3; do
  sleep 3
  old=$(connection_pid)
  kill -KILL "$old"
  for _ in $(seq 1 50); do
    [ "$(connection_pid)" != "$old" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")" = 200 ] && break
    sleep 0.1
  done
  pids+=("$(connection_pid)")
  expect_eq "kill $kill_number: a new responder serves" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")"
done
wait "$load" "${loops[@]}"
expect_eq "four responders served in turn" 4 "$(printf '%s\n' "${pids[@]}" | sort -u | wc -l)"
expect_contains "wrk ran" "$(cat "$E2E_RUN/wrk.log")" "Requests/sec"

# Every login ended at the application: with a session, or with an error code for one that a
# kill cut short.
total=$(cat "$E2E_RUN"/logins-* | wc -l)
completed=$(grep -c " $BASE/demo/?state=loop-" "$E2E_RUN"/logins-* | awk -F: '{sum += $2} END {print sum}')
expect_eq "logins ran under the kills (at least 20)" yes "$([ "$total" -ge 20 ] && echo yes)"
echo "     $completed of $total logins completed"

# Every browser holding a session cookie can use it after the restarts.
issued=0
broken=""
while read -r jar _; do
  cookie=$(jar_cookie "$jar" pc_session)
  [ -n "$cookie" ] || continue
  issued=$((issued + 1))
  status=$(curl -s -o /dev/null -w '%{http_code}' -b "pc_session=$cookie" "$BASE/profile")
  [ "$status" = 200 ] || broken="$broken $jar:$status"
done < <(cat "$E2E_RUN"/logins-*)
expect_eq "every issued session works after the kills ($issued sessions)" "" "$broken"
expect_eq "first session works after the kills" 200 "$(curl -s -o /dev/null -w '%{http_code}' -b "pc_session=$session" "$BASE/profile")"
expect_eq "sessions were issued during the kills" yes "$([ "$issued" -ge 10 ] && echo yes)"

# The store after the kills: every record parses, and the last restart removed abandoned
# temporary files (any left now belongs to no live writer, because the load has ended).
read -r bad checked < <(store_check)
expect_eq "every record and session index parses ($checked files)" 0 "$bad"
restart_connection || fail "responder restarts after the load"
expect_eq "no temporary file after a restart" 0 "$(find "$E2E_RUN/store/tmp" -type f | wc -l)"
expect_eq "login after the kills" "$BASE/demo/?state=after" "$(e2e_login "$E2E_RUN/jar-after" sandbox_pinner after)"
e2e_call -u demo:demo-secret "$BASE/api/users/pinterest%7C4714936491839602101"
expect_eq "user record readable through the API" 200 "$STATUS"
expect_contains "login count survived" "$BODY" '"logins_count":'
