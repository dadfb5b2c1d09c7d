#!/usr/bin/env bash
# Pinterest tokens kept per user: the operator's refresh command with rotation, a revoked grant,
# a user without a refresh token, and tokens shown only to an application allowed to see them.
source "$(dirname "$0")/lib.sh"
e2e_start
config=$E2E_RUN/connection.json

e2e_login "$E2E_RUN/jar" sandbox_pinner >/dev/null
user=pinterest\|4714936491839602101

output=$("$STACK_BINARY" refresh-token --config "$config" --user "$user" 2>&1)
expect_contains "refresh-token refreshes" "$output" "refreshed the Pinterest tokens of $user"
# The sandbox kills a refresh token once used, so a second refresh works only if the rotated
# token was stored.
output=$("$STACK_BINARY" refresh-token --config "$config" --user "$user" 2>&1)
expect_contains "second refresh uses the rotated token" "$output" "refreshed the Pinterest tokens of $user"

output=$("$STACK_BINARY" refresh-token --config "$config" --user "pinterest|1" 2>&1)
expect_contains "unknown user is named" "$output" "user pinterest|1 not found"

e2e_login "$E2E_RUN/jar-2" fault_token_no_refresh >/dev/null
output=$("$STACK_BINARY" refresh-token --config "$config" --user "pinterest|$(curl -s -b "$E2E_RUN/jar-2" "$BASE/profile" | grep -oE '"user_id":"pinterest\|[0-9]+"' | cut -d'|' -f2 | tr -d '"')" 2>&1)
expect_contains "user without refresh token is told to log in" "$output" "has no Pinterest refresh token; the user must log in again"

# The sandbox keeps its grants in memory: restarting it revokes every refresh token.
kill -TERM "$(cat "$E2E_RUN/sandbox.pid")"
sleep 1
stack_wait_for_socket "$E2E_RUN/sandbox.sock" sandbox "$E2E_RUN"
sleep 0.5
output=$("$STACK_BINARY" refresh-token --config "$config" --user "$user" 2>&1)
status=$?
expect_contains "revoked grant is reported" "$output" "Pinterest revoked the grant"
expect_eq "revoked grant exits non-zero" 2 "$status"
expect_not_contains "refresh output holds no access token" "$output" "pina_"
expect_not_contains "refresh output holds no refresh token" "$output" "pinr_"

# Tokens reach an application only when its configuration allows it.
stack_stop "$E2E_RUN"
sed -i 's/"pinterest_enabled": true$/"pinterest_enabled": true, "expose_pinterest_tokens": true/' "$config"
stack_start "$E2E_RUN" "$PORT" || fail "stack restarts"
body=$(curl -s -u demo:demo-secret "$BASE/api/users/pinterest%7C4714936491839602101")
expect_contains "allowed application sees the access token" "$body" '"access_token":"pina'
expect_contains "allowed application sees the refresh token" "$body" '"refresh_token":"pinr'
expect_not_contains "profile still hides tokens" "$(curl -s -b "$E2E_RUN/jar" "$BASE/profile")" "access_token"
