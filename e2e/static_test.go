package e2e

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStaticCopyWorksWithoutServer serves the page's files the way a plain
// static host does (a sub-directory, .wasm as application/octet-stream, no
// /ws) and checks that the page boots, runs, and hides the live lab.
func TestStaticCopyWorksWithoutServer(t *testing.T) {
	needBrowser(t)
	base := staticHost(t)
	ctx := newTab(t, 2*time.Minute)
	openPage(t, ctx, base+"?nodes=40&seed=2&panel=1")
	if st := state(t, ctx); st.Nodes != 40 {
		t.Fatalf("static page runs %d nodes, want 40", st.Nodes)
	}
	assertStillRuns(t, ctx)
	waitFor(t, ctx, 10*time.Second, "the live probe to give up", `gossipscopePage.liveAvailable === false`)
	if !eval[bool](t, ctx, `document.getElementById("live-controls").hidden && [...document.querySelectorAll("#presets button.live")].every(b => b.disabled)`) {
		t.Error("live controls offered on a static host")
	}
	if errs := eval[[]string](t, ctx, `gossipscopePage.errors`); len(errs) > 0 {
		t.Errorf("errors on a static host: %q", errs)
	}
}

// staticHost serves a copy of the page's files the way a plain static host
// does (under /course/gossip/, .wasm as application/octet-stream, no /ws,
// no api/live) until the test ends, and returns the page's URL.
func staticHost(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, p := range []string{"index.html", "web", "assets"} {
		if err := copyTree(filepath.Join(repoRoot, p), filepath.Join(dir, p)); err != nil {
			t.Fatal(err)
		}
	}
	files := http.StripPrefix("/course/gossip/", http.FileServer(http.Dir(dir)))
	mux := http.NewServeMux()
	mux.HandleFunc("/course/gossip/", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, ".wasm") {
			w.Header().Set("Content-Type", "application/octet-stream") // many hosts do
		}
		files.ServeHTTP(w, r)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String() + "/course/gossip/"
}

func copyTree(src, dst string) error {
	return filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o644)
	})
}

// TestControlsHaveNames: every control a person can reach has a name a
// screen reader can say, and the controls can be reached by keyboard.
func TestControlsHaveNames(t *testing.T) {
	ctx := newTab(t, time.Minute)
	openPage(t, ctx, pageURL("nodes=20&panel=1"))
	unnamed := eval[[]string](t, ctx, `(() => {
		const bad = [];
		for (const el of document.querySelectorAll("button, input, select, textarea")) {
			if (el.closest("[hidden]") || el.type === "hidden") continue;
			const named = (el.labels && el.labels.length > 0) || el.getAttribute("aria-label") ||
				el.getAttribute("aria-labelledby") || (el.tagName === "BUTTON" && el.textContent.trim() !== "");
			if (!named) bad.push(el.outerHTML.slice(0, 80));
		}
		return bad; })()`)
	if len(unnamed) > 0 {
		t.Errorf("controls without an accessible name: %q", unnamed)
	}
	negative := eval[int](t, ctx, `[...document.querySelectorAll("#bar [tabindex], #panel [tabindex]")].filter(e => e.tabIndex < 0).length`)
	if negative > 0 {
		t.Errorf("%d controls are out of the keyboard's reach", negative)
	}
	// The timeline is a scrubber: moving it moves the playhead.
	api(t, ctx, "pause()")
	eval[bool](t, ctx, `(() => { const tl = document.getElementById("timeline"); tl.max = "10000"; tl.value = "1200"; tl.dispatchEvent(new Event("input")); return true; })()`)
	if st := state(t, ctx); st.T < 1199 || st.T > 1201 {
		t.Errorf("timeline at 1200 ms: t = %v", st.T)
	}
}
