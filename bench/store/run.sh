#!/bin/sh
# Compares user reads in a profile store of 1,000 users with reads in one of 1,000,000 users.
# Needs `pinterest-connection store-bench` (ProfileStoreBenchmark.run) in the release build and
# about 5 GB of free disk. The script removes both stores when it ends.
#
#   bench/store/run.sh [WORK_DIRECTORY]
#
# Environment: PINTEREST_CONNECTION (the binary, default .build/release/pinterest-connection),
# SMALL_USERS (default 1000), LARGE_USERS (default 1000000), READS (default 100000 per store).
set -eu

binary=${PINTEREST_CONNECTION:-.build/release/pinterest-connection}
small_users=${SMALL_USERS:-1000}
large_users=${LARGE_USERS:-1000000}
reads=${READS:-100000}
work=${1:-$(mktemp -d /tmp/store-bench.XXXXXX)}
trap 'rm -rf "$work/small" "$work/large"; rmdir "$work" 2>/dev/null || true' EXIT

"$binary" store-bench --generate "$small_users" "$work/small"
"$binary" store-bench --generate "$large_users" "$work/large"

# The generated files are still in the page cache only if memory allowed it, so reading every large
# record once first measures the store, not the disk.
find "$work/large/users" -name '*.json' -print0 | xargs -0 cat > /dev/null

for round in 1 2; do
    echo "round $round"
    "$binary" store-bench --read "$work/small" "$reads"
    "$binary" store-bench --read "$work/large" "$reads"
done
