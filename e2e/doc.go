// Package e2e drives the real page in real headless Chromium: it builds the
// gossipscope server binary, serves the page on a loopback port and checks,
// through the page's JS API and the pixels of screenshots, that the
// simulation runs, draws, pauses, reproduces from its URL and survives bad
// recordings. BenchmarkPage measures frames per second and Go time per
// frame for `make bench` (scripts/bench-page.sh).
//
// Chromium comes from $CHROMIUM or PATH; without it the tests skip, except
// under CI=true, where they fail. They also need web/gossipscope.wasm
// (`make wasm`). Screenshots go to artifacts/ at the repository's root.
package e2e
