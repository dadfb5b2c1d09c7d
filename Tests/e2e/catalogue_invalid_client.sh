#!/usr/bin/env bash
# pinterest_invalid_client: the sandbox gets a new app secret after the connection read the old one,
# as when an operator pastes a wrong secret, and the token endpoint rejects the connection.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/support/catalogue.sh"
e2e_start

sed -i -E 's/"app_secret" *: *"[^"]*"/"app_secret": "0000111122223333444455556666777788889999"/' "$E2E_RUN/sandbox.json"
restart_responder sandbox

location=$(e2e_login "$E2E_RUN/jar-secret" sandbox_pinner s-secret)
expect_error_redirect "wrong app secret" pinterest_invalid_client "$location" s-secret
expect_contains "wrong app secret is logged with Pinterest's code" "$(cat "$E2E_RUN/connection.log")" "kind=invalidClient status=401 pinterest_code=2"

# The test page reports the same failure at the token exchange, with Pinterest's answer.
jar="$E2E_RUN/jar-test"
consent=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$BASE/test/start")
callback=$(e2e_consent "$jar" "$consent" sandbox_pinner allow)
report=$(curl -s -b "$jar" -H 'Accept: application/json' "$callback")
expect_eq "test page: step" token_exchange "$(json_field "$report" step)"
expect_eq "test page: error" pinterest_invalid_client "$(json_field "$report" error)"
expect_eq "test page: Pinterest's status" 401 "$(json_field "$report" status)"
expect_eq "test page: Pinterest's code" 2 "$(json_field "$report" code)"

# check reads sandbox.json as it is now, whose secret the sandbox accepts: the running connection
# only needs a restart, which check.sh covers from the other side with a wrong secret on disk.
output=$("$STACK_BINARY" check --config "$E2E_RUN/connection.json" 2>&1)
expect_contains "check: secret on disk accepted" "$output" "did not reject the app credentials"
