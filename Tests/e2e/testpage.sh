#!/usr/bin/env bash
# The operator's test page: a whole login with the built-in test client through the registered
# callback, reported as "It works!" or as the failed step, its error code, Pinterest's answer and
# the fix. Every sandbox fault account must land on the right step and catalogue entry.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/support/catalogue.sh"
# Slow faults sleep longer than the connection waits. The wait still leaves a debug-build sandbox
# time to produce the first MiB of its huge body, which must fail as too large, not as a timeout.
export STACK_SLOW_SECONDS=5 STACK_TIMEOUT_MS=3000
e2e_start

# Runs a test login as ACCOUNT and prints the report. Usage: test_login ACCOUNT [allow|deny] [ACCEPT]
test_login() {
  local account=$1 decision=${2:-allow} accept=${3:-application/json}
  local jar="$E2E_RUN/jar-test-$account-$decision-$RANDOM" consent callback
  consent=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$BASE/test/start")
  callback=$(e2e_consent "$jar" "$consent" "$account" "$decision")
  curl -s -c "$jar" -b "$jar" -H "Accept: $accept" "$callback"
}

# The start page shows what the test uses and links to the start.
catalogue_call -H 'Accept: text/html' "$BASE/test"
expect_eq "test page answers 200" 200 "$CALL_STATUS"
expect_contains "test page shows the redirect URI" "$CALL_BODY" "<code>$BASE/login/callback</code>"
expect_contains "test page links to the start" "$CALL_BODY" "href=\"$BASE/test/start\""
catalogue_call -H 'Accept: application/json' "$BASE/test"
expect_eq "test page JSON names the start URL" "$BASE/test/start" "$(json_field "$CALL_BODY" start_url)"

# The start is a login like /authorize: a redirect to the sandbox with state and a transaction cookie.
catalogue_call "$BASE/test/start"
location=$(catalogue_header Location)
expect_eq "test start redirects" 302 "$CALL_STATUS"
expect_contains "test start goes to the sandbox consent page" "$location" "$BASE/sandbox/oauth/?"
expect_eq "test start sends the registered redirect URI" "$BASE/login/callback" "$(url_param "$location" redirect_uri)"
expect_contains "test start sets a transaction cookie" "$CALL_HEADERS" "Set-Cookie: pc_tx_"

# A successful login, as JSON.
report=$(test_login sandbox_pinner)
expect_eq "success: result" passed "$(json_field "$report" result)"
expect_contains "success: user id" "$report" '"user_id":"pinterest|4714936491839602101"'
expect_eq "success: every step passed" 5 "$(printf '%s' "$report" | grep -oE '\{"result":"passed","step":"[a-z_]+"\}' | wc -l)"
expect_eq "success: redirect URI in use" "$BASE/login/callback" "$(json_field "$report" redirect_uri)"
expect_contains "success: scopes granted" "$report" '"scopes_granted":["boards:read","pins:read","user_accounts:read"]'
expect_contains "success: profile as stored" "$report" '"nickname":"sandbox_pinner"'
expect_contains "success: Pinterest attributes received" "$report" '"pinterest_account":{"about":'
expect_eq "success: first login" true "$(json_field "$report" first_login)"
expect_contains "success: refresh token reported" "$report" '"refresh_token":true'
expect_not_contains "success: no access token value" "$report" '"access_token"'

# The stored user is the same one an application sees.
catalogue_call -u demo:demo-secret "$BASE/api/users/pinterest%7C4714936491839602101"
expect_eq "success: user is stored" 200 "$CALL_STATUS"

# The same login as a page: escaped values, no secret, no token, no redirect, no session.
jar="$E2E_RUN/jar-html"
consent=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$BASE/test/start")
callback=$(e2e_consent "$jar" "$consent" sandbox_pinner allow)
catalogue_call -b "$jar" -H 'Accept: text/html' "$callback"
expect_eq "success page: status 200" 200 "$CALL_STATUS"
expect_contains "success page: It works!" "$CALL_BODY" "<h1>It works!</h1>"
expect_contains "success page: returning user" "$CALL_BODY" "over the existing user"
expect_contains "success page: about is escaped" "$CALL_BODY" "Recipes &amp; &lt;b&gt;baking&lt;/b&gt; notes, &quot;quoted&quot; and &#39;single-quoted&#39;."
expect_not_contains "success page: no raw markup from Pinterest" "$CALL_BODY" "<b>baking"
expect_contains "success page: scopes granted" "$CALL_BODY" "<dt>Scopes granted</dt><dd><code>boards:read pins:read user_accounts:read</code>"
expect_not_contains "success page: no redirect" "$CALL_HEADERS" "Location:"
expect_not_contains "success page: no session cookie" "$CALL_HEADERS" "pc_session="
expect_contains "success page: transaction cookie cleared" "$CALL_HEADERS" "Max-Age=0"
app_secret=$(json_field "$(tr -d ' \n' < "$E2E_RUN/sandbox.json")" app_secret)
expect_not_contains "success page: no app secret" "$CALL_BODY" "$app_secret"
expect_not_contains "success page: no access token" "$CALL_BODY" "pina"
expect_not_contains "success page: no refresh token" "$CALL_BODY" "pinr"

# The callback of a test login is one-time, like any other.
catalogue_call -b "$jar" -H 'Accept: application/json' "$callback"
expect_eq "test callback replay is invalid_state" invalid_state "$(json_field "$CALL_BODY" error)"

# Unicode survives the round trip.
report=$(test_login sandbox_unicode)
expect_contains "unicode: business name" "$report" "Zoë's Café — 東京"

# The test client is no application: /authorize does not know it.
catalogue_call -H 'Accept: application/json' -G "$BASE/authorize" --data-urlencode response_type=code \
  --data-urlencode client_id=pinterest-connection-test-page --data-urlencode redirect_uri=internal:test-page
expect_eq "test client cannot use /authorize" unknown_client "$(json_field "$CALL_BODY" error)"

# Denial on the consent page is the consent step.
report=$(test_login sandbox_pinner deny)
expect_eq "deny: result" failed "$(json_field "$report" result)"
expect_eq "deny: step" consent "$(json_field "$report" step)"
expect_eq "deny: error" access_denied "$(json_field "$report" error)"
expect_eq "deny: Pinterest's error" access_denied "$(json_field "$report" code)"
expect_eq "deny: hint" "$(catalogue_text access_denied hint)" "$(json_unescape "$(json_field "$report" hint)")"

# Each fault account: ACCOUNT STEP ERROR PINTEREST_STATUS, which is null when no HTTP answer came
# and none when the report shows no Pinterest answer at all.
while read -r account step error pinterest_status; do
  report=$(test_login "$account")
  expect_eq "$account: result" failed "$(json_field "$report" result)"
  expect_eq "$account: step" "$step" "$(json_field "$report" step)"
  expect_eq "$account: error" "$error" "$(json_field "$report" error)"
  expect_eq "$account: hint" "$(catalogue_text "$error" hint)" "$(json_unescape "$(json_field "$report" hint)")"
  if [ "$pinterest_status" = "none" ]; then
    expect_not_contains "$account: no Pinterest answer shown" "$report" '"pinterest":{'
  else
    expect_eq "$account: Pinterest's status" "$pinterest_status" "$(json_field "$report" status)"
  fi
  expect_contains "$account: later steps not reached" "$report" '{"result":"not reached","step":"store"}'
done <<'TABLE'
fault_token_slow token_exchange pinterest_unavailable null
fault_token_500 token_exchange pinterest_unavailable 500
fault_token_429 token_exchange pinterest_rate_limited 429
fault_token_invalid_json token_exchange pinterest_invalid_response 200
fault_user_slow user_account pinterest_unavailable null
fault_user_500 user_account pinterest_unavailable 500
fault_user_429 user_account pinterest_rate_limited 429
fault_user_invalid_json user_account pinterest_invalid_response 200
fault_user_no_id user_account pinterest_account_without_id none
fault_user_token_rejected user_account pinterest_invalid_response 401
fault_user_huge_body user_account pinterest_invalid_response null
TABLE

report=$(test_login fault_token_slow)
expect_contains "slow token endpoint: diagnosis names the timeout" "$report" "no answer within 3000 ms"
report=$(test_login fault_token_429)
expect_contains "rate limit: Pinterest's message shown" "$report" '"message":'
expect_contains "rate limit: Pinterest's request id shown" "$report" '"request_id":"'

# A token response without a refresh token still logs in.
report=$(test_login fault_token_no_refresh)
expect_eq "no refresh token: result" passed "$(json_field "$report" result)"
expect_contains "no refresh token: reported" "$report" '"refresh_token":false'

# A failure as a page: the step, the code, Pinterest's answer and the fix.
report=$(test_login fault_user_429 allow 'text/html')
expect_contains "failure page: step" "$report" "<h1>The test login failed at the user account step</h1>"
expect_contains "failure page: error code" "$report" "<code>pinterest_rate_limited</code>"
expect_contains "failure page: hint" "$report" "<p>$(html_escape "$(catalogue_text pinterest_rate_limited hint)")</p>"
expect_contains "failure page: Pinterest's status" "$report" "<dt>HTTP status</dt><dd><code>429</code></dd>"
expect_contains "failure page: step list" "$report" '<li class="failed"><strong>User account</strong>: failed</li>'

# The store: writes go through store/tmp, so an immutable tmp stops them even for root.
trap 'store_writes on; e2e_finish' EXIT
if store_writes off 2>/dev/null; then
  catalogue_call -H 'Accept: application/json' "$BASE/test/start"
  expect_eq "store down at start: step" authorize "$(json_field "$CALL_BODY" step)"
  expect_eq "store down at start: error" store_unavailable "$(json_field "$CALL_BODY" error)"
  store_writes on

  jar="$E2E_RUN/jar-store"
  consent=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$BASE/test/start")
  callback=$(e2e_consent "$jar" "$consent" sandbox_business allow)
  store_writes off
  report=$(curl -s -b "$jar" -H 'Accept: application/json' "$callback")
  store_writes on
  expect_eq "store down at the end: step" store "$(json_field "$report" step)"
  expect_eq "store down at the end: error" store_unavailable "$(json_field "$report" error)"
else
  fail "store failure can be simulated" "chattr +i is not supported on $E2E_RUN/store"
fi
