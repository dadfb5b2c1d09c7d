#!/usr/bin/env bash
# Whole logins through nginx and the sandbox provider, made as a browser with a cookie jar makes
# them. Covered: the redirects, the transaction and session cookies, the profile read back, a
# second login, each kind of account, a denial, two tabs in one browser and a HEAD on the callback.
source "$(dirname "$0")/lib.sh"
e2e_start

# Prints a top-level field of a profile. The identities list is cut out first, because its entries
# have a user_id of their own.
profile_field() {  # PROFILE NAME
  json_field "$(printf '%s' "$1" | sed -E 's/"identities":\[[^]]*\]//')" "$2"
}

# /authorize: a redirect to the consent page with a fresh state, and a transaction cookie.
jar=$E2E_RUN/jar-pinner
e2e_call -c "$jar" -G "$BASE/authorize" --data-urlencode response_type=code --data-urlencode client_id=demo \
  --data-urlencode "redirect_uri=$BASE/demo/" --data-urlencode state=flow-1
expect_eq "authorize redirects" 302 "$STATUS"
consent_url=$(header_value "$HEADERS" Location)
expect_contains "authorize goes to the sandbox consent page" "$consent_url" "$BASE/sandbox/oauth/?"
expect_eq "authorization request carries the connection's callback" "$BASE/login/callback" "$(url_param "$consent_url" redirect_uri)"
expect_eq "authorization request asks for the configured scopes" "user_accounts:read,boards:read,pins:read" "$(url_param "$consent_url" scope)"
pinterest_state=$(url_param "$consent_url" state)
expect_eq "state sent to Pinterest is 43 base64url characters" 1 "$(printf '%s' "$pinterest_state" | grep -cE '^[A-Za-z0-9_-]{43}$')"
expect_not_contains "application's state never reaches Pinterest" "$consent_url" "flow-1"

transaction_cookie=$(set_cookie_line "$HEADERS" "pc_tx_${pinterest_state:0:12}")
expect_contains "transaction cookie is named after the state" "$transaction_cookie" "pc_tx_${pinterest_state:0:12}="
expect_contains "transaction cookie is HttpOnly" "$transaction_cookie" "; HttpOnly"
expect_contains "transaction cookie is SameSite=Lax" "$transaction_cookie" "; SameSite=Lax"
expect_contains "transaction cookie has Path=/" "$transaction_cookie" "; Path=/;"
expect_contains "transaction cookie outlives the login by an hour" "$transaction_cookie" "; Max-Age=4200"
expect_not_contains "transaction cookie is not Secure over http" "$transaction_cookie" "Secure"

# Consent, then the callback: the application gets its state back and the browser a session.
callback_url=$(e2e_consent "$jar" "$consent_url" sandbox_pinner allow)
expect_contains "consent returns to the connection's callback" "$callback_url" "$BASE/login/callback?code="
expect_eq "Pinterest echoes the state" "$pinterest_state" "$(url_param "$callback_url" state)"
e2e_call -c "$jar" -b "$jar" "$callback_url"
expect_eq "callback redirects" 302 "$STATUS"
expect_eq "callback returns to the application with its state" "$BASE/demo/?state=flow-1" "$(header_value "$HEADERS" Location)"
expect_eq "callback redirect is not cached" no-store "$(header_value "$HEADERS" Cache-Control)"
expect_eq "callback redirect sends no referrer" no-referrer "$(header_value "$HEADERS" Referrer-Policy)"
session_cookie=$(set_cookie_line "$HEADERS" pc_session)
expect_contains "session cookie is HttpOnly" "$session_cookie" "; HttpOnly"
expect_contains "session cookie is SameSite=Lax" "$session_cookie" "; SameSite=Lax"
expect_contains "session cookie has Path=/" "$session_cookie" "; Path=/;"
expect_contains "session cookie lives as long as a session" "$session_cookie" "; Max-Age=86400"
expect_not_contains "session cookie is not Secure over http" "$session_cookie" "Secure"
expect_contains "session cookie is signed with key k1" "$session_cookie" "pc_session=k1."
expect_contains "transaction cookie is deleted" "$(set_cookie_line "$HEADERS" "pc_tx_${pinterest_state:0:12}")" "Max-Age=0"
expect_eq "jar keeps no transaction cookie" "" "$(jar_cookie "$jar" "pc_tx_${pinterest_state:0:12}")"

# The profile, read back with the session cookie.
e2e_call -b "$jar" "$BASE/profile"
profile=$BODY
expect_eq "profile answers 200" 200 "$STATUS"
expect_eq "profile is JSON" application/json "$(header_value "$HEADERS" Content-Type)"
expect_eq "profile is not cached" no-store "$(header_value "$HEADERS" Cache-Control)"
user_id=$(profile_field "$profile" user_id)
expect_eq "user_id is pinterest| and digits" 1 "$(printf '%s' "$user_id" | grep -cE '^pinterest\|[0-9]+$')"
expect_eq "user_id is the Pinterest id" "pinterest|4714936491839602101" "$user_id"
expect_eq "nickname is the username" sandbox_pinner "$(profile_field "$profile" nickname)"
expect_eq "name falls back to the username" sandbox_pinner "$(profile_field "$profile" name)"
expect_eq "picture is the profile image" "https://i.pinimg.example/600x600_R/sandbox_pinner.jpg" "$(profile_field "$profile" picture)"
expect_contains "identities list the Pinterest account" "$profile" '"identities":[{"connection":"pinterest","isSocial":true,"provider":"pinterest","user_id":"4714936491839602101"}]'
expect_eq "first login counts 1" 1 "$(profile_field "$profile" logins_count)"
expect_eq "account type is kept" PINNER "$(profile_field "$profile" account_type)"
expect_eq "pin count is kept" 345 "$(profile_field "$profile" pin_count)"
expect_contains "user_metadata starts empty" "$profile" '"user_metadata":{}'
expect_contains "app_metadata starts empty" "$profile" '"app_metadata":{}'
for needle in pina_ pinr_ access_token refresh_token '"tokens"' token; do
  expect_not_contains "profile holds no $needle" "$profile" "$needle"
done
created_at=$(profile_field "$profile" created_at)

# A second login of the same account counts up and keeps created_at.
result=$(e2e_login "$jar" sandbox_pinner flow-2)
expect_eq "second login returns to the application" "$BASE/demo/?state=flow-2" "$result"
profile=$(curl -s -b "$jar" "$BASE/profile")
expect_eq "second login counts 2" 2 "$(profile_field "$profile" logins_count)"
expect_eq "second login keeps created_at" "$created_at" "$(profile_field "$profile" created_at)"
expect_eq "second login keeps the user_id" "pinterest|4714936491839602101" "$(profile_field "$profile" user_id)"

# A business account is named after its business, and counts beyond 32 bits stay exact.
jar=$E2E_RUN/jar-business
result=$(e2e_login "$jar" sandbox_business)
expect_eq "business login returns to the application" "$BASE/demo/?state=app-state" "$result"
profile=$(curl -s -b "$jar" "$BASE/profile")
expect_eq "business user_id" "pinterest|4714936491839602102" "$(profile_field "$profile" user_id)"
expect_eq "business name is the name" "Sandbox Furniture Ltd" "$(profile_field "$profile" name)"
expect_eq "business nickname is the username" sandbox_business "$(profile_field "$profile" nickname)"
expect_eq "follower count beyond 32 bits" 5000000000 "$(profile_field "$profile" follower_count)"

# An account with only id and username.
jar=$E2E_RUN/jar-minimal
result=$(e2e_login "$jar" sandbox_minimal)
expect_eq "minimal login returns to the application" "$BASE/demo/?state=app-state" "$result"
profile=$(curl -s -b "$jar" "$BASE/profile")
expect_eq "minimal user_id" "pinterest|4714936491839602103" "$(profile_field "$profile" user_id)"
expect_eq "minimal name is the username" sandbox_minimal "$(profile_field "$profile" name)"
expect_eq "minimal picture is null" null "$(profile_field "$profile" picture)"
expect_not_contains "minimal profile has no business_name" "$profile" business_name

# Non-ASCII text comes back as the same UTF-8.
jar=$E2E_RUN/jar-unicode
e2e_login "$jar" sandbox_unicode >/dev/null
profile=$(curl -s -b "$jar" "$BASE/profile")
expect_contains "unicode business name is the name" "$profile" '"name":"Zoë'"'"'s Café — 東京"'
expect_eq "unicode nickname" sandbox_unicode "$(profile_field "$profile" nickname)"

# Denial: the application gets access_denied with its own state, and no session starts.
jar=$E2E_RUN/jar-deny
consent_url=$(e2e_authorize "$jar" deny-state)
callback_url=$(e2e_consent "$jar" "$consent_url" sandbox_pinner deny)
expect_contains "denial reaches the callback with an error" "$callback_url" "error=access_denied"
e2e_call -c "$jar" -b "$jar" "$callback_url"
location=$(header_value "$HEADERS" Location)
expect_eq "denial redirects" 302 "$STATUS"
expect_contains "denial goes back to the application" "$location" "$BASE/demo/?"
expect_eq "denial error" access_denied "$(url_param "$location" error)"
expect_eq "denial error_code" access_denied "$(url_param "$location" error_code)"
expect_contains "denial error_description" "$(url_param "$location" error_description)" "did not allow"
expect_eq "denial keeps the application's state" deny-state "$(url_param "$location" state)"
expect_eq "denial sets no session" "" "$(set_cookie_line "$HEADERS" pc_session)"
expect_eq "denied browser has no profile" 401 "$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "$BASE/profile")"

# Two tabs in one browser: both logins start before either ends, and both complete.
jar=$E2E_RUN/jar-tabs
consent_a=$(e2e_authorize "$jar" tab-a)
consent_b=$(e2e_authorize "$jar" tab-b)
expect_eq "two tabs keep two transaction cookies" 2 "$(grep -c 'pc_tx_' "$jar")"
callback_a=$(e2e_consent "$jar" "$consent_a" sandbox_pinner allow)
callback_b=$(e2e_consent "$jar" "$consent_b" sandbox_business allow)
result_b=$(e2e_callback "$jar" "$callback_b")
result_a=$(e2e_callback "$jar" "$callback_a")
expect_eq "second tab completes first" "302 $BASE/demo/?state=tab-b" "$result_b"
expect_eq "first tab completes second" "302 $BASE/demo/?state=tab-a" "$result_a"
expect_eq "tabs leave no transaction cookie" 0 "$(grep -c 'pc_tx_' "$jar")"
expect_eq "last tab's account is logged in" "pinterest|4714936491839602101" "$(profile_field "$(curl -s -b "$jar" "$BASE/profile")" user_id)"

# Two tabs finishing at the same moment.
jar=$E2E_RUN/jar-race
consent_a=$(e2e_authorize "$jar" race-a)
consent_b=$(e2e_authorize "$jar" race-b)
callback_a=$(e2e_consent "$jar" "$consent_a" sandbox_pinner allow)
callback_b=$(e2e_consent "$jar" "$consent_b" sandbox_pinner allow)
cp "$jar" "$jar-b"
e2e_callback "$jar" "$callback_a" > "$E2E_RUN/race-a" &
race_a=$!
e2e_callback "$jar-b" "$callback_b" > "$E2E_RUN/race-b" &
race_b=$!
wait "$race_a" "$race_b"
expect_eq "parallel tab a completes" "302 $BASE/demo/?state=race-a" "$(cat "$E2E_RUN/race-a")"
expect_eq "parallel tab b completes" "302 $BASE/demo/?state=race-b" "$(cat "$E2E_RUN/race-b")"

# A browser keeps at most five pending logins, so a sixth deletes the oldest cookie. Cookie times
# are in seconds, so the oldest starts a second before the others.
jar=$E2E_RUN/jar-many
oldest_consent=$(e2e_authorize "$jar" tab-1)
oldest_cookie=pc_tx_$(url_param "$oldest_consent" state | cut -c1-12)
sleep 1.1
for tab in 2 3 4 5; do e2e_authorize "$jar" "tab-$tab" >/dev/null; done
expect_eq "five pending logins before the sixth" 5 "$(grep -c 'pc_tx_' "$jar")"
e2e_call -c "$jar" -b "$jar" -G "$BASE/authorize" --data-urlencode response_type=code --data-urlencode client_id=demo \
  --data-urlencode "redirect_uri=$BASE/demo/" --data-urlencode state=tab-6
expect_contains "sixth login deletes the oldest cookie" "$(set_cookie_line "$HEADERS" "$oldest_cookie")" "Max-Age=0"
expect_eq "sixth login deletes one cookie" 1 "$(printf '%s\n' "$HEADERS" | grep -c 'Max-Age=0')"
expect_eq "sixth login sets its own cookie" 2 "$(printf '%s\n' "$HEADERS" | grep -c '^Set-Cookie: pc_tx_')"
newest_consent=$(header_value "$HEADERS" Location)
result=$(e2e_callback "$jar" "$(e2e_consent "$jar" "$newest_consent" sandbox_pinner allow)")
expect_eq "newest login completes" "302 $BASE/demo/?state=tab-6" "$result"

# A HEAD on the callback (a link previewer, say) uses up nothing: the GET after it still logs in.
jar=$E2E_RUN/jar-head
consent_url=$(e2e_authorize "$jar" head-state)
callback_url=$(e2e_consent "$jar" "$consent_url" sandbox_minimal allow)
e2e_call -I -c "$jar" -b "$jar" "$callback_url"
expect_eq "HEAD callback answers 204" 204 "$STATUS"
expect_eq "HEAD callback sets no cookie" "" "$(header_value "$HEADERS" Set-Cookie)"
expect_eq "HEAD callback sends nowhere" "" "$(header_value "$HEADERS" Location)"
expect_eq "GET after HEAD still logs in" "302 $BASE/demo/?state=head-state" "$(e2e_callback "$jar" "$callback_url")"
expect_eq "login after HEAD reads the profile" 200 "$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "$BASE/profile")"

# HEAD on /authorize starts no login, and HEAD on /logout ends no session.
e2e_call -I -c "$jar" -b "$jar" "$BASE/authorize?response_type=code&client_id=demo&redirect_uri=$BASE/demo/&state=head"
expect_eq "HEAD authorize answers 204" 204 "$STATUS"
expect_eq "HEAD authorize sets no transaction cookie" "" "$(header_value "$HEADERS" Set-Cookie)"
e2e_call -I -c "$jar" -b "$jar" "$BASE/logout?client_id=demo"
expect_eq "HEAD logout answers 204" 204 "$STATUS"
expect_eq "session survives HEAD logout" 200 "$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "$BASE/profile")"

# No log line carries a code, a token or a cookie value.
log=$(cat "$E2E_RUN/connection.log")
expect_not_contains "log holds no authorization code" "$log" "$(url_param "$callback_url" code)"
expect_not_contains "log holds no access token" "$log" "pina_"
expect_not_contains "log holds no session cookie" "$log" "$(jar_cookie "$jar" pc_session)"
