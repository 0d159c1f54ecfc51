// Package gossipscope holds the page's files so the server can embed them.
// `make web` builds web/gossipscope.wasm and copies web/wasm_exec.js from
// the Go toolchain before the server is built; without them the page
// explains how to build them.
package gossipscope

import "embed"

// Page is index.html, web/ and assets/, as served at the site's root.
//
//go:embed index.html web assets
var Page embed.FS
