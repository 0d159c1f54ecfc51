package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// pageTypes are the content types of the page's own files. They are fixed
// here rather than left to mime.TypeByExtension, which reads the host's
// /etc/mime.types and so differs between machines (browsers refuse to
// stream-compile wasm served as anything but application/wasm).
var pageTypes = map[string]string{
	".html":  "text/html; charset=utf-8",
	".css":   "text/css; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".mjs":   "text/javascript; charset=utf-8",
	".json":  "application/json",
	".jsonl": "application/jsonl; charset=utf-8",
	".wasm":  "application/wasm",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".ico":   "image/x-icon",
	".ttf":   "font/ttf",
	".otf":   "font/otf",
	".woff":  "font/woff",
	".woff2": "font/woff2",
	".txt":   "text/plain; charset=utf-8",
	".md":    "text/markdown; charset=utf-8",
}

// pageHandler serves the embedded page. Files are compressed once and kept:
// the wasm binary shrinks about fourfold with gzip, and recompressing it per
// request would cost more than serving it. Compression starts in the
// background when the handler is made, so the first visitor does not wait.
type pageHandler struct {
	files fs.FS
	start time.Time

	mu    sync.Mutex
	cache map[string]*pageFile
}

// pageFile is one file's bytes, its gzip form (nil when not worth it) and
// its ETag, computed once.
type pageFile struct {
	once  sync.Once
	body  []byte
	gz    []byte
	etag  string
	ctype string
	err   error
}

func newPageHandler(files fs.FS) *pageHandler {
	h := &pageHandler{files: files, start: time.Now(), cache: map[string]*pageFile{}}
	go h.warm()
	return h
}

// warm loads and compresses every file ahead of the first request.
func (h *pageHandler) warm() {
	fs.WalkDir(h.files, ".", func(name string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			h.file(name)
		}
		return nil
	})
}

func (h *pageHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" {
		name = "index.html"
	}
	f := h.file(name)
	if f.err != nil {
		http.NotFound(w, r)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", f.ctype)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-cache") // revalidate: a rebuilt wasm must not be stale
	body := f.body
	etag := f.etag
	if f.gz != nil {
		hd.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r.Header.Get("Accept-Encoding")) {
			hd.Set("Content-Encoding", "gzip")
			body = f.gz
			etag = strings.TrimSuffix(etag, `"`) + `-gz"`
		}
	}
	hd.Set("ETag", etag)
	http.ServeContent(w, r, "", h.start, bytes.NewReader(body))
}

// file returns the named file, loading and compressing it on first use.
// Concurrent first requests for one file wait for a single compression.
func (h *pageHandler) file(name string) *pageFile {
	h.mu.Lock()
	f, ok := h.cache[name]
	if !ok {
		f = &pageFile{}
		h.cache[name] = f
	}
	h.mu.Unlock()
	f.once.Do(func() { f.load(h.files, name) })
	if f.err != nil {
		// Forget misses, so that requests for made-up names cannot grow
		// the cache without bound.
		h.mu.Lock()
		if h.cache[name] == f {
			delete(h.cache, name)
		}
		h.mu.Unlock()
	}
	return f
}

func (f *pageFile) load(files fs.FS, name string) {
	body, err := fs.ReadFile(files, name)
	if err != nil {
		f.err = err
		return
	}
	f.body = body
	f.ctype = pageTypes[path.Ext(name)]
	if f.ctype == "" {
		f.ctype = mime.TypeByExtension(path.Ext(name))
	}
	if f.ctype == "" {
		f.ctype = http.DetectContentType(body)
	}
	sum := sha256.Sum256(body)
	f.etag = `"` + hex.EncodeToString(sum[:12]) + `"`
	if compressible(f.ctype) && len(body) > 256 {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		zw.Write(body)
		zw.Close()
		if b.Len() < len(body) {
			f.gz = b.Bytes()
		}
	}
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip,
// honouring "gzip;q=0" and "*" as RFC 9110 defines them.
func acceptsGzip(header string) bool {
	star := false
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "x-gzip" && coding != "*" {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		if coding == "*" {
			star = q > 0
			continue
		}
		return q > 0
	}
	return star
}

func compressible(ctype string) bool {
	for _, p := range []string{"text/", "application/wasm", "application/javascript", "application/json", "application/jsonl", "image/svg", "font/ttf", "font/otf"} {
		if strings.HasPrefix(ctype, p) {
			return true
		}
	}
	return false
}
