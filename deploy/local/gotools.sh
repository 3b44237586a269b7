#!/usr/bin/env bash
# Build the deploy checks' Go tools (Helm, promtool) with `go install MODULE@VERSION`, cached
# under $CACHE_DIR/bin; a second run finds them and returns at once.
# Usage: gotools.sh [helm|promtool]...   (no argument: both). Prints nothing when cached.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Versions pinned so every machine checks the chart and rules with the same tools.
HELM_MODULE=helm.sh/helm/v3/cmd/helm
HELM_VERSION=v3.22.0
# Prometheus tags its Go module v0.3XX.Y for release 3.XX.Y.
PROMTOOL_MODULE=github.com/prometheus/prometheus/cmd/promtool
PROMTOOL_VERSION=v0.316.0

BIN_DIR="$CACHE_DIR/bin"

install_one() {
  local name=$1 module=$2 version=$3
  local target="$BIN_DIR/$name-$version"
  if [ ! -x "$target" ]; then
    command -v go >/dev/null || need "go (1.24+)" "Install Go, e.g. 'apt-get install golang-go', or from go.dev."
    say "building $name $version with go install (first run only; log: $CACHE_DIR/go-$name.log)"
    local tmp
    tmp=$(mktemp -d)
    # CGO off: static binaries that need no C toolchain; GOFLAGS keeps a user's -mod settings out.
    if ! CGO_ENABLED=0 GOFLAGS=-mod=mod GOBIN="$tmp" \
        go install "$module@$version" >"$CACHE_DIR/go-$name.log" 2>&1; then
      tail -n 20 "$CACHE_DIR/go-$name.log" >&2
      rm -rf "$tmp"
      need "$name $version" "go install $module@$version failed; see $CACHE_DIR/go-$name.log."
    fi
    mkdir -p "$BIN_DIR"
    mv "$tmp/$name" "$target"
    rm -rf "$tmp"
  fi
  # A stable name for the Makefile and tests; the versioned file is what the cache keys on.
  ln -sf "$name-$version" "$BIN_DIR/$name"
}

mkdir -p "$CACHE_DIR"
tools=("$@")
[ ${#tools[@]} -gt 0 ] || tools=(helm promtool)
for tool in "${tools[@]}"; do
  case $tool in
    helm) install_one helm "$HELM_MODULE" "$HELM_VERSION" ;;
    promtool) install_one promtool "$PROMTOOL_MODULE" "$PROMTOOL_VERSION" ;;
    *) say "unknown tool: $tool (helm or promtool)"; exit 2 ;;
  esac
done
