package live_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gossipscope/gossipscope/live"
	"github.com/gossipscope/gossipscope/protocol"
)

const mib = 1 << 20

// liveHeap is the live heap after a collection: what is reachable, not
// what garbage happens to be waiting.
func liveHeap() uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

// heapPeak samples the live heap as of the last collection every 10 ms
// until stop is called, and returns the highest figure seen.
func heapPeak() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	return func() uint64 { runtime.GC(); close(done); wg.Wait(); return peak.Load() }
}

// A client that sends bad commands with a 60,000-byte id (0xFF bytes,
// which JSON turns into three-byte U+FFFD) as fast as it can and never
// reads. Before, every reply echoed the id and bypassed the client's
// buffer (a real server went from 21 to 222 MB RSS in 5 s, and stayed
// there); now the heap stays within the client's buffer.
func TestReplyFloodMemoryIsBounded(t *testing.T) {
	h := live.NewHub(live.Config{Logger: quiet})
	h.SetSource(newMemberSource(h.Emit, "n1"))
	srv := newServer(t, h)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := dial(t, ctx, srv)
	msg := []byte(`{"id":"` + string(bytes.Repeat([]byte{0xFF}, 60000)) + `","cmd":"nope"}`)
	base := liveHeap()
	stop := heapPeak()
	sent := 0
	for start := time.Now(); time.Since(start) < 2*time.Second; sent++ {
		if err := c.Write(ctx, websocket.MessageText, msg); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 20*time.Second, "the hub to read what was sent", func() bool { return h.Stats().Commands >= uint64(sent)*9/10 })
	peak := stop()
	t.Logf("flood: %d commands of %d bytes; live heap %d MiB before, peak %d MiB", sent, len(msg), base/mib, peak/mib)
	// ClientBuffer is 8 MiB; the replies now are ~150 bytes each.
	if peak > base+16*mib {
		t.Errorf("live heap grew from %d MiB to %d MiB under a reply flood; want under 16 MiB more", base/mib, peak/mib)
	}
}

// writeManyKeys writes a recording in which 50 nodes learn keys distinct
// state keys between them, all at one instant.
func writeManyKeys(t *testing.T, keys int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "keys.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, `{"type":"header","t":0,"version":1,"source":"lab"}`)
	for i := range keys {
		fmt.Fprintf(w, `{"type":"state","t":1,"node":"n%d","key":"sil/%08d-4e6f-9a0b-1c2d3e4f5a6b","version":1,"value":"silenced by a hostile file"}`+"\n", i%50, i)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

// A recording with 40,000 distinct state keys played to the end, then
// three pages joining late: before, the replay kept every key (1.6 M keys:
// 1117 MB RSS at rest) and gave each late page the whole snapshot past its
// buffer (2285 MB with three). Now it keeps the latest MaxKeys entries,
// and a late page is told what was left out.
func TestLateJoinersOfABigReplayAreBounded(t *testing.T) {
	const keys, maxKeys = 40000, 2048
	path := writeManyKeys(t, keys)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := liveHeap()
	stop := heapPeak()
	rp, err := live.OpenReplay(ctx, path, live.MaxReplaySpeed)
	if err != nil {
		t.Fatal(err)
	}
	defer rp.Close()
	rp.SetMaxKeys(maxKeys)
	h := live.NewHub(live.Config{Logger: quiet})
	h.SetSource(rp)
	srv := newServer(t, h)
	if _, err := rp.Play(ctx, h.Emit, h.Pending, 8192); err != nil {
		t.Fatal(err)
	}
	atRest := liveHeap()
	var late []*websocket.Conn
	for range 3 {
		late = append(late, dial(t, ctx, srv))
	}
	waitFor(t, 20*time.Second, "three late pages", func() bool { return h.Stats().Clients == 3 })
	var notes []string
	states := 0
	readUntil(t, ctx, late[0], func(ev protocol.Event) bool {
		if ev.Type == protocol.TypeState {
			states++
		}
		if ev.Type == protocol.TypeNote {
			notes = append(notes, ev.Text)
		}
		return ev.Type == protocol.TypeNote && strings.Contains(ev.Text, "left out")
	})
	peak := stop()
	t.Logf("%d keys: live heap %d MiB before, %d MiB at rest after playing, peak %d MiB with 3 late pages; a late page got %d state events and %q",
		keys, base/mib, atRest/mib, peak/mib, states, notes)
	if peak > base+32*mib {
		t.Errorf("live heap peaked at %d MiB (from %d MiB); want under 32 MiB more", peak/mib, base/mib)
	}
	if states != maxKeys || !strings.Contains(strings.Join(notes, " "), fmt.Sprintf("left out %d state entries updated longest ago (it keeps %d)", keys-maxKeys, maxKeys)) {
		t.Errorf("a late page got %d state events and notes %q; want the latest %d and a note on the rest", states, notes, maxKeys)
	}
}
