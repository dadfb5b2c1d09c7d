#!/usr/bin/env bash
# Helpers shared by the Tests/e2e/hardening_*.sh scripts, sourced after lib.sh and e2e_start.

# Prints the pid of the running connection responder.
connection_pid() {
  cat "$E2E_RUN/connection.pid"
}

# Checks that the connection responder still has the pid OLD_PID: no crash and no restart.
expect_same_responder() {  # LABEL OLD_PID
  local now
  now=$(connection_pid)
  if [ "$now" = "$2" ] && kill -0 "$now" 2>/dev/null; then
    pass "$1"
  else
    fail "$1" "the responder was pid $2 and is now $now; see the connection log"
  fi
}

# Stops the connection responder with SIGTERM and waits, at most 10 seconds, until the
# supervisor's new responder serves /healthz.
restart_connection() {
  local old
  old=$(connection_pid)
  kill -TERM "$old"
  for _ in $(seq 1 100); do
    if [ "$(connection_pid)" != "$old" ] && [ -S "$E2E_RUN/connection.sock" ] \
      && [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")" = 200 ]; then
      return 0
    fi
    sleep 0.1
  done
  echo "the connection responder did not come back within 10 seconds" >&2
  return 1
}

# Rewrites one setting of the run's connection.json, given as a Python expression on `c`, and
# restarts the responder so it reads it. Example: configure 'c["pinterest"]["api_url"] = "http://..."'
configure() {
  python3 - "$E2E_RUN/connection.json" "$1" <<'PYTHON'
import json, sys
path, statement = sys.argv[1], sys.argv[2]
with open(path) as file:
    c = json.load(file)
exec(statement)
with open(path, "w") as file:
    json.dump(c, file, indent=2)
PYTHON
  restart_connection
}

# Prints the number of record files (.json) and session indexes (.sessions) under the run's store
# that are not valid JSON objects, followed by the number checked.
# Usage: read -r bad checked < <(store_check)
store_check() {
  python3 - "$E2E_RUN/store" <<'PYTHON'
import json, os, sys
bad = checked = 0
for directory, _, names in os.walk(sys.argv[1]):
    for name in names:
        if not name.endswith((".json", ".sessions")):
            continue
        checked += 1
        try:
            with open(os.path.join(directory, name)) as file:
                if not isinstance(json.load(file), dict):
                    bad += 1
        except (OSError, ValueError):
            bad += 1
print(bad, checked)
PYTHON
}

# Prints how many user records the store holds.
user_count() {
  find "$E2E_RUN/store/users" -name '*.json' 2>/dev/null | wc -l
}

# Starts a login for the demo application, consents with ACCOUNT and prints the callback URL.
consented_callback() {  # JAR ACCOUNT [STATE]
  local consent
  consent=$(e2e_authorize "$1" "${3:-app-state}")
  e2e_consent "$1" "$consent" "$2" allow
}

# Follows a callback URL with JAR; sets STATUS, LOCATION, ERROR_CODE and SECONDS_TAKEN (whole seconds,
# rounded up) for the checks that follow.
timed_callback() {  # JAR URL
  local started ended
  started=$(date +%s%N)
  e2e_call -b "$1" -c "$1" --max-time 60 "$2"
  ended=$(date +%s%N)
  SECONDS_TAKEN=$(( (ended - started + 999999999) / 1000000000 ))
  LOCATION=$(header_value "$HEADERS" Location)
  ERROR_CODE=$(url_param "$LOCATION" error_code)
}
