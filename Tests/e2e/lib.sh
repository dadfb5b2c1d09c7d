#!/usr/bin/env bash
# Shared helpers for the end-to-end scripts. Each script sources this file, exports any STACK_*
# settings it needs (see scripts/stack.sh), calls e2e_start, and then makes real requests with curl
# through nginx. Every check prints one line and is counted; the script exits 1 if any failed.

set -uo pipefail
E2E_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$E2E_ROOT/scripts/stack.sh"
: "${STACK_BINARY:=$E2E_ROOT/.build/debug/pinterest-connection}"
export STACK_BINARY
E2E_PASSED=0
E2E_FAILED=0
E2E_RUN=""

pass() {
  E2E_PASSED=$((E2E_PASSED + 1))
  echo "ok   $1"
  [ -n "${E2E_RESULTS:-}" ] && echo "pass $1" >> "$E2E_RESULTS"
  return 0
}

fail() {
  E2E_FAILED=$((E2E_FAILED + 1))
  echo "FAIL $1"
  [ -n "${2:-}" ] && printf '     %s\n' "${2:0:600}"
  [ -n "${E2E_RESULTS:-}" ] && echo "fail $1" >> "$E2E_RESULTS"
  return 0
}

expect_eq() {  # NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected [$2], got [$3]"; fi
}

expect_contains() {  # NAME HAYSTACK NEEDLE
  if [[ "$2" == *"$3"* ]]; then pass "$1"; else fail "$1" "expected to contain [$3], got [${2:0:400}]"; fi
}

expect_not_contains() {  # NAME HAYSTACK NEEDLE
  if [[ "$2" != *"$3"* ]]; then pass "$1"; else fail "$1" "expected not to contain [$3], got [${2:0:400}]"; fi
}

# Picks a free loopback port pair (the stack also uses PORT+1 for its test upstream).
e2e_free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && ! (exec 3<>/dev/tcp/127.0.0.1/$((port + 1))) 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

e2e_finish() {
  local status=$?
  [ -n "$E2E_RUN" ] && stack_stop "$E2E_RUN"
  if [ "$E2E_FAILED" -gt 0 ] && [ -n "$E2E_RUN" ]; then
    echo "---- last lines of the connection log ($E2E_RUN/connection.log)"
    tail -n 15 "$E2E_RUN/connection.log" 2>/dev/null
  fi
  [ -n "$E2E_RUN" ] && [ "$E2E_FAILED" -eq 0 ] && rm -rf "$E2E_RUN"
  echo "$(basename "$0"): $E2E_PASSED passed, $E2E_FAILED failed"
  [ "$E2E_FAILED" -eq 0 ] && [ "$status" -eq 0 ]
  exit $?
}

# Starts a fresh stack (nginx, connection, sandbox) in its own directory; sets BASE, PORT and
# E2E_RUN. A port can be taken between the check and nginx's bind (by another test run, say), so
# a failed start is retried on another port.
e2e_start() {
  trap e2e_finish EXIT
  for attempt in 1 2 3 4 5; do
    PORT=$(e2e_free_port) || { echo "no free port found"; exit 1; }
    E2E_RUN=$(mktemp -d /tmp/pc-e2e.XXXXXX)
    BASE="http://127.0.0.1:$PORT"
    stack_start "$E2E_RUN" "$PORT" && return 0
    echo "stack did not start on port $PORT (attempt $attempt); retrying on another port"
    stack_stop "$E2E_RUN"
    rm -rf "$E2E_RUN"
  done
  E2E_RUN=""
  fail "stack starts" "five attempts on different ports failed"
  exit 1
}

# Prints a value from a flat JSON text: json_field '{"a":"b"}' a → b (strings and numbers only).
json_field() {
  printf '%s' "$1" | grep -oE "\"$2\":(\"([^\"\\\\]|\\\\.)*\"|-?[0-9]+|true|false|null)" | head -n 1 | sed -E "s/^\"$2\"://; s/^\"//; s/\"$//"
}

# Prints the value of a query parameter of a URL, percent-decoded.
url_param() {
  local value
  value=$(printf '%s' "$1" | sed -nE "s/.*[?&]$2=([^&#]*).*/\1/p")
  printf '%b' "$(printf '%s' "${value//+/ }" | sed 's/%/\\x/g')"
}

# Starts a login for the demo application with a cookie jar; prints the sandbox consent URL.
# Usage: e2e_authorize JAR [STATE] [CLIENT_ID] [REDIRECT_URI]
e2e_authorize() {
  local jar=$1 state=${2:-app-state} client=${3:-demo} redirect=${4:-$BASE/demo/}
  curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' -G "$BASE/authorize" \
    --data-urlencode response_type=code --data-urlencode "client_id=$client" \
    --data-urlencode "redirect_uri=$redirect" --data-urlencode "state=$state"
}

# Answers the sandbox consent page as a person would; prints the callback URL Pinterest sends back.
# Usage: e2e_consent JAR CONSENT_URL ACCOUNT allow|deny
e2e_consent() {
  local jar=$1 url=$2 account=$3 decision=$4 page consent
  page=$(curl -s -c "$jar" -b "$jar" "$url")
  consent=$(printf '%s' "$page" | grep -oE 'name="consent_id" value="[^"]+"' | sed -E 's/.*value="([^"]+)"/\1/')
  curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$BASE/sandbox/oauth/consent" \
    --data-urlencode "consent_id=$consent" --data-urlencode "account=$account" --data-urlencode "decision=$decision"
}

# Follows the callback; prints "STATUS LOCATION".
e2e_callback() {
  local jar=$1 url=$2
  curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{http_code} %{redirect_url}' "$url"
}

# A whole login with ACCOUNT; prints where the application was sent.
# Usage: e2e_login JAR ACCOUNT [STATE]
e2e_login() {
  local jar=$1 account=$2 state=${3:-app-state} consent callback result
  consent=$(e2e_authorize "$jar" "$state")
  callback=$(e2e_consent "$jar" "$consent" "$account" allow)
  result=$(e2e_callback "$jar" "$callback")
  printf '%s' "${result#* }"
}

# Runs curl with the given arguments and sets STATUS, BODY and HEADERS (without CRs) of the
# response. Not for parallel calls, because every call writes the same two files.
e2e_call() {
  STATUS=$(curl -s -o "$E2E_RUN/call-body" -D "$E2E_RUN/call-headers" -w '%{http_code}' "$@")
  BODY=$(cat "$E2E_RUN/call-body")
  HEADERS=$(tr -d '\r' < "$E2E_RUN/call-headers")
}

# Prints the value of the first header with that name, case-insensitive. Usage: header_value HEADERS NAME
header_value() {
  printf '%s\n' "$1" | grep -i "^$2:" | head -n 1 | sed -E 's/^[^:]+: *//'
}

# Prints the Set-Cookie header that sets the named cookie. Usage: set_cookie_line HEADERS NAME
set_cookie_line() {
  printf '%s\n' "$1" | grep -i "^set-cookie: $2=" | head -n 1 | sed -E 's/^[^:]+: *//'
}

# Prints the value of a cookie in a curl cookie jar. Usage: jar_cookie JAR NAME
jar_cookie() {
  awk -v name="$2" '$6 == name { print $7 }' "$1" 2>/dev/null | tail -n 1
}
