# gossipscope: `make run` serves the page with a live 5-node lab cluster;
# `make test` runs every test; `make bench` writes docs/benchmarks.md.
GO      ?= go
ADDR    ?= 127.0.0.1:8080
LAB     ?= 5
# The lab's first node's ports; node i adds 2i. Clear of Alertmanager's own
# 9093/9094, so `make run` works beside a real Alertmanager.
LAB_API_PORT    ?= 19093
LAB_GOSSIP_PORT ?= 19094
# The real Alertmanagers of the interop tests; built into bin/ when missing.
ALERTMANAGER        ?= $(CURDIR)/bin/alertmanager
ALERTMANAGER_LATEST ?= $(CURDIR)/bin/alertmanager-latest
export ALERTMANAGER ALERTMANAGER_LATEST
BIN     := bin/gossipscope
GOROOT  := $(shell $(GO) env GOROOT)
WASMEXEC := $(firstword $(wildcard $(GOROOT)/lib/wasm/wasm_exec.js $(GOROOT)/misc/wasm/wasm_exec.js))

.PHONY: all run build web wasm test vet fmt-check bench clean alertmanagers

all: build

# The page's WebAssembly and the Go runtime's JS glue, both generated.
wasm: web/gossipscope.wasm web/gossipscope.wasm.sha256 web/memlab.wasm web/memlab.wasm.sha256 web/wasm_exec.js

# Each program is rebuilt when any of our Go files it compiles changes.
wasm_src = $(shell GOOS=js GOARCH=wasm $(GO) list -deps -f '{{if .Module}}{{if .Module.Main}}{{range .GoFiles}}{{$$.Dir}}/{{.}} {{end}}{{end}}{{end}}' $(1) 2>/dev/null)

# Built with ebiten plus patches/ebiten/*.patch (scripts/build-wasm.sh).
web/gossipscope.wasm: $(call wasm_src,./wasm) go.mod go.sum $(wildcard patches/ebiten/*.patch) scripts/build-wasm.sh
	GO=$(GO) ./scripts/build-wasm.sh

# The page's wasm precompressed (gzip, brotli) for the server to send as
# is; the .sha256 names the build they were made from.
web/gossipscope.wasm.sha256: web/gossipscope.wasm scripts/precompress.sh
	./scripts/precompress.sh web/gossipscope.wasm

# The memberlist mode's own program (real memberlist nodes in the page),
# fetched only when that mode is chosen: see web/memlab.js.
web/memlab.wasm: $(call wasm_src,./wasm/memlab) go.mod go.sum
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags='-s -w' -o $@ ./wasm/memlab

# Precompressed like the page's: 17 MB raw, about 3.8 MB gzip; the server
# would otherwise gzip it at every start.
web/memlab.wasm.sha256: web/memlab.wasm scripts/precompress.sh
	./scripts/precompress.sh web/memlab.wasm

web/wasm_exec.js: $(WASMEXEC)
	cp $< $@

# A static copy of the page that any static host can serve, no server.
web: wasm
	rm -rf dist && mkdir -p dist
	cp -r index.html web assets dist/

# The server embeds the page, so the page is built first.
build: wasm
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/gossipscope

run: build
	./$(BIN) serve --web.listen-address $(ADDR) --lab $(LAB) \
		--lab.api-port $(LAB_API_PORT) --lab.gossip-port $(LAB_GOSSIP_PORT)

# The second line also proves that a gossip peer with its state (cluster,
# silence, nflog, notify, wire) builds for the browser.
vet:
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./wasm/... ./scene/... ./engine/... ./protocol/... \
		./wire/... ./cluster/... ./silence/... ./nflog/... ./notify/... ./memnet/... ./memlab/...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# Browser tests need the built page and Chromium; interop tests run real
# Alertmanagers (v0.27.0 with amtool, and the newest release), which
# scripts/alertmanager.sh builds into bin/ once (ALERTMANAGER=path and
# ALERTMANAGER_LATEST=path use others). Under CI=true a missing Chromium
# fails the run instead of skipping.
alertmanagers:
	@if [ ! -x "$(ALERTMANAGER)" ] || [ ! -x "$(ALERTMANAGER_LATEST)" ]; then GO=$(GO) ./scripts/alertmanager.sh; fi

# The engine runs on one goroutine but for its trial workers: its sweeps run
# without the race detector (which made them ~10x slower for nothing to
# find), alongside the race run of everything else; its workers' test runs
# under the race detector too.
test: vet fmt-check wasm alertmanagers
	@set -e; \
	$(GO) test -count=1 -timeout 30m ./engine/... & engine=$$!; \
	$(GO) test -race -count=1 -timeout 30m $$($(GO) list ./... | grep -v '/engine\(/\|$$\)') || { wait $$engine; exit 1; }; \
	wait $$engine; \
	$(GO) test -race -count=1 -run 'Workers' ./engine

bench: wasm
	./scripts/bench.sh

clean:
	rm -rf bin dist .build web/gossipscope.wasm web/gossipscope.wasm.* web/memlab.wasm web/wasm_exec.js
