#!/usr/bin/env bash
# The sandbox Pinterest provider alone, through the real nginx, driven with curl the way a relying
# party and a person's browser would: authorization page, consent, token endpoint, refresh token
# rotation, GET /v5/user_account and every fault account.
source "$(dirname "$0")/lib.sh"
# Short enough to test the slow faults and code expiry quickly, long enough for curl between steps.
export STACK_SLOW_SECONDS=1 STACK_CODE_LIFETIME=3
e2e_start

SANDBOX="$BASE/sandbox"
# The registration the stack wrote, whose one redirect URI is the connection's callback.
registration=$(tr -d ' \n' < "$E2E_RUN/sandbox.json")
APP_ID=$(json_field "$registration" app_id)
APP_SECRET=$(json_field "$registration" app_secret)
REDIRECT_URI="$BASE/login/callback"

# Runs curl with the given arguments and sets STATUS, BODY and HEADERS from the response.
sandbox_call() {
  STATUS=$(curl -s -o "$E2E_RUN/sandbox-body" -D "$E2E_RUN/sandbox-headers" -w '%{http_code}' "$@")
  BODY=$(cat "$E2E_RUN/sandbox-body")
  HEADERS=$(tr -d '\r' < "$E2E_RUN/sandbox-headers")
}

# Prints the value of a response header, by case-insensitive name.
header_value() {  # HEADERS NAME
  printf '%s\n' "$1" | grep -i "^$2:" | head -n 1 | sed -E 's/^[^:]+: *//'
}

# Requests the authorization page. Usage: sandbox_authorize_page SCOPE [STATE] [REDIRECT_URI] [CLIENT_ID]
sandbox_authorize_page() {
  local scope=$1 state=${2:-} redirect=${3:-$REDIRECT_URI} client=${4:-$APP_ID}
  local arguments=(-G "$SANDBOX/oauth/" --data-urlencode "client_id=$client" --data-urlencode "redirect_uri=$redirect"
                   --data-urlencode response_type=code --data-urlencode "scope=$scope")
  [ -n "$state" ] && arguments+=(--data-urlencode "state=$state")
  sandbox_call "${arguments[@]}"
}

# Prints the hidden consent_id of the consent page in BODY.
consent_id_of_page() {
  printf '%s' "$BODY" | grep -oE 'name="consent_id" value="[^"]+"' | sed -E 's/.*value="([^"]+)"/\1/'
}

# Posts the consent form and prints the redirect URL. Usage: sandbox_post_consent CONSENT_ID DECISION [ACCOUNT]
sandbox_post_consent() {
  curl -s -o /dev/null -w '%{redirect_url}' "$SANDBOX/oauth/consent" \
    --data-urlencode "consent_id=$1" --data-urlencode "decision=$2" --data-urlencode "account=${3:-}"
}

# Runs the authorization page and Allow, and prints the redirect URL. Usage: sandbox_allow ACCOUNT SCOPE [STATE]
sandbox_allow() {
  local account=$1 scope=$2 state=${3:-}
  sandbox_authorize_page "$scope" "$state"
  sandbox_post_consent "$(consent_id_of_page)" allow "$account"
}

# Prints a fresh authorization code. Usage: sandbox_code ACCOUNT [SCOPE]
sandbox_code() {
  url_param "$(sandbox_allow "$1" "${2:-user_accounts:read,pins:read}")" code
}

# Posts the given form fields to the token endpoint with HTTP Basic, and sets STATUS, BODY and HEADERS.
# Usage: sandbox_token FIELD=VALUE...
sandbox_token() {
  local arguments=(-u "$APP_ID:$APP_SECRET" "$SANDBOX/v5/oauth/token")
  local field
  for field in "$@"; do arguments+=(--data-urlencode "$field"); done
  sandbox_call "${arguments[@]}"
}

# Exchanges a code for tokens, and sets STATUS, BODY and HEADERS.
sandbox_exchange() {  # CODE
  sandbox_token grant_type=authorization_code "code=$1" "redirect_uri=$REDIRECT_URI"
}

# Runs the whole dance for an account and prints the token response body.
sandbox_tokens() {  # ACCOUNT [SCOPE]
  sandbox_exchange "$(sandbox_code "$1" "${2:-user_accounts:read,pins:read}")"
  printf '%s' "$BODY"
}

# Requests GET /v5/user_account with a bearer token, and sets STATUS, BODY and HEADERS.
sandbox_user_account() {  # ACCESS_TOKEN
  sandbox_call -H "Authorization: Bearer $1" "$SANDBOX/v5/user_account"
}

# ---- Authorization page

sandbox_authorize_page "user_accounts:read,pins:read" "page-state"
expect_eq "authorization page status" 200 "$STATUS"
expect_contains "consent page names the app" "$BODY" "Pinterest Connection (sandbox) wants to access your Pinterest account"
expect_contains "consent page lists the scope" "$BODY" "<code>user_accounts:read</code>"
expect_contains "consent page has the fault section" "$BODY" "<summary>Fault injection (for tests)</summary>"
expect_contains "consent form posts below the mount" "$BODY" 'action="/sandbox/oauth/consent"'
expect_contains "CSP allows the redirect origin" "$(header_value "$HEADERS" content-security-policy)" "form-action 'self' $BASE;"
expect_eq "consent page has a request id" 16 "$(header_value "$HEADERS" x-pinterest-rid | tr -d '\n' | wc -c)"

sandbox_authorize_page "user_accounts:read" "" "$BASE/elsewhere"
expect_eq "unregistered redirect URI status" 400 "$STATUS"
expect_contains "unregistered redirect URI shows code 7" "$BODY" "does not match any of the registered redirect URIs"
expect_eq "unregistered redirect URI is not followed" "" "$(header_value "$HEADERS" location)"

sandbox_authorize_page "user_accounts:read" "" "$REDIRECT_URI" 999
expect_eq "unknown client status" 400 "$STATUS"
expect_contains "unknown client page" "$BODY" "No app with the client_id 999 is registered."

sandbox_authorize_page "read_public"
expect_eq "v1 scope rejected" 400 "$STATUS"

sandbox_authorize_page "user_accounts:read boards:read"
expect_eq "space-separated scopes accepted" 200 "$STATUS"

# ---- Consent

location=$(sandbox_allow sandbox_pinner "user_accounts:read,pins:read" "state with spaces & symbols")
expect_contains "allow redirects to the redirect URI" "$location" "$REDIRECT_URI?code="
expect_eq "allow echoes the state" "state with spaces & symbols" "$(url_param "$location" state)"

location=$(sandbox_allow sandbox_pinner "user_accounts:read")
expect_eq "allow without state sends no state" "" "$(url_param "$location" state)"

sandbox_authorize_page "user_accounts:read" "deny-state"
location=$(sandbox_post_consent "$(consent_id_of_page)" deny)
expect_contains "deny redirects with access_denied" "$location" "$REDIRECT_URI?error=access_denied"
expect_eq "deny echoes the state" "deny-state" "$(url_param "$location" state)"
expect_eq "deny sends no code" "" "$(url_param "$location" code)"

sandbox_authorize_page "user_accounts:read" "once"
consent_id=$(consent_id_of_page)
sandbox_post_consent "$consent_id" allow sandbox_pinner >/dev/null
sandbox_call "$SANDBOX/oauth/consent" --data-urlencode "consent_id=$consent_id" --data-urlencode decision=allow \
  --data-urlencode account=sandbox_pinner
expect_eq "consent id is single use" 400 "$STATUS"

sandbox_authorize_page "user_accounts:read" "kept-state"
location=$(curl -s -o /dev/null -w '%{redirect_url}' "$SANDBOX/oauth/consent" \
  --data-urlencode "consent_id=$(consent_id_of_page)" --data-urlencode decision=allow \
  --data-urlencode account=sandbox_pinner --data-urlencode "redirect_uri=http://attacker.example/")
expect_contains "form cannot change the redirect URI" "$location" "$REDIRECT_URI?code="
expect_eq "form cannot change the state" "kept-state" "$(url_param "$location" state)"

# ---- Scope check. It runs before sandbox_unicode ever grants user_accounts:read, because token
# responses list every scope an account ever granted, as Pinterest's do.

access_token=$(json_field "$(sandbox_tokens sandbox_unicode pins:read)" access_token)
sandbox_user_account "$access_token"
expect_eq "token without user_accounts:read status" 401 "$STATUS"
expect_eq "token without user_accounts:read code" 3 "$(json_field "$BODY" code)"

# ---- Token endpoint

code=$(sandbox_code sandbox_pinner)
sandbox_exchange "$code"
expect_eq "code exchange status" 200 "$STATUS"
expect_contains "access token prefix" "$(json_field "$BODY" access_token)" "pina_"
expect_eq "token type" bearer "$(json_field "$BODY" token_type)"
expect_eq "access token lifetime" 2592000 "$(json_field "$BODY" expires_in)"
expect_eq "granted scope" "pins:read user_accounts:read" "$(json_field "$BODY" scope)"
expect_eq "response type of code exchange" authorization_code "$(json_field "$BODY" response_type)"
expect_contains "refresh token prefix" "$(json_field "$BODY" refresh_token)" "pinr_"
expect_eq "refresh token lifetime" 5184000 "$(json_field "$BODY" refresh_token_expires_in)"
expires_at=$(json_field "$BODY" refresh_token_expires_at)
expect_eq "refresh token expiry is 60 days away" ok "$( (( expires_at - $(date +%s) > 5183000 )) && echo ok)"
expect_eq "token response has a request id" 16 "$(header_value "$HEADERS" x-pinterest-rid | tr -d '\n' | wc -c)"
access_token=$(json_field "$BODY" access_token)
refresh_token=$(json_field "$BODY" refresh_token)

sandbox_exchange "$code"
expect_eq "reused code status" 401 "$STATUS"
expect_eq "reused code body" '{"code":283,"message":"The authorization grant is invalid"}' "$BODY"

code=$(sandbox_code sandbox_pinner)
sleep 4
sandbox_exchange "$code"
expect_eq "expired code status" 401 "$STATUS"
expect_eq "expired code error" 283 "$(json_field "$BODY" code)"

code=$(sandbox_code sandbox_pinner)
sandbox_token grant_type=authorization_code "code=$code" "redirect_uri=$BASE/other"
expect_eq "code with another redirect URI rejected" 283 "$(json_field "$BODY" code)"

code=$(sandbox_code sandbox_pinner)
sandbox_call -u "$APP_ID:wrong-secret" "$SANDBOX/v5/oauth/token" --data-urlencode grant_type=authorization_code \
  --data-urlencode "code=$code" --data-urlencode "redirect_uri=$REDIRECT_URI"
expect_eq "wrong secret status" 401 "$STATUS"
expect_eq "wrong secret body" '{"code":2,"message":"Authentication failed."}' "$BODY"

sandbox_call "$SANDBOX/v5/oauth/token" --data-urlencode grant_type=authorization_code --data-urlencode "code=$code" \
  --data-urlencode "redirect_uri=$REDIRECT_URI" --data-urlencode "client_id=$APP_ID" \
  --data-urlencode "client_secret=$APP_SECRET"
expect_eq "credentials in the body status" 400 "$STATUS"
expect_eq "credentials in the body body" '{"code":1,"message":"Invalid request body"}' "$BODY"

sandbox_token grant_type=password username=x password=y
expect_eq "unsupported grant type status" 400 "$STATUS"
expect_eq "unsupported grant type code" 1 "$(json_field "$BODY" code)"

sandbox_call "$SANDBOX/v5/oauth/token"
expect_eq "GET on the token endpoint" 405 "$STATUS"

# ---- Refresh token rotation

sandbox_token grant_type=refresh_token "refresh_token=$refresh_token"
expect_eq "refresh status" 200 "$STATUS"
expect_eq "refresh response type" refresh_token "$(json_field "$BODY" response_type)"
new_refresh_token=$(json_field "$BODY" refresh_token)
new_access_token=$(json_field "$BODY" access_token)
expect_contains "refresh returns a refresh token" "$new_refresh_token" "pinr_"
expect_not_contains "refresh rotates the refresh token" "$new_refresh_token" "$refresh_token"
expect_not_contains "refresh issues a new access token" "$new_access_token" "$access_token"

sandbox_token grant_type=refresh_token "refresh_token=$refresh_token"
expect_eq "rotated refresh token status" 401 "$STATUS"
expect_eq "rotated refresh token code" 283 "$(json_field "$BODY" code)"

sandbox_token grant_type=refresh_token "refresh_token=$new_refresh_token"
expect_eq "new refresh token works" 200 "$STATUS"

# ---- GET /v5/user_account

sandbox_user_account "$new_access_token"
expect_eq "user account status" 200 "$STATUS"
expect_eq "user account id" 4714936491839602101 "$(json_field "$BODY" id)"
expect_eq "user account username" sandbox_pinner "$(json_field "$BODY" username)"
expect_eq "user account type" PINNER "$(json_field "$BODY" account_type)"
expect_eq "user account has a request id" 16 "$(header_value "$HEADERS" x-pinterest-rid | tr -d '\n' | wc -c)"

sandbox_user_account "$(json_field "$(sandbox_tokens sandbox_minimal user_accounts:read)" access_token)"
expect_eq "minimal account has only id and username" '{"id":"4714936491839602103","username":"sandbox_minimal"}' "$BODY"

sandbox_user_account "$(json_field "$(sandbox_tokens sandbox_unicode)" access_token)"
expect_contains "non-ASCII business name" "$BODY" '"business_name":"Zoë'"'"'s Café — 東京"'

sandbox_user_account "pina_not_a_token"
expect_eq "unknown access token status" 401 "$STATUS"
expect_eq "unknown access token body" '{"code":2,"message":"Authentication failed."}' "$BODY"

sandbox_call "$SANDBOX/v5/user_account"
expect_eq "missing access token status" 401 "$STATUS"

# ---- Token endpoint faults

sandbox_exchange "$(sandbox_code fault_token_slow)"
seconds=$(curl -s -o /dev/null -w '%{time_total}' -u "$APP_ID:$APP_SECRET" "$SANDBOX/v5/oauth/token" \
  --data-urlencode grant_type=authorization_code --data-urlencode "code=$(sandbox_code fault_token_slow)" \
  --data-urlencode "redirect_uri=$REDIRECT_URI")
expect_eq "slow token endpoint still succeeds" 200 "$STATUS"
expect_eq "slow token endpoint sleeps slow_seconds" ok "$(awk -v s="$seconds" 'BEGIN { if (s >= 1) print "ok" }')"

sandbox_exchange "$(sandbox_code fault_token_500)"
expect_eq "token fault 500" 500 "$STATUS"

sandbox_exchange "$(sandbox_code fault_token_429)"
expect_eq "token fault 429" 429 "$STATUS"
expect_eq "token fault 429 keeps the error shape" 8 "$(json_field "$BODY" code)"

sandbox_exchange "$(sandbox_code fault_token_invalid_json)"
expect_eq "token fault invalid JSON status" 200 "$STATUS"
expect_eq "token fault invalid JSON is truncated" '{"access_token": "pina_sandbox_truncated", "token_type": "bearer", "expires_in": 25' "$BODY"

sandbox_exchange "$(sandbox_code fault_token_no_refresh)"
expect_eq "token without refresh token status" 200 "$STATUS"
expect_not_contains "token without refresh token" "$BODY" "refresh_token"
sandbox_user_account "$(json_field "$BODY" access_token)"
expect_eq "access token without refresh token works" 200 "$STATUS"

# ---- GET /v5/user_account faults

access_token=$(json_field "$(sandbox_tokens fault_user_slow)" access_token)
seconds=$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $access_token" "$SANDBOX/v5/user_account")
expect_eq "slow user account sleeps slow_seconds" ok "$(awk -v s="$seconds" 'BEGIN { if (s >= 1) print "ok" }')"
sandbox_user_account "$access_token"
expect_eq "slow user account still succeeds" fault_user_slow "$(json_field "$BODY" username)"

sandbox_user_account "$(json_field "$(sandbox_tokens fault_user_500)" access_token)"
expect_eq "user account fault 500" 500 "$STATUS"

sandbox_user_account "$(json_field "$(sandbox_tokens fault_user_429)" access_token)"
expect_eq "user account fault 429" 429 "$STATUS"
expect_eq "user account fault 429 keeps the error shape" 8 "$(json_field "$BODY" code)"

sandbox_user_account "$(json_field "$(sandbox_tokens fault_user_invalid_json)" access_token)"
expect_eq "user account fault invalid JSON status" 200 "$STATUS"
expect_not_contains "user account fault invalid JSON is truncated" "${BODY: -1}" "}"

sandbox_user_account "$(json_field "$(sandbox_tokens fault_user_no_id)" access_token)"
expect_eq "user account without id status" 200 "$STATUS"
expect_eq "user account without id has a username" fault_user_no_id "$(json_field "$BODY" username)"
expect_not_contains "user account without id" "$BODY" '"id"'

sandbox_user_account "$(json_field "$(sandbox_tokens fault_user_token_rejected)" access_token)"
expect_eq "rejected access token status" 401 "$STATUS"
expect_eq "rejected access token body" '{"code":2,"message":"Authentication failed."}' "$BODY"

access_token=$(json_field "$(sandbox_tokens fault_user_huge_body)" access_token)
size=$(curl -s -o /dev/null -w '%{size_download}' -H "Authorization: Bearer $access_token" "$SANDBOX/v5/user_account")
expect_eq "huge body is several MiB" ok "$( (( size > 4 * 1024 * 1024 )) && echo ok)"

# ---- Logs hold no secret, code or token.

sandbox_log=$(cat "$E2E_RUN/sandbox.log")
expect_not_contains "sandbox log holds no app secret" "$sandbox_log" "$APP_SECRET"
expect_not_contains "sandbox log holds no access token" "$sandbox_log" "pina_"
expect_not_contains "sandbox log holds no refresh token" "$sandbox_log" "pinr_"
expect_not_contains "sandbox log holds no code" "$sandbox_log" "$code"
expect_contains "sandbox log records faults" "$sandbox_log" 'msg="sandbox fault injected"'
