#!/usr/bin/env bash
# Throwaway services for the tests, on loopback: PostgreSQL (GATEHOUSE_TEST_PG_URL) and Redis
# (GATEHOUSE_TEST_REDIS_URL); Debian's Chromium for the browser tests (GATEHOUSE_TEST_CHROMIUM) and
# Debian's nginx for the replica tests (GATEHOUSE_TEST_NGINX): both installed once, nothing to
# start or stop (each replica test starts an nginx of its own, test/helpers/replicas.ts).
#
#   source scripts/services.sh      start what is missing and export its URL into this shell
#   scripts/services.sh [start]     the same, printing `export NAME=value` lines (for eval)
#   scripts/services.sh stop        stop what this script started and delete its data
#
# Idempotent: a URL already set and reachable is kept; a server started earlier by this script
# (recorded in $GATEHOUSE_SERVICES_DIR) is reused. Each service is a start_<name>/stop_<name>
# pair listed in SERVICES.

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
  # Sourced: run as a child process (so the caller's shell options stay as they are) and take
  # its exports.
  _gh_services_exports="$(bash "${BASH_SOURCE[0]}" start)" || return 1
  eval "$_gh_services_exports"
  unset _gh_services_exports
  return 0
fi

set -euo pipefail

SERVICES=(postgres redis chromium nginx)
STATE_DIR="${GATEHOUSE_SERVICES_DIR:-${TMPDIR:-/tmp}/gatehouse-services-$(id -u)}"

log() { echo "services: $*" >&2; }

# ---------------------------------------------------------------------------------------------
# Shared helpers

# Runs a command as the unprivileged user that owns the service data (the current user unless
# we are root: PostgreSQL refuses to run as root).
as_service_user() {
  local user="$1"
  shift
  if [[ "$(id -u)" -ne 0 ]]; then
    "$@"
  elif command -v runuser >/dev/null 2>&1; then
    runuser -u "$user" -- "$@"
  else
    su -s /bin/sh "$user" -c "$(printf '%q ' "$@")"
  fi
}

# The unprivileged user to run services as when we are root: `postgres` when the package made
# one, else a system user created for the purpose.
service_user() {
  if [[ "$(id -u)" -ne 0 ]]; then
    id -un
  elif id postgres >/dev/null 2>&1; then
    echo postgres
  else
    id gatehouse-svc >/dev/null 2>&1 ||
      useradd --system --no-create-home --shell /usr/sbin/nologin gatehouse-svc >&2
    echo gatehouse-svc
  fi
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
  local port attempt
  for attempt in $(seq 1 50); do
    port=$((20000 + RANDOM % 40000))
    if ! port_in_use "$port"; then
      echo "$port"
      return 0
    fi
  done
  log "no free port found"
  return 1
}

install_debian_packages() {
  local sudo=()
  [[ "$(id -u)" -eq 0 ]] || sudo=(sudo)
  log "installing $* with apt-get"
  "${sudo[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$@" >&2
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL

PG_STATE="$STATE_DIR/postgres.env"

# Prints the directory holding initdb, pg_ctl and pg_isready, or nothing.
pg_bin_dir() {
  local initdb candidate
  if initdb="$(command -v initdb 2>/dev/null)"; then
    candidate="$(dirname "$(readlink -f "$initdb")")"
    if [[ -x "$candidate/pg_ctl" ]]; then
      echo "$candidate"
      return 0
    fi
  fi
  # Debian keeps the server binaries out of PATH, one directory per major version.
  candidate="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [[ -n "$candidate" && -x "$candidate/initdb" && -x "$candidate/pg_ctl" ]]; then
    echo "$candidate"
  fi
}

pg_reachable() {
  local url="$1" bin
  bin="$(pg_bin_dir)"
  if [[ -n "$bin" && -x "$bin/pg_isready" ]]; then
    "$bin/pg_isready" -q -t 3 -d "$url"
  else
    local hostport="${url#*@}"
    hostport="${hostport%%/*}"
    port_in_use "${hostport##*:}"
  fi
}

start_postgres() {
  if [[ -n "${GATEHOUSE_TEST_PG_URL:-}" ]] && pg_reachable "$GATEHOUSE_TEST_PG_URL"; then
    echo "export GATEHOUSE_TEST_PG_URL=$(printf '%q' "$GATEHOUSE_TEST_PG_URL")"
    return 0
  fi
  if [[ -f "$PG_STATE" ]]; then
    local PG_URL="" PG_DATA="" PG_USER="" PG_BIN=""
    # shellcheck disable=SC1090
    source "$PG_STATE"
    if [[ -n "$PG_URL" ]] && pg_reachable "$PG_URL"; then
      log "reusing PostgreSQL at $PG_URL"
      echo "export GATEHOUSE_TEST_PG_URL=$(printf '%q' "$PG_URL")"
      return 0
    fi
    stop_postgres
  fi

  local bin user data port url attempt
  bin="$(pg_bin_dir)"
  if [[ -z "$bin" ]]; then
    install_debian_packages postgresql
    bin="$(pg_bin_dir)"
    [[ -n "$bin" ]] || { log "PostgreSQL binaries not found after installing"; return 1; }
  fi
  user="$(service_user)"
  data="$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-pg.XXXXXX")"
  [[ "$(id -u)" -ne 0 ]] || chown "$user" "$data"
  chmod 700 "$data"
  as_service_user "$user" "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 \
    --no-locale --no-sync >"$data.initdb.log" 2>&1 || {
    cat "$data.initdb.log" >&2
    return 1
  }
  rm -f "$data.initdb.log"

  # A port can be taken between the check and the start: try a few.
  for attempt in 1 2 3 4 5; do
    port="$(free_port)"
    if as_service_user "$user" "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 30 \
      -o "-h 127.0.0.1 -p $port -k $data -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null 2>&1 9>&-; then
      url="postgresql://postgres@127.0.0.1:$port/postgres"
      printf 'PG_URL=%q\nPG_DATA=%q\nPG_USER=%q\nPG_BIN=%q\n' "$url" "$data" "$user" "$bin" >"$PG_STATE"
      log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on $url (data $data)"
      echo "export GATEHOUSE_TEST_PG_URL=$(printf '%q' "$url")"
      return 0
    fi
    log "PostgreSQL did not start on port $port (attempt $attempt)"
  done
  tail -n 20 "$data/server.log" >&2 || true
  rm -rf "$data"
  return 1
}

stop_postgres() {
  [[ -f "$PG_STATE" ]] || return 0
  local PG_URL="" PG_DATA="" PG_USER="" PG_BIN=""
  # shellcheck disable=SC1090
  source "$PG_STATE"
  if [[ -n "$PG_DATA" && -f "$PG_DATA/postmaster.pid" && -n "$PG_BIN" ]]; then
    as_service_user "$PG_USER" "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
    log "stopped PostgreSQL at $PG_URL"
  fi
  case "$PG_DATA" in
  "${TMPDIR:-/tmp}"/gatehouse-pg.*) rm -rf "$PG_DATA" ;;
  esac
  rm -f "$PG_STATE"
}

# ---------------------------------------------------------------------------------------------
# Redis

REDIS_STATE="$STATE_DIR/redis.env"

redis_bin() {
  command -v redis-server 2>/dev/null || { [[ -x /usr/bin/redis-server ]] && echo /usr/bin/redis-server; } || true
}

# True when the Redis at $1 (redis://host:port) answers PING.
redis_reachable() {
  local url="$1" hostport host port reply
  if command -v redis-cli >/dev/null 2>&1; then
    [[ "$(timeout 5 redis-cli -u "$url" --no-auth-warning ping 2>/dev/null)" == PONG ]]
    return
  fi
  hostport="${url#*://}"
  hostport="${hostport##*@}"
  hostport="${hostport%%/*}"
  host="${hostport%:*}"
  port="${hostport##*:}"
  reply="$(timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/$2" && printf "PING\r\n" >&3 && head -c 5 <&3' _ "$host" "$port" 2>/dev/null)" ||
    return 1
  [[ "$reply" == +PONG ]]
}

# True when $1 is the pid of a running redis-server.
redis_pid_alive() {
  [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null && grep -q redis "/proc/$1/comm" 2>/dev/null
}

start_redis() {
  if [[ -n "${GATEHOUSE_TEST_REDIS_URL:-}" ]] && redis_reachable "$GATEHOUSE_TEST_REDIS_URL"; then
    echo "export GATEHOUSE_TEST_REDIS_URL=$(printf '%q' "$GATEHOUSE_TEST_REDIS_URL")"
    return 0
  fi
  if [[ -f "$REDIS_STATE" ]]; then
    local REDIS_URL="" REDIS_DATA="" REDIS_USER=""
    # shellcheck disable=SC1090
    source "$REDIS_STATE"
    if [[ -n "$REDIS_URL" ]] && redis_reachable "$REDIS_URL"; then
      log "reusing Redis at $REDIS_URL"
      echo "export GATEHOUSE_TEST_REDIS_URL=$(printf '%q' "$REDIS_URL")"
      return 0
    fi
    stop_redis
  fi

  local bin user data port url attempt pid waited
  bin="$(redis_bin)"
  if [[ -z "$bin" ]]; then
    install_debian_packages redis-server
    bin="$(redis_bin)"
    [[ -n "$bin" ]] || { log "redis-server not found after installing"; return 1; }
  fi
  user="$(service_user)"
  data="$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-redis.XXXXXX")"
  [[ "$(id -u)" -ne 0 ]] || chown "$user" "$data"
  chmod 700 "$data"

  # A port can be taken between the check and the start: try a few. With --daemonize the command
  # returns before the server listens, so success is the server answering PING.
  for attempt in 1 2 3 4 5; do
    port="$(free_port)"
    rm -f "$data/redis.pid"
    as_service_user "$user" "$bin" --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
      --dir "$data" --pidfile "$data/redis.pid" --logfile "$data/server.log" --daemonize yes \
      >/dev/null 2>&1 9>&- || true
    url="redis://127.0.0.1:$port"
    for waited in $(seq 1 100); do
      if redis_reachable "$url"; then
        printf 'REDIS_URL=%q\nREDIS_DATA=%q\nREDIS_USER=%q\n' "$url" "$data" "$user" >"$REDIS_STATE"
        log "Redis $("$bin" --version | awk '{print $3}' | sed 's/^v=//') on $url (data $data)"
        echo "export GATEHOUSE_TEST_REDIS_URL=$(printf '%q' "$url")"
        return 0
      fi
      pid="$(cat "$data/redis.pid" 2>/dev/null || true)"
      # Give the daemon a moment to write its pid file; after that, a missing process has failed.
      if ((waited > 10)) && ! redis_pid_alive "$pid"; then break; fi
      sleep 0.1
    done
    pid="$(cat "$data/redis.pid" 2>/dev/null || true)"
    if redis_pid_alive "$pid"; then kill "$pid" 2>/dev/null || true; fi
    log "Redis did not start on port $port (attempt $attempt)"
  done
  tail -n 20 "$data/server.log" >&2 || true
  rm -rf "$data"
  return 1
}

stop_redis() {
  [[ -f "$REDIS_STATE" ]] || return 0
  local REDIS_URL="" REDIS_DATA="" REDIS_USER="" pid waited
  # shellcheck disable=SC1090
  source "$REDIS_STATE"
  pid="$(cat "$REDIS_DATA/redis.pid" 2>/dev/null || true)"
  if redis_pid_alive "$pid"; then
    kill "$pid" 2>/dev/null || true
    for waited in $(seq 1 100); do
      redis_pid_alive "$pid" || break
      sleep 0.1
    done
    log "stopped Redis at $REDIS_URL"
  fi
  case "$REDIS_DATA" in
  "${TMPDIR:-/tmp}"/gatehouse-redis.*) rm -rf "$REDIS_DATA" ;;
  esac
  rm -f "$REDIS_STATE"
}

# ---------------------------------------------------------------------------------------------
# Chromium (headless, driven by playwright-core in the browser tests)

chromium_bin() {
  command -v chromium 2>/dev/null || command -v chromium-browser 2>/dev/null || true
}

start_chromium() {
  local bin
  bin="$(chromium_bin)"
  if [[ -z "$bin" ]]; then
    install_debian_packages chromium
    bin="$(chromium_bin)"
    [[ -n "$bin" ]] || { log "chromium not found after installing"; return 1; }
  fi
  log "Chromium at $bin"
  echo "export GATEHOUSE_TEST_CHROMIUM=$(printf '%q' "$bin")"
}

stop_chromium() { :; }

# ---------------------------------------------------------------------------------------------
# nginx (the load balancer in front of gateway replicas; each test runs its own, on its own port)

nginx_bin() {
  command -v nginx 2>/dev/null || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; } || true
}

# The pid of the nginx the package's own service runs, or nothing.
nginx_service_pid() {
  local pid
  pid="$(cat /run/nginx.pid 2>/dev/null || true)"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && grep -q nginx "/proc/$pid/comm" 2>/dev/null; then
    echo "$pid"
  fi
}

start_nginx() {
  local bin before after
  bin="$(nginx_bin)"
  if [[ -z "$bin" ]]; then
    before="$(nginx_service_pid)"
    install_debian_packages nginx
    bin="$(nginx_bin)"
    [[ -n "$bin" ]] || { log "nginx not found after installing"; return 1; }
    # Without a policy-rc.d denying it, the package starts its system service on port 80: the
    # tests never use it, so stop the one this install started (by its pid), and nothing else.
    after="$(nginx_service_pid)"
    if [[ -n "$after" && "$after" != "$before" ]]; then
      kill -QUIT "$after" 2>/dev/null || true
      log "stopped the nginx service the package started (pid $after)"
    fi
  fi
  log "nginx $("$bin" -v 2>&1 | sed 's/^.*nginx\///') at $bin"
  echo "export GATEHOUSE_TEST_NGINX=$(printf '%q' "$bin")"
}

stop_nginx() { :; }

# ---------------------------------------------------------------------------------------------

main() {
  local command="${1:-start}" service
  mkdir -p "$STATE_DIR"
  chmod 700 "$STATE_DIR"
  # One start or stop at a time (two test runs starting together share one server). The server
  # must not inherit the lock's descriptor, hence `9>&-` where it is started.
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$STATE_DIR/lock"
    flock 9
  fi
  case "$command" in
  start)
    for service in "${SERVICES[@]}"; do "start_$service"; done
    # Where the servers' pid files are, for whoever reads them with another TMPDIR (scripts/test.sh
    # runs the tests with one of their own; bench/lib/backend-cpu.ts reads the pids).
    echo "export GATEHOUSE_SERVICES_DIR=$(printf '%q' "$STATE_DIR")"
    ;;
  stop) for service in "${SERVICES[@]}"; do "stop_$service"; done ;;
  *)
    echo "usage: $0 [start|stop]" >&2
    return 2
    ;;
  esac
}

main "$@"
