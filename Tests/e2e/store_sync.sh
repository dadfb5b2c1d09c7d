#!/usr/bin/env bash
# Profile sync and the applications' user API: what each login overwrites with sync on and off,
# PATCH rules, metadata that survives both, DELETE ending sessions, paging and credentials.
source "$(dirname "$0")/lib.sh"
export STACK_SYNC=false
e2e_start
api=(-s -u demo:demo-secret -H 'Accept: application/json')

# First login with sync off writes the root attributes from Pinterest.
location=$(e2e_login "$E2E_RUN/jar-a" sandbox_business)
expect_contains "first login returns to the app" "$location" "$BASE/demo/?state=app-state"
profile=$(curl -s -b "$E2E_RUN/jar-a" "$BASE/profile")
# The profile's own user_id, not the identities entry's bare Pinterest id.
user_id=$(printf '%s' "$profile" | grep -oE '"user_id":"pinterest\|[0-9]+"' | cut -d'"' -f4)
business_name=$(json_field "$profile" name)
expect_contains "user id is keyed on the numeric id" "$user_id" "pinterest|"
expect_eq "first login count" 1 "$(json_field "$profile" logins_count)"
encoded_id=${user_id/|/%7C}

# PATCH with sync off: root attributes and metadata stick.
patched=$(curl "${api[@]}" -X PATCH -H 'Content-Type: application/json' \
  -d '{"name":"Edited by the app","user_metadata":{"theme":"dark","drop":1},"app_metadata":{"plan":"gold"}}' \
  "$BASE/api/users/$encoded_id")
expect_eq "PATCH sets name with sync off" "Edited by the app" "$(json_field "$patched" name)"
expect_eq "PATCH merges user_metadata" dark "$(json_field "$patched" theme)"
patched=$(curl "${api[@]}" -X PATCH -H 'Content-Type: application/json' -d '{"user_metadata":{"drop":null,"lang":"fr"}}' \
  "$BASE/api/users/$encoded_id")
expect_eq "null removes a metadata key" "" "$(json_field "$patched" drop)"
expect_eq "other metadata keys survive a merge" dark "$(json_field "$patched" theme)"

e2e_login "$E2E_RUN/jar-a" sandbox_business >/dev/null
profile=$(curl -s -b "$E2E_RUN/jar-a" "$BASE/profile")
expect_eq "second login with sync off keeps the edited name" "Edited by the app" "$(json_field "$profile" name)"
expect_eq "second login counts" 2 "$(json_field "$profile" logins_count)"
expect_eq "metadata survives a login with sync off" gold "$(json_field "$profile" plan)"
expect_not_contains "profile holds no access token" "$profile" "pina_"
expect_not_contains "profile holds no refresh token" "$profile" "pinr_"

# Bad PATCH bodies change nothing.
before=$(curl "${api[@]}" "$BASE/api/users/$encoded_id")
for body in '{"nickname":5}' '{"email":"x@example.com"}' '{"user_metadata":"text"}' '[1,2]' '{not json' '{}'; do
  status=$(curl "${api[@]}" -o "$E2E_RUN/patch-body" -w '%{http_code}' -X PATCH -H 'Content-Type: application/json' -d "$body" "$BASE/api/users/$encoded_id")
  expect_eq "PATCH $body is 400" 400 "$status"
  expect_eq "PATCH $body says invalid_body" invalid_body "$(json_field "$(cat "$E2E_RUN/patch-body")" error)"
done
expect_eq "rejected PATCHes changed nothing" "$before" "$(curl "${api[@]}" "$BASE/api/users/$encoded_id")"

# Switching sync on takes effect at the next login and rewrites nothing on its own.
stack_stop "$E2E_RUN"
sed -i 's/"sync_user_profile": false/"sync_user_profile": true/' "$E2E_RUN/connection.json"
stack_start "$E2E_RUN" "$PORT" || fail "stack restarts with sync on"
profile=$(curl "${api[@]}" "$BASE/api/users/$encoded_id")
expect_eq "turning sync on rewrites nothing by itself" "Edited by the app" "$(json_field "$profile" name)"
status=$(curl "${api[@]}" -o "$E2E_RUN/patch-body" -w '%{http_code}' -X PATCH -H 'Content-Type: application/json' -d '{"name":"Again"}' "$BASE/api/users/$encoded_id")
expect_eq "PATCH name with sync on is 400" 400 "$status"
expect_eq "PATCH name with sync on says why" sync_overwrites_attribute "$(json_field "$(cat "$E2E_RUN/patch-body")" error)"

e2e_login "$E2E_RUN/jar-a" sandbox_business >/dev/null
profile=$(curl -s -b "$E2E_RUN/jar-a" "$BASE/profile")
expect_eq "login with sync on restores Pinterest's name" "$business_name" "$(json_field "$profile" name)"
expect_eq "user_metadata survives sync" dark "$(json_field "$profile" theme)"
expect_eq "app_metadata survives sync" gold "$(json_field "$profile" plan)"
expect_contains "user id survives sync" "$profile" "\"user_id\":\"$user_id\""
expect_eq "third login counts" 3 "$(json_field "$profile" logins_count)"

# Credentials, unknown users and a disabled application.
expect_eq "wrong secret is 401" 401 "$(curl -s -o /dev/null -w '%{http_code}' -u demo:wrong "$BASE/api/users/$encoded_id")"
expect_eq "no credentials is 401" 401 "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/users/$encoded_id")"
expect_eq "disabled application is 403" 403 "$(curl -s -o /dev/null -w '%{http_code}' -u disabled-app:disabled-secret "$BASE/api/users/$encoded_id")"
expect_eq "unknown user is 404" 404 "$(curl "${api[@]}" -o /dev/null -w '%{http_code}' "$BASE/api/users/pinterest%7C1")"
expect_not_contains "API hides tokens unless allowed" "$(curl "${api[@]}" "$BASE/api/users/$encoded_id")" "pinterest_tokens"

# Paging through several users.
for account in sandbox_pinner sandbox_minimal sandbox_unicode; do e2e_login "$E2E_RUN/jar-$account" "$account" >/dev/null; done
page=$(curl "${api[@]}" "$BASE/api/users?per_page=2")
expect_eq "first page holds two users" 2 "$(printf '%s' "$page" | grep -o '"user_id":"pinterest|' | wc -l)"
next=$(json_field "$page" next_page)
page=$(curl "${api[@]}" -G --data-urlencode "page=$next" --data-urlencode per_page=2 "$BASE/api/users")
expect_eq "second page holds the other two" 2 "$(printf '%s' "$page" | grep -o '"user_id":"pinterest|' | wc -l)"
expect_eq "bad per_page is 400" 400 "$(curl "${api[@]}" -o /dev/null -w '%{http_code}' "$BASE/api/users?per_page=0")"

# DELETE removes the user and ends their sessions.
expect_eq "DELETE is 204" 204 "$(curl "${api[@]}" -o /dev/null -w '%{http_code}' -X DELETE "$BASE/api/users/$encoded_id")"
expect_eq "deleted user is 404" 404 "$(curl "${api[@]}" -o /dev/null -w '%{http_code}' "$BASE/api/users/$encoded_id")"
expect_eq "deleted user's session ends" 401 "$(curl -s -o /dev/null -w '%{http_code}' -b "$E2E_RUN/jar-a" "$BASE/profile")"
e2e_login "$E2E_RUN/jar-b" sandbox_business >/dev/null
expect_eq "old session stays dead after a new login" 401 "$(curl -s -o /dev/null -w '%{http_code}' -b "$E2E_RUN/jar-a" "$BASE/profile")"
expect_eq "new login after delete starts over" 1 "$(json_field "$(curl -s -b "$E2E_RUN/jar-b" "$BASE/profile")" logins_count)"

# Store files are private to the service's user.
expect_eq "store directory mode" 700 "$(stat -c '%a' "$E2E_RUN/store")"
modes=$(find "$E2E_RUN/store" -type f -printf '%m\n' | sort -u | tr '\n' ' ')
expect_eq "store files are 0600" "600 " "$modes"
expect_eq "no token in plain text on disk" 0 "$(grep -rl 'pina_\|pinr_' "$E2E_RUN/store" | wc -l)"
