#!/usr/bin/env bash
# Open redirects, spoofed proxy headers and reflected input, through nginx. Every hostile URL in
# redirect_uri (at /authorize and at the sandbox's consent page) and in returnTo (at /logout) ends
# at an error page or at a registered URL, never elsewhere. Host, X-Forwarded-* and Forwarded
# change neither the redirect URI sent to Pinterest nor any Location. Request values shown on an
# HTML page are escaped, and no CR or LF from a request reaches a response header or a log line.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/support/hardening.sh"
e2e_start
pid=$(connection_pid)
host_port=127.0.0.1:$PORT
allowed=$BASE/demo/
marker='<xss-marker'

hostile_urls=(
  "javascript:alert(1)"
  "JaVaScRiPt:alert(document.cookie)//$allowed"
  " javascript:alert(1)"
  "data:text/html,<script>alert(1)</script>"
  "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="
  "vbscript:msgbox(1)"
  "//evil.example/"
  "///evil.example/"
  "////evil.example/demo/"
  "/\\evil.example/"
  "\\\\evil.example\\demo\\"
  "http:\\\\evil.example\\demo\\"
  "http:evil.example/demo/"
  "http:/evil.example/demo/"
  "https://evil.example/"
  "http://evil.example/demo/"
  "$allowed	"
  "	$allowed"
  "$allowed"$'\n'
  "$allowed"$'\r'
  "$(printf '%s\r\nX-Injected: yes' "$allowed")"
  "$(printf '\x01%s' "$allowed")"
  "http%3A%2F%2Fevil.example%2F"
  "http:%2F%2Fevil.example%2Fdemo%2F"
  "%2F%2Fevil.example"
  "$BASE%2F%2Fevil.example/demo/"
  "$BASE/demo/%0d%0aLocation:%20http://evil.example/"
  "http://evil.example@$host_port/demo/"
  "http://$host_port@evil.example/demo/"
  "http://$host_port:@evil.example/demo/"
  "http://$host_port%40evil.example/demo/"
  "http://$host_port#@evil.example/demo/"
  "http://$host_port?@evil.example/demo/"
  "http://127.0.0.1.evil.example:$PORT/demo/"
  "http://evil-127.0.0.1:$PORT/demo/"
  "http://127.1:$PORT/demo/"
  "http://0x7f000001:$PORT/demo/"
  "http://2130706433:$PORT/demo/"
  "http://[::ffff:127.0.0.1]:$PORT/demo/"
  "http://127.0.0.1:$PORT.evil.example/demo/"
  "http://127.0.0.1:80/demo/"
  "http://127.0.0.1:$((PORT + 65536))/demo/"
  "http://127.0.0.1:+$PORT/demo/"
  "http://１２７.０.０.１:$PORT/demo/"
  "http://127.0.0.1:$PORT／demo／"
  "http://127.0.0.1:$PORT/dеmo/"
  "http://127.0.0.1:$PORT/demo/$(printf '\xe2\x80\xae')"
  "http://127.0.0.1:$PORT/demo/$(printf '\xef\xbb\xbf')"
  "$allowed/../../evil"
  "$allowed..%2F..%2F"
  "$allowed?next=https://evil.example/"
  "$allowed#@evil.example"
  "$allowed$(head -c 6000 /dev/zero | tr '\0' a)"
)

# redirect_uri at /authorize: an error page, never a redirect.
for url in "${hostile_urls[@]}"; do
  label="redirect_uri [${url:0:60}]"
  e2e_call -G "$BASE/authorize" --data-urlencode response_type=code --data-urlencode client_id=demo \
    --data-urlencode "redirect_uri=$url" --data-urlencode state=s
  expect_eq "$label: rejected" 400 "$STATUS"
  expect_eq "$label: no redirect" "" "$(header_value "$HEADERS" Location)"
  expect_not_contains "$label: escaped on the page" "$BODY" "<script>alert"
done

# A NUL byte cannot sit in a shell variable, so it goes percent-encoded.
encoded_allowed=$(printf '%s' "$allowed" | sed 's/:/%3A/g; s#/#%2F#g')
e2e_call "$BASE/authorize?response_type=code&client_id=demo&redirect_uri=$encoded_allowed%00&state=s"
expect_eq "redirect_uri with a NUL byte: rejected" 400 "$STATUS"
expect_eq "redirect_uri with a NUL byte: no redirect" "" "$(header_value "$HEADERS" Location)"
e2e_call "$BASE/logout?client_id=demo&returnTo=$encoded_allowed%00"
expect_eq "returnTo with a NUL byte goes to the registered logout URL" "$allowed" "$(header_value "$HEADERS" Location)"

# returnTo at /logout: the application's first logout URL, or the logged-out page.
for url in "${hostile_urls[@]}"; do
  label="returnTo [${url:0:60}]"
  e2e_call -G "$BASE/logout" --data-urlencode client_id=demo --data-urlencode "returnTo=$url"
  expect_eq "$label: 302" 302 "$STATUS"
  expect_eq "$label: goes to the registered logout URL" "$allowed" "$(header_value "$HEADERS" Location)"
  e2e_call -G "$BASE/logout" --data-urlencode "returnTo=$url"
  expect_eq "$label without client_id: no redirect" "" "$(header_value "$HEADERS" Location)"
done
e2e_call -G "$BASE/logout" --data-urlencode client_id=demo --data-urlencode "returnTo=$allowed"
expect_eq "registered returnTo is followed" "$allowed" "$(header_value "$HEADERS" Location)"

# The sandbox's own authorization page checks redirect_uri against its registration too.
for url in "javascript:alert(1)" "//evil.example/" "https://evil.example/login/callback" "$BASE/login/callback/.." "$BASE/login/callback?x=1"; do
  e2e_call -G "$BASE/sandbox/oauth/" --data-urlencode client_id="$(json_field "$(cat "$E2E_RUN/sandbox.json")" app_id)" \
    --data-urlencode "redirect_uri=$url" --data-urlencode response_type=code --data-urlencode scope=user_accounts:read \
    --data-urlencode "state=$marker>"
  expect_eq "sandbox redirect_uri [$url]: no redirect" "" "$(header_value "$HEADERS" Location)"
  expect_not_contains "sandbox redirect_uri [$url]: state escaped" "$BODY" "$marker"
done

# Spoofed proxy headers: the Location to Pinterest, the redirect URI inside it, the final Location
# and the cookies' attributes stay those of public_url.
spoofs=(
  "Host: evil.example"
  "X-Forwarded-Host: evil.example"
  "X-Forwarded-Proto: https"
  "X-Forwarded-Port: 443"
  "X-Forwarded-Prefix: /evil"
  "Forwarded: for=1.2.3.4;host=evil.example;proto=https"
  "X-Original-URL: /evil"
  "X-Rewrite-URL: /evil"
  "X-Forwarded-Server: evil.example"
)
for spoof in "${spoofs[@]}"; do
  jar=$E2E_RUN/jar-spoof-$RANDOM
  e2e_call -c "$jar" -b "$jar" -H "$spoof" -G "$BASE/authorize" --data-urlencode response_type=code \
    --data-urlencode client_id=demo --data-urlencode "redirect_uri=$allowed" --data-urlencode state=spoof
  location=$(header_value "$HEADERS" Location)
  expect_contains "[$spoof] Location goes to the configured Pinterest" "$location" "$BASE/sandbox/oauth/?"
  expect_eq "[$spoof] redirect URI sent to Pinterest" "$BASE/login/callback" "$(url_param "$location" redirect_uri)"
  expect_not_contains "[$spoof] cookie has no Domain" "$(set_cookie_line "$HEADERS" 'pc_tx_[^=]*')" "Domain"
  expect_not_contains "[$spoof] cookie has no Secure from the header" "$(set_cookie_line "$HEADERS" 'pc_tx_[^=]*')" "Secure"
  callback=$(e2e_consent "$jar" "$location" sandbox_pinner allow)
  e2e_call -c "$jar" -b "$jar" -H "$spoof" "$callback"
  expect_eq "[$spoof] login completes at the allowed URL" "$allowed?state=spoof" "$(header_value "$HEADERS" Location)"
  e2e_call -b "$jar" -H "$spoof" -G "$BASE/logout" --data-urlencode client_id=demo
  expect_eq "[$spoof] logout goes to the allowed URL" "$allowed" "$(header_value "$HEADERS" Location)"
done

# Reflection: request values on HTML pages are escaped, and CR LF never splits a header.
reflect_queries=(
  "/authorize?client_id=$marker%3E&redirect_uri=x"
  "/authorize?client_id=demo&redirect_uri=$marker%3E"
  "/authorize?client_id=demo&redirect_uri=$encoded_allowed&response_type=$marker%3E&state=$marker%3E"
  "/login/callback?state=$marker%3E&code=$marker%3E"
  "/login/callback?state=%0d%0aX-Injected:%20yes&error=$marker%3E&error_description=$marker%3E"
  "/logout?client_id=$marker%3E&returnTo=$marker%3E"
  "/no-such-page/$marker%3E"
  "/api/users/$marker%3E"
  "/test?client_id=$marker%3E&state=$marker%3E"
)
for query in "${reflect_queries[@]}"; do
  label="reflect ${query:0:50}"
  e2e_call -H 'Accept: text/html' "$BASE$query"
  expect_not_contains "$label: page escapes the input" "$BODY" "$marker"
  expect_eq "$label: no injected header" 0 "$(printf '%s\n' "$HEADERS" | grep -ci '^x-injected:')"
done
# The test page's report shows Pinterest's error fields as they came, escaped.
jar=$E2E_RUN/jar-test-denial
consent=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$BASE/test/start")
callback=$(e2e_consent "$jar" "$consent" sandbox_pinner deny)
e2e_call -b "$jar" "${callback%%\?*}?state=$(url_param "$callback" state)&error=$marker%3E&error_description=$marker%20onload%3Dalert(1)%3E"
expect_eq "test report of a hostile denial: 200" 200 "$STATUS"
expect_contains "test report of a hostile denial shows the error" "$BODY" "&lt;xss-marker"
expect_not_contains "test report of a hostile denial escapes it" "$BODY" "$marker"

e2e_call -G "$BASE/authorize" --data-urlencode response_type=token --data-urlencode client_id=demo \
  --data-urlencode "redirect_uri=$allowed" --data-urlencode "state=$(printf 'a\r\nX-Injected: yes\r\nSet-Cookie: evil=1')"
expect_eq "CR LF in state: error redirect" 302 "$STATUS"
expect_eq "CR LF in state: no injected header" 0 "$(printf '%s\n' "$HEADERS" | grep -ciE '^(x-injected|set-cookie: evil)')"
expect_eq "CR LF in state: returned encoded" "$(printf 'a\r\nX-Injected: yes\r\nSet-Cookie: evil=1')" \
  "$(url_param "$(header_value "$HEADERS" Location)" state)"
e2e_call "$BASE/authorize%0d%0aX-Injected:%20yes"
expect_eq "CR LF in the path: no injected header" 0 "$(printf '%s\n' "$HEADERS" | grep -ci '^x-injected:')"
e2e_call "$BASE/api/users/a%0aX-Injected:%20yes"
expect_eq "LF in a path reaching the service: no injected header" 0 "$(printf '%s\n' "$HEADERS" | grep -ci '^x-injected:')"
expect_eq "no injected log line" 0 "$(grep -c '^X-Injected' "$E2E_RUN/connection.log")"
expect_eq "every connection log line is a record" 0 "$(grep -vc '^ts=\|^supervisor: ' "$E2E_RUN/connection.log")"

expect_same_responder "responder survived the redirect and reflection cases" "$pid"
