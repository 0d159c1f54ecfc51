#!/usr/bin/env bash
# Builds the real Alertmanagers the interop tests run against into bin/, when
# missing: alertmanager and amtool v0.27.0 (the version whose wire format and
# API the project pins) and bin/alertmanager-latest, the newest release the
# Go module proxy serves (node's TestAPIStatusCodesMatchAlertmanager compares
# the two). Used by `make test` and .ci/run; runs from the repository's root.
set -euo pipefail
cd "$(dirname "$0")/.."
GO="${GO:-go}"
AM_PINNED=v0.27.0
AM_LATEST="${AM_LATEST:-v0.35.0}"
mkdir -p bin
for cmd in alertmanager amtool; do
  if [ ! -x "bin/$cmd" ]; then
    echo "building $cmd $AM_PINNED into bin/ (once)" >&2
    GOBIN="$PWD/bin" GOFLAGS=-buildvcs=false CGO_ENABLED=0 "$GO" install "github.com/prometheus/alertmanager/cmd/$cmd@$AM_PINNED"
  fi
done
# The newest one's module ships without the built web UI that its ui package
# embeds, so it is built from a copy given an empty one.
if [ ! -x bin/alertmanager-latest ]; then
  echo "building alertmanager $AM_LATEST into bin/alertmanager-latest (once)" >&2
  src="$("$GO" mod download -json "github.com/prometheus/alertmanager@$AM_LATEST" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  cp -r "$src" "$tmp/am" && chmod -R u+w "$tmp/am"
  for ui in elm mantine; do
    mkdir -p "$tmp/am/ui/app/dist/$ui" && echo '<!doctype html><title>no UI</title>' >"$tmp/am/ui/app/dist/$ui/index.html"
  done
  (cd "$tmp/am" && GOFLAGS=-buildvcs=false CGO_ENABLED=0 "$GO" build -o "$OLDPWD/bin/alertmanager-latest" ./cmd/alertmanager)
fi
