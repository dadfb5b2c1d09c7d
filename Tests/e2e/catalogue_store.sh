#!/usr/bin/env bash
# store_unavailable and corrupt_record through nginx. Tests run as root, which chmod cannot stop, so
# the store's directory for files being written is made immutable with chattr +i instead.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/support/catalogue.sh"
e2e_start
trap 'store_writes on; e2e_finish' EXIT

if ! store_writes off 2>/dev/null; then
  fail "store failure can be simulated" "chattr +i is not supported on $E2E_RUN/store"
  exit 1
fi

expect_error_page "health check with the store down" store_unavailable "$BASE/healthz"
expect_error_page "authorize with the store down" store_unavailable -G "$BASE/authorize" --data-urlencode response_type=code \
  --data-urlencode client_id=demo --data-urlencode "redirect_uri=$BASE/demo/"
store_writes on
expect_eq "health check with the store back" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")"

# A store that fails after Pinterest answered: the application learns it by redirect.
jar="$E2E_RUN/jar-store"
consent=$(e2e_authorize "$jar" s-store)
callback=$(e2e_consent "$jar" "$consent" sandbox_business allow)
store_writes off
location=$(e2e_callback "$jar" "$callback" | cut -d' ' -f2-)
store_writes on
expect_error_redirect "profile write with the store down" store_unavailable "$location" s-store

# A user record that cannot be read is reported, never overwritten.
e2e_login "$E2E_RUN/jar-corrupt" sandbox_minimal > /dev/null
key=$(printf '%s' 'pinterest|4714936491839602103' | sha256sum | cut -c1-64)
record="$E2E_RUN/store/users/${key:0:2}/${key:2:2}/$key.json"
expect_eq "user record exists" yes "$([ -f "$record" ] && echo yes || echo no)"
printf 'not a record' > "$record"
expect_error_json "corrupt user record" corrupt_record -u demo:demo-secret "$BASE/api/users/pinterest%7C4714936491839602103"
expect_eq "corrupt record left untouched" "not a record" "$(cat "$record")"
