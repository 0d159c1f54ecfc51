package main

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

// pageHandler serves the embedded page. Files are compressed once, on first
// request, and kept: the wasm binary shrinks about fourfold with gzip and
// recompressing it per request would cost more than serving it.
type pageHandler struct {
	files fs.FS
	mu    sync.Mutex
	gz    map[string][]byte
	start time.Time
}

func newPageHandler(files fs.FS) *pageHandler {
	return &pageHandler{files: files, gz: map[string][]byte{}, start: time.Now()}
}

func (h *pageHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
	if name == "" {
		name = "index.html"
	}
	body, err := fs.ReadFile(h.files, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = http.DetectContentType(body)
	}
	hd := w.Header()
	hd.Set("Content-Type", ctype)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-cache") // revalidate: a rebuilt wasm must not be stale
	hd.Add("Vary", "Accept-Encoding")
	if compressible(ctype) && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		hd.Set("Content-Encoding", "gzip")
		body = h.gzipped(name, body)
	}
	http.ServeContent(w, r, "", h.start, bytes.NewReader(body))
}

func (h *pageHandler) gzipped(name string, body []byte) []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	if z, ok := h.gz[name]; ok {
		return z
	}
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zw.Write(body)
	zw.Close()
	h.gz[name] = b.Bytes()
	return h.gz[name]
}

func compressible(ctype string) bool {
	for _, p := range []string{"text/", "application/wasm", "application/javascript", "text/javascript", "application/json", "image/svg"} {
		if strings.HasPrefix(ctype, p) {
			return true
		}
	}
	return false
}
