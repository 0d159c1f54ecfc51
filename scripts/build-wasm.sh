#!/usr/bin/env bash
# Builds the page's WebAssembly, web/gossipscope.wasm, with ebiten as
# go.mod pins it plus the patches in patches/ebiten/ (docs/architecture.md,
# "ebiten, patched"): the module is copied from Go's module cache into
# .build/, patched there, and used through a copy of go.mod that replaces
# ebiten with it. go.mod itself is untouched, so `go build ./...` and the
# native tests use ebiten as released; only the page's wasm is patched.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
root=$PWD
mod=github.com/hajimehoshi/ebiten/v2
ver=$($GO list -m -f '{{.Version}}' "$mod")
src=$($GO mod download -json "$mod@$ver" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$src" ] || { echo "build-wasm: $mod@$ver is not in the module cache" >&2; exit 1; }
dst=$root/.build/ebiten-$ver
stamp=$dst/.gossipscope-patches
want=$(cat patches/ebiten/*.patch scripts/build-wasm.sh | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  rm -rf "$dst"
  mkdir -p "$dst"
  cp -R "$src/." "$dst/"
  chmod -R u+w "$dst"
  rm -rf "$dst/examples" # not needed, and most of the module's size
  for p in patches/ebiten/*.patch; do
    patch -s -p1 -d "$dst" <"$p"
  done
fi
cp go.mod .build/go.wasm.mod
cp go.sum .build/go.wasm.sum
$GO mod edit -modfile=.build/go.wasm.mod -replace="$mod=$dst"
ir=$dst/internal/builtinir
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] && [ -d "$ir/gen" ]; then
  # Patch 0008: ebiten's built-in shaders compiled here (natively, with this
  # module's dependencies) rather than in the page's init; the package's
  # test checks them against ebiten's own shader compiler.
  $GO run -modfile=.build/go.wasm.mod "$mod/internal/builtinir/gen" >"$ir/ir.go.new"
  mv "$ir/ir.go.new" "$ir/ir.go"
  out=$($GO test -modfile=.build/go.wasm.mod -count=1 "$mod/internal/builtinir" 2>&1) ||
    { echo "$out" >&2; echo "build-wasm: ebiten's built-in shaders compiled ahead differ from its compiler's" >&2; exit 1; }
fi
echo "$want" >"$stamp"
GOOS=js GOARCH=wasm $GO build -modfile=.build/go.wasm.mod -trimpath -ldflags='-s -w' -o web/gossipscope.wasm ./wasm
