package live

import (
	"fmt"
	"net"
	"sync"
	"time"
)

// Limits on clients: at most MaxClients in all and MaxClientsPerAddr from
// one remote address; commands share one token bucket per address, so
// opening more connections buys no more commands. When a limit is reached,
// the client idle longest (no command for ClientIdleTimeout) makes room;
// otherwise the newcomer gets 503.

// bucket is a token bucket of commands shared by one address's clients.
type bucket struct {
	mu     sync.Mutex
	tokens float64
	filled time.Time
	refs   int // clients using it; guarded by the hub's smu
}

// allow takes one command token, refilled at rate a second up to a burst
// of rate.
func (b *bucket) allow(now time.Time, rate float64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.filled.IsZero() {
		b.tokens = rate
	} else {
		b.tokens = min(rate, b.tokens+now.Sub(b.filled).Seconds()*rate)
	}
	b.filled = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// addrOf is the host part of a remote address ("127.0.0.1:5000" ->
// "127.0.0.1"): the unit the per-address limits count.
func addrOf(remote string) string {
	if host, _, err := net.SplitHostPort(remote); err == nil {
		return host
	}
	return remote
}

// makeRoomLocked says whether a client from addr may join now, evicting
// the client idle longest if a limit is reached and one has been idle for
// ClientIdleTimeout (it is removed from the hub and returned, to be closed
// outside the lock). The caller holds smu.
func (h *Hub) makeRoomLocked(addr string, now time.Time) (evicted *sink, err error) {
	total, fromAddr := 0, 0
	var idlest, idlestHere *sink
	for s := range h.sinks {
		if s.kind != "client" {
			continue
		}
		total++
		if idlest == nil || s.lastActive() < idlest.lastActive() {
			idlest = s
		}
		if s.addr == addr {
			fromAddr++
			if idlestHere == nil || s.lastActive() < idlestHere.lastActive() {
				idlestHere = s
			}
		}
	}
	var victim *sink
	switch {
	case fromAddr >= h.cfg.MaxClientsPerAddr:
		victim = idlestHere
		err = fmt.Errorf("too many live clients from %s (%d)", addr, h.cfg.MaxClientsPerAddr)
	case total >= h.cfg.MaxClients:
		victim = idlest
		err = fmt.Errorf("too many live clients (%d)", h.cfg.MaxClients)
	default:
		return nil, nil
	}
	idle := now.Sub(time.Unix(0, victim.lastActive()))
	if victim.evict == nil || idle < h.cfg.ClientIdleTimeout {
		return nil, err
	}
	h.dropSinkLocked(victim)
	victim.evictReason = fmt.Sprintf("evicted: no command for %v while the server was full", idle.Round(time.Second))
	h.evicted.Add(1)
	return victim, nil
}

// bucketLocked returns addr's command bucket, counting s as a user of it.
func (h *Hub) bucketLocked(addr string) *bucket {
	b := h.buckets[addr]
	if b == nil {
		b = &bucket{}
		h.buckets[addr] = b
	}
	b.refs++
	return b
}

// dropSinkLocked forgets s and releases its bucket. The caller holds smu.
func (h *Hub) dropSinkLocked(s *sink) {
	if _, ok := h.sinks[s]; !ok {
		return
	}
	delete(h.sinks, s)
	if s.bucket != nil {
		if s.bucket.refs--; s.bucket.refs == 0 {
			delete(h.buckets, s.addr)
		}
	}
}

// wouldAdmitLocked says, without changing anything, why a client from addr
// could not join now (nil: it could, perhaps by evicting an idle one). The
// caller holds smu.
func (h *Hub) wouldAdmitLocked(addr string, now time.Time) error {
	total, fromAddr := 0, 0
	idleAny, idleHere := false, false
	for s := range h.sinks {
		if s.kind != "client" {
			continue
		}
		idle := s.evict != nil && now.Sub(time.Unix(0, s.lastActive())) >= h.cfg.ClientIdleTimeout
		total++
		idleAny = idleAny || idle
		if s.addr == addr {
			fromAddr++
			idleHere = idleHere || idle
		}
	}
	switch {
	case fromAddr >= h.cfg.MaxClientsPerAddr && !idleHere:
		return fmt.Errorf("too many live clients from %s (%d)", addr, h.cfg.MaxClientsPerAddr)
	case total >= h.cfg.MaxClients && !idleAny:
		return fmt.Errorf("too many live clients (%d)", h.cfg.MaxClients)
	}
	return nil
}
