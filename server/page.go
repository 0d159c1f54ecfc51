package server

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

// pageHandler serves the embedded page. Every file has an ETag (a hash of
// its bytes), so a reload revalidates with a 304 instead of downloading
// again. The wasm is precompressed at build time (scripts/precompress.sh:
// NAME.gz and NAME.br beside NAME, with NAME.sha256 naming the bytes they
// were made from); other files are gzipped once here and kept. Which form
// is sent follows Accept-Encoding: brotli, gzip or identity. Loading and
// compressing starts in the background when the handler is made, so the
// first visitor does not wait.
type pageHandler struct {
	files fs.FS
	start time.Time

	mu    sync.Mutex
	cache map[string]*pageFile
}

// pageFile is one file's bytes, its compressed forms (nil when absent or
// not worth it) and its ETag, computed once.
type pageFile struct {
	once  sync.Once
	body  []byte
	gz    []byte
	br    []byte
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
	if f.gz != nil || f.br != nil {
		hd.Add("Vary", "Accept-Encoding")
		// Each form is its own representation, with its own ETag.
		switch chooseEncoding(r.Header.Get("Accept-Encoding"), f.br != nil, f.gz != nil) {
		case "br":
			hd.Set("Content-Encoding", "br")
			body = f.br
			etag = strings.TrimSuffix(etag, `"`) + `-br"`
		case "gzip":
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
	if f.loadPrecompressed(files, name, sum) {
		return
	}
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

// loadPrecompressed takes NAME.gz and NAME.br made at build time, if
// NAME.sha256 says they were made from these very bytes (sum): a variant
// left from an older build is never sent. It reports whether it found any.
func (f *pageFile) loadPrecompressed(files fs.FS, name string, sum [32]byte) bool {
	stamp, err := fs.ReadFile(files, name+".sha256")
	if err != nil || strings.TrimSpace(string(stamp)) != hex.EncodeToString(sum[:]) {
		return false
	}
	gz, _ := fs.ReadFile(files, name+".gz")
	br, _ := fs.ReadFile(files, name+".br")
	if len(gz) > 0 && len(gz) < len(f.body) {
		f.gz = gz
	}
	if len(br) > 0 && len(br) < len(f.body) {
		f.br = br
	}
	return f.gz != nil || f.br != nil
}

// chooseEncoding picks the form to send for an Accept-Encoding header:
// "br", "gzip" or "" (identity), among the forms there are. The client's
// highest q-value wins, brotli on a tie (it is smaller); q=0 refuses a
// coding, and "*" stands for the codings not named, as RFC 9110 defines.
func chooseEncoding(header string, haveBr, haveGzip bool) string {
	q := map[string]float64{}
	star := -1.0
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding == "x-gzip" {
			coding = "gzip"
		}
		if coding == "" {
			continue
		}
		v := 1.0
		for _, p := range strings.Split(params, ";") {
			k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
					v = f
				}
			}
		}
		if coding == "*" {
			star = v
			continue
		}
		if old, ok := q[coding]; !ok || v > old {
			q[coding] = v
		}
	}
	weight := func(coding string) float64 {
		if v, ok := q[coding]; ok {
			return v
		}
		return star
	}
	best, bestQ := "", 0.0
	if haveBr && weight("br") > bestQ {
		best, bestQ = "br", weight("br")
	}
	if haveGzip && weight("gzip") > bestQ {
		best = "gzip"
	}
	return best
}

func compressible(ctype string) bool {
	for _, p := range []string{"text/", "application/wasm", "application/javascript", "application/json", "application/jsonl", "image/svg", "font/ttf", "font/otf"} {
		if strings.HasPrefix(ctype, p) {
			return true
		}
	}
	return false
}
