#!/usr/bin/env bash
# `make test`: installs what is missing, builds, runs `swift test` and every end-to-end script
# under Tests/e2e/, and ends with one line "N passed, N failed" over all of them.
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh test || exit 1
swift build --build-tests || { echo "0 passed, 1 failed"; exit 1; }

results=$(mktemp -d /tmp/pc-test-results.XXXXXX)
trap 'rm -rf "$results"' EXIT
passed=0
failed=0

# Unit tests: Swift Testing prints one line per test that passed or failed.
swift test --skip-build 2>&1 | tee "$results/swift-test.log"
swift_status=${PIPESTATUS[0]}
unit_passed=$(grep -cE '^[^ ]+ Test [^ ].* passed after' "$results/swift-test.log" || true)
unit_failed=$(grep -cE '^[^ ]+ Test [^ ].* failed after' "$results/swift-test.log" || true)
if [ "$swift_status" -ne 0 ] && [ "$unit_failed" -eq 0 ]; then unit_failed=1; fi
passed=$((passed + unit_passed))
failed=$((failed + unit_failed))
echo "unit tests: $unit_passed passed, $unit_failed failed"

# End-to-end scripts run the real nginx, responders and libcurl against the sandbox provider.
export STACK_BINARY=$PWD/.build/debug/pinterest-connection
export E2E_RESULTS=$results/e2e
for script in Tests/e2e/*.sh; do
  [ "$(basename "$script")" = lib.sh ] && continue
  echo "== $script"
  : > "$E2E_RESULTS"
  timeout 600 bash "$script"
  status=$?
  script_passed=$(grep -c '^pass' "$E2E_RESULTS" || true)
  script_failed=$(grep -c '^fail' "$E2E_RESULTS" || true)
  if [ "$status" -ne 0 ] && [ "$script_failed" -eq 0 ]; then
    echo "FAIL $script exited with status $status outside any check"
    script_failed=1
  fi
  passed=$((passed + script_passed))
  failed=$((failed + script_failed))
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
