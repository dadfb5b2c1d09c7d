#!/usr/bin/env bash
# Attacks on the login state and the cookies that carry it, beyond login_state.sh and
# login_session.sh. Covered: transaction cookies re-signed with the real key but from the future,
# the far past, in milliseconds or with too long a lifetime, cookie values moved between names,
# the same callback replayed in parallel, transaction cookies swapped between two browsers, and a
# browser that piles up pending logins. None of them yields a session, and the genuine login
# still works.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/support/hardening.sh"
e2e_start
pid=$(connection_pid)
key=$(cat "$E2E_RUN/secrets/session-key")

base64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
base64url_decode() {
  local text
  text=$(printf '%s' "$1" | tr -- '-_' '+/')
  while [ $(( ${#text} % 4 )) -ne 0 ]; do text="$text="; done
  printf '%s' "$text" | base64 -d
}

# Prints a cookie value signed with the run's session key, as CookieSigner signs it.
mint() {  # NAME SUBJECT ISSUED_AT EXPIRES_AT
  local payload mac
  payload=$(printf '%s|%s|%s' "$2" "$3" "$4" | base64url)
  mac=$(printf '%s' "$1=k1.$payload" | openssl dgst -sha256 -mac HMAC -macopt "key:$key" -binary | base64url)
  printf 'k1.%s.%s' "$payload" "$mac"
}

# Starts a login in JAR and consents; sets CALLBACK, STATE, TX_NAME and TX_VALUE (its transaction
# cookie) and TX_SUBJECT (the cookie's signed subject).
pending_login() {  # JAR CLIENT_STATE
  CALLBACK=$(consented_callback "$1" sandbox_pinner "$2")
  STATE=$(url_param "$CALLBACK" state)
  TX_NAME=pc_tx_${STATE:0:12}
  TX_VALUE=$(jar_cookie "$1" "$TX_NAME")
  local payload=${TX_VALUE#k1.}
  TX_SUBJECT=$(base64url_decode "${payload%%.*}" | cut -d'|' -f1)
}

# Checks that the last e2e_call was an invalid_state page that set no session.
expect_invalid_state() {  # LABEL
  expect_eq "$1: 400" 400 "$STATUS"
  expect_contains "$1: invalid_state" "$BODY" "<code>invalid_state</code>"
  expect_eq "$1: no session" "" "$(set_cookie_line "$HEADERS" pc_session)"
}

# Transaction cookies re-signed with the real key: right name and subject, wrong times.
jar=$E2E_RUN/jar-forged
pending_login "$jar" forged
now=$(date +%s)
declare -A forged=(
  [issued an hour ahead]="$(mint "$TX_NAME" "$TX_SUBJECT" $((now + 3600)) $((now + 3900)))"
  [issued 2 minutes ahead]="$(mint "$TX_NAME" "$TX_SUBJECT" $((now + 120)) $((now + 300)))"
  [expired a second ago]="$(mint "$TX_NAME" "$TX_SUBJECT" $((now - 600)) $((now - 1)))"
  [from 1970]="$(mint "$TX_NAME" "$TX_SUBJECT" 0 1)"
  [far past to far future]="$(mint "$TX_NAME" "$TX_SUBJECT" -9223372036854775808 9223372036854775807)"
  [milliseconds]="$(mint "$TX_NAME" "$TX_SUBJECT" "${now}000" "$((now + 600))000")"
  [lifetime over the login lifetime]="$(mint "$TX_NAME" "$TX_SUBJECT" "$now" $((now + 601)))"
  [non-numeric times]="$(mint "$TX_NAME" "$TX_SUBJECT" "now" "later")"
  [another state]="$(mint "$TX_NAME" "other-state:${TX_SUBJECT#*:}" "$now" $((now + 300)))"
  [extra field]="$(mint "$TX_NAME" "$TX_SUBJECT|x" "$now" $((now + 300)))"
  [signed for the session name]="$(mint pc_session "$TX_SUBJECT" "$now" $((now + 300)))"
  [truncated MAC]="${TX_VALUE%?}"
  [MAC with padding]="$TX_VALUE="
  [MAC doubled]="$TX_VALUE${TX_VALUE##*.}"
  [empty MAC]="${TX_VALUE%.*}."
)
for case in "${!forged[@]}"; do
  e2e_call -H "Cookie: $TX_NAME=${forged[$case]}" "$CALLBACK"
  expect_invalid_state "transaction cookie $case"
done
expect_eq "genuine login completes after the forgeries" "302 $BASE/demo/?state=forged" "$(e2e_callback "$jar" "$CALLBACK")"

# A cookie signed with the real key for the right state but another browser secret gets past the
# MAC, so the store gives up the login state before the binding check fails. The login fails
# closed, and the genuine cookie cannot finish it either.
jar=$E2E_RUN/jar-binding
pending_login "$jar" binding
e2e_call -H "Cookie: $TX_NAME=$(mint "$TX_NAME" "${TX_SUBJECT%%:*}:forged-secret" "$now" $((now + 300)))" "$CALLBACK"
expect_invalid_state "transaction cookie with another browser secret"
e2e_call -b "$jar" "$CALLBACK"
expect_invalid_state "genuine cookie after a binding mismatch"

# Cookie values moved between names.
session=$(jar_cookie "$jar" pc_session)
jar=$E2E_RUN/jar-swap-names
pending_login "$jar" swap-names
e2e_call -H "Cookie: $TX_NAME=$session" "$CALLBACK"
expect_invalid_state "session cookie under the transaction name"
e2e_call -H 'Accept: application/json' -H "Cookie: pc_session=$TX_VALUE" "$BASE/profile"
expect_eq "transaction cookie under the session name is 401" 401 "$STATUS"
expect_eq "transaction cookie under the session name: login_required" login_required "$(json_field "$BODY" error)"
e2e_call -H "Cookie: pc_tx_${STATE:0:11}=$TX_VALUE" "$CALLBACK"
expect_invalid_state "transaction cookie under a shorter name"
e2e_call -H "Cookie: PC_TX_${STATE:0:12}=$TX_VALUE" "$CALLBACK"
expect_invalid_state "transaction cookie under an upper-case name"
expect_eq "login completes after the swaps" "302 $BASE/demo/?state=swap-names" "$(e2e_callback "$jar" "$CALLBACK")"

# The same callback eight times at once: exactly one login completes.
jar=$E2E_RUN/jar-race
pending_login "$jar" race
racers=()
for index in 1 2 3 4 5 6 7 8; do
  curl -s -o /dev/null -D "$E2E_RUN/race-headers-$index" -w '%{http_code}\n' -b "$jar" "$CALLBACK" > "$E2E_RUN/race-$index" &
  racers+=($!)
done
wait "${racers[@]}"
expect_eq "parallel replays: one redirect" 1 "$(cat "$E2E_RUN"/race-? | grep -c '^302$')"
expect_eq "parallel replays: seven rejections" 7 "$(cat "$E2E_RUN"/race-? | grep -c '^400$')"
expect_eq "parallel replays: one session" 1 "$(cat "$E2E_RUN"/race-headers-? | grep -ci '^set-cookie: pc_session=[^;]')"

# Two browsers with pending logins swap their transaction cookies.
jar_a=$E2E_RUN/jar-a
jar_b=$E2E_RUN/jar-b
pending_login "$jar_a" browser-a
callback_a=$CALLBACK
cookie_a="$TX_NAME=$TX_VALUE"
pending_login "$jar_b" browser-b
callback_b=$CALLBACK
cookie_b="$TX_NAME=$TX_VALUE"
e2e_call -H "Cookie: $cookie_b" "$callback_a"
expect_invalid_state "browser a's callback with b's cookie"
e2e_call -H "Cookie: $cookie_a" "$callback_b"
expect_invalid_state "browser b's callback with a's cookie"
a_name=${cookie_a%%=*}
e2e_call -H "Cookie: $a_name=${cookie_b#*=}" "$callback_a"
expect_invalid_state "b's cookie value under a's cookie name"
expect_eq "browser a still completes" "302 $BASE/demo/?state=browser-a" "$(e2e_callback "$jar_a" "$callback_a")"
expect_eq "browser b still completes" "302 $BASE/demo/?state=browser-b" "$(e2e_callback "$jar_b" "$callback_b")"

# A browser that starts many logins keeps at most five transaction cookies: each /authorize
# deletes all but the newest four it was sent. (curl's jar keeps the deleted ones, so every
# request sends them all again.)
jar=$E2E_RUN/jar-many
for index in $(seq 1 7); do e2e_authorize "$jar" "many-$index" > /dev/null; done
sent=$(grep -c 'pc_tx_' "$jar")
e2e_call -b "$jar" -G "$BASE/authorize" --data-urlencode response_type=code --data-urlencode client_id=demo \
  --data-urlencode "redirect_uri=$BASE/demo/" --data-urlencode state=many-8
expect_eq "login with $sent pending deletes all but four" $((sent - 4)) "$(printf '%s\n' "$HEADERS" | grep -c '^Set-Cookie: pc_tx_[^=]*=;')"
# Hundreds of planted transaction cookies: the login still starts, and each response deletes only
# as many as fit in nginx's header buffer.
e2e_call -H "Cookie: $(printf 'pc_tx_%012d=k1.x.y; ' $(seq 1 250))" -G "$BASE/authorize" --data-urlencode response_type=code \
  --data-urlencode client_id=demo --data-urlencode "redirect_uri=$BASE/demo/" --data-urlencode state=flood
expect_eq "250 planted transaction cookies: login starts" 302 "$STATUS"
expect_eq "250 planted transaction cookies: 20 deleted per response" 20 "$(printf '%s\n' "$HEADERS" | grep -c '^Set-Cookie: pc_tx_[0-9]*=;')"

expect_same_responder "responder survived the session attacks" "$pid"
