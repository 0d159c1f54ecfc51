package server

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gossipscope/gossipscope"
)

// testPage is a small page with one file of each kind the real one has.
func testPage() fstest.MapFS {
	big := strings.Repeat("function gossip() { return 42; }\n", 200)
	return fstest.MapFS{
		"index.html":           {Data: []byte("<!doctype html><title>t</title>" + strings.Repeat("<p>hello</p>", 100))},
		"web/app.js":           {Data: []byte(big)},
		"web/style.css":        {Data: []byte(strings.Repeat("body { color: red; }\n", 100))},
		"web/gossipscope.wasm": {Data: append([]byte("\x00asm\x01\x00\x00\x00"), bytes.Repeat([]byte{0, 1, 2, 3}, 4096)...)},
		"web/rec.jsonl":        {Data: []byte(strings.Repeat(`{"type":"note","t":0,"text":"x"}`+"\n", 50))},
		"web/tiny.js":          {Data: []byte("1")},
		"assets/font.ttf":      {Data: bytes.Repeat([]byte("ttf-data"), 500)},
		"assets/font.woff2":    {Data: bytes.Repeat([]byte{9, 8, 7}, 500)},
	}
}

func get(t *testing.T, h http.Handler, method, target string, hdr map[string]string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func readBody(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("Content-Encoding gzip but the body is not gzip: %v", err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			t.Fatalf("bad gzip body: %v", err)
		}
	}
	return b
}

func TestPageContentTypesAndCompression(t *testing.T) {
	files := testPage()
	h := newPageHandler(files)
	cases := []struct {
		path, file, ctype string
		gzip              bool
	}{
		{"/", "index.html", "text/html; charset=utf-8", true},
		{"/index.html", "index.html", "text/html; charset=utf-8", true},
		{"/web/app.js", "web/app.js", "text/javascript; charset=utf-8", true},
		{"/web/style.css", "web/style.css", "text/css; charset=utf-8", true},
		{"/web/gossipscope.wasm", "web/gossipscope.wasm", "application/wasm", true},
		{"/web/rec.jsonl", "web/rec.jsonl", "application/jsonl; charset=utf-8", true},
		{"/web/tiny.js", "web/tiny.js", "text/javascript; charset=utf-8", false}, // too small to gain
		{"/assets/font.ttf", "assets/font.ttf", "font/ttf", true},
		{"/assets/font.woff2", "assets/font.woff2", "font/woff2", false}, // already compressed
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			want := files[c.file].Data
			resp := get(t, h, "GET", c.path, map[string]string{"Accept-Encoding": "gzip, deflate, br"})
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if got := resp.Header.Get("Content-Type"); got != c.ctype {
				t.Errorf("Content-Type %q, want %q", got, c.ctype)
			}
			if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", got)
			}
			gz := resp.Header.Get("Content-Encoding") == "gzip"
			if gz != c.gzip {
				t.Errorf("gzip %v, want %v", gz, c.gzip)
			}
			raw, _ := io.ReadAll(resp.Body)
			if gz && len(raw) >= len(want) {
				t.Errorf("gzip body %d bytes is not smaller than the file's %d", len(raw), len(want))
			}
			resp.Body = io.NopCloser(bytes.NewReader(raw))
			if got := readBody(t, resp); !bytes.Equal(got, want) {
				t.Errorf("body differs from the file (%d vs %d bytes)", len(got), len(want))
			}

			// Without Accept-Encoding the same bytes come uncompressed.
			plain := get(t, h, "GET", c.path, nil)
			if plain.Header.Get("Content-Encoding") != "" {
				t.Errorf("compressed without Accept-Encoding")
			}
			if got := readBody(t, plain); !bytes.Equal(got, want) {
				t.Errorf("identity body differs from the file")
			}
			if gz && !strings.Contains(plain.Header.Get("Vary"), "Accept-Encoding") {
				t.Errorf("Vary %q lacks Accept-Encoding", plain.Header.Get("Vary"))
			}
		})
	}
}

func TestPageAcceptEncodingQValues(t *testing.T) {
	h := newPageHandler(testPage())
	for header, want := range map[string]bool{
		"gzip":                  true,
		"GZIP":                  true,
		"br;q=1.0, gzip;q=0.8":  true,
		"gzip;q=0":              false,
		"gzip; q=0.000":         false,
		"*":                     true,
		"*;q=0":                 false,
		"identity":              false,
		"gzip;q=0, *":           false,
		"deflate, x-gzip":       true,
		"":                      false,
		";;;,,,=":               false,
		"gzip;q=nonsense":       true, // unparsable q: the default, 1
		"identity;q=1, *;q=0.5": true,
	} {
		resp := get(t, h, "GET", "/web/app.js", map[string]string{"Accept-Encoding": header})
		if got := resp.Header.Get("Content-Encoding") == "gzip"; got != want {
			t.Errorf("Accept-Encoding %q: gzip %v, want %v", header, got, want)
		}
	}
}

func TestPageMethodsMissingAndRevalidation(t *testing.T) {
	h := newPageHandler(testPage())

	resp := get(t, h, "POST", "/", nil)
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: status %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
	for _, p := range []string{"/nope.js", "/web/", "/web", "/../../etc/passwd", "/web/../../go.mod"} {
		if resp := get(t, h, "GET", p, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", p, resp.StatusCode)
		}
	}
	// Misses are not cached: made-up names cannot grow memory.
	for i := 0; i < 100; i++ {
		get(t, h, "GET", "/missing-"+strings.Repeat("x", i), nil)
	}
	h.mu.Lock()
	n := len(h.cache)
	h.mu.Unlock()
	if n > len(testPage()) {
		t.Errorf("cache holds %d entries for a page of %d files", n, len(testPage()))
	}

	head := get(t, h, "HEAD", "/web/app.js", map[string]string{"Accept-Encoding": "gzip"})
	if b, _ := io.ReadAll(head.Body); head.StatusCode != 200 || len(b) != 0 {
		t.Errorf("HEAD: status %d, %d body bytes", head.StatusCode, len(b))
	}

	first := get(t, h, "GET", "/web/gossipscope.wasm", map[string]string{"Accept-Encoding": "gzip"})
	etag := first.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	again := get(t, h, "GET", "/web/gossipscope.wasm", map[string]string{"Accept-Encoding": "gzip", "If-None-Match": etag})
	if again.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match with the current ETag: status %d, want 304", again.StatusCode)
	}
	// The identity and gzip forms are different representations.
	plain := get(t, h, "GET", "/web/gossipscope.wasm", map[string]string{"If-None-Match": etag})
	if plain.StatusCode != 200 {
		t.Errorf("the gzip ETag matched the identity form: status %d", plain.StatusCode)
	}
	// A different file's content gives a different ETag.
	other := get(t, h, "GET", "/web/app.js", map[string]string{"Accept-Encoding": "gzip"})
	if other.Header.Get("ETag") == etag {
		t.Error("two files share an ETag")
	}
}

// TestEmbeddedPageIsComplete serves the real embedded page and checks that
// every file index.html refers to is there, with its right content type:
// a missing script would only show in a browser otherwise.
func TestEmbeddedPageIsComplete(t *testing.T) {
	h := newPageHandler(gossipscope.Page)
	resp := get(t, h, "GET", "/", map[string]string{"Accept-Encoding": "gzip"})
	if resp.StatusCode != 200 {
		t.Fatalf("GET /: status %d", resp.StatusCode)
	}
	html := string(readBody(t, resp))
	if !strings.Contains(html, `id="bar"`) || !strings.Contains(html, `id="panel"`) {
		t.Fatal("index.html lacks the control bar or the panel")
	}
	refs := regexp.MustCompile(`(?:src|href)="([^"#:]+)"`).FindAllStringSubmatch(html, -1)
	if len(refs) < 4 {
		t.Fatalf("index.html refers to only %d files", len(refs))
	}
	wantType := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
	built := os.Getenv("CI") == "true" // make test builds the wasm first
	if _, err := fs.Stat(gossipscope.Page, "web/gossipscope.wasm"); err == nil {
		built = true
	}
	for _, m := range refs {
		ref := m[1]
		if strings.HasPrefix(ref, "/") {
			t.Errorf("%s: absolute URL; the page must work from any directory of a static host", ref)
		}
		if ref == "web/wasm_exec.js" && !built {
			continue // generated by make wasm
		}
		resp := get(t, h, "GET", "/"+ref, nil)
		if resp.StatusCode != 200 {
			t.Errorf("index.html refers to %s, which is not served (status %d)", ref, resp.StatusCode)
			continue
		}
		for ext, ct := range wantType {
			if strings.HasSuffix(ref, ext) && resp.Header.Get("Content-Type") != ct {
				t.Errorf("%s: Content-Type %q, want %q", ref, resp.Header.Get("Content-Type"), ct)
			}
		}
	}
	if built {
		resp := get(t, h, "GET", "/web/gossipscope.wasm", map[string]string{"Accept-Encoding": "gzip"})
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/wasm" || resp.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("wasm: status %d, type %q, encoding %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Encoding"))
		}
		if b := readBody(t, resp); !bytes.HasPrefix(b, []byte("\x00asm")) {
			t.Error("the served wasm does not start with the wasm magic number")
		}
	}
}

// TestPagePrecompressedVariants: the wasm's brotli and gzip forms made at
// build time are sent as they are, chosen by Accept-Encoding, each with
// its own ETag (a reload with it is a 304); forms made from other bytes
// than the file's (a stale build) are never sent.
func TestPagePrecompressedVariants(t *testing.T) {
	body := append([]byte("\x00asm\x01\x00\x00\x00"), bytes.Repeat([]byte("gossip wasm "), 5000)...)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(body)
	zw.Close()
	br := []byte("brotli bytes, sent as they are") // the server never decodes them
	sum := sha256.Sum256(body)
	page := func(stamp string) fstest.MapFS {
		return fstest.MapFS{
			"web/gossipscope.wasm":        {Data: body},
			"web/gossipscope.wasm.gz":     {Data: gz.Bytes()},
			"web/gossipscope.wasm.br":     {Data: br},
			"web/gossipscope.wasm.sha256": {Data: []byte(stamp + "\n")},
		}
	}
	h := newPageHandler(page(hex.EncodeToString(sum[:])))
	etags := map[string]string{}
	for _, c := range []struct{ accept, want string }{
		{"gzip, deflate, br, zstd", "br"}, // what Chromium sends
		{"br", "br"},
		{"gzip", "gzip"},
		{"gzip;q=1, br;q=0.5", "gzip"},
		{"br;q=0, *", "gzip"},
		{"*", "br"},
		{"identity", ""},
		{"", ""},
	} {
		resp := get(t, h, "GET", "/web/gossipscope.wasm", map[string]string{"Accept-Encoding": c.accept})
		got := resp.Header.Get("Content-Encoding")
		if got != c.want {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", c.accept, got, c.want)
			continue
		}
		if !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("Accept-Encoding %q: Vary %q", c.accept, resp.Header.Get("Vary"))
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/wasm" {
			t.Errorf("Accept-Encoding %q: Content-Type %q", c.accept, ct)
		}
		raw, _ := io.ReadAll(resp.Body)
		want := map[string][]byte{"br": br, "gzip": gz.Bytes(), "": body}[c.want]
		if !bytes.Equal(raw, want) {
			t.Errorf("Accept-Encoding %q: %d bytes, not the %q form (%d bytes)", c.accept, len(raw), c.want, len(want))
		}
		etags[c.want] = resp.Header.Get("ETag")
	}
	if len(etags) != 3 || etags["br"] == etags["gzip"] || etags["br"] == etags[""] || etags["gzip"] == etags[""] {
		t.Errorf("each form needs its own ETag: %v", etags)
	}
	// A reload revalidates: 304 for the form the client has, 200 for another.
	again := get(t, h, "GET", "/web/gossipscope.wasm", map[string]string{"Accept-Encoding": "gzip, br", "If-None-Match": etags["br"]})
	if again.StatusCode != http.StatusNotModified {
		t.Errorf("reload with the brotli ETag: status %d, want 304", again.StatusCode)
	}
	if b, _ := io.ReadAll(again.Body); len(b) != 0 {
		t.Errorf("a 304 with %d body bytes", len(b))
	}
	other := get(t, h, "GET", "/web/gossipscope.wasm", map[string]string{"Accept-Encoding": "gzip", "If-None-Match": etags["br"]})
	if other.StatusCode != http.StatusOK {
		t.Errorf("the brotli ETag for a gzip request: status %d, want 200", other.StatusCode)
	}

	// Forms from another build are ignored: gzip made here, no brotli.
	stale := newPageHandler(page(strings.Repeat("0", 64)))
	resp := get(t, stale, "GET", "/web/gossipscope.wasm", map[string]string{"Accept-Encoding": "br, gzip"})
	if ce := resp.Header.Get("Content-Encoding"); ce != "gzip" {
		t.Fatalf("stale variants: Content-Encoding %q, want gzip made by the server", ce)
	}
	if got := readBody(t, resp); !bytes.Equal(got, body) {
		t.Errorf("stale variants: the gzip body is not the file (%d bytes)", len(got))
	}
}
