#!/usr/bin/env bash
# Tags a release that `go install github.com/gossipscope/gossipscope/cmd/gossipscope@VERSION`
# (and @latest) builds with its page: the tag points at a commit whose
# parent is the current commit and which adds the built page (web/*.wasm,
# their precompressed variants, web/wasm_exec.js), files that main ignores.
# The go command builds a module from the tagged tree, so the page is
# embedded; main's history never carries the multi-MB generated files
# (docs/architecture.md, "Installing"). Usage: scripts/release.sh v0.2.0
# then: git push origin v0.2.0
set -euo pipefail
cd "$(dirname "$0")/.."
ver=${1:?usage: scripts/release.sh vX.Y.Z}
[[ "$ver" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || { echo "release: $ver is not a semantic version vX.Y.Z" >&2; exit 2; }
[ -z "$(git status --porcelain --untracked-files=no)" ] || { echo "release: commit or stash your changes first" >&2; exit 1; }
make wasm
# The page's files must be what this commit builds: the server refuses a
# precompressed variant whose .sha256 does not match (server/page.go).
branch=$(git rev-parse --abbrev-ref HEAD)
git checkout -q --detach
trap 'git checkout -q "$branch"' EXIT
git add -f web/*.wasm web/*.wasm.* web/wasm_exec.js
git commit -q -m "release $ver: the built page, for go install"
git tag -a "$ver" -m "gossipscope $ver"
echo "tagged $ver at $(git rev-parse --short HEAD) (page included); push it with: git push origin $ver"
