# shellcheck shell=bash
# Local Redis, Postgres and Docker for script/test and script/server.
#
# Sourcing this file only defines functions. Each *_up function reuses a service that already
# answers, or starts a private one whose state lives under $ORCH_SVC_DIR (set by the caller,
# e.g. `ORCH_SVC_DIR=$(mktemp -d)`), exports how to reach it, and records it so that
# orch_services_stop ends exactly what was started here, newest first.
#
#   orch_redis_up      exports ORCH_REDIS_URL
#   orch_postgres_up   exports ORCH_TEST_POSTGRES_URL
#   orch_docker_up     the engine at the default socket, with a one-node swarm
#   orch_services_stop safe to call twice, e.g. from an EXIT trap
#
# The functions return non-zero with a message instead of relying on `set -e`, and guard
# every probe that is expected to fail, so callers with or without `set -euo pipefail` get
# the same behaviour.

_orch_svc_say() { printf 'services: %s\n' "$*" >&2; }

_orch_svc_dir() {
  if [[ -z ${ORCH_SVC_DIR:-} ]]; then
    _orch_svc_say "ORCH_SVC_DIR is not set (the caller owns the state directory)"
    return 1
  fi
  mkdir -p "$ORCH_SVC_DIR"
}

# Remember what was started, in order, so stop can go in reverse.
_orch_svc_started() { printf '%s\n' "$1" >>"$ORCH_SVC_DIR/started"; }

# A port nobody listens on right now. There is a small race until the service binds it;
# the callers retry with another port when the start fails.
orch_free_port() {
  local py
  for py in /usr/bin/python3 python3; do
    if command -v "$py" >/dev/null 2>&1; then
      "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' && return 0
    fi
  done
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'
}

# True while $1 is a live process. A zombie counts as gone: a daemon we started in the
# background stays a zombie until its parent reaps it, and must not stall the stop loop.
_orch_alive() {
  local state
  [[ $1 =~ ^[0-9]+$ ]] || return 1
  state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null) || return 1
  [[ -n $state && $state != Z ]]
}

# SIGTERM $1 and wait up to $2 seconds; SIGKILL if it is still there.
_orch_kill_wait() {
  local pid=$1 secs=$2 i
  _orch_alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < secs * 10; i++)); do
    _orch_alive "$pid" || return 0
    sleep 0.1
  done
  _orch_svc_say "pid $pid ignored SIGTERM for ${secs}s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

# ---------------------------------------------------------------------------------------
# Redis

_orch_redis_ping() { [[ $(timeout 5 redis-cli "$@" ping 2>/dev/null) == PONG ]]; }

orch_redis_up() {
  if ! command -v redis-cli >/dev/null 2>&1; then
    _orch_svc_say "redis-cli not found: run script/bootstrap (installs redis-server)"
    return 1
  fi
  if [[ -n ${ORCH_REDIS_URL:-} ]] && _orch_redis_ping -u "$ORCH_REDIS_URL"; then
    export ORCH_REDIS_URL
    return 0
  fi
  if _orch_redis_ping -h 127.0.0.1 -p 6379; then
    export ORCH_REDIS_URL=redis://127.0.0.1:6379
    return 0
  fi
  if ! command -v redis-server >/dev/null 2>&1; then
    _orch_svc_say "no Redis answers and redis-server is not installed: run script/bootstrap"
    return 1
  fi
  _orch_svc_dir || return 1

  local port attempt i
  for attempt in 1 2 3; do
    port=$(orch_free_port) || return 1
    # No persistence: tests want a clean Redis, and a private one is thrown away anyway.
    if redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
      --daemonize yes --pidfile "$ORCH_SVC_DIR/redis.pid" --dir "$ORCH_SVC_DIR" \
      --logfile "$ORCH_SVC_DIR/redis.log" >/dev/null 2>&1; then
      # Record before waiting, so a Redis that comes up late is still stopped.
      _orch_svc_started redis
      for ((i = 0; i < 100; i++)); do
        if _orch_redis_ping -h 127.0.0.1 -p "$port"; then
          export ORCH_REDIS_URL="redis://127.0.0.1:$port"
          return 0
        fi
        # It daemonizes before binding, so a lost port race shows up only as a dead pid.
        if [[ -s $ORCH_SVC_DIR/redis.pid ]] && ! _orch_alive "$(<"$ORCH_SVC_DIR/redis.pid")"; then
          break
        fi
        sleep 0.1
      done
      _orch_redis_stop
    fi
    _orch_svc_say "redis-server on port $port did not answer (attempt $attempt); log: $ORCH_SVC_DIR/redis.log"
  done
  return 1
}

_orch_redis_stop() {
  local f="$ORCH_SVC_DIR/redis.pid" pid
  # redis-server writes its pidfile a moment after daemonizing; give it that moment.
  for _ in 1 2 3 4 5 6 7 8 9 10; do [[ -s $f ]] && break; sleep 0.1; done
  [[ -s $f ]] || return 0
  pid=$(<"$f")
  _orch_kill_wait "$pid" 10
  rm -f "$f"
}

# ---------------------------------------------------------------------------------------
# Postgres

_orch_psql_ok() {
  command -v psql >/dev/null 2>&1 || return 1
  [[ $(PGCONNECT_TIMEOUT=5 timeout 10 psql -X -w -At "$@" -c 'select 1' 2>/dev/null) == 1 ]]
}

# Newest server binaries: Debian keeps them off PATH, one directory per major version.
_orch_pg_bindir() {
  local d best=''
  while IFS= read -r d; do
    [[ -x $d/initdb ]] && best=$d
  done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V)
  if [[ -z $best ]] && command -v initdb >/dev/null 2>&1; then
    best=$(dirname "$(command -v initdb)")
  fi
  [[ -n $best ]] && printf '%s' "$best"
}

# Run a Postgres server binary: as the postgres user when we are root (the server refuses
# to run as root), as ourselves otherwise. From / so that a cwd the postgres user cannot
# read does not trip them up.
_orch_pg_run() {
  if [[ $(id -u) -eq 0 ]]; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && "$@")
  fi
}

orch_postgres_up() {
  if [[ -n ${ORCH_TEST_POSTGRES_URL:-} ]] && _orch_psql_ok "$ORCH_TEST_POSTGRES_URL"; then
    export ORCH_TEST_POSTGRES_URL
    return 0
  fi
  if _orch_psql_ok -h 127.0.0.1 -p 5432 -U postgres -d postgres; then
    export ORCH_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/postgres
    return 0
  fi
  local bin
  bin=$(_orch_pg_bindir) || bin=''
  if [[ -z $bin ]]; then
    _orch_svc_say "no Postgres answers and no server binaries found: run script/bootstrap (installs postgresql)"
    return 1
  fi
  if [[ $(id -u) -eq 0 ]] && ! id -u postgres >/dev/null 2>&1; then
    _orch_svc_say "running as root but there is no postgres user to run the server as"
    return 1
  fi
  if ! _orch_pg_run test -x "$bin/initdb"; then
    _orch_svc_say "the postgres user cannot run $bin/initdb (is every parent directory, / included, mode 755? script/bootstrap fixes a 0700 /)"
    return 1
  fi
  _orch_svc_dir || return 1

  # The data directory lives directly under /tmp, not in $ORCH_SVC_DIR: that one may be a
  # root-only 0700 directory the postgres user cannot enter.
  local data
  data=$(mktemp -d /tmp/orch-pg.XXXXXX) || return 1
  printf '%s\n' "$data" >"$ORCH_SVC_DIR/postgres.dir"
  if [[ $(id -u) -eq 0 ]]; then chown postgres: "$data" || return 1; fi
  # C collation and UTF8 whatever the machine's locale: a bare container has none, which
  # would give a SQL_ASCII cluster.
  if ! _orch_pg_run "$bin/initdb" -D "$data" -A trust -U postgres -E UTF8 --locale=C --no-sync \
    >"$ORCH_SVC_DIR/postgres-initdb.log" 2>&1; then
    _orch_svc_say "initdb failed; log: $ORCH_SVC_DIR/postgres-initdb.log"
    rm -rf "$data" "$ORCH_SVC_DIR/postgres.dir"
    return 1
  fi

  local port attempt
  for attempt in 1 2 3; do
    port=$(orch_free_port) || return 1
    # Durability settings off: a throwaway test cluster, and much faster migrations.
    if _orch_pg_run "$bin/pg_ctl" -D "$data" -l "$data/log" -w -t 60 \
      -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null 2>&1; then
      _orch_svc_started postgres
      export ORCH_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$port/postgres"
      return 0
    fi
    _orch_svc_say "postgres on port $port did not start (attempt $attempt); log: $data/log"
  done
  return 1
}

_orch_postgres_stop() {
  local f="$ORCH_SVC_DIR/postgres.dir" data bin
  [[ -s $f ]] || return 0
  data=$(<"$f")
  bin=$(_orch_pg_bindir) || bin=''
  if [[ -n $bin && -f $data/postmaster.pid ]]; then
    _orch_pg_run "$bin/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1 \
      || _orch_svc_say "pg_ctl stop failed for $data; log: $data/log"
  fi
  # Only remove a directory we created (guards against a corrupted state file).
  [[ $data == /tmp/orch-pg.* ]] && rm -rf "$data"
  rm -f "$f"
}

# ---------------------------------------------------------------------------------------
# Docker

_orch_docker_ok() { timeout 20 docker info >/dev/null 2>&1; }

orch_docker_up() {
  if ! command -v docker >/dev/null 2>&1; then
    _orch_svc_say "docker CLI not found: run script/bootstrap (installs docker.io)"
    return 1
  fi
  local ours=0
  if ! _orch_docker_ok; then
    if ! command -v dockerd >/dev/null 2>&1; then
      _orch_svc_say "no Docker engine answers and dockerd is not installed"
      return 1
    fi
    if [[ $(id -u) -ne 0 ]]; then
      _orch_svc_say "no Docker engine answers, and starting dockerd needs root"
      return 1
    fi
    _orch_svc_dir || return 1
    # vfs and no iptables/bridge: what works inside the containers these machines are.
    # setsid keeps a Ctrl-C at the terminal from reaching dockerd before our stop does.
    setsid dockerd --storage-driver=vfs --iptables=false --bridge=none \
      --pidfile "$ORCH_SVC_DIR/dockerd.pid" >"$ORCH_SVC_DIR/dockerd.log" 2>&1 </dev/null &
    local pid=$! i
    _orch_svc_started docker
    ours=1
    for ((i = 0; i < 120; i++)); do
      _orch_docker_ok && break
      if ! _orch_alive "$pid"; then
        _orch_svc_say "dockerd exited at start; log: $ORCH_SVC_DIR/dockerd.log"
        return 1
      fi
      sleep 0.5
    done
    if ! _orch_docker_ok; then
      _orch_svc_say "dockerd did not answer within 60s; log: $ORCH_SVC_DIR/dockerd.log"
      _orch_kill_wait "$pid" 20
      return 1
    fi
  fi

  local state err
  state=$(timeout 20 docker info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null) || state=''
  if [[ $state != active ]]; then
    if ! err=$(timeout 60 docker swarm init --advertise-addr 127.0.0.1 2>&1 >/dev/null); then
      _orch_svc_say "docker swarm init failed (state '$state'): $err"
      return 1
    fi
    if [[ $ours == 0 ]]; then
      # Leaving a node swarm would take down services the machine's owner may have
      # deployed since; the one-node swarm is harmless to keep.
      _orch_svc_say "initialised a one-node swarm on the running Docker engine; it is left in place"
    fi
  fi
  return 0
}

_orch_docker_stop() {
  local f="$ORCH_SVC_DIR/dockerd.pid" pid
  [[ -s $f ]] || return 0
  pid=$(<"$f")
  # dockerd also stops the containerd it started for itself; give both the time to.
  _orch_kill_wait "$pid" 20
  rm -f "$f"
}

# ---------------------------------------------------------------------------------------

orch_services_stop() {
  [[ -n ${ORCH_SVC_DIR:-} && -f $ORCH_SVC_DIR/started ]] || return 0
  local list=() name i
  mapfile -t list <"$ORCH_SVC_DIR/started"
  for ((i = ${#list[@]} - 1; i >= 0; i--)); do
    name=${list[i]}
    case $name in
      redis) _orch_redis_stop ;;
      postgres) _orch_postgres_stop ;;
      docker) _orch_docker_stop ;;
    esac
  done
  rm -f "$ORCH_SVC_DIR/started"
  return 0
}
