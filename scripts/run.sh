#!/usr/bin/env bash
# `make run`: installs what is missing, builds in release mode, and serves the connection with the
# sandbox provider and the demo application on http://127.0.0.1:$PORT until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${PORT:-8080}
scripts/install-deps.sh run
if ! command -v swift >/dev/null; then
  echo "make run: the Swift 6 toolchain is missing; install it from swift.org (it is not a Debian package) and put its bin folder on PATH" >&2
  exit 1
fi
swift build -c release --product pinterest-connection

source scripts/stack.sh
run_dir=${RUN_DIR:-$PWD/run}
trap 'echo; echo "stopping"; stack_stop "$run_dir"; exit 0' INT TERM
if ! stack_start "$run_dir" "$port"; then
  stack_stop "$run_dir"
  echo "make run: the service did not start on port $port; is the port (or port $((port + 1)), used by the test upstream) taken? Try PORT=9000 make run" >&2
  exit 1
fi

base="http://127.0.0.1:$port"
cat <<MESSAGE

pinterest-connection is running with the embedded Pinterest sandbox.

  Demo application:  $base/demo/
  Test page:         $base/test
  Health:            $base/healthz
  Configuration:     $run_dir/connection.json (logs in $run_dir/*.log)

Press Ctrl-C to stop.
MESSAGE
while true; do sleep 3600 & wait $!; done
