#!/usr/bin/env bash
# `make run`: simulated providers and the switch in the foreground, on the local Kafka and
# PostgreSQL that `make services-up` started (their settings are in the environment).
# Ctrl-C stops the switch gracefully, then the simulators; Kafka and PostgreSQL keep running
# for the next start (`make services-down` stops them).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PY="$ROOT/.venv/bin/python"
# shellcheck source=lib.sh
. "$ROOT/deploy/local/lib.sh"
SIM_CONFIG=${PPU_SIMULATOR_CONFIG:-$ROOT/deploy/config/simulators.toml}
export PPU_CONFIG_FILE=${PPU_CONFIG_FILE:-$ROOT/deploy/config/switch.toml}
# The simulators' demo credentials (deploy/config/simulators.toml); real deployments set their own.
export PPU_PROVIDER_90001_PASSWORD=${PPU_PROVIDER_90001_PASSWORD:-sim-ontec-secret}
export PPU_PROVIDER_90002_PASSWORD=${PPU_PROVIDER_90002_PASSWORD:-sim-ipay-secret}
export PPU_PROVIDER_90003_PASSWORD=${PPU_PROVIDER_90003_PASSWORD:-sim-syntell-secret}

children=()
# Ctrl-C is a clean stop (status 0); a child that dies on its own stops the rest with its status.
stop() {
  trap - INT TERM
  for pid in "${children[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait
  say_as run "stopped"
  exit "$1"
}
trap 'stop 0' INT TERM

say_as run "Kafka:      $PPU_KAFKA_BOOTSTRAP"
say_as run "PostgreSQL: ${PPU_DATABASE_URL##*@}"
say_as run "config:     $PPU_CONFIG_FILE"
if [ -f "$SIM_CONFIG" ]; then
  "$PY" -m adapters.simulator --config "$SIM_CONFIG" &
  children+=($!)
  say_as run "simulated providers (pid $!): 90001 Sim Ontec on 127.0.0.1:18081, 90002 Sim iPay on :18082, 90003 Sim Syntell on :18083 ($SIM_CONFIG)"
fi
"$PY" -m service run &
children+=($!)
say_as run "switch: pid $!; health and metrics on http://${PPU_HEALTH_HOST:-127.0.0.1}:${PPU_HEALTH_PORT:-8087}/readyz and /metrics"
"$PY" -m service console &
children+=($!)
say_as run "console: http://${PPU_CONSOLE_HOST:-127.0.0.1}:${PPU_CONSOLE_PORT:-8088}/ (demo sign-in: institution RETAIL-01, user operator, password ppu-demo-2024)"
say_as run "Ctrl-C stops everything"
status=0
wait -n "${children[@]}" || status=$?
say_as run "a component exited (status $status); stopping the others"
stop "$status"
