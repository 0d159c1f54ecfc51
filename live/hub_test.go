package live_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gossipscope/gossipscope/live"
	"github.com/gossipscope/gossipscope/protocol"
)

func msgEvent(i int) protocol.Event {
	return protocol.Event{Type: protocol.TypeMsg, T: float64(i), From: "a", To: "b", Kind: "ping", Version: int64(i), Bytes: 50}
}

func TestClientsReceiveHeaderThenEveryEventInOrder(t *testing.T) {
	h := live.NewHub(live.Config{FlushInterval: 5 * time.Millisecond, Logger: quiet})
	h.SetSource(newMemberSource(h.Emit, "a", "b"))
	srv := newServer(t, h)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c1, c2 := dial(t, ctx, srv), dial(t, ctx, srv)
	waitFor(t, 5*time.Second, "two clients", func() bool { return h.Stats().Clients == 2 })

	const n = 5000
	for i := 1; i <= n; i++ {
		h.Emit(msgEvent(i))
	}
	for _, c := range []*websocket.Conn{c1, c2} {
		evs := readUntil(t, ctx, c, func(ev protocol.Event) bool { return ev.Type == protocol.TypeMsg && ev.Version == n })
		if evs[0].Type != protocol.TypeHeader || evs[0].Source != "test" {
			t.Fatalf("first event %+v, want the source's header", evs[0])
		}
		if evs[1].Type != protocol.TypeNode || evs[1].Node != "a" || evs[2].Node != "b" {
			t.Fatalf("snapshot %+v, want nodes a and b", evs[1:3])
		}
		next := int64(1)
		for _, ev := range evs[3:] {
			if ev.Type != protocol.TypeMsg || ev.Version != next {
				t.Fatalf("got %+v, want msg %d", ev, next)
			}
			next++
		}
	}
	st := h.Stats()
	if st.Events != n || st.Dropped != 0 || st.Source != "test" {
		t.Fatalf("stats %+v, want %d events, none dropped, source test", st, n)
	}
}

func TestLateClientGetsSnapshotThenStream(t *testing.T) {
	h := live.NewHub(live.Config{FlushInterval: 5 * time.Millisecond, Logger: quiet})
	src := newMemberSource(h.Emit, "a", "b", "c")
	h.SetSource(src)
	srv := newServer(t, h)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	early := dial(t, ctx, srv)
	sendCmd(t, ctx, early, `{"id":"1","cmd":"crash","node":"b"}`)
	readUntil(t, ctx, early, isReply("1"))
	h.Emit(protocol.Event{Type: protocol.TypeMsg, T: 1e6, From: "a", To: "c", Kind: "ping"})

	late := dial(t, ctx, srv)
	// The handshake can finish before the hub registers the client; an
	// event emitted in between is (rightly) not the late client's.
	waitFor(t, 5*time.Second, "late client registered", func() bool { return h.Stats().Clients == 2 })
	h.Emit(protocol.Event{Type: protocol.TypeMsg, T: 2e6, From: "c", To: "a", Kind: "ack"})
	evs := readUntil(t, ctx, late, func(ev protocol.Event) bool { return ev.Kind == "ack" })
	want := []string{"header", "node a alive", "node b dead", "node c alive", "msg ack"}
	var got []string
	for _, ev := range evs {
		switch ev.Type {
		case protocol.TypeNode:
			got = append(got, fmt.Sprintf("node %s %s", ev.Node, ev.Status))
		case protocol.TypeMsg:
			got = append(got, "msg "+ev.Kind)
		default:
			got = append(got, string(ev.Type))
		}
	}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Fatalf("late client got %q, want %q (no event from before it joined, beyond the snapshot)", got, want)
	}
}

func TestEmitKeepsTimeNonDecreasing(t *testing.T) {
	h := live.NewHub(live.Config{FlushInterval: 5 * time.Millisecond, Logger: quiet})
	h.SetSource(newMemberSource(h.Emit, "a"))
	srv := newServer(t, h)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := dial(t, ctx, srv)
	waitFor(t, 5*time.Second, "client", func() bool { return h.Stats().Clients == 1 })
	h.Emit(protocol.Event{Type: protocol.TypeMsg, T: 100, From: "a", To: "b", Kind: "x"})
	h.Emit(protocol.Event{Type: protocol.TypeMsg, T: 90, Arrive: 95, From: "a", To: "b", Kind: "y"})
	evs := readUntil(t, ctx, c, func(ev protocol.Event) bool { return ev.Kind == "y" })
	y := evs[len(evs)-1]
	if y.T != 100 || y.Arrive != 100 {
		t.Fatalf("late event came as t=%v arrive=%v, want both 100", y.T, y.Arrive)
	}
}

// A client that stops reading must cost the others nothing: they keep
// getting events while it is blocked, dropped and then cut off.
//
// What is asserted is an order, not a lag in wall time (on a loaded
// machine the good client's own reading lags seconds behind ~5 MB/s of
// events): the good client receives events emitted after the stuck
// client was seen blocked, before the stuck client is cut off. A hub
// that waited on the stuck client's write would send nothing new to
// anyone until that write gave up (WriteTimeout) and the client was cut
// off.
func TestStuckClientDoesNotSlowOthers(t *testing.T) {
	h := live.NewHub(live.Config{
		Logger:        quiet,
		FlushInterval: 10 * time.Millisecond,
		ClientBuffer:  1 << 20,
		// The stuck client's write blocks until WriteTimeout cuts it off;
		// its 1 MiB backlog fills well before (~2 s at the slowest
		// emission seen under load), so it drops first.
		WriteTimeout:      6 * time.Second,
		SlowClientTimeout: 8 * time.Second,
	})
	h.SetSource(newMemberSource(h.Emit, "a"))
	// 4 KiB send buffers: the stuck client's socket fills after ~100 KB
	// (its receive window), not after several MB of loopback buffers.
	mux := http.NewServeMux()
	mux.Handle("/ws", h)
	srv := httptest.NewUnstartedServer(mux)
	srv.Listener = smallSendBuffers{srv.Listener}
	srv.Start()
	t.Cleanup(func() { h.Close(); srv.Close() })
	const bound = 40 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), bound+20*time.Second)
	defer cancel()
	stuck := dial(t, ctx, srv) // never read from
	waitFor(t, 5*time.Second, "the stuck client", func() bool { return h.Stats().Clients == 1 })
	stuckID := h.Stats().Sinks[0].ID
	good := dial(t, ctx, srv)
	waitFor(t, 5*time.Second, "two clients", func() bool { return h.Stats().Clients == 2 })

	// Emit ~2.5 MB/s of events with the time since start in them, until
	// the stuck client has been cut off (bounded). Not faster: this test's
	// own reader is the good client, and at 5 MB/s, beside a full CI run
	// on 2 cores, it fell 1.4 s behind and its own 1 MiB backlog dropped.
	start := time.Now()
	since := func() float64 { return float64(time.Since(start).Microseconds()) / 1000 }
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		pad := strings.Repeat("x", 200)
		for i := 0; !stop.Load() && time.Since(start) < bound; i++ {
			for j := range 25 {
				h.Emit(protocol.Event{Type: protocol.TypeMsg, T: since(),
					From: "a", To: "b", Kind: "push", Key: pad, Version: int64(i*25 + j)})
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	// blockedAt: the time at which the stuck client's sink was first seen
	// with events queued and none sent for 500 ms (-1 until then).
	blockedAt := -1.0
	var lastSent uint64
	lastMove := time.Now()
	var maxLag time.Duration
	var received, afterBlocked int
	for {
		st := h.Stats()
		if st.Disconnected > 0 {
			break
		}
		for _, s := range st.Sinks {
			if s.ID != stuckID || blockedAt >= 0 {
				continue
			}
			if s.Sent != lastSent || s.Queued == 0 {
				lastSent, lastMove = s.Sent, time.Now()
			} else if time.Since(lastMove) > 500*time.Millisecond {
				blockedAt = since()
			}
		}
		evs, err := readMsg(ctx, good)
		if err != nil {
			t.Fatalf("good client: %v", err)
		}
		stillThere := h.Stats().Disconnected == 0
		for _, ev := range evs {
			if ev.Type == protocol.TypeNote {
				t.Fatalf("good client got %q", ev.Text)
			}
			if ev.Type != protocol.TypeMsg {
				continue
			}
			received++
			if blockedAt >= 0 && ev.T > blockedAt && stillThere {
				afterBlocked++
			}
			maxLag = max(maxLag, time.Since(start)-time.Duration(ev.T*float64(time.Millisecond)))
		}
		if time.Since(start) > bound {
			t.Fatalf("stuck client still connected after %v: %+v", bound, h.Stats())
		}
	}
	stop.Store(true)
	wg.Wait()
	st := h.Stats()
	t.Logf("good client: %d events (%d emitted after the stuck one blocked at %.0f ms), max lag %v; hub: %+v",
		received, afterBlocked, blockedAt, maxLag, st)
	if blockedAt < 0 {
		t.Errorf("the stuck client was cut off before it was seen blocked: %+v", st)
	} else if afterBlocked == 0 {
		t.Errorf("the good client got nothing emitted after the stuck client blocked (at %.0f ms) until it was cut off", blockedAt)
	}
	if st.Dropped == 0 {
		t.Errorf("stuck client dropped nothing: %+v", st)
	}
	for _, s := range st.Sinks {
		if s.Dropped != 0 {
			t.Errorf("a connected client dropped %d events: %+v", s.Dropped, st)
		}
	}
	// The stuck client's connection is gone.
	rctx, rcancel := context.WithTimeout(ctx, 5*time.Second)
	defer rcancel()
	for {
		if _, _, err := stuck.Read(rctx); err != nil {
			if rctx.Err() != nil {
				t.Fatalf("stuck client's connection still open")
			}
			break
		}
	}
}

// A client that pauses is told exactly how many events it missed, where it
// missed them: what it got plus what the notes say it missed is everything.
func TestSlowClientIsToldWhatItMissed(t *testing.T) {
	h := live.NewHub(live.Config{
		Logger:            quiet,
		FlushInterval:     5 * time.Millisecond,
		ClientBuffer:      16 << 10,
		WriteTimeout:      20 * time.Second,
		SlowClientTimeout: 20 * time.Second,
	})
	h.SetSource(newMemberSource(h.Emit, "a"))
	srv := newServer(t, h)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := dial(t, ctx, srv)
	waitFor(t, 5*time.Second, "client", func() bool { return h.Stats().Clients == 1 })

	pad := strings.Repeat("y", 300)
	n := 0
	for h.Stats().Dropped == 0 {
		if n > 2_000_000 {
			t.Fatalf("nothing dropped after %d events without reading", n)
		}
		for range 200 {
			n++
			h.Emit(protocol.Event{Type: protocol.TypeMsg, T: float64(n), From: "a", To: "b", Kind: "push", Key: pad, Version: int64(n)})
		}
		time.Sleep(2 * time.Millisecond)
	}
	// Read again, while markers keep coming: by the first marker the client
	// gets, every earlier event was either received or reported missed.
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for v := n + 1; !stop.Load(); v++ {
			h.Emit(protocol.Event{Type: protocol.TypeMsg, T: float64(v), From: "a", To: "b", Kind: "marker", Version: int64(v)})
			time.Sleep(20 * time.Millisecond)
		}
	}()
	defer func() { stop.Store(true); wg.Wait() }()
	got, missed, last := 0, 0, int64(0)
	readUntil(t, ctx, c, func(ev protocol.Event) bool {
		switch {
		case ev.Kind == "marker":
			last = ev.Version
			return true
		case ev.Type == protocol.TypeMsg:
			if ev.Version <= last {
				t.Fatalf("event %d after %d", ev.Version, last)
			}
			last = ev.Version
			got++
		case ev.Type == protocol.TypeNote:
			d, ok := ev.Params["dropped"].(float64)
			if !ok || !strings.HasPrefix(ev.Text, "dropped ") {
				t.Fatalf("unexpected note %+v", ev)
			}
			missed += int(d)
		}
		return false
	})
	// Markers dropped before the first one received count as missed too.
	if missed == 0 || int64(got+missed) != last-1 {
		t.Fatalf("got %d + missed %d events, emitted %d before the first marker received", got, missed, last-1)
	}
}
