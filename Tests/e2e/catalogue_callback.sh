#!/usr/bin/env bash
# The catalogue's /login/callback errors through nginx: a callback that cannot be tied to a login is
# a page, and a login that fails after that goes back to the application with the error.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/support/catalogue.sh"
# Slow faults outlast the connection's wait, and codes expire fast enough to test expiry.
export STACK_SLOW_SECONDS=4 STACK_TIMEOUT_MS=1500 STACK_CODE_LIFETIME=2
e2e_start

# Logs in up to the callback as ACCOUNT with DECISION and prints where the application is sent.
# Usage: failed_login ACCOUNT [allow|deny] [STATE]
failed_login() {
  local jar="$E2E_RUN/jar-$1-$RANDOM" consent callback
  consent=$(e2e_authorize "$jar" "${3:-app-state}")
  callback=$(e2e_consent "$jar" "$consent" "$1" "${2:-allow}")
  e2e_callback "$jar" "$callback" | cut -d' ' -f2-
}

# Callbacks that belong to no login of this browser: pages, never a redirect.
expect_error_page "callback without state" invalid_state -b "other=1" "$BASE/login/callback?code=abc"
expect_error_page "callback with an unknown state" invalid_state -b "pc_tx_AAAAAAAAAAAA=forged" \
  "$BASE/login/callback?code=abc&state=AAAAAAAAAAAAAAAAAAAAAAAA"
expect_error_page "callback without any cookie" cookies_blocked "$BASE/login/callback?code=abc&state=AAAAAAAAAAAA"

# A replayed callback: the state was used by the first request.
jar="$E2E_RUN/jar-replay"
consent=$(e2e_authorize "$jar")
callback=$(e2e_consent "$jar" "$consent" sandbox_pinner allow)
cp "$jar" "$jar.copy"
e2e_callback "$jar" "$callback" > /dev/null
catalogue_call -b "$jar.copy" -H 'Accept: application/json' "$callback"
check_error_json "replayed callback" invalid_state "$CALL_STATUS" "$CALL_BODY"

# Failures after the login is known go back to the application.
expect_error_redirect "consent denied" access_denied "$(failed_login sandbox_pinner deny s-deny)" s-deny
expect_error_redirect "token endpoint rate limit" pinterest_rate_limited "$(failed_login fault_token_429 allow s-429)" s-429
expect_error_redirect "user account rate limit" pinterest_rate_limited "$(failed_login fault_user_429 allow s-u429)" s-u429
expect_error_redirect "token endpoint too slow" pinterest_unavailable "$(failed_login fault_token_slow allow s-slow)" s-slow
expect_error_redirect "token endpoint failing" pinterest_unavailable "$(failed_login fault_token_500 allow s-500)" s-500
expect_error_redirect "token answer not JSON" pinterest_invalid_response "$(failed_login fault_token_invalid_json allow s-json)" s-json
expect_error_redirect "user account not JSON" pinterest_invalid_response "$(failed_login fault_user_invalid_json allow s-ujson)" s-ujson
expect_error_redirect "account without id" pinterest_account_without_id "$(failed_login fault_user_no_id allow s-noid)" s-noid

# An authorization code used after it expired.
jar="$E2E_RUN/jar-expired"
consent=$(e2e_authorize "$jar" s-expired)
callback=$(e2e_consent "$jar" "$consent" sandbox_pinner allow)
sleep 3
location=$(e2e_callback "$jar" "$callback" | cut -d' ' -f2-)
expect_error_redirect "expired authorization code" pinterest_invalid_grant "$location" s-expired

# A consent that lacks user_accounts:read. The browser can edit the scope on its way to Pinterest,
# and sandbox_minimal has never granted any scope in this fresh sandbox.
jar="$E2E_RUN/jar-scope"
consent=$(e2e_authorize "$jar" s-scope)
consent=$(printf '%s' "$consent" | sed -E 's/([?&]scope=)[^&]*/\1pins%3Aread/')
callback=$(e2e_consent "$jar" "$consent" sandbox_minimal allow)
location=$(e2e_callback "$jar" "$callback" | cut -d' ' -f2-)
expect_error_redirect "consent without user_accounts:read" missing_scope "$location" s-scope
expect_contains "missing scope: detail lists the granted scopes" "$(url_param "$location" error_description)" "Pinterest granted only: pins:read."

# The sandbox down: nginx answers 502 for it, which is Pinterest being unavailable.
jar="$E2E_RUN/jar-down"
consent=$(e2e_authorize "$jar" s-down)
callback=$(e2e_consent "$jar" "$consent" sandbox_pinner allow)
kill -TERM "$(cat "$E2E_RUN/sandbox-supervisor.pid")" "$(cat "$E2E_RUN/sandbox.pid")"
for _ in $(seq 1 50); do [ -S "$E2E_RUN/sandbox.sock" ] || break; sleep 0.1; done
location=$(e2e_callback "$jar" "$callback" | cut -d' ' -f2-)
expect_error_redirect "sandbox socket down" pinterest_unavailable "$location" s-down
expect_contains "sandbox down is logged as a Pinterest failure" "$(cat "$E2E_RUN/connection.log")" "status=502"
