# shellcheck shell=bash
# A private PostgreSQL cluster for local development and tests, without systemd.
#
# Source this file, then:
#   pg_up            install PostgreSQL if missing, create the cluster once, start it
#                    if it is not running, create the databases, export the
#                    connection strings. Sets NGRTC_PG_STARTED=1 if it started it.
#   pg_down_if_started   stop it again, only if pg_up started it (and NGRTC_PG_KEEP!=1)
#   pg_down          stop it
#   pg_status        0 if running
#
# Inputs:  NGRTC_PG_PORT (default 5433), NGRTC_PG_DIR (override the cluster folder),
#          NGRTC_PG_KEEP=1 (never stop it from pg_down_if_started),
#          NGRTC_PG_SETTINGS (extra server settings when it starts, e.g. "-c max_wal_size=4GB").
# Outputs: NGRTC_PG_CONNECTION, NGRTC_PG_TEST_CONNECTION, NGRTC_PG_PORT, NGRTC_PG_DIR.
#
# Security: the cluster uses trust authentication with no password and listens on
# 127.0.0.1 only (plus a Unix socket in its own 0700 folder). That is the local
# development exception; never deploy like this. docker-compose.yml requires a password.
#
# Where the cluster lives: ops/.local/pg/ in this checkout. PostgreSQL refuses to run
# as root, so as root the server runs as the system user ngrtc-pg, which must be able
# to reach that folder: the folders inside the checkout get o+x (search only, no read)
# when needed. If a folder above the checkout is not searchable by that user (a clone
# under /root, say) nothing outside the checkout is changed: the cluster goes to
# /var/tmp/ngrtc-audit-<hash of the checkout path>/pg instead (ops/.local/pg-dir says so).

# shellcheck source=ops/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

NGRTC_PG_OS_USER_ROOT=ngrtc-pg   # the unprivileged user when we are root
NGRTC_PG_STARTED=0
NGRTC_PG_DATABASES=(ngrtc_audit ngrtc_audit_test)

pg_os_user() {
  if ops_is_root; then echo "$NGRTC_PG_OS_USER_ROOT"; else id -un; fi
}

# Run a command as the cluster's OS user, from a folder that user can enter.
pg_as_user() {
  if ops_is_root; then
    (cd "$NGRTC_PG_DIR" && runuser -u "$NGRTC_PG_OS_USER_ROOT" -- "$@")
  else
    (cd "$NGRTC_PG_DIR" && "$@")
  fi
}

# 0 when the cluster's OS user can do `test $1 $2`.
pg_user_can() {
  if ops_is_root; then
    runuser -u "$NGRTC_PG_OS_USER_ROOT" -- test "$1" "$2" 2>/dev/null
  else
    test "$1" "$2"
  fi
}

# Sets NGRTC_PG_BIN to a folder holding pg_ctl, initdb, postgres, psql.
# Prefers the major version an existing cluster was made with.
pg_find_bin() {
  local data_version="" candidate=""
  if [ -n "${NGRTC_PG_DIR:-}" ] && [ -f "$NGRTC_PG_DIR/data/PG_VERSION" ]; then
    data_version="$(cat "$NGRTC_PG_DIR/data/PG_VERSION")"
    if [ -x "/usr/lib/postgresql/$data_version/bin/pg_ctl" ]; then
      NGRTC_PG_BIN="/usr/lib/postgresql/$data_version/bin"
      return 0
    fi
  fi
  if candidate="$(command -v pg_ctl 2>/dev/null)"; then
    candidate="$(dirname "$(readlink -f "$candidate")")"
  else
    # shellcheck disable=SC2012  # plain version folders
    candidate="$(ls -d /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -n 1)"
    [ -n "$candidate" ] && candidate="$(dirname "$candidate")"
  fi
  [ -n "$candidate" ] && [ -x "$candidate/initdb" ] && [ -x "$candidate/postgres" ] || return 1
  if [ -n "$data_version" ] && [ "$("$candidate/pg_ctl" --version | grep -oE '[0-9]+' | head -n 1)" != "$data_version" ]; then
    ops_die "the cluster in $NGRTC_PG_DIR was made by PostgreSQL $data_version, which is not installed; install postgresql-$data_version or remove that folder"
  fi
  NGRTC_PG_BIN="$candidate"
}

pg_ensure_installed() {
  pg_find_bin && return 0
  ops_log "no PostgreSQL server found"
  ops_apt_install postgresql
  pg_find_bin || ops_die "PostgreSQL still not found after installing it"
}

pg_ensure_os_user() {
  ops_is_root || return 0
  id -u "$NGRTC_PG_OS_USER_ROOT" >/dev/null 2>&1 && return 0
  ops_log "creating system user $NGRTC_PG_OS_USER_ROOT (PostgreSQL does not run as root)"
  useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin "$NGRTC_PG_OS_USER_ROOT" \
    || id -u "$NGRTC_PG_OS_USER_ROOT" >/dev/null 2>&1 \
    || ops_die "could not create user $NGRTC_PG_OS_USER_ROOT"
}

# Make $1 a 0700 folder owned by the cluster's OS user; 0 if that user can write it.
pg_prepare_dir() {
  mkdir -p "$1" || return 1
  if ops_is_root; then
    chown "$NGRTC_PG_OS_USER_ROOT:" "$1" 2>/dev/null || return 1
  fi
  chmod 0700 "$1" && pg_user_can -w "$1"
}

# Decides NGRTC_PG_DIR (see the header).
pg_resolve_dir() {
  if [ -n "${NGRTC_PG_DIR:-}" ]; then
    pg_prepare_dir "$NGRTC_PG_DIR" || ops_die "NGRTC_PG_DIR=$NGRTC_PG_DIR is not usable by $(pg_os_user)"
    return 0
  fi
  mkdir -p "$NGRTC_LOCAL"
  local preferred="$NGRTC_LOCAL/pg" d
  if ! ops_is_root; then
    pg_prepare_dir "$preferred" || ops_die "cannot use $preferred"
    NGRTC_PG_DIR="$preferred"
    return 0
  fi
  if pg_user_can -x "$(dirname "$NGRTC_ROOT")"; then
    # Only folders inside the checkout are touched, and only with o+x.
    for d in "$NGRTC_ROOT" "$NGRTC_ROOT/ops" "$NGRTC_LOCAL"; do
      pg_user_can -x "$d" || chmod o+x "$d"
    done
    if pg_prepare_dir "$preferred"; then
      NGRTC_PG_DIR="$preferred"
      rm -f "$NGRTC_LOCAL/pg-dir"
      return 0
    fi
  fi
  local base
  base="/var/tmp/ngrtc-audit-$(ops_checkout_hash)"
  mkdir -p "$base" && chmod 0711 "$base"
  pg_prepare_dir "$base/pg" || ops_die "cannot prepare a cluster folder for $NGRTC_PG_OS_USER_ROOT (tried $preferred and $base/pg)"
  NGRTC_PG_DIR="$base/pg"
  printf '%s\n' "$NGRTC_PG_DIR" > "$NGRTC_LOCAL/pg-dir"
  ops_log "$(dirname "$NGRTC_ROOT") is not searchable by $NGRTC_PG_OS_USER_ROOT: cluster lives in $NGRTC_PG_DIR"
}

pg_status() {
  [ -f "$NGRTC_PG_DIR/data/PG_VERSION" ] || return 3
  pg_as_user "$NGRTC_PG_BIN/pg_ctl" -D "$NGRTC_PG_DIR/data" status >/dev/null 2>&1
}

# Port the running cluster listens on (line 4 of postmaster.pid).
pg_running_port() { sed -n 4p "$NGRTC_PG_DIR/data/postmaster.pid" 2>/dev/null; }

pg_psql() {
  "$NGRTC_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$NGRTC_PG_PORT" -U postgres "$@"
}

pg_wait_ready() {
  local _
  for _ in $(seq 1 60); do
    "$NGRTC_PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$NGRTC_PG_PORT" -U postgres && return 0
    sleep 0.5
  done
  return 1
}

pg_init_cluster() {
  local data="$NGRTC_PG_DIR/data"
  [ -f "$data/PG_VERSION" ] && return 0
  [ -e "$data" ] && rm -rf "$data"   # left over from an interrupted initdb
  ops_log "creating PostgreSQL cluster in $data"
  if ! pg_as_user "$NGRTC_PG_BIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 \
       --locale=C.UTF-8 >"$NGRTC_PG_DIR/initdb.log" 2>&1; then
    tail -n 20 "$NGRTC_PG_DIR/initdb.log" >&2
    rm -rf "$data"
    ops_die "initdb failed (log: $NGRTC_PG_DIR/initdb.log)"
  fi
}

pg_start_cluster() {
  local sockdir="$NGRTC_PG_DIR"
  # Unix socket paths are limited to ~107 bytes; in a deep checkout use TCP only.
  if [ $(( ${#sockdir} + 20 )) -gt 100 ]; then
    sockdir=""
  fi
  if ops_tcp_open "$NGRTC_PG_PORT"; then
    ops_die "port $NGRTC_PG_PORT on 127.0.0.1 is taken by another server; choose another with NGRTC_PG_PORT or --port"
  fi
  ops_log "starting PostgreSQL on 127.0.0.1:$NGRTC_PG_PORT (log: $NGRTC_PG_DIR/server.log)"
  # fd 9 (our lock) must not be inherited by the server.
  if ! pg_as_user "$NGRTC_PG_BIN/pg_ctl" -D "$NGRTC_PG_DIR/data" -l "$NGRTC_PG_DIR/server.log" \
       -o "-p $NGRTC_PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories='$sockdir' -c max_connections=200 ${NGRTC_PG_SETTINGS:-}" \
       -w -t 60 start >/dev/null 9>&-; then
    tail -n 20 "$NGRTC_PG_DIR/server.log" >&2 || true
    ops_die "PostgreSQL did not start (log: $NGRTC_PG_DIR/server.log)"
  fi
  NGRTC_PG_STARTED=1
}

pg_create_databases() {
  local db
  for db in "${NGRTC_PG_DATABASES[@]}"; do
    if [ "$(pg_psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
      ops_log "creating database $db"
      pg_psql -d postgres -c "CREATE DATABASE \"$db\"" \
        || [ "$(pg_psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" = 1 ] \
        || ops_die "could not create database $db"
    fi
  done
}

pg_export() {
  export NGRTC_PG_PORT NGRTC_PG_DIR NGRTC_PG_BIN
  export NGRTC_PG_CONNECTION="Host=127.0.0.1;Port=$NGRTC_PG_PORT;Database=ngrtc_audit;Username=postgres"
  export NGRTC_PG_TEST_CONNECTION="Host=127.0.0.1;Port=$NGRTC_PG_PORT;Database=ngrtc_audit_test;Username=postgres"
}

pg_up() {
  NGRTC_PG_PORT="${NGRTC_PG_PORT:-5433}"
  case "$NGRTC_PG_PORT" in ''|*[!0-9]*) ops_die "bad PostgreSQL port: $NGRTC_PG_PORT" ;; esac
  mkdir -p "$NGRTC_LOCAL"
  # One bootstrap at a time per checkout (ops/run and ops/test may start together).
  exec 9>"$NGRTC_LOCAL/pg.lock"
  flock -w 120 9 || ops_die "timed out waiting for $NGRTC_LOCAL/pg.lock"

  pg_ensure_os_user
  pg_resolve_dir
  pg_ensure_installed
  pg_init_cluster
  if pg_status; then
    local running
    running="$(pg_running_port)"
    if [ -n "$running" ] && [ "$running" != "$NGRTC_PG_PORT" ]; then
      ops_log "cluster already running on port $running (not $NGRTC_PG_PORT): using $running"
      NGRTC_PG_PORT="$running"
    else
      ops_log "reusing running PostgreSQL on 127.0.0.1:$NGRTC_PG_PORT"
    fi
  else
    pg_start_cluster
  fi
  pg_wait_ready || ops_die "PostgreSQL on 127.0.0.1:$NGRTC_PG_PORT does not accept connections"
  pg_create_databases
  pg_export

  flock -u 9
  exec 9>&-
}

pg_down() {
  if [ -z "${NGRTC_PG_DIR:-}" ]; then
    pg_ensure_os_user
    pg_resolve_dir
  fi
  if [ -z "${NGRTC_PG_BIN:-}" ]; then
    pg_find_bin || { ops_log "PostgreSQL is not installed; nothing to stop"; return 0; }
  fi
  if pg_status; then
    ops_log "stopping PostgreSQL ($NGRTC_PG_DIR)"
    pg_as_user "$NGRTC_PG_BIN/pg_ctl" -D "$NGRTC_PG_DIR/data" -m fast -w -t 60 stop >/dev/null
  fi
  NGRTC_PG_STARTED=0
}

pg_down_if_started() {
  if [ "${NGRTC_PG_STARTED:-0}" = 1 ]; then
    if [ "${NGRTC_PG_KEEP:-0}" = 1 ]; then
      ops_log "leaving PostgreSQL running (NGRTC_PG_KEEP=1)"
    else
      pg_down
    fi
  fi
}
