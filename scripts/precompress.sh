#!/usr/bin/env bash
# Precompresses the page's big files at build time for the server
# (server/page.go): FILE.gz (gzip -9), FILE.br (brotli -q 11, with the
# Debian package brotli's command, the reference encoder; skipped with a
# note when it is not installed, and the server then sends gzip) and
# FILE.sha256, the hash of the FILE they were made from, so that a server
# never sends a variant left from an older build.
set -euo pipefail
for f in "$@"; do
  rm -f "$f.gz" "$f.br" "$f.sha256"
  gzip -9 -n -c "$f" >"$f.gz.tmp"
  mv "$f.gz.tmp" "$f.gz"
  if command -v brotli >/dev/null 2>&1; then
    brotli -q 11 -w 24 -f -o "$f.br.tmp" "$f"
    mv "$f.br.tmp" "$f.br"
  else
    echo "precompress: no brotli command (Debian: apt-get install brotli); $f.br skipped, the server sends gzip" >&2
  fi
  sha256sum "$f" | cut -d' ' -f1 >"$f.sha256"
done
