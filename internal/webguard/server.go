package webguard

import (
	"log"
	"net"
	"net/http"
	"sync"
	"time"
)

// Timeouts of every HTTP server of ours. A websocket, once upgraded, is
// not bound by them (net/http clears a hijacked connection's deadlines):
// the live hub has its own.
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 30 * time.Second
	WriteTimeout      = 2 * time.Minute  // the page's wasm over a slow link
	IdleTimeout       = 30 * time.Second // keep-alive connections left unused
	MaxHeaderBytes    = 64 << 10
)

// NewServer returns an http.Server for h with the timeouts above; errorLog
// may be nil.
func NewServer(h http.Handler, errorLog *log.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          errorLog,
	}
}

// Default connection limits of LimitListener: a browser opens six or so
// connections to a host, plus its websockets.
const (
	DefaultConnsPerAddr = 128
	DefaultConns        = 1024
)

// LimitListener returns ln with at most perAddr open connections from one
// remote address (its IP) and total in all. A connection past either is
// closed as soon as it is accepted, so a client holding many cannot starve
// the others, nor the process of file descriptors. 0 means the default.
func LimitListener(ln net.Listener, perAddr, total int) net.Listener {
	if perAddr <= 0 {
		perAddr = DefaultConnsPerAddr
	}
	if total <= 0 {
		total = DefaultConns
	}
	return &limitListener{Listener: ln, perAddr: perAddr, total: total, open: map[string]int{}}
}

type limitListener struct {
	net.Listener
	perAddr, total int

	mu    sync.Mutex
	open  map[string]int
	count int
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		host := c.RemoteAddr().String()
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		l.mu.Lock()
		if l.count >= l.total || l.open[host] >= l.perAddr {
			l.mu.Unlock()
			c.Close()
			continue
		}
		l.count++
		l.open[host]++
		l.mu.Unlock()
		return &limitedConn{Conn: c, release: sync.OnceFunc(func() { l.release(host) })}, nil
	}
}

func (l *limitListener) release(host string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.count--
	if l.open[host]--; l.open[host] == 0 {
		delete(l.open, host)
	}
}

type limitedConn struct {
	net.Conn
	release func()
}

func (c *limitedConn) Close() error {
	c.release()
	return c.Conn.Close()
}

// CloseWrite keeps the half-close net/http uses when it ends a connection.
func (c *limitedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
