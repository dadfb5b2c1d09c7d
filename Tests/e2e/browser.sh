#!/usr/bin/env bash
# A real browser logs in through nginx: headless Chromium from Debian, driven by Selenium from
# Debian's python3-selenium, runs Tests/browser/login_flows.py against a fresh stack. Each check the
# Python suite prints as `ok NAME` or `FAIL NAME<TAB>DETAIL` becomes one pass or fail line here.
# Screenshots of every page it visits go to Tests/screenshots/browser/.
source "$(dirname "$0")/lib.sh"
e2e_start

# Debian's python3 on purpose: a python3 earlier on PATH (pyenv, a venv) lacks Debian's selenium.
python=/usr/bin/python3
screenshots=$E2E_ROOT/Tests/screenshots/browser
tab=$'\t'

while IFS= read -r line; do
  case $line in
    "ok "*) pass "browser: ${line#ok }" ;;
    "FAIL "*)
      check=${line#FAIL }
      fail "browser: ${check%%"$tab"*}" "${check#*"$tab"}"
      ;;
    *) echo "$line" ;;
  esac
done < <(timeout 240 "$python" -B -u "$E2E_ROOT/Tests/browser/login_flows.py" --base "$BASE" --screenshots "$screenshots" 2>&1)
wait $!
status=$?

if [ "$status" -ne 0 ] && [ "$E2E_FAILED" -eq 0 ]; then
  fail "browser suite exits cleanly" "login_flows.py exited with status $status (124: timed out after 240 s) without a failed check"
fi
