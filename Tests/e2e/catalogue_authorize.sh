#!/usr/bin/env bash
# The catalogue's /authorize errors through nginx. Before the application and its redirect URI are
# known to be good, an error is a page (HTML or JSON by Accept). After that, it goes back to the
# application's redirect URI with error, error_description, error_code and state.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/support/catalogue.sh"
e2e_start

authorize=(-G "$BASE/authorize")

expect_error_page "unknown client" unknown_client "${authorize[@]}" --data-urlencode response_type=code \
  --data-urlencode client_id=no-such-app --data-urlencode "redirect_uri=$BASE/demo/"
expect_error_page "disabled application" connection_disabled "${authorize[@]}" --data-urlencode response_type=code \
  --data-urlencode client_id=disabled-app --data-urlencode "redirect_uri=$BASE/demo/"
expect_error_page "foreign redirect URI" callback_url_not_allowed "${authorize[@]}" --data-urlencode response_type=code \
  --data-urlencode client_id=demo --data-urlencode "redirect_uri=https://attacker.example/demo/"
expect_error_page "redirect URI differing by a slash" callback_url_not_allowed "${authorize[@]}" --data-urlencode response_type=code \
  --data-urlencode client_id=demo --data-urlencode "redirect_uri=$BASE/demo"
expect_error_page "missing client_id" invalid_request "${authorize[@]}" --data-urlencode response_type=code \
  --data-urlencode "redirect_uri=$BASE/demo/"
expect_error_page "repeated client_id" invalid_request "${authorize[@]}" --data-urlencode response_type=code \
  --data-urlencode client_id=demo --data-urlencode client_id=demo --data-urlencode "redirect_uri=$BASE/demo/"
expect_contains "repeated client_id: detail names the parameter" "$CALL_BODY" "The client_id parameter appears more than once."

# Errors after the redirect URI is validated go back to the application.
catalogue_call "${authorize[@]}" --data-urlencode response_type=token --data-urlencode client_id=demo \
  --data-urlencode "redirect_uri=$BASE/demo/" --data-urlencode "state=s 1&2"
expect_eq "unsupported response type: redirect" 302 "$CALL_STATUS"
expect_error_redirect "unsupported response type" unsupported_response_type "$(catalogue_header Location)" "s 1&2"

catalogue_call "${authorize[@]}" --data-urlencode response_type=code --data-urlencode client_id=demo \
  --data-urlencode "redirect_uri=$BASE/demo/" --data-urlencode connection=google-oauth2 --data-urlencode state=app-state
expect_eq "unknown connection: redirect" 302 "$CALL_STATUS"
expect_error_redirect "unknown connection" unknown_connection "$(catalogue_header Location)" app-state

# A state too long to return is dropped, so the application gets the error without one.
long_state=$(head -c 1100 /dev/zero | tr '\0' 'x')
catalogue_call "${authorize[@]}" --data-urlencode response_type=code --data-urlencode client_id=demo \
  --data-urlencode "redirect_uri=$BASE/demo/" --data-urlencode "state=$long_state"
expect_error_redirect "state too long" invalid_request "$(catalogue_header Location)" ""
expect_contains "state too long: detail" "$(url_param "$(catalogue_header Location)" error_description)" "longer than 1024 bytes"

# An unknown path and a wrong method are the router's own errors, in both formats too.
catalogue_call -H 'Accept: application/json' "$BASE/test/no-such-page"
expect_eq "unknown path: JSON 404" 404 "$CALL_STATUS"
expect_eq "unknown path: JSON code" not_found "$(json_field "$CALL_BODY" error)"
catalogue_call -H 'Accept: text/html' -X POST "$BASE/authorize"
expect_eq "POST /authorize: 405" 405 "$CALL_STATUS"
expect_contains "POST /authorize: HTML code" "$CALL_BODY" "<code>method_not_allowed</code>"

# The request id on the page is the one nginx logged.
catalogue_call -H 'Accept: application/json' -G "$BASE/authorize" --data-urlencode response_type=code
request_id=$(json_field "$CALL_BODY" request_id)
expect_eq "error JSON carries a request id" 32 "${#request_id}"
expect_contains "request id is in the connection log" "$(cat "$E2E_RUN/connection.log")" "request_id=$request_id"
