#!/usr/bin/env bash
# Malformed and hostile requests through nginx. Covered: invalid percent-encoding and UTF-8,
# repeated, empty and huge parameters, thousands of parameters or cookies, oversized headers and
# bodies, wrong and unknown methods, HEAD on every route, and hostile JSON bodies and user ids in
# the user API. The service rejects each with a 4xx and a stable error code, never a 5xx, and the
# responder keeps running. nginx rejects what exceeds its own limits with a bare 4xx first.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/support/hardening.sh"
e2e_start
pid=$(connection_pid)
api_auth=(-u demo:demo-secret -H 'Accept: application/json')
redirect_uri=$(printf '%s' "$BASE/demo/" | sed 's/:/%3A/g; s#/#%2F#g')
valid_query="response_type=code&client_id=demo&redirect_uri=$redirect_uri&state=s"

# Checks that the service itself rejected the last e2e_call with STATUS and JSON error CODE.
expect_service_error() {  # LABEL STATUS CODE
  expect_eq "$1: status $2" "$2" "$STATUS"
  expect_eq "$1: error $3" "$3" "$(json_field "$BODY" error)"
}

# Checks that the last e2e_call got some 4xx, from nginx or the service.
expect_4xx() {  # LABEL
  case "$STATUS" in
    4??) pass "$1: 4xx ($STATUS)" ;;
    *) fail "$1: 4xx" "got $STATUS: ${BODY:0:200}" ;;
  esac
}

# Query strings the service must reject before any handler runs.
e2e_call -H 'Accept: application/json' "$BASE/authorize?client_id=%zz"
expect_service_error "invalid percent escape" 400 invalid_request
e2e_call -H 'Accept: application/json' "$BASE/authorize?client_id=%"
expect_service_error "truncated percent escape" 400 invalid_request
e2e_call -H 'Accept: application/json' "$BASE/authorize?client_id=%ff%fe"
expect_service_error "percent-encoded invalid UTF-8" 400 invalid_request
e2e_call -H 'Accept: application/json' "$BASE/authorize?client_id=%c0%af"
expect_service_error "overlong UTF-8 for /" 400 invalid_request
e2e_call -H 'Accept: application/json' "$BASE/authorize?client_id=%ed%a0%80"
expect_service_error "UTF-8 surrogate" 400 invalid_request
e2e_call -H 'Accept: application/json' "$BASE/authorize?$(printf 'client_id=\xff\xfe')"
expect_service_error "raw invalid UTF-8" 400 invalid_request
e2e_call -H 'Accept: application/json' "$BASE/authorize?$valid_query&state=$(printf 'a\xc3')"
expect_service_error "raw truncated UTF-8 in state" 400 invalid_request
jar=$E2E_RUN/jar-raw-utf8
consent=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' \
  "$BASE/authorize?response_type=code&client_id=demo&redirect_uri=$redirect_uri&state=$(printf 'caf\xc3\xa9')")
expect_eq "raw valid UTF-8 in state comes back intact" "302 $BASE/demo/?state=caf%C3%A9" \
  "$(e2e_callback "$jar" "$(e2e_consent "$jar" "$consent" sandbox_pinner allow)")"
e2e_call -H 'Accept: application/json' "$BASE/authorize?$(printf 'p%d=&' $(seq 1 300))"
expect_service_error "300 parameters" 400 invalid_request
e2e_call -H 'Accept: application/json' "$BASE/healthz?$(printf 'a=&%.0s' $(seq 1 257))"
expect_service_error "257 parameters on any route" 400 invalid_request
e2e_call "$BASE/authorize?$(printf 'p%d=&' $(seq 1 5000))"
expect_4xx "5000 parameters"

# Repeated, empty and huge parameters at /authorize.
e2e_call -H 'Accept: application/json' "$BASE/authorize?$valid_query&client_id=demo"
expect_service_error "repeated client_id" 400 invalid_request
e2e_call -H 'Accept: application/json' "$BASE/authorize?$valid_query&redirect_uri=$redirect_uri"
expect_service_error "repeated redirect_uri" 400 invalid_request
e2e_call -H 'Accept: application/json' "$BASE/authorize?response_type=code&client_id=&redirect_uri=$redirect_uri"
expect_service_error "empty client_id" 400 invalid_request
e2e_call -H 'Accept: application/json' "$BASE/authorize?response_type=code&client_id=demo&redirect_uri="
expect_service_error "empty redirect_uri" 400 callback_url_not_allowed
e2e_call -H 'Accept: application/json' "$BASE/authorize?response_type=code&client_id=$(head -c 6000 /dev/zero | tr '\0' a)&redirect_uri=$redirect_uri"
expect_service_error "6000-byte client_id" 400 unknown_client
e2e_call "$BASE/authorize?$valid_query&state=$(head -c 20000 /dev/zero | tr '\0' a)"
expect_4xx "20000-byte state"
e2e_call -H 'Accept: application/json' "$BASE/login/callback?state=a&state=b&code=c"
expect_service_error "repeated state at the callback" 400 invalid_state
e2e_call -H 'Accept: application/json' "$BASE/login/callback?state=&code="
expect_service_error "empty state and code at the callback" 400 invalid_state

# Cookies and headers.
e2e_call -H 'Accept: application/json' -H "Cookie: $(printf 'c%d=1; ' $(seq 1 301))" "$BASE/profile"
expect_service_error "301 cookies" 400 invalid_request
e2e_call -H "Cookie: $(printf 'c%d=1; ' $(seq 1 3000))" "$BASE/profile"
expect_4xx "3000 cookies"
e2e_call -H 'Accept: application/json' -H "Cookie: pc_session=$(head -c 4000 /dev/zero | tr '\0' a)" "$BASE/profile"
expect_service_error "4000-byte session cookie" 401 login_required
e2e_call -H 'Accept: application/json' -H 'Cookie: pc_session="k1.a.b"; ; =; ;;; pc_session=x' "$BASE/profile"
expect_service_error "quoted, empty and repeated cookies" 401 login_required
e2e_call -H "X-Large: $(head -c 20000 /dev/zero | tr '\0' a)" "$BASE/healthz"
expect_4xx "20 KB header"
e2e_call -H "Accept: $(head -c 7000 /dev/zero | tr '\0' a)json" "$BASE/nothing-here"
expect_eq "7 KB Accept header still routes" 404 "$STATUS"

# Bodies: over the responder's 1 MiB cap, over nginx's 2 MiB cap, and announced but never sent.
head -c 1200000 /dev/zero | tr '\0' '[' > "$E2E_RUN/body-1.2m"
e2e_call "${api_auth[@]}" -X PATCH --data-binary @"$E2E_RUN/body-1.2m" "$BASE/api/users/pinterest%7C1"
expect_service_error "1.2 MB PATCH body" 413 request_too_large
head -c 3000000 /dev/zero > "$E2E_RUN/body-3m"
e2e_call "${api_auth[@]}" -X PATCH --data-binary @"$E2E_RUN/body-3m" "$BASE/api/users/pinterest%7C1"
expect_4xx "3 MB PATCH body"
# nginx buffers a body before it passes the request on, so a client that stops sending ties up no
# worker while nginx waits for the rest.
curl -s -o /dev/null --max-time 3 "${api_auth[@]}" -X PATCH -H 'Content-Length: 100' --data-binary '{}' "$BASE/api/users/pinterest%7C1" &
short_body=$!
sleep 0.5
expect_eq "service free while a body is short of its Content-Length" 200 "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$BASE/healthz")"
wait "$short_body"

# Wrong and unknown methods on every route: 405 with Allow, or nginx's own rejection.
for route in /healthz /authorize /login/callback /profile /auth /logout /test /api/users /api/users/pinterest%7C1; do
  for method in POST PUT DELETE PATCH OPTIONS PROPFIND; do
    e2e_call -X "$method" -H 'Accept: application/json' "$BASE$route"
    case "$STATUS" in
      405) [ -n "$(header_value "$HEADERS" Allow)" ] && pass "$method $route: 405 with Allow" || fail "$method $route: Allow header" "$HEADERS" ;;
      401|404) [ "$route" = /api/users/pinterest%7C1 ] || [ "$route" = /test ] && pass "$method $route: $STATUS" || fail "$method $route" "status $STATUS" ;;
      *) fail "$method $route: 405" "status $STATUS: ${BODY:0:200}" ;;
    esac
  done
done
e2e_call -X TRACE "$BASE/healthz"
expect_4xx "TRACE"

# HEAD on every route: no body, no 5xx, and HEAD on the callback uses up nothing.
callback=$(consented_callback "$E2E_RUN/jar-head" sandbox_pinner head-state)
for route in /healthz "/authorize?$valid_query" "${callback#$BASE}" /profile /auth /logout /test /test/start /api/users /api/users/pinterest%7C1; do
  read -r status size < <(curl -s -I -o /dev/null -w '%{http_code} %{size_download}\n' -b "$E2E_RUN/jar-head" "$BASE$route")
  case "$status" in
    5??|000) fail "HEAD ${route%%\?*}: no 5xx" "status $status" ;;
    *) pass "HEAD ${route%%\?*}: $status" ;;
  esac
  expect_eq "HEAD ${route%%\?*}: no body" 0 "$size"
done
expect_eq "callback still completes after HEAD" "302 $BASE/demo/?state=head-state" "$(e2e_callback "$E2E_RUN/jar-head" "$callback")"
e2e_call -I -b "$E2E_RUN/jar-head" "$BASE/logout"
expect_eq "HEAD /logout sets no cookie" "" "$(set_cookie_line "$HEADERS" pc_session)"
expect_eq "session survives HEAD /logout" 200 "$(curl -s -o /dev/null -w '%{http_code}' -b "$E2E_RUN/jar-head" "$BASE/profile")"

# JSON bodies of PATCH /api/users/{id}: for an existing user, every hostile body is invalid_body
# and changes nothing.
user=pinterest%7C4714936491839602101
profile_before=$(curl -s "${api_auth[@]}" "$BASE/api/users/$user")
python3 - "$E2E_RUN" <<'PYTHON'
import json, sys
run = sys.argv[1]
bodies = {
    "deep-array": "[" * 100000 + "]" * 100000,
    "deep-object": '{"user_metadata":' + '{"a":' * 20 + "1" + "}" * 20 + "}",
    "huge-string": json.dumps({"user_metadata": {"a": "x" * 70000}}),
    "huge-metadata": json.dumps({"user_metadata": {str(i): "x" * 60 for i in range(600)}}),
    "many-keys": "{" + ",".join(f'"k{i}":1' for i in range(20000)) + "}",
    "long-number": '{"user_metadata":{"a":' + "9" * 5000 + "}}",
    "number-overflow": '{"user_metadata":{"a":1e999}}',
}
for name, text in bodies.items():
    with open(f"{run}/json-{name}", "w") as file:
        file.write(text)
PYTHON
declare -A hostile_bodies=(
  [empty body]=""
  [not JSON]="user_metadata=1"
  [invalid UTF-8]="$(printf '{"user_metadata":{"a":"\xff"}}')"
  [byte order mark]="$(printf '\xef\xbb\xbf{"user_metadata":{}}')"
  [NaN]='{"user_metadata":{"a":NaN}}'
  [trailing data]='{"user_metadata":{}} {}'
  [array]='[{"user_metadata":{}}]'
  [string]='"user_metadata"'
  [null]='null'
  [empty object]='{}'
  [metadata as string]='{"user_metadata":"x"}'
  [metadata as array]='{"app_metadata":[1]}'
  [read-only field]='{"user_id":"pinterest|1"}'
  [unknown field]='{"email":"a@example.com"}'
  [name with sync on]='{"name":"x"}'
  [lone surrogate]='{"user_metadata":{"a":"\ud800"}}'
  [control character]="$(printf '{"user_metadata":{"a":"\x01"}}')"
)
for case in "${!hostile_bodies[@]}"; do
  e2e_call "${api_auth[@]}" -X PATCH -H 'Content-Type: application/json' --data-binary "${hostile_bodies[$case]}" "$BASE/api/users/$user"
  expect_eq "PATCH $case: 400" 400 "$STATUS"
  case "$(json_field "$BODY" error)" in
    invalid_body|sync_overwrites_attribute) pass "PATCH $case: error code" ;;
    *) fail "PATCH $case: error code" "$BODY" ;;
  esac
done
for name in deep-array deep-object huge-string huge-metadata many-keys long-number number-overflow; do
  e2e_call "${api_auth[@]}" -X PATCH -H 'Content-Type: application/json' --data-binary @"$E2E_RUN/json-$name" "$BASE/api/users/$user"
  expect_service_error "PATCH $name" 400 invalid_body
done
expect_eq "hostile bodies changed nothing" "$profile_before" "$(curl -s "${api_auth[@]}" "$BASE/api/users/$user")"

# User ids with path separators, dots and other bytes. nginx normalizes dot segments and decoded
# slashes, and every id that reaches the service becomes a hashed file name. So each one is a 4xx,
# and nothing outside the store is read, written or removed.
touch "$E2E_RUN/outside-the-store"
for id in '...' '..%2F..%2Fconnection.json' '%2e%2e%2f%2e%2e%2fconnection.json' '..%5C..%5Cconnection.json' \
          '%2Fetc%2Fpasswd' 'pinterest%7C1%2F..%2F..' '.hidden' 'a%00b' '%0d%0aX-Injected:%20yes' \
          "$(head -c 3000 /dev/zero | tr '\0' a)" '%E2%80%AE' '%C0%AE%C0%AE' 'outside-the-store' '..%2Foutside-the-store'; do
  for method in GET PATCH DELETE; do
    e2e_call "${api_auth[@]}" -X "$method" -H 'Content-Type: application/json' --data-binary '{"user_metadata":{"a":1}}' "$BASE/api/users/$id"
    label="$method /api/users/${id:0:40}"
    expect_4xx "$label"
    expect_eq "$label: no header injected" 0 "$(printf '%s\n' "$HEADERS" | grep -ci '^x-injected:')"
  done
done
# Dot segments never reach the service as ids: nginx resolves them first.
e2e_call "${api_auth[@]}" "$BASE/api/users/."
expect_eq "/api/users/. is the user list" null "$(json_field "$BODY" next_page)"
e2e_call "${api_auth[@]}" -X DELETE "$BASE/api/users/.."
expect_4xx "DELETE /api/users/.."
expect_eq "file next to the store survives" yes "$([ -e "$E2E_RUN/outside-the-store" ] && echo yes)"
expect_eq "configuration survives" yes "$([ -s "$E2E_RUN/connection.json" ] && echo yes)"

# HTTP Basic credentials in every malformed shape: 401 invalid_client with a challenge.
declare -A credentials=(
  [no header]=""
  [empty Basic]="Basic "
  [invalid base64]="Basic !!!!"
  [no colon]="Basic $(printf demo | base64)"
  [wrong secret]="Basic $(printf demo:wrong | base64)"
  [secret prefix]="Basic $(printf demo:demo-secre | base64)"
  [unknown client]="Basic $(printf nobody:demo-secret | base64)"
  [Bearer]="Bearer demo-secret"
  [6 KB credentials]="Basic $(head -c 4500 /dev/zero | tr '\0' a | base64 -w0)"
  [invalid UTF-8]="Basic $(printf 'demo:\xff' | base64)"
)
for case in "${!credentials[@]}"; do
  e2e_call -H 'Accept: application/json' ${credentials[$case]:+-H "Authorization: ${credentials[$case]}"} "$BASE/api/users"
  expect_service_error "API $case" 401 invalid_client
  expect_contains "API $case: challenge" "$(header_value "$HEADERS" WWW-Authenticate)" "Basic"
done
e2e_call -H 'Accept: application/json' "$BASE/api/users?per_page=100000000000000000000"
e2e_call "${api_auth[@]}" "$BASE/api/users?per_page=100000000000000000000"
expect_service_error "per_page beyond Int" 400 invalid_request
e2e_call "${api_auth[@]}" "$BASE/api/users?page=..%2F..%2Fusers"
expect_4xx "page cursor with a path"

# The sandbox provider behind /sandbox/ gets the same treatment: a 4xx, never a 5xx or a crash.
sandbox_pid=$(cat "$E2E_RUN/sandbox.pid")
# Sends one request to the sandbox and checks it got a 4xx.
sandbox_case() {  # LABEL CURL_ARGUMENT...
  local label=$1
  shift
  e2e_call "$@"
  expect_4xx "sandbox $label"
}
sandbox_case "invalid percent escape" "$BASE/sandbox/oauth/?client_id=%zz"
sandbox_case "300 parameters" "$BASE/sandbox/oauth/?$(printf 'p%d=&' $(seq 1 300))"
sandbox_case "unregistered javascript: redirect" \
  "$BASE/sandbox/oauth/?client_id=1&redirect_uri=javascript:alert(1)&response_type=code&scope=x&state=%3Cx%3E"
sandbox_case "consent with an invalid escape" -X POST --data-binary 'consent_id=%zz' "$BASE/sandbox/oauth/consent"
sandbox_case "consent with 1.2 MB" -X POST --data-binary @"$E2E_RUN/body-1.2m" "$BASE/sandbox/oauth/consent"
sandbox_case "token without credentials" -X POST --data-binary 'grant_type=authorization_code&code=x' "$BASE/sandbox/v5/oauth/token"
sandbox_case "token with invalid Basic" -X POST -H 'Authorization: Basic !!!!' --data-binary 'grant_type=x' "$BASE/sandbox/v5/oauth/token"
sandbox_case "token with a JSON body" -X POST -u 1:2 -H 'Content-Type: application/json' --data-binary '{}' "$BASE/sandbox/v5/oauth/token"
sandbox_case "user account with an empty Bearer" -H 'Authorization: Bearer' "$BASE/sandbox/v5/user_account"
sandbox_case "user account with a 6 KB token" -H "Authorization: Bearer $(head -c 6000 /dev/zero | tr '\0' a)" "$BASE/sandbox/v5/user_account"
sandbox_case "DELETE user account" -X DELETE "$BASE/sandbox/v5/user_account"
expect_eq "sandbox survived every malformed request" "$sandbox_pid" "$(cat "$E2E_RUN/sandbox.pid")"

expect_same_responder "responder survived every malformed request" "$pid"
read -r bad checked < <(store_check)
expect_eq "store intact after malformed requests ($checked files)" 0 "$bad"
expect_not_contains "no 5xx in the access log" "$(awk '{print $9}' "$E2E_RUN/nginx-access.log" | sort -u | tr '\n' ' ')" "50"
