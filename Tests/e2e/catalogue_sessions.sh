#!/usr/bin/env bash
# The catalogue's session, user API and test page errors through nginx. /profile and /api/users are
# JSON APIs, so their errors are JSON only; the test page answers in both formats.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/support/catalogue.sh"
e2e_start

# Sessions.
expect_error_json "profile without a session" login_required "$BASE/profile"
expect_error_json "profile with a forged cookie" login_required -b "pc_session=forged" "$BASE/profile"
jar="$E2E_RUN/jar-session"
e2e_login "$jar" sandbox_pinner > /dev/null
expect_eq "profile with a session" 200 "$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "$BASE/profile")"
session=$(awk '$6 == "pc_session" { print $7 }' "$jar")
curl -s -o /dev/null -b "$jar" "$BASE/logout"
expect_error_json "profile after logout" session_expired -b "pc_session=$session" "$BASE/profile"

# The user API.
expect_error_json "user API without credentials" invalid_client "$BASE/api/users"
expect_contains "user API asks for Basic" "$CALL_HEADERS" 'WWW-Authenticate: Basic realm="pinterest-connection"'
expect_error_json "user API with a wrong secret" invalid_client -u demo:wrong "$BASE/api/users"
expect_error_json "user API for a disabled application" application_disabled -u disabled-app:disabled-secret "$BASE/api/users"
expect_error_json "unknown user" user_not_found -u demo:demo-secret "$BASE/api/users/pinterest%7C1"
expect_error_json "PATCH with a body that is not JSON" invalid_body -u demo:demo-secret -X PATCH \
  -H 'Content-Type: application/json' --data 'not json' "$BASE/api/users/pinterest%7C4714936491839602101"
expect_error_json "PATCH of an unknown field" invalid_body -u demo:demo-secret -X PATCH \
  -H 'Content-Type: application/json' --data '{"email":"x@example.com"}' "$BASE/api/users/pinterest%7C4714936491839602101"
expect_error_json "PATCH of name with sync on" sync_overwrites_attribute -u demo:demo-secret -X PATCH \
  -H 'Content-Type: application/json' --data '{"name":"Someone"}' "$BASE/api/users/pinterest%7C4714936491839602101"

# The test page with a password: operators only.
sed -i -E 's/"test_page": \{"enabled": true\}/"test_page": {"enabled": true, "password": "correct horse battery"}/' "$E2E_RUN/connection.json"
restart_responder connection
expect_error_page "test page without a password" operator_login_required "$BASE/test"
expect_contains "test page asks for Basic" "$CALL_HEADERS" 'WWW-Authenticate: Basic realm="pinterest-connection test page"'
expect_error_page "test page with a wrong password" operator_login_required -u 'operator:wrong password' "$BASE/test"
expect_error_page "test page with another user" operator_login_required -u 'admin:correct horse battery' "$BASE/test"
expect_error_page "test start without a password" operator_login_required "$BASE/test/start"
expect_eq "test page with the password" 200 "$(curl -s -o /dev/null -w '%{http_code}' -u 'operator:correct horse battery' "$BASE/test")"
expect_eq "test start with the password" 302 "$(curl -s -o /dev/null -w '%{http_code}' -u 'operator:correct horse battery' "$BASE/test/start")"

# A test login started before the page was turned off cannot finish as a test.
jar="$E2E_RUN/jar-test-off"
consent=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' -u 'operator:correct horse battery' "$BASE/test/start")
callback=$(e2e_consent "$jar" "$consent" sandbox_pinner allow)

# The test page turned off.
sed -i -E 's/"test_page": \{[^}]*\}/"test_page": {"enabled": false}/' "$E2E_RUN/connection.json"
restart_responder connection
expect_error_page "test page turned off" test_page_disabled "$BASE/test"
expect_error_page "test start turned off" test_page_disabled -u 'operator:correct horse battery' "$BASE/test/start"
catalogue_call -b "$jar" -H 'Accept: application/json' "$callback"
check_error_json "test callback after turning off" test_page_disabled "$CALL_STATUS" "$CALL_BODY"
