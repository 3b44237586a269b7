#!/usr/bin/env bash
# PostgreSQL on loopback from Debian's packages (installed when absent), or the server that
# PPU_DATABASE_URL names. Usage: postgres.sh up|down. `up` prints the database URL.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HOST=127.0.0.1
PORT=${PPU_PG_PORT:-5433}
DB=${PPU_PG_DATABASE:-ppu}
ROLE=ppu

# The server runs as the postgres user when we are root; a state dir it cannot reach (a clone
# under /root, say) moves the cluster under /var/lib/postgresql, remembered in postgres.dir.
pick_dir() {
  local wanted="$STATE_DIR/postgres"
  if [ -f "$STATE_DIR/postgres.dir" ]; then cat "$STATE_DIR/postgres.dir"; return; fi
  mkdir -p "$wanted"
  if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1; then
    chown postgres "$wanted"
    if ! runuser -u postgres -- test -w "$wanted"; then
      wanted="/var/lib/postgresql/ppu-switch-$(printf %s "$STATE_DIR" | md5sum | cut -c1-10)"
      mkdir -p "$wanted" && chown postgres "$wanted"
    fi
  fi
  echo "$wanted" | tee "$STATE_DIR/postgres.dir"
}

pg_bin() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$found" ] && echo "$found"
}

install_postgres() {
  pg_bin >/dev/null && return 0
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null \
    || need "PostgreSQL server" "Install it with 'sudo apt-get install postgresql', or set PPU_DATABASE_URL to a server you have."
  say "installing PostgreSQL from Debian packages (first run only)"
  # Debian's post-install starts its own cluster on 5432; ours lives in $DIR on port $PORT.
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) \
    >"$STATE_DIR/apt-postgres.log" 2>&1 \
    || { tail -n 20 "$STATE_DIR/apt-postgres.log" >&2; need "PostgreSQL server" "apt-get install postgresql failed; see $STATE_DIR/apt-postgres.log."; }
}

# initdb and postgres refuse to run as root, so root runs them as the packages' postgres user.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

password() {
  [ -f "$DIR/password" ] || (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$DIR/password")
  cat "$DIR/password"
}

init_cluster() {
  [ -f "$DATA/PG_VERSION" ] && return 0
  local bin pwfile
  bin=$(pg_bin)
  pwfile=$(mktemp)
  password >"$pwfile"
  [ "$(id -u)" = 0 ] && chown -R postgres "$DIR" "$pwfile"
  as_owner "$bin/initdb" -D "$DATA" -U "$ROLE" --pwfile="$pwfile" --auth=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
    || { rm -f "$pwfile"; cat "$DIR/initdb.log" >&2; exit 1; }
  rm -f "$pwfile"
  cat >>"$DATA/postgresql.conf" <<CONF
listen_addresses = '$HOST'
port = $PORT
unix_socket_directories = '$DIR'
max_connections = 200
shared_buffers = 256MB
fsync = on
synchronous_commit = on
CONF
}

url() {
  echo "postgresql://$ROLE:$(password)@$HOST:$PORT/$DB"
}

up() {
  if [ -n "${PPU_DATABASE_URL:-}" ]; then
    say "using PPU_DATABASE_URL"
    echo "$PPU_DATABASE_URL"
    return 0
  fi
  install_postgres
  DIR=$(pick_dir)
  DATA="$DIR/data"
  local bin
  bin=$(pg_bin)
  if port_open "$HOST" "$PORT" && [ -f "$DIR/password" ]; then
    say "PostgreSQL already answers on $HOST:$PORT; reusing it"
  elif port_open "$HOST" "$PORT"; then
    need "a free port for PostgreSQL" "Another server, not started from $STATE_DIR, holds $HOST:$PORT: set PPU_PG_PORT to a free port, or PPU_DATABASE_URL to use that server."
  else
    init_cluster
    say "starting PostgreSQL on $HOST:$PORT; log: $DIR/postgres.log"
    as_owner "$bin/pg_ctl" -D "$DATA" -l "$DIR/postgres.log" -w -t 60 start >/dev/null \
      || { tail -n 20 "$DIR/postgres.log" >&2; exit 1; }
  fi
  PGPASSWORD=$(password) "$bin/psql" -h "$HOST" -p "$PORT" -U "$ROLE" -d postgres -tAq \
    -c "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1 \
    || PGPASSWORD=$(password) "$bin/createdb" -h "$HOST" -p "$PORT" -U "$ROLE" "$DB"
  url
}

down() {
  local bin
  bin=$(pg_bin) || return 0
  [ -f "$STATE_DIR/postgres.dir" ] || { say "PostgreSQL: not running (from $STATE_DIR)"; return 0; }
  DIR=$(cat "$STATE_DIR/postgres.dir")
  DATA="$DIR/data"
  [ -f "$DATA/postmaster.pid" ] || { say "PostgreSQL: not running (from $STATE_DIR)"; return 0; }
  say "stopping PostgreSQL"
  as_owner "$bin/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null || true
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  dir) [ -f "$STATE_DIR/postgres.dir" ] && cat "$STATE_DIR/postgres.dir" ;;
  *) echo "usage: $0 up|down" >&2; exit 64 ;;
esac
