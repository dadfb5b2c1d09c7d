#!/usr/bin/env bash
# Sessions after a login, through nginx. /profile and nginx auth_request get genuine, tampered,
# truncated, expired and wrongly signed session cookies. Logout gets allowed and other returnTo
# URLs, a copy of the cookie kept aside must fail after it, and the session key is rotated.
source "$(dirname "$0")/lib.sh"
e2e_start

# Prints bytes as unpadded base64url.
base64url() {
  base64 -w0 | tr '+/' '-_' | tr -d '='
}

# Decodes unpadded base64url.
base64url_decode() {  # TEXT
  local text
  text=$(printf '%s' "$1" | tr -- '-_' '+/')
  while [ $((${#text} % 4)) -ne 0 ]; do text="$text="; done
  printf '%s' "$text" | base64 -d
}

# Prints a cookie value signed as CookieSigner signs it: `KEY_ID.PAYLOAD.MAC`, where PAYLOAD is
# `SUBJECT|ISSUED_AT|EXPIRES_AT` and MAC is HMAC-SHA256 over `NAME=KEY_ID.PAYLOAD`. The key is
# the UTF-8 of the key text, as the configuration reads it from the secret file.
mint_cookie() {  # NAME KEY_ID KEY_TEXT SUBJECT ISSUED_AT EXPIRES_AT
  local signed mac
  signed="$2.$(printf '%s|%s|%s' "$4" "$5" "$6" | base64url)"
  mac=$(printf '%s=%s' "$1" "$signed" | openssl dgst -sha256 -hmac "$3" -binary | base64url)
  printf '%s.%s' "$signed" "$mac"
}

# Requests /profile as JSON with the session cookie VALUE, and sets STATUS and BODY.
request_profile() {  # VALUE
  e2e_call -H 'Accept: application/json' -H "Cookie: pc_session=$1" "$BASE/profile"
}

# Prints the status of GET /profile with the session cookie VALUE.
profile_status() {  # VALUE
  curl -s -o /dev/null -w '%{http_code}' -H "Cookie: pc_session=$1" "$BASE/profile"
}

# Prints the status of the page protected by auth_request with the session cookie VALUE.
protected_status() {  # VALUE
  curl -s -o /dev/null -w '%{http_code}' -H "Cookie: pc_session=$1" "$BASE/protected/page"
}

key=$(cat "$E2E_RUN/secrets/session-key")
jar=$E2E_RUN/jar
e2e_login "$jar" sandbox_pinner >/dev/null
cookie=$(jar_cookie "$jar" pc_session)
IFS=. read -r key_id payload mac <<<"$cookie"
IFS='|' read -r session_id issued_at expires_at <<<"$(base64url_decode "$payload")"
expect_eq "session cookie has key id k1" k1 "$key_id"
expect_eq "session cookie lives one day" 86400 "$((expires_at - issued_at))"
expect_eq "minting reproduces the service's cookie" "$cookie" \
  "$(mint_cookie pc_session k1 "$key" "$session_id" "$issued_at" "$expires_at")"

# auth_request: 401 without a session, 200 with the user id passed to the upstream.
expect_eq "protected page without a cookie is 401" 401 "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/protected/page")"
e2e_call -b "$jar" "$BASE/protected/page"
expect_eq "protected page with a session is 200" 200 "$STATUS"
expect_eq "upstream sees the user" "upstream page for user=pinterest|4714936491839602101 nickname=sandbox_pinner" "$BODY"
e2e_call -b "$jar" -H 'X-Auth-User-Id: pinterest|1' "$BASE/protected/page"
expect_contains "forged X-Auth-User-Id is replaced" "$BODY" "user=pinterest|4714936491839602101 "
e2e_call -H 'X-Auth-User-Id: pinterest|1' "$BASE/protected/page"
expect_eq "forged X-Auth-User-Id alone is 401" 401 "$STATUS"
expect_eq "auth subrequest location is internal" 404 "$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "$BASE/_pinterest_auth")"
e2e_call -b "$jar" "$BASE/auth"
expect_eq "/auth with a session is 204" 204 "$STATUS"
expect_eq "/auth names the user" "pinterest|4714936491839602101" "$(header_value "$HEADERS" X-Auth-User-Id)"
expect_eq "/auth names the nickname" sandbox_pinner "$(header_value "$HEADERS" X-Auth-Nickname)"
expect_eq "/auth is not cached" no-store "$(header_value "$HEADERS" Cache-Control)"
expect_eq "/auth without a session is 401" 401 "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/auth")"

# A cookie this service did not sign exactly as it stands is login_required. A genuine cookie of
# an expired or unknown session is session_expired. None of them passes auth_request.
now=$(date +%s)
other_key=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
forged_payload=$(printf '%s|%s|%s' "other-session" "$issued_at" "$expires_at" | base64url)
declare -A rejected=(
  [tampered payload]="$key_id.$forged_payload.$mac"
  [tampered MAC]="$key_id.$payload.${mac:0:10}$([ "${mac:10:1}" = A ] && echo B || echo A)${mac:11}"
  [truncated MAC]="${cookie%?}"
  [padded MAC]="$cookie="
  [MAC cut off]="$key_id.$payload"
  [empty value]=""
  [unknown key id]="$(mint_cookie pc_session k9 "$key" "$session_id" "$issued_at" "$expires_at")"
  [wrong key]="$(mint_cookie pc_session k1 "$other_key" "$session_id" "$issued_at" "$expires_at")"
  [key id of another case]="K1.${cookie#k1.}"
  [signed for another cookie name]="$(mint_cookie pc_tx_abcdefghijkl k1 "$key" "$session_id" "$issued_at" "$expires_at")"
  [lifetime over one day]="$(mint_cookie pc_session k1 "$key" "$session_id" "$now" $((now + 86401)))"
  [issued in the future]="$(mint_cookie pc_session k1 "$key" "$session_id" $((now + 3600)) $((now + 7200)))"
  [millisecond timestamps]="$(mint_cookie pc_session k1 "$key" "$session_id" "${now}000" "${expires_at}000")"
  [extreme timestamps]="$(mint_cookie pc_session k1 "$key" "$session_id" -9223372036854775808 9223372036854775807)"
  [no timestamps]="$(printf 'k1.%s' "$(printf '%s' "$session_id" | base64url)")"
)
for case in "${!rejected[@]}"; do
  request_profile "${rejected[$case]}"
  expect_eq "$case: profile is 401" 401 "$STATUS"
  expect_eq "$case: login_required" login_required "$(json_field "$BODY" error)"
  expect_eq "$case: protected page is 401" 401 "$(protected_status "${rejected[$case]}")"
done
expect_eq "service survives every forged cookie" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")"

declare -A ended=(
  [expired]="$(mint_cookie pc_session k1 "$key" "$session_id" $((now - 7200)) $((now - 3600)))"
  [unknown session]="$(mint_cookie pc_session k1 "$key" "no-such-session" "$now" $((now + 600)))"
)
for case in "${!ended[@]}"; do
  request_profile "${ended[$case]}"
  expect_eq "$case: profile is 401" 401 "$STATUS"
  expect_eq "$case: session_expired" session_expired "$(json_field "$BODY" error)"
  expect_eq "$case: protected page is 401" 401 "$(protected_status "${ended[$case]}")"
done
expect_eq "cookie minted for a shorter time works" 200 "$(profile_status "$(mint_cookie pc_session k1 "$key" "$session_id" "$now" $((now + 600)))")"
expect_eq "genuine cookie still works" 200 "$(profile_status "$cookie")"

# Logout with an allowed returnTo ends the session, and the copy of the cookie kept aside with it.
second_jar=$E2E_RUN/jar-second
e2e_login "$second_jar" sandbox_pinner >/dev/null
e2e_call -b "$jar" -c "$jar" -G "$BASE/logout" --data-urlencode client_id=demo --data-urlencode "returnTo=$BASE/demo/"
expect_eq "logout redirects" 302 "$STATUS"
expect_eq "logout goes to the allowed returnTo" "$BASE/demo/" "$(header_value "$HEADERS" Location)"
expect_contains "logout deletes the session cookie" "$(set_cookie_line "$HEADERS" pc_session)" "pc_session=; Path=/; Max-Age=0"
expect_eq "jar has no session cookie after logout" "" "$(jar_cookie "$jar" pc_session)"
request_profile "$cookie"
expect_eq "old cookie copy: profile is 401" 401 "$STATUS"
expect_eq "old cookie copy: session_expired" session_expired "$(json_field "$BODY" error)"
expect_eq "old cookie copy: protected page is 401" 401 "$(protected_status "$cookie")"
expect_eq "old cookie copy: /auth is 401" 401 "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: pc_session=$cookie" "$BASE/auth")"
expect_eq "other browser's session survives" 200 "$(curl -s -o /dev/null -w '%{http_code}' -b "$second_jar" "$BASE/profile")"

# returnTo values that are not allowed go to the application's first logout URL, or to a page.
for return_to in "https://attacker.example/" "$BASE/demo" "$BASE/demo/x" "//attacker.example/" "$BASE/demo/?next=https://attacker.example/"; do
  e2e_call -G "$BASE/logout" --data-urlencode client_id=demo --data-urlencode "returnTo=$return_to"
  expect_eq "returnTo [$return_to] goes to the allowed URL" "$BASE/demo/" "$(header_value "$HEADERS" Location)"
done
e2e_call -G "$BASE/logout" --data-urlencode "returnTo=https://attacker.example/"
expect_eq "logout without client_id shows a page" 200 "$STATUS"
expect_eq "logout without client_id sends nowhere" "" "$(header_value "$HEADERS" Location)"
expect_contains "logout page says so" "$BODY" "You are logged out"
e2e_call -G "$BASE/logout" --data-urlencode client_id=no-such-app --data-urlencode "returnTo=https://attacker.example/"
expect_eq "logout with an unknown client sends nowhere" "" "$(header_value "$HEADERS" Location)"
e2e_call -G "$BASE/logout" --data-urlencode client_id=disabled-app --data-urlencode "returnTo=$BASE/demo/"
expect_eq "logout for an application without logout URLs sends nowhere" "" "$(header_value "$HEADERS" Location)"
e2e_call -H "Cookie: pc_session=${rejected[tampered payload]}" "$BASE/logout"
expect_eq "logout with a forged cookie shows a page" 200 "$STATUS"
expect_eq "forged logout leaves the other session" 200 "$(curl -s -o /dev/null -w '%{http_code}' -b "$second_jar" "$BASE/profile")"

# Key rotation: a new first key signs, the old second key still verifies.
rotation_jar=$E2E_RUN/jar-rotation
e2e_login "$rotation_jar" sandbox_business >/dev/null
old_cookie=$(jar_cookie "$rotation_jar" pc_session)
pending_jar=$E2E_RUN/jar-pending
pending_consent=$(e2e_authorize "$pending_jar" pending-state)

# Rewrites session.keys of the configuration to the ids given, each with the key file secrets/ID.
write_session_keys() {  # KEY_ID...
  python3 - "$E2E_RUN/connection.json" "$@" <<'PYTHON'
import json, sys
path, ids = sys.argv[1], sys.argv[2:]
with open(path) as file:
    configuration = json.load(file)
configuration["session"]["keys"] = [{"id": id, "secret": {"file": "secrets/" + id}} for id in ids]
with open(path, "w") as file:
    json.dump(configuration, file, indent=2)
PYTHON
}

stack_stop "$E2E_RUN"
cp "$E2E_RUN/secrets/session-key" "$E2E_RUN/secrets/k1"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$E2E_RUN/secrets/k2"
chmod 600 "$E2E_RUN/secrets/k1" "$E2E_RUN/secrets/k2"
write_session_keys k2 k1
stack_start "$E2E_RUN" "$PORT" || { fail "stack restarts with a rotated key"; exit 1; }

expect_eq "old cookie works after rotation" 200 "$(profile_status "$old_cookie")"
expect_eq "old cookie passes auth_request after rotation" 200 "$(protected_status "$old_cookie")"
pending_callback=$(e2e_consent "$pending_jar" "$pending_consent" sandbox_minimal allow)
expect_eq "login started before rotation completes" "302 $BASE/demo/?state=pending-state" "$(e2e_callback "$pending_jar" "$pending_callback")"
new_cookie=$(jar_cookie "$pending_jar" pc_session)
expect_eq "new session cookie is signed with k2" k2 "${new_cookie%%.*}"
new_jar=$E2E_RUN/jar-new
consent_url=$(e2e_authorize "$new_jar" new-state)
expect_contains "new transaction cookie is signed with k2" "$(jar_cookie "$new_jar" "pc_tx_$(url_param "$consent_url" state | cut -c1-12)")" "k2."
e2e_callback "$new_jar" "$(e2e_consent "$new_jar" "$consent_url" sandbox_pinner allow)" >/dev/null
expect_eq "new login reads its profile" 200 "$(profile_status "$(jar_cookie "$new_jar" pc_session)")"
expect_eq "new key verifies what it signed" k2 "$(jar_cookie "$new_jar" pc_session | cut -d. -f1)"

# Retiring the old key ends the sessions it signed.
stack_stop "$E2E_RUN"
write_session_keys k2
stack_start "$E2E_RUN" "$PORT" || { fail "stack restarts without the old key"; exit 1; }
request_profile "$old_cookie"
expect_eq "old cookie is rejected once its key is gone" 401 "$STATUS"
expect_eq "retired key is login_required" login_required "$(json_field "$BODY" error)"
expect_eq "k2 cookie still works" 200 "$(profile_status "$new_cookie")"
