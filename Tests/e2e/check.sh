#!/usr/bin/env bash
# `pinterest-connection check`: one case per kind of broken configuration, each exiting 1 with an
# error line that names the field and the fix, and the stack's own configuration passing. The
# stack's sandbox answers the reachability and credential probes; a dead loopback port stands in
# for an unreachable Pinterest.
source "$(dirname "$0")/lib.sh"
e2e_start
trap 'chattr -i "$E2E_RUN/store-locked" 2>/dev/null; e2e_finish' EXIT

# Runs check and sets CHECK_OUTPUT and CHECK_STATUS. Usage: run_check CONFIG [OPTIONS...]
run_check() {
  CHECK_OUTPUT=$("$STACK_BINARY" check --config "$@" 2>&1)
  CHECK_STATUS=$?
}

# Writes a copy of the stack's configuration edited by a sed script, beside it so its relative
# paths still resolve, and prints its path. Usage: variant NAME SED_SCRIPT
variant() {
  local file="$E2E_RUN/check-$1.json"
  sed -E "$2" "$E2E_RUN/connection.json" > "$file"
  chmod 600 "$file"
  printf '%s' "$file"
}

# Expects check to fail with a line containing MESSAGE. Usage: expect_problem NAME MESSAGE
expect_problem() {
  expect_eq "$1: exits 1" 1 "$CHECK_STATUS"
  expect_contains "$1: names the problem" "$CHECK_OUTPUT" "$2"
}

# The stack as it runs: configuration, nginx and socket agree and the sandbox answers.
run_check "$E2E_RUN/connection.json" --nginx "$E2E_RUN/nginx.conf" --socket "$E2E_RUN/connection.sock"
expect_eq "good configuration: exits 0" 0 "$CHECK_STATUS"
expect_contains "good configuration: ok line" "$CHECK_OUTPUT" "ok: configuration $E2E_RUN/connection.json is valid"
expect_contains "good configuration: redirect URI to register" "$CHECK_OUTPUT" "redirect URI to register at Pinterest: $BASE/login/callback"
expect_contains "good configuration: token endpoint probed" "$CHECK_OUTPUT" "did not reject the app credentials"
expect_not_contains "good configuration: no error line" "$CHECK_OUTPUT" "error:"

# The file itself.
run_check "$(variant syntax 's/"public_url"/public_url/')"
expect_problem "JSON syntax error" "error: (file):"
run_check "$E2E_RUN/no-such-file.json"
expect_problem "missing file" "cannot read $E2E_RUN/no-such-file.json"
run_check "$(variant no-url '/"public_url"/d')"
expect_problem "missing public_url" "error: public_url: missing"
run_check "$(variant unknown-key 's/"sync_user_profile"/"sync_user_profiles"/')"
expect_problem "misspelt setting" "error: sync_user_profiles: unknown setting"
run_check "$(variant two-problems '/"public_url"/d; s/"sync_user_profile"/"sync_user_profiles"/')"
expect_eq "two problems: one line each" 2 "$(printf '%s\n' "$CHECK_OUTPUT" | grep -c '^error:')"

# Secrets.
head -c 64 /dev/zero | tr '\0' 'a' > "$E2E_RUN/secrets/weak-key"
chmod 600 "$E2E_RUN/secrets/weak-key"
run_check "$(variant weak-key 's#secrets/session-key#secrets/weak-key#')"
expect_problem "guessable session key" "error: session.keys[0].secret: has only 1 distinct characters"
run_check "$(variant env-key 's#\{"file": "secrets/session-key"\}#{"env": "PC_CHECK_UNSET_KEY"}#')"
expect_problem "session key from an unset variable" "environment variable PC_CHECK_UNSET_KEY is not set"
run_check "$(variant reused-key 's#secrets/token-key#secrets/session-key#')"
expect_problem "session key reused as token key" "error: store.token_key: the same secret as session.keys[0].secret"
cp "$E2E_RUN/secrets/session-key" "$E2E_RUN/secrets/open-key"
chmod 644 "$E2E_RUN/secrets/open-key"
run_check "$(variant open-key 's#secrets/session-key#secrets/open-key#')"
expect_problem "secret file readable by others" "the secret file $E2E_RUN/secrets/open-key is readable by other users (mode 644)"
file=$(variant open-file 's/x/x/')
chmod 644 "$file"
run_check "$file"
expect_problem "inline secrets in a readable file" "contains secrets inline (applications[0].client_secret, applications[1].client_secret) and is readable by other users (mode 644)"

# A real Pinterest app (the sandbox stands in) whose application secret is a placeholder.
real=$(variant real-app "s#\"sandbox_registration\": \"sandbox.json\",#\"client_id\": \"1509871\", \"client_secret\": {\"file\": \"secrets/app-secret\"}, \"authorization_url\": \"$BASE/sandbox/oauth/\", \"api_url\": \"$BASE/sandbox\",#; s/demo-secret/changeme-changeme-1/; s/disabled-secret/$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')/; s/\"test_page\": \{\"enabled\": true\}/\"test_page\": {\"enabled\": false}/")
json_field "$(tr -d ' \n' < "$E2E_RUN/sandbox.json")" app_secret > "$E2E_RUN/secrets/app-secret"
chmod 600 "$E2E_RUN/secrets/app-secret"
run_check "$real"
expect_problem "placeholder application secret" 'error: applications[0].client_secret: contains "changeme"'
expect_eq "real app: only that problem" 1 "$(printf '%s\n' "$CHECK_OUTPUT" | grep -c '^error:')"
expect_contains "real app: app ID shown" "$CHECK_OUTPUT" "pinterest: app 1509871 at $BASE/sandbox"

# The app secret Pinterest does not accept.
sed -E 's/"app_secret" *: *"[^"]*"/"app_secret": "0000111122223333444455556666777788889999"/' "$E2E_RUN/sandbox.json" > "$E2E_RUN/sandbox-wrong.json"
chmod 600 "$E2E_RUN/sandbox-wrong.json"
run_check "$(variant wrong-secret 's#"sandbox.json"#"sandbox-wrong.json"#')"
expect_problem "app secret rejected by Pinterest" "error: pinterest.client_secret: Pinterest rejected the app ID 1509871 or its secret (HTTP 401, code 2)"

# A sandbox registration that does not list the redirect URI.
sed -E "s#$BASE/login/callback#http://127.0.0.1:1/login/callback#" "$E2E_RUN/sandbox.json" > "$E2E_RUN/sandbox-other.json"
chmod 600 "$E2E_RUN/sandbox-other.json"
run_check "$(variant other-redirect 's#"sandbox.json"#"sandbox-other.json"#')"
expect_problem "sandbox without the redirect URI" "do not contain $BASE/login/callback"

# Pinterest unreachable: a loopback port nobody listens on, within the probe's time limit.
dead_port=$(e2e_free_port)
started=$(date +%s)
run_check "$(variant dead-api "s#\"scopes\"#\"api_url\": \"http://127.0.0.1:$dead_port\", \"scopes\"#")"
expect_problem "unreachable API" "error: pinterest.api_url: http://127.0.0.1:$dead_port/v5/oauth/token is not reachable"
expect_eq "unreachable API: check ends within 15 seconds" yes "$([ $(($(date +%s) - started)) -le 15 ] && echo yes || echo no)"
run_check "$(variant v5-api "s#\"scopes\"#\"api_url\": \"$BASE/sandbox/v5\", \"scopes\"#")"
expect_problem "API URL with /v5" "ends with /v5, which the service adds itself"
run_check "$(variant http-callback 's#"callbacks": \["[^"]*"\]#"callbacks": ["http://app.example/callback"]#')"
expect_problem "plain http callback" "error: applications[0].callbacks: http://app.example/callback uses plain http"

# The store.
mkdir -p "$E2E_RUN/store-open" && chmod 755 "$E2E_RUN/store-open"
run_check "$(variant store-open 's#"directory": "store"#"directory": "store-open"#')"
expect_problem "store readable by others" "store.directory: $E2E_RUN/store-open is readable by other users (mode 755); run chmod 700"
mkdir -p "$E2E_RUN/store-locked" && chmod 700 "$E2E_RUN/store-locked"
if chattr +i "$E2E_RUN/store-locked" 2>/dev/null; then
  run_check "$(variant store-locked 's#"directory": "store"#"directory": "store-locked"#')"
  expect_problem "store not writable" "store.directory: cannot create a file in $E2E_RUN/store-locked"
  chattr -i "$E2E_RUN/store-locked"
else
  fail "store not writable can be simulated" "chattr +i is not supported on $E2E_RUN"
fi
printf 'x' > "$E2E_RUN/store-file"
run_check "$(variant store-file 's#"directory": "store"#"directory": "store-file"#')"
expect_problem "store is a file" "store.directory: $E2E_RUN/store-file is not a directory"
run_check "$(variant store-orphan 's#"directory": "store"#"directory": "no-such-parent/store"#')"
expect_problem "store without a parent" "does not exist and its parent is not writable"

# nginx.
run_check "$E2E_RUN/connection.json" --nginx "$E2E_RUN/nginx.conf" --socket "$E2E_RUN/other.sock"
expect_problem "nginx passes to another socket" "passes /authorize to unix:$E2E_RUN/connection.sock but the responder listens on $E2E_RUN/other.sock (--socket)"
sed -e 's#login/callback|##' "$E2E_RUN/pinterest-connection.conf" > "$E2E_RUN/snippet-no-callback.conf"
sed -e "s#$E2E_RUN/pinterest-connection.conf#$E2E_RUN/snippet-no-callback.conf#" "$E2E_RUN/nginx.conf" > "$E2E_RUN/nginx-no-callback.conf"
run_check "$E2E_RUN/connection.json" --nginx "$E2E_RUN/nginx-no-callback.conf"
expect_problem "nginx without the callback route" "error: --nginx: no location with fastcgi_pass matches /login/callback"
run_check "$(variant mounted "s#\"public_url\": \"$BASE\"#\"public_url\": \"$BASE/auth\"#")" --nginx "$E2E_RUN/nginx.conf"
expect_problem "nginx without the mount path split" "serves /auth/authorize but does not split the mount path /auth off"
run_check "$E2E_RUN/connection.json" --nginx "$E2E_RUN/pinterest-connection.conf"
expect_problem "snippet alone in sandbox mode" "/sandbox/oauth/ does not reach the sandbox provider"
run_check "$E2E_RUN/connection.json" --nginx "$E2E_RUN/no-such-nginx.conf"
expect_problem "missing nginx file" "error: --nginx: cannot read $E2E_RUN/no-such-nginx.conf"
