#!/usr/bin/env bash
# Starts and stops one complete stack: nginx, the connection responder and the sandbox provider,
# all on loopback, in one run directory. Sourced by scripts/run.sh and Tests/e2e/lib.sh.
#
#   stack_start RUN_DIR PORT     prepare RUN_DIR (configuration, secrets, store) and start everything
#   stack_stop RUN_DIR           stop everything with SIGTERM and wait for it
#
# Settings read from the environment when the configuration is first written:
#   STACK_BINARY            the pinterest-connection binary (default: the release build)
#   STACK_SYNC              sync_user_profile, true or false (default true)
#   STACK_TIMEOUT_MS        pinterest.timeout_ms (default 10000)
#   STACK_SLOW_SECONDS      how long the sandbox's slow faults sleep (default 15)
#   STACK_CODE_LIFETIME     the sandbox's authorization code lifetime in seconds (default 600)
#   STACK_LOGIN_LIFETIME    session.login_lifetime_seconds (default 600)
#   STACK_WORKERS           worker threads of the connection responder (default: 4 per core)

stack_source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

stack_write_configuration() {
  local run=$1 port=$2
  local base="http://127.0.0.1:$port"
  mkdir -p "$run/secrets"
  chmod 700 "$run" "$run/secrets"

  # Secrets are generated once per run directory and never printed.
  [ -s "$run/secrets/session-key" ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$run/secrets/session-key"
  [ -s "$run/secrets/token-key" ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$run/secrets/token-key"
  chmod 600 "$run/secrets/"*

  # A run directory first used with another port keeps its secrets and store, and follows the new
  # port in every URL of its configuration.
  local previous_port
  previous_port=$(cat "$run/port" 2>/dev/null || echo "$port")
  if [ "$previous_port" != "$port" ]; then
    sed -i "s#http://127.0.0.1:$previous_port/#$base/#g; s#http://127.0.0.1:$previous_port\"#$base\"#g" \
      "$run/connection.json" "$run/sandbox.json" 2>/dev/null
  fi
  echo "$port" > "$run/port"

  "$STACK_BINARY" sandbox-registration --output "$run/sandbox.json" --redirect-uri "$base/login/callback" >/dev/null
  if [ -n "${STACK_SLOW_SECONDS:-}${STACK_CODE_LIFETIME:-}" ]; then
    sed -i -E \
      -e "s/\"slow_seconds\" *: *[0-9.]+/\"slow_seconds\":${STACK_SLOW_SECONDS:-15}/" \
      -e "s/\"code_lifetime_seconds\" *: *[0-9]+/\"code_lifetime_seconds\":${STACK_CODE_LIFETIME:-600}/" \
      "$run/sandbox.json"
  fi

  [ -e "$run/connection.json" ] || cat > "$run/connection.json" <<JSON
{
  "public_url": "$base",
  "pinterest": {
    "sandbox_registration": "sandbox.json",
    "scopes": ["user_accounts:read", "boards:read", "pins:read"],
    "connect_timeout_ms": 2000,
    "timeout_ms": ${STACK_TIMEOUT_MS:-10000}
  },
  "sync_user_profile": ${STACK_SYNC:-true},
  "applications": [
    {
      "name": "Demo application",
      "client_id": "demo",
      "client_secret": "demo-secret",
      "callbacks": ["$base/demo/"],
      "allowed_logout_urls": ["$base/demo/"],
      "pinterest_enabled": true
    },
    {
      "name": "Disabled application",
      "client_id": "disabled-app",
      "client_secret": "disabled-secret",
      "callbacks": ["$base/demo/"],
      "pinterest_enabled": false
    }
  ],
  "session": {
    "lifetime_seconds": 86400,
    "login_lifetime_seconds": ${STACK_LOGIN_LIFETIME:-600},
    "keys": [{"id": "k1", "secret": {"file": "secrets/session-key"}}]
  },
  "store": {
    "directory": "store",
    "token_key": {"file": "secrets/token-key"}
  },
  "test_page": {"enabled": true}
}
JSON
  chmod 600 "$run/connection.json"
}

stack_write_nginx_configuration() {
  local run=$1 port=$2
  local upstream_port=$((port + 1))
  local user_directive="# nginx runs as the invoking user"
  # A root master would switch its workers to the user nobody, which cannot reach the 0660 sockets.
  [ "$(id -u)" -eq 0 ] && user_directive="user root root;"
  mkdir -p "$run"/nginx-{body,proxy,fastcgi,uwsgi,scgi}
  sed -e "s#/run/pinterest-connection/#$run/#g" "$stack_source_dir/nginx/pinterest-connection.conf" > "$run/pinterest-connection.conf"
  sed -e "s#@RUN_DIR@#$run#g" -e "s#@PORT@#$port#g" -e "s#@UPSTREAM_PORT@#$upstream_port#g" \
      -e "s#@SOURCE_DIR@#$stack_source_dir#g" -e "s#@USER_DIRECTIVE@#$user_directive#g" \
      "$stack_source_dir/nginx/nginx.conf.template" > "$run/nginx.conf"
}

# Runs a responder and starts it again whenever it dies, until the run directory's stop file
# exists: the responder must be restarted by whatever runs it, because libfcgi aborts the
# process on some malformed records.
stack_supervise() {
  local run=$1 name=$2
  shift 2
  while [ ! -e "$run/stopping" ]; do
    "$@" 2>>"$run/$name.log" &
    echo $! > "$run/$name.pid"
    wait $! || true
    [ -e "$run/stopping" ] || { echo "supervisor: $name exited, restarting" >>"$run/$name.log"; sleep 0.2; }
  done
}

stack_wait_for_socket() {
  local path=$1 name=$2 run=$3
  for _ in $(seq 1 100); do
    [ -S "$path" ] && return 0
    sleep 0.05
  done
  echo "stack: $name did not create $path within 5 seconds; its log follows" >&2
  tail -n 20 "$run/$name.log" >&2
  return 1
}

stack_start() {
  local run=$1 port=$2
  STACK_BINARY=${STACK_BINARY:-$stack_source_dir/.build/release/pinterest-connection}
  mkdir -p "$run"
  run=$(cd "$run" && pwd)
  # Leftovers of an earlier start in this directory (one that failed halfway, say) are stopped
  # first, so they cannot serve requests in place of the new processes.
  stack_stop "$run"
  rm -f "$run/stopping"
  stack_write_configuration "$run" "$port"
  stack_write_nginx_configuration "$run" "$port"

  local workers=()
  [ -n "${STACK_WORKERS:-}" ] && workers=(--workers "$STACK_WORKERS")
  stack_supervise "$run" sandbox "$STACK_BINARY" sandbox --registration "$run/sandbox.json" --socket "$run/sandbox.sock" &
  echo $! > "$run/sandbox-supervisor.pid"
  stack_supervise "$run" connection "$STACK_BINARY" serve --config "$run/connection.json" --socket "$run/connection.sock" "${workers[@]}" &
  echo $! > "$run/connection-supervisor.pid"
  stack_wait_for_socket "$run/sandbox.sock" sandbox "$run" || return 1
  stack_wait_for_socket "$run/connection.sock" connection "$run" || return 1

  nginx -p "$run" -c "$run/nginx.conf" -e "$run/nginx-error.log" &
  echo $! > "$run/nginx.pid.supervisor"
  for _ in $(seq 1 100); do
    [ "$(curl -s --max-time 1 "http://127.0.0.1:$port/stack-id")" = "$run" ] && return 0
    sleep 0.05
  done
  echo "stack: nginx did not respond on port $port within 5 seconds" >&2
  cat "$run/nginx-error.log" >&2
  return 1
}

# Whether a pid from a pid file is still one of the stack's processes, and not an unrelated
# process that reused the number.
stack_owns_pid() {
  local command
  command=$({ tr '\0' ' ' < "/proc/$1/cmdline"; } 2>/dev/null) || return 1
  case "$command" in
    *nginx*|*pinterest-connection*|*bash*) return 0 ;;
    *) return 1 ;;
  esac
}

stack_stop() {
  local run=$1
  [ -d "$run" ] || return 0
  touch "$run/stopping"
  local pid
  for name in nginx.pid.supervisor connection.pid sandbox.pid; do
    pid=$(cat "$run/$name" 2>/dev/null) || continue
    stack_owns_pid "$pid" && kill -TERM "$pid" 2>/dev/null
  done
  for name in nginx.pid.supervisor connection.pid sandbox.pid connection-supervisor.pid sandbox-supervisor.pid; do
    pid=$(cat "$run/$name" 2>/dev/null) || continue
    stack_owns_pid "$pid" || continue
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -f "$run"/*.pid "$run/nginx.pid.supervisor"
}
