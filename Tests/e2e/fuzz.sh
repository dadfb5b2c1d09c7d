#!/usr/bin/env bash
# Fuzzes every parser and verifier that takes untrusted input (Fuzz/Targets) with libFuzzer and
# AddressSanitizer for FUZZ_SECONDS each (default 20), starting from the seeds in Fuzz/Corpus.
# One check per target: it ran its time without a crash, a sanitizer report or a failed property.
# A crash's input is kept in .build/fuzz/artifacts/TARGET/ and printed here in base64.
source "$(dirname "$0")/lib.sh"
seconds=${FUZZ_SECONDS:-20}

if ! "$E2E_ROOT/Fuzz/fuzz.sh" build; then
  fail "fuzz targets build" "see .build/fuzz/logs/*.build.log"
  e2e_finish
fi
pass "fuzz targets build"

for target in $("$E2E_ROOT/Fuzz/fuzz.sh" list); do
  rm -f "$E2E_ROOT/.build/fuzz/artifacts/$target/"crash-* "$E2E_ROOT/.build/fuzz/artifacts/$target/"oom-* \
        "$E2E_ROOT/.build/fuzz/artifacts/$target/"timeout-*
  "$E2E_ROOT/Fuzz/fuzz.sh" run "$target" "$seconds"
  status=$?
  log=$E2E_ROOT/.build/fuzz/logs/$target.log
  runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log")
  if [ "$status" -eq 0 ]; then
    pass "fuzz $target: ${runs:-0} runs in ${seconds} s without a crash"
  else
    artifact=$(ls "$E2E_ROOT/.build/fuzz/artifacts/$target/" 2>/dev/null | head -n 1)
    property=$(head -n 1 "$E2E_ROOT/.build/fuzz/logs/$target.failure" 2>/dev/null)
    fail "fuzz $target" "${property:-$(grep -m 1 -E 'ERROR|Fatal error|deadly signal' "$log")}; input $artifact (base64 $(base64 -w0 "$E2E_ROOT/.build/fuzz/artifacts/$target/$artifact" 2>/dev/null | head -c 300)); log $log"
  fi
done
e2e_finish
