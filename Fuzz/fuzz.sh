#!/usr/bin/env bash
# Builds and runs the libFuzzer targets in Fuzz/Targets against the library sources, with
# AddressSanitizer. Objects go to .build/fuzz, apart from SwiftPM's own build, so a fuzz build
# never invalidates or locks the package build.
#
#   Fuzz/fuzz.sh build                  compile every target
#   Fuzz/fuzz.sh run TARGET [SECONDS]   fuzz one target (default 25 s) from Fuzz/Corpus/TARGET
#   Fuzz/fuzz.sh replay TARGET FILE...  run a target once on each FILE, to reproduce a crash
#   Fuzz/fuzz.sh list                   print the target names
#
# New inputs found while fuzzing go to .build/fuzz/corpus/TARGET, never into the repository;
# copy a small, interesting one into Fuzz/Corpus/TARGET by hand. A crash leaves its input in
# .build/fuzz/artifacts/TARGET/ and its log in .build/fuzz/logs/TARGET.log.
set -uo pipefail
cd "$(dirname "$0")/.."

sources=Sources
out=.build/fuzz
modules=$out/modules
flags=(-swift-version 6 -parse-as-library -sanitize=fuzzer,address -enable-testing -Onone
       -gline-tables-only -wmo -I "$sources/COpenSSL" -I "$sources/CCurl" -I "$modules")

# Library modules in dependency order: name and source directory.
library_modules=(HTTPKit Crypto ProfileStore PinterestConnection)

targets() {
  for file in Fuzz/Targets/*.swift; do
    name=$(basename "$file" .swift)
    [ "$name" = FuzzSupport ] || echo "$name"
  done
}

compile_module() {
  local name=$1
  local files
  files=$(find "$sources/$name" -name '*.swift' | sort)
  # shellcheck disable=SC2086
  swiftc "${flags[@]}" -c -module-name "$name" -emit-module-path "$modules/$name.swiftmodule" \
    -o "$modules/$name.o" $files 2> "$out/logs/$name.build.log" \
    || { grep -v 'Cannot export local symbol' "$out/logs/$name.build.log" | head -n 40 >&2; return 1; }
}

build() {
  mkdir -p "$modules" "$out/bin" "$out/logs"
  for name in "${library_modules[@]}"; do
    compile_module "$name" || { echo "fuzz: building module $name failed" >&2; return 1; }
  done
  local objects=()
  for name in "${library_modules[@]}"; do objects+=("$modules/$name.o"); done
  for target in $(targets); do
    swiftc "${flags[@]}" -module-name "Fuzz$target" "Fuzz/Targets/$target.swift" Fuzz/Targets/FuzzSupport.swift \
      "${objects[@]}" -lcrypto -lcurl -o "$out/bin/$target" 2> "$out/logs/$target.build.log" \
      || { grep -v 'Cannot export local symbol' "$out/logs/$target.build.log" | head -n 40 >&2
           echo "fuzz: building target $target failed" >&2; return 1; }
  done
}

run() {
  local target=$1 seconds=${2:-25}
  local corpus=$out/corpus/$target artifacts=$out/artifacts/$target
  mkdir -p "$corpus" "$artifacts" "$out/logs" "Fuzz/Corpus/$target"
  rm -f "$out/logs/$target.failure"
  local scratch
  scratch=$(mktemp -d /dev/shm/pc-fuzz.XXXXXX 2>/dev/null || mktemp -d /tmp/pc-fuzz.XXXXXX)
  # The first corpus directory receives new inputs; the repository's seeds are only read.
  # close_fd_mask=2 keeps the service's log lines out of the log, and libFuzzer still prints its
  # own and the sanitizer's reports; a failed property is also written to TARGET.failure.
  # Leak detection is off: Swift's runtime keeps caches that LeakSanitizer would report.
  FUZZ_SCRATCH=$scratch FUZZ_FAILURE_FILE=$PWD/$out/logs/$target.failure ASAN_OPTIONS=detect_leaks=0 SWIFT_BACKTRACE=enable=no \
    "$out/bin/$target" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 -close_fd_mask=2 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" \
    "$corpus" "Fuzz/Corpus/$target" > "$out/logs/$target.log" 2>&1
  local status=$?
  rm -rf "$scratch"
  return $status
}

case "${1:-}" in
  build) build ;;
  run) [ -n "${2:-}" ] || { echo "usage: $0 run TARGET [SECONDS]" >&2; exit 2; }; run "$2" "${3:-25}" ;;
  replay)
    [ -n "${2:-}" ] && [ -n "${3:-}" ] || { echo "usage: $0 replay TARGET FILE..." >&2; exit 2; }
    target=$2; shift 2
    ASAN_OPTIONS=detect_leaks=0 SWIFT_BACKTRACE=enable=no "$out/bin/$target" "$@" ;;
  list) targets ;;
  *) echo "usage: $0 build | run TARGET [SECONDS] | replay TARGET FILE... | list" >&2; exit 2 ;;
esac
