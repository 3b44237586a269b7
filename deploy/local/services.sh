#!/usr/bin/env bash
# Local Kafka + PostgreSQL for `make run` and `make test`, without Docker.
# Usage: services.sh up | down [--wipe] | status. `up` writes $PPU_STATE_DIR/env.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

up() {
  local kafka db
  kafka=$(bash "$HERE/kafka.sh" up)
  db=$(bash "$HERE/postgres.sh" up)
  (
    umask 077
    printf 'export PPU_KAFKA_BOOTSTRAP=%q\nexport PPU_DATABASE_URL=%q\n' "$kafka" "$db" >"$STATE_DIR/env"
  )
  say "Kafka:      $kafka"
  say "PostgreSQL: ${db%%:*}://…@${db##*@}"
  say "settings:   $STATE_DIR/env"
}

down() {
  bash "$HERE/kafka.sh" down
  local pgdir
  pgdir=$(bash "$HERE/postgres.sh" dir || true)
  bash "$HERE/postgres.sh" down
  if [ "${1:-}" = "--wipe" ]; then
    say "wiping $STATE_DIR"
    [ -n "$pgdir" ] && rm -rf "$pgdir"
    rm -rf "$STATE_DIR"
  fi
}

case "${1:-}" in
  up) up ;;
  down) shift; down "$@" ;;
  *) echo "usage: $0 up | down [--wipe]" >&2; exit 64 ;;
esac
