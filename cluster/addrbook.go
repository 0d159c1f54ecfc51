package cluster

import (
	"net"
	"sync"
)

// addrBook maps gossip addresses to member names, fed by memberlist's
// event delegate (which must not call back into memberlist).
//
// It is also where the rest of the node reads members' addresses: the Node
// structs memberlist's Members returns are rewritten under its lock by
// every alive message, so only their Name may be read outside it.
type addrBook struct {
	mu    sync.RWMutex
	names map[string]string // "ip:port" -> name
	addrs map[string]string // name -> "ip:port"
}

func newAddrBook() *addrBook {
	return &addrBook{names: map[string]string{}, addrs: map[string]string{}}
}

func (b *addrBook) set(addr, name string) {
	b.mu.Lock()
	b.names[addr] = name
	b.addrs[name] = addr
	b.mu.Unlock()
}

// addr returns the gossip address of the member called name.
func (b *addrBook) addr(name string) (string, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	a, ok := b.addrs[name]
	return a, ok
}

// name returns the member at addr, or addr itself when unknown.
func (b *addrBook) name(addr string) string {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if n, ok := b.names[addr]; ok {
		return n
	}
	return addr
}

// nameByIP guesses the member behind a TCP connection's ephemeral address:
// the only known member on that IP (not counting those skip rules out),
// else the address itself.
func (b *addrBook) nameByIP(addr string, skip func(addr, name string) bool) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	found := ""
	for a, n := range b.names {
		if h, _, err := net.SplitHostPort(a); err == nil && h == host && !skip(a, n) {
			if found != "" && found != n {
				return addr
			}
			found = n
		}
	}
	if found == "" {
		return addr
	}
	return found
}
