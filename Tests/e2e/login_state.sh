#!/usr/bin/env bash
# The callback's checks of state and transaction cookie. Covered: a missing, wrong, repeated,
# replayed or expired state, a cookie from another login or another browser, no cookies at all,
# and an authorization code that expired at Pinterest. Each rejection is an error page, never a
# redirect.
source "$(dirname "$0")/lib.sh"
# The shortest login lifetime the configuration allows, and a code lifetime that a callback made at
# once never reaches.
export STACK_LOGIN_LIFETIME=30 STACK_CODE_LIFETIME=3
e2e_start

# Checks that the last e2e_call returned the error page CODE with status 400 and no redirect.
expect_error_page() {  # LABEL CODE
  expect_eq "$1: status 400" 400 "$STATUS"
  expect_eq "$1: no redirect" "" "$(header_value "$HEADERS" Location)"
  expect_contains "$1: error code $2" "$BODY" "<code>$2</code>"
  expect_eq "$1: sets no session" "" "$(set_cookie_line "$HEADERS" pc_session)"
}

# Starts a login and consents; sets CALLBACK to the callback URL and STATE to Pinterest's state.
start_login() {  # JAR APP_STATE [ACCOUNT]
  local consent
  consent=$(e2e_authorize "$1" "$2")
  CALLBACK=$(e2e_consent "$1" "$consent" "${3:-sandbox_pinner}" allow)
  STATE=$(url_param "$CALLBACK" state)
}

# An expired login: started now, finished after the login lifetime at the end of this script.
expired_jar=$E2E_RUN/jar-expired
start_login "$expired_jar" expired-state
expired_callback=$CALLBACK
expired_cookie_name=pc_tx_${STATE:0:12}
expired_cookie=$(jar_cookie "$expired_jar" "$expired_cookie_name")
expired_started=$SECONDS

# A missing state.
jar=$E2E_RUN/jar-missing
start_login "$jar" missing-state
code=$(url_param "$CALLBACK" code)
e2e_call -b "$jar" -c "$jar" "$BASE/login/callback?code=$code"
expect_error_page "missing state" invalid_state
e2e_call -b "$jar" -H 'Accept: application/json' "$BASE/login/callback?code=$code"
expect_eq "missing state as JSON" invalid_state "$(json_field "$BODY" error)"
e2e_call -b "$jar" -c "$jar" "$BASE/login/callback?code=$code&state="
expect_error_page "empty state" invalid_state
e2e_call -b "$jar" -c "$jar" "$BASE/login/callback?code=$code&state=$STATE&state=$STATE"
expect_error_page "repeated state" invalid_state

# A wrong state rejects the request but leaves the real login usable.
wrong_state=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
e2e_call -b "$jar" -c "$jar" "$BASE/login/callback?code=$code&state=$wrong_state"
expect_error_page "wrong state" invalid_state
e2e_call -b "$jar" -c "$jar" "$BASE/login/callback?code=$code&state=$(head -c 3000 /dev/zero | tr '\0' 'A')"
expect_error_page "overlong state" invalid_state
e2e_call -b "$jar" -c "$jar" -G "$BASE/login/callback" --data-urlencode "code=$code" --data-urlencode "state=a=b;Domain=x; Max-Age=99"
expect_error_page "state with cookie attributes" invalid_state
expect_not_contains "state with cookie attributes: no Set-Cookie" "$HEADERS" "Set-Cookie:"
expect_eq "real login completes after the rejections" "302 $BASE/demo/?state=missing-state" "$(e2e_callback "$jar" "$CALLBACK")"

# A wrong state that shares the cookie's name: the cookie is found, but it was signed for another state.
jar=$E2E_RUN/jar-prefix
start_login "$jar" prefix-state
e2e_call -b "$jar" -c "$jar" "$BASE/login/callback?code=$(url_param "$CALLBACK" code)&state=${STATE:0:12}${wrong_state:12}"
expect_error_page "state with the cookie's prefix" invalid_state

# A replayed callback: with the same browser, and with a saved copy of the transaction cookie.
jar=$E2E_RUN/jar-replay
start_login "$jar" replay-state
saved_cookie="pc_tx_${STATE:0:12}=$(jar_cookie "$jar" "pc_tx_${STATE:0:12}")"
expect_eq "first use completes" "302 $BASE/demo/?state=replay-state" "$(e2e_callback "$jar" "$CALLBACK")"
e2e_call -b "$jar" "$CALLBACK"
expect_error_page "replay in the same browser" invalid_state
e2e_call -H "Cookie: $saved_cookie" "$CALLBACK"
expect_error_page "replay with a saved transaction cookie" invalid_state
expect_contains "replay is logged as used" "$(cat "$E2E_RUN/connection.log")" "reason=state_used_or_expired"

# The same callback ten times at once, as from a double click: exactly one completes.
jar=$E2E_RUN/jar-parallel
start_login "$jar" parallel-state
pids=()
for n in $(seq 1 10); do
  cp "$jar" "$jar-$n"
  e2e_callback "$jar-$n" "$CALLBACK" > "$E2E_RUN/parallel-$n" &
  pids+=($!)
done
wait "${pids[@]}"
expect_eq "one parallel callback completes" 1 "$(grep -lx "302 $BASE/demo/?state=parallel-state" "$E2E_RUN"/parallel-* | wc -l)"
expect_eq "nine parallel callbacks are rejected" 9 "$(grep -lx '400 ' "$E2E_RUN"/parallel-* | wc -l)"

# The callback in a browser without the transaction cookie: another browser, as in login CSRF.
jar=$E2E_RUN/jar-victim
start_login "$E2E_RUN/jar-attacker" csrf-state
e2e_login "$jar" sandbox_minimal >/dev/null
e2e_call -b "$jar" -c "$jar" "$CALLBACK"
expect_error_page "callback in another browser" invalid_state
expect_eq "victim keeps their own account" 200 "$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "$BASE/profile")"
expect_contains "victim's profile is unchanged" "$(curl -s -b "$jar" "$BASE/profile")" '"nickname":"sandbox_minimal"'
e2e_call -H "Cookie: unrelated=1" "$CALLBACK"
expect_error_page "unrelated cookies only" invalid_state

# No cookies at all: the browser blocks them.
e2e_call "$CALLBACK"
expect_error_page "no cookies" cookies_blocked
e2e_call -H 'Accept: application/json' "$CALLBACK"
expect_eq "no cookies as JSON" cookies_blocked "$(json_field "$BODY" error)"
expect_eq "attacker's own login still completes" "302 $BASE/demo/?state=csrf-state" "$(e2e_callback "$E2E_RUN/jar-attacker" "$CALLBACK")"

# Another login's transaction cookie under this login's name: the MAC covers the name.
jar_a=$E2E_RUN/jar-swap-a
jar_b=$E2E_RUN/jar-swap-b
start_login "$jar_a" swap-a
callback_a=$CALLBACK
state_a=$STATE
start_login "$jar_b" swap-b
value_b=$(jar_cookie "$jar_b" "pc_tx_${STATE:0:12}")
e2e_call -H "Cookie: pc_tx_${state_a:0:12}=$value_b" "$callback_a"
expect_error_page "transaction cookie under another name" invalid_state
expect_contains "renamed cookie is logged as a bad signature" "$(cat "$E2E_RUN/connection.log")" "reason=transaction_cookie_badSignature"
expect_eq "login a completes in its own browser" "302 $BASE/demo/?state=swap-a" "$(e2e_callback "$jar_a" "$callback_a")"

# A tampered transaction cookie.
jar=$E2E_RUN/jar-tampered
start_login "$jar" tampered-state
name=pc_tx_${STATE:0:12}
value=$(jar_cookie "$jar" "$name")
e2e_call -H "Cookie: $name=${value%?}" "$CALLBACK"
expect_error_page "truncated transaction cookie" invalid_state
e2e_call -H "Cookie: $name=${value/k1./k9.}" "$CALLBACK"
expect_error_page "transaction cookie with an unknown key id" invalid_state
expect_eq "untampered cookie still completes" "302 $BASE/demo/?state=tampered-state" "$(e2e_callback "$jar" "$CALLBACK")"

# A callback without a code, or with an empty one, counts as a denial.
jar=$E2E_RUN/jar-nocode
start_login "$jar" nocode-state
e2e_call -b "$jar" -c "$jar" "$BASE/login/callback?state=$STATE"
expect_eq "callback without a code redirects" 302 "$STATUS"
expect_eq "callback without a code is access_denied" access_denied "$(url_param "$(header_value "$HEADERS" Location)" error)"
expect_eq "callback without a code keeps the state" nocode-state "$(url_param "$(header_value "$HEADERS" Location)" state)"
start_login "$jar" emptycode-state
e2e_call -b "$jar" -c "$jar" "$BASE/login/callback?code=&state=$STATE"
expect_eq "callback with an empty code redirects" 302 "$STATUS"
expect_eq "callback with an empty code is access_denied" access_denied "$(url_param "$(header_value "$HEADERS" Location)" error)"

# An authorization code that expired at Pinterest before the callback used it.
jar=$E2E_RUN/jar-code
start_login "$jar" code-state
sleep 4
e2e_call -b "$jar" -c "$jar" "$CALLBACK"
location=$(header_value "$HEADERS" Location)
expect_eq "expired code redirects" 302 "$STATUS"
expect_contains "expired code goes back to the application" "$location" "$BASE/demo/?"
expect_eq "expired code error" access_denied "$(url_param "$location" error)"
expect_eq "expired code error_code" pinterest_invalid_grant "$(url_param "$location" error_code)"
expect_contains "expired code error_description" "$(url_param "$location" error_description)" "authorization code"
expect_eq "expired code keeps the state" code-state "$(url_param "$location" state)"
expect_eq "expired code sets no session" "" "$(set_cookie_line "$HEADERS" pc_session)"

# The expired login, once its lifetime has passed.
remaining=$((31 - (SECONDS - expired_started)))
[ "$remaining" -gt 0 ] && sleep "$remaining"
e2e_call -H "Cookie: $expired_cookie_name=$expired_cookie" "$expired_callback"
expect_error_page "expired transaction cookie" invalid_state
expect_contains "expired cookie is logged" "$(cat "$E2E_RUN/connection.log")" "reason=transaction_cookie_expired"
# The browser keeps the cookie past the login's end, so a late callback is reported as expired
# and not as blocked cookies.
e2e_call -b "$expired_jar" -c "$expired_jar" "$expired_callback"
expect_error_page "expired login in the same browser" invalid_state
expect_contains "expired login in the same browser: cookie deleted" "$(set_cookie_line "$HEADERS" "$expired_cookie_name")" "Max-Age=0"
