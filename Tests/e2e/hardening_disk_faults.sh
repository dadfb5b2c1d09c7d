#!/usr/bin/env bash
# The profile store's disk failing under a running service: full (a 4 MiB tmpfs mounted for the
# store and filled up), read-only (the same tmpfs remounted), and the store directory removed.
# Each request that must write ends with store_unavailable within a second, on the same
# responder, with no partial record and no temporary file left. Reads of existing sessions go
# on, and writes work again once the disk recovers. Needs root for mount; without it the script
# says so and checks only the removed directory.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/support/hardening.sh"
e2e_start
api_auth=(-u demo:demo-secret -H 'Accept: application/json')
pinner=pinterest%7C4714936491839602101

# Checks that the last e2e_call was a store_unavailable error page within a second.
expect_store_unavailable() {  # LABEL
  expect_eq "$1: 503" 503 "$STATUS"
  expect_contains "$1: store_unavailable" "$BODY" "store_unavailable"
  expect_eq "$1: no redirect" "" "$(header_value "$HEADERS" Location)"
}

# Checks the store's files: every record parses, no temporary file is left, and the record of
# the sandbox pinner is byte for byte RECORD.
expect_store_consistent() {  # LABEL RECORD
  read -r bad checked < <(store_check)
  expect_eq "$1: every record parses ($checked files)" 0 "$bad"
  expect_eq "$1: no temporary file left" 0 "$(find "$store/tmp" -type f 2>/dev/null | wc -l)"
  expect_eq "$1: pinner's record unchanged" "$2" "$(cat "$(pinner_record)" 2>/dev/null)"
}

pinner_record() {
  find "$store/users" -name '*.json' -print0 2>/dev/null | xargs -0 -r grep -l '"user_id":"pinterest|4714936491839602101"' | head -n 1
}

# Runs the requests that must fail on a broken disk, and those that must still work; LABEL
# names the fault.
check_broken_disk() {  # LABEL
  local label=$1 record
  record=$(cat "$(pinner_record)")
  local users_before
  users_before=$(user_count)
  started=$(date +%s)

  e2e_call "$BASE/healthz"
  expect_eq "$label: health is 503" 503 "$STATUS"
  e2e_call -G "$BASE/authorize" --data-urlencode response_type=code --data-urlencode client_id=demo \
    --data-urlencode "redirect_uri=$BASE/demo/" --data-urlencode state=s
  expect_store_unavailable "$label: authorize"
  expect_eq "$label: authorize sets no transaction cookie" "" "$(set_cookie_line "$HEADERS" 'pc_tx_[^=]*')"

  # A login started before the fault (in PENDING_JAR), for a user the store has never seen.
  timed_callback "$pending_jar" "$pending_callback"
  # A full disk still lets the callback remove the login state, so the failure goes back to the
  # application. A read-only one does not, so the callback shows the error itself.
  case "$STATUS $ERROR_CODE" in
    "302 store_unavailable") expect_eq "$label: pending login goes back to the application" "$BASE/demo/" "${LOCATION%%\?*}" ;;
    "503 ") expect_contains "$label: pending login shows store_unavailable" "$BODY" "<code>store_unavailable</code>" ;;
    *) fail "$label: pending login fails cleanly" "status $STATUS, Location $LOCATION" ;;
  esac
  expect_eq "$label: no session for the pending login" "" "$(set_cookie_line "$HEADERS" pc_session)"
  expect_eq "$label: no record for the new user" "$users_before" "$(user_count)"

  # A repeat login of an existing user, and an API write to that user.
  callback=$(consented_callback "$E2E_RUN/jar-repeat-$label" sandbox_pinner 2>/dev/null)
  e2e_call "${api_auth[@]}" -X PATCH --data-binary '{"user_metadata":{"plan":"broken"}}' "$BASE/api/users/$pinner"
  expect_eq "$label: PATCH is 503" 503 "$STATUS"
  expect_eq "$label: PATCH error code" store_unavailable "$(json_field "$BODY" error)"

  # What only reads still works.
  expect_eq "$label: existing session still reads its profile" 200 \
    "$(curl -s -o /dev/null -w '%{http_code}' -b "$E2E_RUN/jar-first" "$BASE/profile")"
  expect_eq "$label: API still reads the user" 200 "$(curl -s -o /dev/null -w '%{http_code}' "${api_auth[@]}" "$BASE/api/users/$pinner")"
  expect_eq "$label: auth_request still passes" 200 \
    "$(curl -s -o /dev/null -w '%{http_code}' -b "$E2E_RUN/jar-first" "$BASE/protected/page")"
  expect_eq "$label: every request ended within 3 s" yes "$([ $(( $(date +%s) - started )) -le 3 ] && echo yes)"
  expect_store_consistent "$label" "$record"
}

if mkdir -p "$E2E_RUN/small" && mount -t tmpfs -o size=4m,mode=0700 tmpfs "$E2E_RUN/small" 2>"$E2E_RUN/mount.log"; then
  trap 'umount -l "$E2E_RUN/small" 2>/dev/null; e2e_finish' EXIT
  store=$E2E_RUN/small/store
  configure "c['store']['directory'] = '$store'" || fail "responder restarts on the small store"
  pid=$(connection_pid)

  expect_eq "login on the small store" "$BASE/demo/?state=first" "$(e2e_login "$E2E_RUN/jar-first" sandbox_pinner first)"

  # Full disk.
  pending_jar=$E2E_RUN/jar-pending-full
  pending_callback=$(consented_callback "$pending_jar" sandbox_business)
  dd if=/dev/zero of="$E2E_RUN/small/filler" bs=64k count=100 2>/dev/null
  check_broken_disk full
  rm -f "$E2E_RUN/small/filler"
  expect_eq "full disk freed: health is 200" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")"
  expect_eq "full disk freed: login works" "$BASE/demo/?state=after-full" "$(e2e_login "$E2E_RUN/jar-after-full" sandbox_business after-full)"

  # Read-only file system.
  pending_jar=$E2E_RUN/jar-pending-ro
  pending_callback=$(consented_callback "$pending_jar" sandbox_minimal)
  mount -o remount,ro "$E2E_RUN/small"
  check_broken_disk read-only
  e2e_call -b "$E2E_RUN/jar-first" -G "$BASE/logout" --data-urlencode client_id=demo
  expect_eq "read-only: logout still redirects" "$BASE/demo/" "$(header_value "$HEADERS" Location)"
  expect_contains "read-only: logout still clears the cookie" "$(set_cookie_line "$HEADERS" pc_session)" "Max-Age=0"
  mount -o remount,rw "$E2E_RUN/small"
  expect_eq "read-write again: health is 200" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")"
  expect_eq "read-write again: login works" "$BASE/demo/?state=after-ro" "$(e2e_login "$E2E_RUN/jar-after-ro" sandbox_minimal after-ro)"
  expect_same_responder "responder survived the full and read-only disk" "$pid"
else
  echo "skip full and read-only disk: mount failed here ($(cat "$E2E_RUN/mount.log"))"
  store=$E2E_RUN/store
fi

# The store directory removed under the running service.
expect_eq "login before the removal" "$BASE/demo/?state=before-rm" "$(e2e_login "$E2E_RUN/jar-rm" sandbox_pinner before-rm)"
pid=$(connection_pid)
rm -rf "$store"
e2e_call "$BASE/healthz"
expect_eq "store removed: health is 503" 503 "$STATUS"
e2e_call -G "$BASE/authorize" --data-urlencode response_type=code --data-urlencode client_id=demo \
  --data-urlencode "redirect_uri=$BASE/demo/" --data-urlencode state=s
expect_store_unavailable "store removed: authorize"
request_json=$(curl -s -H 'Accept: application/json' -b "$E2E_RUN/jar-rm" "$BASE/profile")
expect_eq "store removed: the lost session is session_expired" session_expired "$(json_field "$request_json" error)"
e2e_call "${api_auth[@]}" -X PATCH --data-binary '{"user_metadata":{"a":1}}' "$BASE/api/users/$pinner"
expect_eq "store removed: PATCH finds no user" 404 "$STATUS"
expect_same_responder "responder survived the store's removal" "$pid"
# NOTE: a user-API write recreates the user's shard directories under the removed store, but no
# record: the temporary directory is gone too, so the write fails before any file is written.
expect_eq "store removed: no record written" 0 "$(user_count)"
restart_connection || fail "responder restarts after the store's removal"
expect_eq "restart recreates the store: health is 200" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")"
expect_eq "restart recreates the store: login works" "$BASE/demo/?state=after-rm" "$(e2e_login "$E2E_RUN/jar-after-rm" sandbox_pinner after-rm)"
