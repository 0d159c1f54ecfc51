package main

import (
	"bytes"
	"context"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gossipscope/gossipscope/protocol"
)

// heapPeak samples the heap in use every 20 ms until stop is called, and
// returns the highest figure seen.
func heapPeak() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() uint64 { close(done); wg.Wait(); return peak.Load() }
}

func heapNow() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

const mib = 1 << 20

// A client that sends bad commands with a 60,000-byte id (0xFF bytes,
// which JSON turns into three-byte U+FFFD) as fast as it can and never
// reads: before, every reply echoed the id and bypassed the client's
// buffer limit (68 MB -> 731 MB in 5 s). Now ids are not echoed past
// protocol.MaxIDBytes, error texts are cut, and a client whose replies
// wait unread is not read either (live's TestUnreadRepliesStopReading),
// so the server stays within its buffers and other clients are served.
func TestReplyFloodIsBounded(t *testing.T) {
	s := startTestServer(t, labOpts(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	flood, _, err := dialLive(t, ctx, s.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte(`{"id":"` + string(bytes.Repeat([]byte{0xFF}, 60000)) + `","cmd":"nope"}`)
	base := heapNow()
	stop := heapPeak()
	sent, blocked := 0, false
	for start := time.Now(); time.Since(start) < 2*time.Second; {
		wctx, wcancel := context.WithTimeout(ctx, time.Second)
		err := flood.c.Write(wctx, websocket.MessageText, msg)
		wcancel()
		if err != nil {
			blocked = true // the server stopped reading us: what we want
			break
		}
		sent++
	}
	peak := stop()
	t.Logf("flood: %d commands of %d bytes sent before the server stopped reading (%v); heap %d MiB before, peak %d MiB",
		sent, len(msg), blocked, base/mib, peak/mib)
	if peak > base+64*mib {
		t.Errorf("heap grew from %d MiB to %d MiB under a reply flood; want under %d MiB more", base/mib, peak/mib, 64)
	}
	// Another client is served meanwhile.
	lc, _, err := dialLive(t, ctx, s.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := lc.command(ctx, "ok", `{"id":"ok","cmd":"heal"}`); r.Error != "" {
		t.Fatalf("another client's command: %s", r.Error)
	}
	// A long id is refused, not echoed.
	r := lc.command(ctx, "", `{"id":"`+strings.Repeat("x", protocol.MaxIDBytes+1)+`","cmd":"heal"}`)
	if !strings.Contains(r.Error, "id longer than") {
		t.Fatalf("reply to a long id: %+v", r)
	}
}
