#!/usr/bin/env bash
# Helpers for the catalogue_*.sh and testpage.sh scripts, sourced after lib.sh. The expected code,
# status, message and hint of each error come from `pinterest-connection catalogue`, so the checks
# prove that each route renders the catalogued entry, in HTML and in JSON alike.

CATALOGUE=$("$STACK_BINARY" catalogue) || { echo "pinterest-connection catalogue failed"; exit 1; }

# Prints one field of a catalogue entry as plain text, JSON escapes decoded.
# Usage: catalogue_text CODE FIELD
catalogue_text() {
  local line
  line=$(printf '%s\n' "$CATALOGUE" | grep -F "\"code\":\"$1\"" | head -n 1)
  [ -n "$line" ] || { echo "no catalogue entry $1" >&2; return 1; }
  json_unescape "$(json_field "$line" "$2")"
}

# Decodes the JSON string escapes the service writes: \" \\ and \u00XX for < > &.
json_unescape() {
  printf '%s' "$1" | sed -e 's/\\u003c/</g' -e 's/\\u003e/>/g' -e 's/\\u0026/\&/g' -e 's/\\"/"/g' -e 's/\\\\/\\/g'
}

# Escapes text as the service's escapeHTML does.
html_escape() {
  printf '%s' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g' -e "s/'/\&#39;/g"
}

# Runs curl and sets CALL_STATUS, CALL_BODY and CALL_HEADERS (without CRs).
catalogue_call() {
  CALL_STATUS=$(curl -s -o "$E2E_RUN/catalogue-body" -D "$E2E_RUN/catalogue-headers" -w '%{http_code}' "$@")
  CALL_BODY=$(cat "$E2E_RUN/catalogue-body")
  CALL_HEADERS=$(tr -d '\r' < "$E2E_RUN/catalogue-headers")
}

# Prints the first header of the last catalogue_call by case-insensitive name. Usage: catalogue_header NAME
catalogue_header() {
  printf '%s\n' "$CALL_HEADERS" | grep -i "^$1:" | head -n 1 | sed -E 's/^[^:]+: *//'
}

# Checks a JSON error body against the catalogue. The message may carry a detail after it.
# Usage: check_error_json NAME CODE HTTP_STATUS BODY
check_error_json() {
  local name=$1 code=$2 status=$3 body=$4
  expect_eq "$name: JSON status $(catalogue_text "$code" status)" "$(catalogue_text "$code" status)" "$status"
  expect_eq "$name: JSON error code" "$code" "$(json_field "$body" error)"
  expect_eq "$name: JSON status field" "$(catalogue_text "$code" status)" "$(json_field "$body" status)"
  local message expected
  message=$(json_unescape "$(json_field "$body" error_description)")
  expected=$(catalogue_text "$code" message)
  expect_eq "$name: JSON message" "$expected" "${message:0:${#expected}}"
  expect_eq "$name: JSON hint" "$(catalogue_text "$code" hint)" "$(json_unescape "$(json_field "$body" hint)")"
}

# Checks an HTML error page against the catalogue. Usage: check_error_html NAME CODE HTTP_STATUS BODY HEADERS
check_error_html() {
  local name=$1 code=$2 status=$3 body=$4 headers=$5
  local expected_status
  expected_status=$(catalogue_text "$code" status)
  expect_eq "$name: HTML status $expected_status" "$expected_status" "$status"
  expect_contains "$name: HTML content type" "$headers" "Content-Type: text/html; charset=utf-8"
  expect_contains "$name: HTML error code" "$body" "<code>$code</code>"
  expect_contains "$name: HTML status line" "$body" "HTTP $expected_status"
  expect_contains "$name: HTML message" "$body" "<h1>$(html_escape "$(catalogue_text "$code" message)")"
  expect_contains "$name: HTML hint" "$body" "<p>$(html_escape "$(catalogue_text "$code" hint)")</p>"
}

# Requests a URL twice, as a browser and as an API client, and checks both renderings.
# Usage: expect_error_page NAME CODE CURL_ARGUMENTS...
expect_error_page() {
  local name=$1 code=$2
  shift 2
  catalogue_call -H 'Accept: application/json' "$@"
  check_error_json "$name" "$code" "$CALL_STATUS" "$CALL_BODY"
  catalogue_call -H 'Accept: text/html,application/xhtml+xml' "$@"
  check_error_html "$name" "$code" "$CALL_STATUS" "$CALL_BODY" "$CALL_HEADERS"
}

# Requests a JSON-only endpoint and checks the body. Usage: expect_error_json NAME CODE CURL_ARGUMENTS...
expect_error_json() {
  local name=$1 code=$2
  shift 2
  catalogue_call -H 'Accept: application/json' "$@"
  check_error_json "$name" "$code" "$CALL_STATUS" "$CALL_BODY"
}

# Checks an error delivered to the application by redirect: error, error_description,
# error_code and state in the Location. Usage: expect_error_redirect NAME CODE LOCATION STATE
expect_error_redirect() {
  local name=$1 code=$2 location=$3 state=$4
  local message
  message=$(catalogue_text "$code" message)
  expect_contains "$name: redirects to the application" "$location" "$BASE/demo/?"
  expect_eq "$name: error" "$(catalogue_text "$code" oauth_error)" "$(url_param "$location" error)"
  expect_eq "$name: error_code" "$code" "$(url_param "$location" error_code)"
  local description
  description=$(url_param "$location" error_description)
  expect_eq "$name: error_description" "$message" "${description:0:${#message}}"
  expect_eq "$name: state" "$state" "$(url_param "$location" state)"
}

# Restarts the connection or the sandbox responder after its configuration changed: stops it, lets
# its supervisor start it again, and waits until the new process serves. Usage: restart_responder NAME
restart_responder() {
  local name=$1 old new
  old=$(cat "$E2E_RUN/$name.pid")
  kill -TERM "$old"
  for _ in $(seq 1 100); do
    new=$(cat "$E2E_RUN/$name.pid" 2>/dev/null)
    [ -n "$new" ] && [ "$new" != "$old" ] && [ -S "$E2E_RUN/$name.sock" ] && break
    sleep 0.1
  done
  sleep 0.2
}

# Makes the store's directory for files being written immutable, so every write fails even for
# root, or restores it. Usage: store_writes off|on
store_writes() {
  if [ "$1" = off ]; then chattr +i "$E2E_RUN/store/tmp"; else chattr -i "$E2E_RUN/store/tmp" 2>/dev/null; fi
}
