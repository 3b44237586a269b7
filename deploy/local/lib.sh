# Shared helpers for the local-services scripts (sourced, not run).
set -euo pipefail

STATE_DIR=${PPU_STATE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.state}
CACHE_DIR=${PPU_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ppu-switch}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$STATE_DIR"

# With PPU_LOG_FORMAT=json every line is a JSON record, like the service's own logs.
say_as() {
  local who=$1; shift
  if [ "${PPU_LOG_FORMAT:-}" = json ]; then
    local text="$*"
    text=${text//\\/\\\\}
    text=${text//\"/\\\"}
    printf '{"event": "%s", "level": "info", "logger": "%s", "timestamp": "%s"}\n' \
      "$text" "$who" "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)"
  else
    printf '[%s] %s\n' "$who" "$*"
  fi
}
say() { say_as local "$*" >&2; }

# One sentence naming what is missing and how to get it, then stop.
need() {
  local what=$1 how=$2
  printf '[local] missing prerequisite: %s. %s\n' "$what" "$how" >&2
  exit 2
}

port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

pid_gone() {
  ! kill -0 "$1" 2>/dev/null
}

wait_for() {
  local what=$1 seconds=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    if ((SECONDS >= deadline)); then
      say "$what did not become ready within ${seconds}s"
      return 1
    fi
    sleep 0.5
  done
}
