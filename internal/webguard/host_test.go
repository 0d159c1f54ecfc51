package webguard

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestHostsAllowed(t *testing.T) {
	h, err := NewHosts("gossip.lan:8080", []string{"viz.example.org", ".corp.example"})
	if err != nil {
		t.Fatal(err)
	}
	for host, want := range map[string]bool{
		"":                      true, // HTTP/1.0, no browser
		"127.0.0.1:8080":        true,
		"127.0.0.1":             true,
		"[::1]:8080":            true,
		"10.1.2.3:8080":         true, // an IP literal cannot be rebound
		"localhost:8080":        true,
		"LOCALHOST:8080":        true,
		"app.localhost:8080":    true,
		"gossip.lan:8080":       true, // the listen address's own name
		"viz.example.org":       true,
		"corp.example:8080":     true,
		"a.b.corp.example:8080": true,
		"evil.example:8080":     false,
		"evil.example":          false,
		"localhost.evil.com":    false,
		"evilcorp.example":      false,
		"viz.example.org.evil":  false,
		"localhost.:8080":       false, // a trailing dot goes to DNS
		"127.0.0.1.nip.io:8080": false,
	} {
		if got := h.Allowed(host); got != want {
			t.Errorf("Allowed(%q) = %v, want %v", host, got, want)
		}
	}
	for _, bad := range []string{"*", ".", "http://x.org", "x.org:80"} {
		if _, err := NewHosts("127.0.0.1:0", []string{bad}); err == nil {
			t.Errorf("NewHosts accepted allowed host %q", bad)
		}
	}
}

func TestHostsHandlerRefuses(t *testing.T) {
	h, _ := NewHosts("127.0.0.1:8080", nil)
	hd := h.Handler("--web.allowed-hosts", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	for host, want := range map[string]int{"127.0.0.1:8080": 204, "localhost:8080": 204, "evil.example:8080": 403} {
		r := httptest.NewRequest("GET", "/ws", nil)
		r.Host = host
		w := httptest.NewRecorder()
		hd.ServeHTTP(w, r)
		if w.Code != want {
			t.Errorf("Host %s: %d, want %d", host, w.Code, want)
		}
	}
}
