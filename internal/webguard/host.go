// Package webguard protects gossipscope's HTTP servers (the page, /ws,
// /api/live and the nodes' Alertmanager API) from web pages the user
// happens to visit and from clients that hold connections: a Host check
// against DNS rebinding, connection limits, and server timeouts. It knows
// nothing of gossipscope's other packages.
package webguard

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Hosts decides which Host headers a server answers. A page on
// http://evil.example:8080 whose name the attacker re-points at 127.0.0.1
// (DNS rebinding) is same-origin with our server as far as the browser is
// concerned, so Origin checks pass; only the Host header still says
// evil.example. Allowed are, as Vite's dev server decides: IP literals (a
// browser sends one only when the user typed it: it cannot be rebound),
// "localhost" and *.localhost (browsers resolve them to loopback
// themselves, RFC 6761), the listen address's own host name, and the names
// given explicitly.
type Hosts struct {
	listen  string
	allowed []string
}

// NewHosts returns the guard for a server listening on listenAddr
// ("host:port") that also answers the names in allowed. An entry starting
// with "." allows that domain and every name under it ("." + "example.org"
// allows example.org and a.example.org).
func NewHosts(listenAddr string, allowed []string) (*Hosts, error) {
	h := &Hosts{}
	if host, _, err := net.SplitHostPort(listenAddr); err == nil {
		h.listen = strings.ToLower(host)
	}
	for _, a := range allowed {
		a = strings.ToLower(strings.TrimSpace(a))
		if a == "" {
			continue
		}
		if a == "*" || a == "." {
			return nil, fmt.Errorf("allowed host %q would answer any name and undo the DNS-rebinding guard; name the hosts", a)
		}
		if strings.ContainsAny(a, ":/ ") {
			return nil, fmt.Errorf("allowed host %q: give a host name without scheme or port", a)
		}
		h.allowed = append(h.allowed, a)
	}
	return h, nil
}

// Allowed reports whether a request's Host header (r.Host: "name:port",
// "name", "[::1]:port" or "") may be answered. An empty Host (HTTP/1.0)
// comes from no browser and is allowed.
func (h *Hosts) Allowed(hostport string) bool {
	if hostport == "" {
		return true
	}
	host := hostport
	if hp, _, err := net.SplitHostPort(hostport); err == nil {
		host = hp
	}
	host = strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	if _, err := netip.ParseAddr(host); err == nil {
		return true
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	if host != "" && host == h.listen {
		return true
	}
	for _, a := range h.allowed {
		if host == a || (strings.HasPrefix(a, ".") && (host == a[1:] || strings.HasSuffix(host, a))) {
			return true
		}
	}
	return false
}

// Handler answers 403 to requests whose Host is not allowed and passes the
// others to next. flag names the setting that allows more hosts, for the
// message.
func (h *Hosts) Handler(flag string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !h.Allowed(r.Host) {
			http.Error(w, fmt.Sprintf("Host %q is not allowed: this server answers its listen address, IP addresses and localhost only "+
				"(a guard against DNS rebinding); to answer this name too, start it with %s", r.Host, flag), http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}
