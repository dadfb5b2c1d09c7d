#!/usr/bin/env bash
# Every fault account of the sandbox provider, through a whole login. Each failure must reach the
# application as a clean error redirect with error, error_description, error_code and its state,
# within the Pinterest timeout, and start no session.
source "$(dirname "$0")/lib.sh"
# The slow faults sleep three times longer than the connection waits for Pinterest.
export STACK_TIMEOUT_MS=1000 STACK_SLOW_SECONDS=3
e2e_start

# Each entry: the account, then the RFC 6749 error and the error_code the application must get.
faults=(
  "fault_token_slow temporarily_unavailable pinterest_unavailable"
  "fault_token_500 temporarily_unavailable pinterest_unavailable"
  "fault_token_429 temporarily_unavailable pinterest_rate_limited"
  "fault_token_invalid_json server_error pinterest_invalid_response"
  "fault_user_slow temporarily_unavailable pinterest_unavailable"
  "fault_user_500 temporarily_unavailable pinterest_unavailable"
  "fault_user_429 temporarily_unavailable pinterest_rate_limited"
  "fault_user_invalid_json server_error pinterest_invalid_response"
  "fault_user_no_id server_error pinterest_account_without_id"
  "fault_user_token_rejected server_error pinterest_invalid_response"
  "fault_user_huge_body server_error pinterest_invalid_response"
)

for fault in "${faults[@]}"; do
  read -r account error error_code <<<"$fault"
  jar=$E2E_RUN/jar-$account
  consent_url=$(e2e_authorize "$jar" "state-$account")
  transaction_cookie=pc_tx_$(url_param "$consent_url" state | cut -c1-12)
  callback_url=$(e2e_consent "$jar" "$consent_url" "$account" allow)
  started=$(date +%s%N)
  e2e_call -b "$jar" -c "$jar" "$callback_url"
  elapsed_ms=$((($(date +%s%N) - started) / 1000000))
  location=$(header_value "$HEADERS" Location)

  expect_eq "$account: status 302" 302 "$STATUS"
  expect_eq "$account: back to the application" "$BASE/demo/" "${location%%\?*}"
  expect_eq "$account: error" "$error" "$(url_param "$location" error)"
  expect_eq "$account: error_code" "$error_code" "$(url_param "$location" error_code)"
  description=$(url_param "$location" error_description)
  expect_contains "$account: error_description is a sentence" "$description" " "
  expect_not_contains "$account: error_description has no token" "$description" pina_
  expect_eq "$account: state" "state-$account" "$(url_param "$location" state)"
  expect_eq "$account: no session cookie" "" "$(set_cookie_line "$HEADERS" pc_session)"
  expect_contains "$account: transaction cookie deleted" "$(set_cookie_line "$HEADERS" "$transaction_cookie")" "Max-Age=0"
  # The timeout is 1000 ms, and the slow faults would take 3000 ms.
  if [ "$elapsed_ms" -lt 2500 ]; then
    pass "$account: answered in time"
  else
    fail "$account: answered in time" "the callback took $elapsed_ms ms"
  fi
  expect_eq "$account: no profile" 401 "$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "$BASE/profile")"
done

# A token response without a refresh token is no fault: the login completes.
jar=$E2E_RUN/jar-no-refresh
expect_eq "fault_token_no_refresh logs in" "$BASE/demo/?state=app-state" "$(e2e_login "$jar" fault_token_no_refresh)"
profile=$(curl -s -b "$jar" "$BASE/profile")
expect_contains "fault_token_no_refresh has a profile" "$profile" '"nickname":"fault_token_no_refresh"'

# The failures are logged with their step and kind, and the service keeps serving.
log=$(cat "$E2E_RUN/connection.log")
expect_contains "timeout is logged" "$log" "step=token_exchange kind=timedOut"
expect_contains "rate limit is logged" "$log" "step=user_account kind=rateLimited status=429"
expect_contains "huge body is logged" "$log" "step=user_account kind=invalidAnswer"
expect_contains "missing id is logged" "$log" "reason=missingID"
expect_not_contains "log holds no access token" "$log" "pina_"
expect_eq "service still answers" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")"
expect_eq "regular login still works" "$BASE/demo/?state=app-state" "$(e2e_login "$E2E_RUN/jar-after" sandbox_pinner)"
