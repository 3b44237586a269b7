#!/usr/bin/env bash
# Toxiproxy (a TCP proxy that injects latency, resets and blackholes) for `make fault-test`:
# built with `go install` from the Go module proxy on first use, cached like the Kafka jars.
# Usage: toxiproxy.sh install   (prints the server binary's path)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VERSION=${PPU_TOXIPROXY_VERSION:-v2.5.0}
MODULE=github.com/Shopify/toxiproxy/v2
BIN_DIR="$CACHE_DIR/bin"
SERVER="$BIN_DIR/toxiproxy-server-$VERSION"
LOG="$CACHE_DIR/go-toxiproxy.log"

install() {
  if [ ! -x "$SERVER" ]; then
    command -v go >/dev/null || need "go (1.18+)" "Install Go, e.g. 'apt-get install golang-go', to build Toxiproxy."
    say "building Toxiproxy $VERSION with go install into $BIN_DIR (first run only; log: $LOG)"
    mkdir -p "$BIN_DIR"
    local tmp
    tmp=$(mktemp -d)
    # The module names its command `server`; a private GOBIN lets us give it a versioned name.
    # CGO off: a static binary that needs no C toolchain, as deploy/local/gotools.sh builds.
    if ! CGO_ENABLED=0 GOFLAGS=-mod=mod GOBIN="$tmp" go install "$MODULE/cmd/server@$VERSION" >"$LOG" 2>&1; then
      tail -n 20 "$LOG" >&2
      rm -rf "$tmp"
      need "Toxiproxy $VERSION" "go install $MODULE/cmd/server@$VERSION failed; see $LOG."
    fi
    mv "$tmp/server" "$SERVER"
    rm -rf "$tmp"
  fi
  echo "$SERVER"
}

case "${1:-}" in
  install) install ;;
  *) echo "usage: $0 install" >&2; exit 64 ;;
esac
