#!/usr/bin/env bash
# /authorize's checks of the application and its redirect URI through nginx. A redirect URI that
# differs from the allowed one in any byte gets an error page and never a redirect. Errors found
# after the redirect URI is known to be good go back to it with error, error_description,
# error_code and state.
source "$(dirname "$0")/lib.sh"
e2e_start
host_port=127.0.0.1:$PORT
kelvin_sign=$(printf '\xe2\x84\xaa')        # U+212A, canonically equivalent to K
greek_question_mark=$(printf '\xcd\xbe')   # U+037E, canonically equivalent to ;

# Sends /authorize for CLIENT_ID with REDIRECT_URI and optional extra curl arguments.
authorize() {  # CLIENT_ID REDIRECT_URI [CURL_ARGUMENT...]
  local client=$1 redirect=$2
  shift 2
  e2e_call -G "$BASE/authorize" --data-urlencode response_type=code --data-urlencode "client_id=$client" \
    --data-urlencode "redirect_uri=$redirect" --data-urlencode state=app-state "$@"
}

# Checks that the last e2e_call returned the error page CODE with STATUS and no redirect.
expect_error_page() {  # LABEL STATUS CODE
  expect_eq "$1: status $2" "$2" "$STATUS"
  expect_eq "$1: no redirect" "" "$(header_value "$HEADERS" Location)"
  expect_contains "$1: error code $3" "$BODY" "<code>$3</code>"
  expect_not_contains "$1: no transaction cookie" "$HEADERS" "Set-Cookie: pc_tx_"
}

# Checks that the last e2e_call sent the browser to REDIRECT_URI with error CODE and state app-state.
expect_error_redirect() {  # LABEL REDIRECT_URI OAUTH_ERROR CODE
  local location
  location=$(header_value "$HEADERS" Location)
  expect_eq "$1: status 302" 302 "$STATUS"
  expect_eq "$1: back to the redirect URI" "$2" "${location%%\?*}"
  expect_eq "$1: error" "$3" "$(url_param "$location" error)"
  expect_eq "$1: error_code" "$4" "$(url_param "$location" error_code)"
  expect_contains "$1: error_description" "$(url_param "$location" error_description)" " "
  expect_eq "$1: state" app-state "$(url_param "$location" state)"
  expect_not_contains "$1: no transaction cookie" "$HEADERS" "Set-Cookie: pc_tx_"
}

# The allowed redirect URI itself.
authorize demo "$BASE/demo/"
expect_eq "allowed redirect URI: status 302" 302 "$STATUS"
expect_contains "allowed redirect URI goes to Pinterest" "$(header_value "$HEADERS" Location)" "$BASE/sandbox/oauth/?"
expect_contains "allowed redirect URI sets a transaction cookie" "$HEADERS" "Set-Cookie: pc_tx_"

# Every near miss of http://127.0.0.1:PORT/demo/ is rejected.
near_misses=(
  "$BASE/demo"
  "$BASE/demo//"
  "$BASE/Demo/"
  "$BASE/DEMO/"
  "HTTP://$host_port/demo/"
  "https://$host_port/demo/"
  "http://localhost:$PORT/demo/"
  "http://127.0.0.1:$((PORT + 1))/demo/"
  "http://127.0.0.1/demo/"
  "http://127.0.0.1:0$PORT/demo/"
  "http://127.0.0.1.:$PORT/demo/"
  "//$host_port/demo/"
  "$BASE/demo/x"
  "$BASE/demo/?next=/x"
  "$BASE/demo/#x"
  "$BASE/demo/."
  "$BASE/demox"
  "http://$host_port.evil.example/demo/"
  "http://$host_port@evil.example/demo/"
  "http://user@$host_port/demo/"
  "http://user:password@$host_port/demo/"
  "$BASE/%64emo/"
  "$BASE/demo%2F"
  "$BASE%2Fdemo%2F"
  "$BASE/demo/%2e%2e/"
  "$BASE/demo/../demo/"
  "$BASE/x/../demo/"
  "$BASE/demo/..%2F..%2Fevil"
  "$BASE/demo/ "
  " $BASE/demo/"
  "$BASE/demo/$kelvin_sign"
  "https://attacker.example/demo/"
  ""
)
for uri in "${near_misses[@]}"; do
  authorize demo "$uri"
  expect_error_page "redirect URI [$uri]" 400 callback_url_not_allowed
done
e2e_call -G "$BASE/authorize" --data-urlencode response_type=code --data-urlencode client_id=demo
expect_error_page "missing redirect URI" 400 callback_url_not_allowed
authorize demo "$BASE/demo/" --data-urlencode "redirect_uri=$BASE/demo/"
expect_error_page "repeated redirect URI" 400 invalid_request
authorize demo "$BASE/demo" -H 'Accept: application/json'
expect_eq "near miss as JSON" callback_url_not_allowed "$(json_field "$BODY" error)"
expect_eq "near miss as JSON: no redirect" "" "$(header_value "$HEADERS" Location)"

# Applications that cannot log in at all.
authorize no-such-app "$BASE/demo/"
expect_error_page "unknown client" 400 unknown_client
authorize disabled-app "$BASE/demo/"
expect_error_page "disabled connection" 403 connection_disabled
authorize "" "$BASE/demo/"
expect_error_page "empty client_id" 400 invalid_request
authorize DEMO "$BASE/demo/"
expect_error_page "client_id in another case" 400 unknown_client

# Errors after the redirect URI is validated go back to the application.
e2e_call -G "$BASE/authorize" --data-urlencode response_type=token --data-urlencode client_id=demo \
  --data-urlencode "redirect_uri=$BASE/demo/" --data-urlencode state=app-state
expect_error_redirect "response_type token" "$BASE/demo/" unsupported_response_type unsupported_response_type
e2e_call -G "$BASE/authorize" --data-urlencode client_id=demo --data-urlencode "redirect_uri=$BASE/demo/" \
  --data-urlencode state=app-state
expect_error_redirect "missing response_type" "$BASE/demo/" unsupported_response_type unsupported_response_type
e2e_call -G "$BASE/authorize" --data-urlencode "response_type=code id_token" --data-urlencode client_id=demo \
  --data-urlencode "redirect_uri=$BASE/demo/" --data-urlencode state=app-state
expect_error_redirect "response_type code id_token" "$BASE/demo/" unsupported_response_type unsupported_response_type
authorize demo "$BASE/demo/" --data-urlencode connection=google-oauth2
expect_error_redirect "unknown connection" "$BASE/demo/" invalid_request unknown_connection
authorize demo "$BASE/demo/" --data-urlencode connection=Pinterest
expect_error_redirect "connection in another case" "$BASE/demo/" invalid_request unknown_connection
authorize demo "$BASE/demo/" --data-urlencode connection=pinterest
expect_eq "connection=pinterest logs in" 302 "$STATUS"
expect_contains "connection=pinterest goes to Pinterest" "$(header_value "$HEADERS" Location)" "$BASE/sandbox/oauth/?"

# A disabled application never gets a redirect, even with an error that would go back to it.
e2e_call -G "$BASE/authorize" --data-urlencode response_type=token --data-urlencode client_id=disabled-app \
  --data-urlencode "redirect_uri=$BASE/demo/" --data-urlencode state=app-state
expect_error_page "disabled application with a wrong response_type" 403 connection_disabled

# Swift's == on strings compares canonical equivalence. URIs that differ only by characters
# equivalent to K and ; therefore test byte-for-byte matching best. The demo URL has neither, so
# the stack restarts with an application whose URL has both. The restart also disables the demo
# application while one of its logins is pending.
pending_jar=$E2E_RUN/jar-pending
pending_consent=$(e2e_authorize "$pending_jar" pending-state)
stack_stop "$E2E_RUN"
strict_uri="$BASE/demo/?app=K;1"
python3 - "$E2E_RUN/connection.json" "$strict_uri" <<'PYTHON'
import json, sys
path, uri = sys.argv[1], sys.argv[2]
with open(path) as file:
    configuration = json.load(file)
configuration["applications"][0]["pinterest_enabled"] = False
configuration["applications"].append({
    "name": "Strict application", "client_id": "strict-app", "client_secret": "strict-secret",
    "callbacks": [uri], "allowed_logout_urls": [uri], "pinterest_enabled": True})
with open(path, "w") as file:
    json.dump(configuration, file, indent=2)
PYTHON
stack_start "$E2E_RUN" "$PORT" || { fail "stack restarts with strict-app"; exit 1; }

pending_callback=$(e2e_consent "$pending_jar" "$pending_consent" sandbox_pinner allow)
e2e_call -b "$pending_jar" -c "$pending_jar" "$pending_callback"
expect_eq "login pending while its application was disabled: status 403" 403 "$STATUS"
expect_eq "login pending while its application was disabled: no redirect" "" "$(header_value "$HEADERS" Location)"
expect_contains "login pending while its application was disabled: error code" "$BODY" "<code>connection_disabled</code>"
expect_eq "disabled application's pending login starts no session" "" "$(set_cookie_line "$HEADERS" pc_session)"

authorize strict-app "$strict_uri"
expect_eq "URI with K and ; is allowed" 302 "$STATUS"
authorize strict-app "$BASE/demo/?app=${kelvin_sign};1"
expect_error_page "Kelvin sign for K" 400 callback_url_not_allowed
authorize strict-app "$BASE/demo/?app=K${greek_question_mark}1"
expect_error_page "Greek question mark for ;" 400 callback_url_not_allowed
e2e_call -G "$BASE/authorize" --data-urlencode response_type=token --data-urlencode client_id=strict-app \
  --data-urlencode "redirect_uri=$strict_uri" --data-urlencode state=app-state
location=$(header_value "$HEADERS" Location)
expect_eq "error on a URI with a query: status 302" 302 "$STATUS"
expect_contains "error keeps the URI's own query" "$location" "$strict_uri&error=unsupported_response_type&"
expect_eq "error on a URI with a query: state" app-state "$(url_param "$location" state)"

e2e_call -G "$BASE/logout" --data-urlencode client_id=strict-app --data-urlencode "returnTo=$BASE/demo/?app=${kelvin_sign};1"
expect_eq "logout with a Kelvin-sign returnTo goes to the allowed URL" "$strict_uri" "$(header_value "$HEADERS" Location)"
