#!/usr/bin/env bash
# `make bench`: measures the service through nginx on loopback and writes the figures, with the
# machine, the date, the command and a ratio to a baseline of the same run, into BENCHMARKS.md
# between its `bench:begin` and `bench:end` markers. Text outside the markers is kept.
#
# Every load is bounded in time or count and aimed only at the stack this script starts on
# 127.0.0.1. Settings, read from the environment:
#   BENCH_SECONDS          seconds per wrk run (default 10)
#   BENCH_ROUNDS           rounds of the wrk runs; each figure is its best round (default 3)
#   BENCH_CONNECTIONS      wrk connections for the throughput runs (default 64)
#   BENCH_USERS            users with a session for the random-user /profile run (default 10000)
#   BENCH_LOGIN_SECONDS    seconds of the login run (default 20)
#   BENCH_BROWSERS         concurrent browsers of the login run (default 16)
#   BENCH_STORE_USERS      users of the store-bench store (default 1000000; 0 skips it)
#   BENCH_STORE_DIR        where that store is kept between runs, because writing a million
#                          files takes minutes (default /var/tmp/pinterest-connection-bench)
#   BENCH_OUTPUT           the file to write (default BENCHMARKS.md)
set -euo pipefail
cd "$(dirname "$0")/.."
source_dir=$PWD

seconds=${BENCH_SECONDS:-10}
rounds=${BENCH_ROUNDS:-3}
connections=${BENCH_CONNECTIONS:-64}
users=${BENCH_USERS:-10000}
login_seconds=${BENCH_LOGIN_SECONDS:-20}
browsers=${BENCH_BROWSERS:-16}
store_users=${BENCH_STORE_USERS:-1000000}
store_root=${BENCH_STORE_DIR:-/var/tmp/pinterest-connection-bench}
output=${BENCH_OUTPUT:-BENCHMARKS.md}
started=$(date +%s)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

scripts/install-deps.sh bench
echo "== building the release binary, the C responder and the login driver"
swift build -c release --product pinterest-connection
binary=$source_dir/.build/release/pinterest-connection

work=$(mktemp -d /tmp/pc-bench.XXXXXX)
run=$work/run
results=$work/results
mkdir -p "$work/bin" "$results"
gcc -O2 -Wall -o "$work/bin/c-responder" bench/c-responder/responder.c -lfcgi -lpthread
gcc -O2 -Wall -o "$work/bin/login-driver" bench/login-driver/login_driver.c -lcurl -lpthread

export STACK_BINARY=$binary
source scripts/stack.sh
c_responder_pid=""
cleanup() {
  [ -n "$c_responder_pid" ] && kill "$c_responder_pid" 2>/dev/null
  stack_stop "$run"
  rm -rf "$work"
}
trap cleanup EXIT

port=""
for _ in $(seq 1 50); do
  candidate=$((20000 + RANDOM % 20000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null && ! (exec 3<>"/dev/tcp/127.0.0.1/$((candidate + 1))") 2>/dev/null; then
    port=$candidate
    break
  fi
done
[ -n "$port" ] || { echo "bench: no free loopback port pair found" >&2; exit 1; }
base=http://127.0.0.1:$port

# The users come from store-bench, which seals their tokens with its fixed benchmark key, so this
# stack's token key is that key: SHA-256 of the text below, as 64 hex digits.
echo "== generating $users users with sessions"
mkdir -p "$run/secrets"
chmod 700 "$run" "$run/secrets"
printf 'pinterest-connection profile store benchmark key' | sha256sum | cut -c1-64 | tr -d '\n' > "$run/secrets/token-key"
chmod 600 "$run/secrets/token-key"
"$binary" store-bench --generate "$users" "$run/store" | tail -n 1

stack_start "$run" "$port"
main_pid=$(cat "$run/connection.pid")
python3 bench/make-sessions.py "$run/store" "$run/secrets/session-key" k1 "$users" > "$work/cookies.txt"

# The C baseline gets its own location with the settings of the service's own location.
"$work/bin/c-responder" "$run/c-responder.sock" "$(nproc | awk '{print $1 * 4}')" 2>>"$run/c-responder.log" &
c_responder_pid=$!
for _ in $(seq 1 100); do [ -S "$run/c-responder.sock" ] && break; sleep 0.05; done
sed -i "s#^        location = /nginx-ok {#        location = /bench/c-responder {\n            fastcgi_pass unix:$run/c-responder.sock;\n            include /etc/nginx/fastcgi_params;\n            fastcgi_keep_conn off;\n        }\n\n&#" "$run/nginx.conf"
nginx -p "$run" -c "$run/nginx.conf" -e "$run/nginx-error.log" -s reload
for _ in $(seq 1 100); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/bench/c-responder")" = 200 ] && break
  sleep 0.05
done

# One real login through the sandbox gives the one-user session.
source Tests/e2e/lib.sh
BASE=$base
trap cleanup EXIT
jar=$work/jar
e2e_login "$jar" sandbox_pinner >/dev/null
one_cookie="pc_session=$(awk '$6 == "pc_session" { print $7 }' "$jar")"
[ "$(curl -s -o /dev/null -w '%{http_code}' -b "$one_cookie" "$base/profile")" = 200 ] || { echo "bench: /profile with the login's session did not return 200" >&2; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' -b "$(head -n 1 "$work/cookies.txt")" "$base/profile")" = 200 ] || { echo "bench: /profile with a generated session did not return 200" >&2; exit 1; }

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
idle_rss_kb=$(rss_kb "$main_pid")

# Runs wrk and stores "requests_per_second p50_ms p99_ms non_2xx socket_errors" in
# results/NAME.rROUND.
measure() {
  local name=$1 path=$2 connections=$3 round=$4
  shift 4
  echo "wrk -t2 -c$connections -d${seconds}s --latency $* $path" | sed -E 's/(pc_session=[^ .]*)[^ ]*/\1…/' > "$results/$name.command"
  echo "== $name, round $round: $(cat "$results/$name.command")"
  wrk -t2 -c"$connections" -d"${seconds}s" --latency "$@" "$base$path" > "$results/$name.wrk"
  awk '
    function ms(value) {
      if (value ~ /us$/) return value / 1000
      if (value ~ /ms$/) return value + 0
      if (value ~ /s$/) return value * 1000
      return value
    }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx/ { bad = $NF }
    /Socket errors/ { gsub(",", ""); errors = $4 + $6 + $8 + $10 }
    END { printf "%.0f %.2f %.2f %d %d\n", rps, p50, p99, bad, errors }
  ' "$results/$name.wrk" > "$results/$name.r$round"
  cat "$results/$name.r$round"
}

# Other programs on the machine slow some runs down, so the workloads take turns over several
# rounds and each keeps its round with the most requests/s.
export BENCH_COOKIES=$work/cookies.txt
workloads=(nginx-ok c-responder profile-one profile-random unprotected protected)
for round in $(seq 1 "$rounds"); do
  measure nginx-ok /nginx-ok "$connections" "$round"
  measure c-responder /bench/c-responder "$connections" "$round"
  measure profile-one /profile "$connections" "$round" -H "Cookie: $one_cookie"
  measure profile-random /profile "$connections" "$round" -s bench/random-session.lua
  measure unprotected /unprotected/ "$connections" "$round"
  measure protected /protected/ "$connections" "$round" -H "Cookie: $one_cookie"
done
for name in "${workloads[@]}"; do
  sort -k1,1nr "$results/$name".r* | head -n 1 > "$results/$name"
done

# Resident size under 256 connections, sampled every 0.2 s; VmHWM is the peak since start.
echo "== resident size under 256 connections"
wrk -t2 -c256 -d"${seconds}s" --latency -s bench/random-session.lua "$base/profile" > "$results/rss-256.wrk" &
wrk_pid=$!
peak_rss_kb=0
while kill -0 "$wrk_pid" 2>/dev/null; do
  sample=$(rss_kb "$main_pid")
  [ "$sample" -gt "$peak_rss_kb" ] && peak_rss_kb=$sample
  sleep 0.2
done
wait "$wrk_pid"
rss_256_rps=$(awk '/Requests\/sec/ { printf "%.0f", $2 }' "$results/rss-256.wrk")
hwm_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$main_pid/status")
sleep 1
after_rss_kb=$(rss_kb "$main_pid")

# The browsers log in as the sandbox's four healthy accounts in turn.
echo "== complete logins: $browsers browsers for ${login_seconds}s"
login_accounts=sandbox_pinner,sandbox_business,sandbox_minimal,sandbox_unicode
login_line=$("$work/bin/login-driver" "$base" "$login_accounts" "$browsers" "$login_seconds" 1000000) || true
echo "$login_line"
login_value() { printf '%s\n' "$login_line" | tr ' ' '\n' | awk -F= -v key="$1" '$1 == key { print $2 }'; }

store_lines="skipped (BENCH_STORE_USERS=0)"
if [ "$store_users" -gt 0 ]; then
  store_dir=$store_root/store-$store_users
  if [ ! -s "$store_dir/benchmark.json" ]; then
    echo "== generating a store of $store_users users in $store_dir (kept for later runs)"
    rm -rf "$store_dir"
    mkdir -p "$store_root"
    "$binary" store-bench --generate "$store_users" "$store_dir" | tail -n 1 | tee "$store_root/generation-$store_users.txt"
  fi
  # A store of a thousand users, read in the same minute, is the baseline: the large store should
  # read as fast as it, since a read hashes the id to one path whatever the store's size.
  small_store_dir=$work/store-1000
  "$binary" store-bench --generate 1000 "$small_store_dir" > /dev/null
  # Both stores are read once first, so each read measures the store and not the disk.
  find "$store_dir/users" "$small_store_dir/users" -name '*.json' -print0 | xargs -0 cat > /dev/null
  echo "== reading random users of $small_store_dir and $store_dir"
  small_store_line=$("$binary" store-bench --read "$small_store_dir" 100000 | tail -n 1)
  store_lines=$("$binary" store-bench --read "$store_dir" 100000)
  echo "$small_store_line"
  echo "$store_lines"
fi

field() { awk -v column="$2" '{ print $column }' "$results/$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }
verdict() { awk -v value="$1" -v limit="$2" -v sense="$3" 'BEGIN { ok = (sense == "min") ? value >= limit : value < limit; print ok ? "met" : "missed" }'; }
mb() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }

profile_ratio=$(ratio "$(field profile-one 1)" "$(field c-responder 1)")
profile_p99_ratio=$(ratio "$(field profile-one 3)" "$(field c-responder 3)")
random_ratio=$(ratio "$(field profile-random 1)" "$(field c-responder 1)")
random_p99_ratio=$(ratio "$(field profile-random 3)" "$(field c-responder 3)")
auth_ratio=$(ratio "$(field protected 1)" "$(field unprotected 1)")
login_rate=$(login_value logins_per_second)
login_failed=$(login_value failed)
elapsed=$(( $(date +%s) - started ))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

row() {  # NAME PATH [BASELINE]
  local name=$1 label=$2 baseline=${3:-}
  local rps p50 p99 bad errors ratio_text="" p99_text=""
  read -r rps p50 p99 bad errors < "$results/$name"
  if [ -n "$baseline" ]; then
    ratio_text="$(ratio "$rps" "$(field "$baseline" 1)")"
    p99_text="$(ratio "$p99" "$(field "$baseline" 3)")"
  fi
  echo "| $label | $rps | $p50 | $p99 | $ratio_text | $p99_text | $bad | $errors |"
}

{
  echo "<!-- bench:begin: written by \`make bench\` (bench/run.sh); edits between the markers are lost -->"
  echo "## Latest run"
  echo
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- Sources bench nginx || echo ' with uncommitted changes')"
  echo "- Machine: $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) memory, $(uname -sr), $(nginx -v 2>&1 | sed 's#.*/##' | sed 's#^#nginx #'), $(wrk -v 2>&1 | head -n 1 | awk '{ print $1, $2 }')"
  echo "- Command: \`make bench\` ($elapsed s), with BENCH_SECONDS=$seconds BENCH_CONNECTIONS=$connections BENCH_USERS=$users BENCH_LOGIN_SECONDS=$login_seconds BENCH_BROWSERS=$browsers BENCH_STORE_USERS=$store_users"
  echo "- Everything runs on the same $(nproc) cores: wrk, nginx (1 worker), the connection responder ($(nproc | awk '{ print $1 * 4 }') threads), the sandbox provider and, for the baseline, the C responder. Load average (1, 5, 15 min) before the run: $load_before, after: $load_after."
  echo
  echo "### Requests through nginx"
  echo
  echo "Each row is the best of $rounds rounds of \`wrk -t2 -c$connections -d${seconds}s --latency\` against the path, the workloads taking turns. The ratio is requests/s over the baseline's; the p99 ratio is the p99 latency over the baseline's."
  echo
  echo "| workload | requests/s | p50 ms | p99 ms | ratio | p99 ratio | non-2xx | socket errors |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  row nginx-ok "nginx \`return 200\` (\`/nginx-ok\`)"
  row c-responder "C libfcgi responder, fixed 200 (baseline)"
  row profile-one "\`/profile\`, one user, vs C responder" c-responder
  row profile-random "\`/profile\`, random user of $users, vs C responder" c-responder
  row unprotected "\`/unprotected/\` upstream page (baseline)"
  row protected "\`/protected/\` through auth_request, vs \`/unprotected/\`" unprotected
  echo
  echo "The commands, with the cookie value cut short:"
  echo
  for name in nginx-ok c-responder profile-one profile-random unprotected protected; do
    echo "- $name: \`$(cat "$results/$name.command")\`"
  done
  echo
  echo "### Complete logins"
  echo
  echo "\`login-driver BASE $login_accounts $browsers $login_seconds 1000000\` (bench/login-driver): $browsers browsers for $login_seconds s, each login authorize, the sandbox's consent page, consent, and the callback with token exchange, user account, stored profile and new session. The accounts take turns."
  echo
  echo "\`$login_line\`"
  echo
  echo "### Memory of the connection responder"
  echo
  echo "| moment | resident size |"
  echo "| --- | ---: |"
  echo "| idle, after start and one login | $(mb "$idle_rss_kb") MB |"
  echo "| peak while wrk holds 256 connections on random-user \`/profile\` ($rss_256_rps requests/s), sampled every 0.2 s | $(mb "$peak_rss_kb") MB |"
  echo "| peak since start (VmHWM), at the end of the 256-connection run | $(mb "$hwm_kb") MB |"
  echo "| idle again, 1 s after that run | $(mb "$after_rss_kb") MB |"
  echo
  echo "### Profile store of $store_users users"
  echo
  echo "\`pinterest-connection store-bench --read DIR 100000\`, one thread, after every record of both stores was read once, so the page cache holds them:"
  echo
  echo '```'
  [ -s "$store_root/generation-$store_users.txt" ] && cat "$store_root/generation-$store_users.txt"
  echo "$store_lines"
  echo '```'
  echo
  echo "Baseline, a store of 1,000 users generated and read in the same run:"
  echo
  echo '```'
  echo "${small_store_line:-skipped}"
  echo '```'
  echo
  echo "### Against the targets"
  echo
  echo "| target | figure | result |"
  echo "| --- | --- | --- |"
  echo "| \`/profile\` ≥ 0.80 of the C responder's requests/s at $connections connections | one user $profile_ratio, random user $random_ratio | $(verdict "$profile_ratio" 0.8 min) (one user), $(verdict "$random_ratio" 0.8 min) (random user) |"
  echo "| \`/profile\` p99 within 1.5x of the C responder's | one user $profile_p99_ratio, random user $random_p99_ratio | $(verdict "$profile_p99_ratio" 1.5 max) (one user), $(verdict "$random_p99_ratio" 1.5 max) (random user) |"
  echo "| auth_request page ≥ 0.50 of the page without it | $auth_ratio | $(verdict "$auth_ratio" 0.5 min) |"
  echo "| ≥ 500 complete logins/s, none failed | ${login_rate:-n/a}/s, ${login_failed:-n/a} failed | $(verdict "${login_rate:-0}" 500 min)$([ "${login_failed:-1}" = 0 ] || echo ', with failures') |"
  echo "| RSS < 32 MB idle | $(mb "$idle_rss_kb") MB | $(verdict "$idle_rss_kb" 32768 max) |"
  echo "| RSS < 64 MB at 256 connections | $(mb "$peak_rss_kb") MB | $(verdict "$peak_rss_kb" 65536 max) |"
  echo "<!-- bench:end -->"
} > "$work/section.md"

# Replaces the text between the markers, or appends the section when the file has none.
if [ -f "$output" ] && grep -q '^<!-- bench:begin' "$output" && grep -q '^<!-- bench:end -->' "$output"; then
  awk -v section="$work/section.md" '
    /^<!-- bench:begin/ { while ((getline line < section) > 0) print line; skipping = 1; next }
    /^<!-- bench:end -->/ { skipping = 0; next }
    !skipping { print }
  ' "$output" > "$work/output.md"
  cat "$work/output.md" > "$output"
else
  { [ -f "$output" ] && cat "$output" && echo; cat "$work/section.md"; } > "$work/output.md"
  cat "$work/output.md" > "$output"
fi
echo "== wrote $output in $elapsed s"
