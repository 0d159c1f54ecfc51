package e2e

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// wasmTiming is the Resource Timing entry of the page's wasm download.
type wasmTiming struct {
	Transfer float64 `json:"transferSize"`
	Encoded  float64 `json:"encodedBodySize"`
	Decoded  float64 `json:"decodedBodySize"`
}

const wasmTimingJS = `(() => {
	const e = performance.getEntriesByName(new URL("web/gossipscope.wasm", location.href).href)[0];
	return e ? {transferSize: e.transferSize, encodedBodySize: e.encodedBodySize, decodedBodySize: e.decodedBodySize} : null; })()`

// TestWasmDownloadPrecompressedAndRevalidated: the browser gets the wasm
// in its build-time brotli form (gzip when the build had no brotli), and a
// reload downloads nothing but headers (the ETag makes it a 304).
func TestWasmDownloadPrecompressedAndRevalidated(t *testing.T) {
	ctx := newTab(t, 2*time.Minute)
	openPage(t, ctx, pageURL("nodes=10&seed=1"))
	first := eval[wasmTiming](t, ctx, wasmTimingJS)
	raw, err := os.Stat(filepath.Join(repoRoot, "web", "gossipscope.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	if first.Decoded != float64(raw.Size()) {
		t.Errorf("decoded %v bytes, the wasm has %d", first.Decoded, raw.Size())
	}
	want := "gossipscope.wasm.br"
	if _, err := os.Stat(filepath.Join(repoRoot, "web", want)); err != nil {
		want = "gossipscope.wasm.gz"
	}
	sent, err := os.Stat(filepath.Join(repoRoot, "web", want))
	if err != nil {
		t.Fatalf("no precompressed wasm (make wasm makes it): %v", err)
	}
	if first.Encoded != float64(sent.Size()) {
		t.Errorf("the browser got %v bytes; %s has %d", first.Encoded, want, sent.Size())
	}
	t.Logf("first visit: %.0f bytes over the wire for %.0f (%s)", first.Transfer, first.Decoded, want)

	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatalf("reload: %v", err)
	}
	waitFor(t, ctx, time.Minute, "the page to start again", `window.gossipscopePage && gossipscopePage.ready`)
	again := eval[wasmTiming](t, ctx, wasmTimingJS)
	if again.Transfer > 4096 || again.Transfer <= 0 {
		t.Errorf("reload: %.0f bytes over the wire for the wasm; want only headers (a 304)", again.Transfer)
	}
	if again.Decoded != float64(raw.Size()) {
		t.Errorf("reload: decoded %v bytes, want %d", again.Decoded, raw.Size())
	}
}

// TestMissingWasmSaysHowToBuildIt: index.html starts fetching the wasm
// before the page's scripts run; when it is not there, the page says so
// and how to build it, instead of hanging on "Loading".
func TestMissingWasmSaysHowToBuildIt(t *testing.T) {
	needBrowser(t)
	files := http.FileServer(http.Dir(repoRoot))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, ".wasm") {
			http.NotFound(w, r)
			return
		}
		files.ServeHTTP(w, r)
	}))
	defer srv.Close()
	ctx := newTab(t, time.Minute)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, 30*time.Second, "the page to give up booting", `document.body.classList.contains("boot-failed")`)
	if msg := eval[string](t, ctx, `document.getElementById("boot-text").textContent`); !strings.Contains(msg, "HTTP 404") || !strings.Contains(msg, "make wasm") {
		t.Fatalf("boot message %q: want the HTTP status and how to build the wasm", msg)
	}
}

// TestStartupMarkedAndWasmFetchedOnce: the page marks its start-up steps
// (Performance marks named gs:, in the order they happen), and the preload
// in index.html and the fetch that compiles the wasm share one download.
func TestStartupMarkedAndWasmFetchedOnce(t *testing.T) {
	ctx := newTab(t, 2*time.Minute)
	openPage(t, ctx, pageURL("nodes=10&seed=1"))
	waitFor(t, ctx, time.Minute, "the first frame on screen", `performance.getEntriesByName("gs:shown").length > 0`)
	marks := eval[[]string](t, ctx, `performance.getEntriesByType("mark").map((m) => m.name).filter((n) => n.startsWith("gs:"))`)
	want := []string{"gs:compiled", "gs:instantiated", "gs:main", "gs:ready", "gs:drawn", "gs:first-frame", "gs:shown"}
	if !slices.Equal(marks, want) {
		t.Errorf("start-up marks %q, want %q", marks, want)
	}
	// Shown comes after the rendering update in which the page noticed the
	// frame: first-frame, at the earliest in the same update.
	if !eval[bool](t, ctx, `(() => { const at = (n) => performance.getEntriesByName(n)[0].startTime;
		return at("gs:drawn") <= at("gs:first-frame") && at("gs:first-frame") <= at("gs:shown"); })()`) {
		t.Errorf("start-up marks out of time order: %v", eval[any](t, ctx, `performance.getEntriesByType("mark").map((m) => [m.name, m.startTime])`))
	}
	if n := eval[int](t, ctx, `performance.getEntriesByName(new URL("web/gossipscope.wasm", location.href).href).length`); n != 1 {
		t.Errorf("the wasm was requested %d times; the preload and the fetch should share one request", n)
	}
}
