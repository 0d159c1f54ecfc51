package live_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gossipscope/gossipscope/live"
	"github.com/gossipscope/gossipscope/node"
	"github.com/gossipscope/gossipscope/protocol"
)

// BenchmarkLiveLab streams a lab of real memberlist nodes (Alertmanager's
// timings, a silence created every 100 ms on the next node, an alert to
// every node every 5 s) to one websocket client on loopback, and reports
// events per second, the lag from a packet being seen by a node's
// transport to the client decoding its event (p50, p99, max), events
// dropped, and the process's CPU with the client and, around that, without. emit-lag is
// the part of the lag spent before the hub got the event (inside the
// nodes), the rest is the hub, the websocket and the client. It runs
// once whatever b.N: use -benchtime 1x. LIVE_BENCH_NODES and
// LIVE_BENCH_SECONDS override the 50 nodes and 20 s per phase.
func BenchmarkLiveLab(b *testing.B) {
	nodes, secs := envInt("LIVE_BENCH_NODES", 50), envInt("LIVE_BENCH_SECONDS", 20)
	phase := time.Duration(secs) * time.Second
	h := live.NewHub(live.Config{Logger: quiet})
	defer h.Close()
	start := time.Now()
	var emitMu sync.Mutex
	var emitLags []float64
	emit := func(ev protocol.Event) {
		lag := float64(time.Since(start).Microseconds())/1000 - ev.T
		emitMu.Lock()
		emitLags = append(emitLags, lag)
		emitMu.Unlock()
		h.Emit(ev)
	}
	lab, err := node.NewLab(node.LabConfig{Nodes: nodes, RandomPorts: true, NoAPI: true, Emit: emit, Start: start})
	if err != nil {
		b.Fatal(err)
	}
	defer lab.Close()
	h.SetSource(lab)
	srv := httptest.NewServer(h)
	defer srv.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go drive(ctx, lab)
	time.Sleep(3 * time.Second) // let the cluster form

	// Without a client (the hub encodes nothing) for half a phase before
	// and half after the client's phase: the lab's state grows as it runs,
	// so the baseline brackets the measurement.
	var idleCPU time.Duration
	var idleEvents uint64
	idle := func() {
		cpu0, ev0 := cpuTime(), h.Stats().Events
		time.Sleep(phase / 2)
		idleCPU += cpuTime() - cpu0
		idleEvents += h.Stats().Events - ev0
	}
	idle()

	// Phase 2: one client reading everything.
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		b.Fatal(err)
	}
	c.SetReadLimit(64 << 20)
	defer c.CloseNow()
	b.ResetTimer()
	emitMu.Lock()
	emitLags = emitLags[:0]
	emitMu.Unlock()
	st0 := h.Stats()
	cpu0 := cpuTime()
	t0 := time.Now()
	var lags []float64
	var bytesIn int
	var buf bytes.Buffer // reused: the client should not add to the lab's GC load
	lags = make([]float64, 0, 1<<20)
	for time.Since(t0) < phase {
		rctx, rcancel := context.WithTimeout(ctx, 5*time.Second)
		_, r, err := c.Reader(rctx)
		if err == nil {
			buf.Reset()
			_, err = buf.ReadFrom(r)
		}
		rcancel()
		if err != nil {
			b.Fatalf("read: %v", err)
		}
		data := buf.Bytes()
		now := float64(time.Since(start).Microseconds()) / 1000
		bytesIn += len(data)
		for line := range bytes.Lines(data) {
			if t, ok := eventT(line); ok {
				lags = append(lags, now-t)
			}
		}
	}
	elapsed := time.Since(t0)
	cpu := (cpuTime() - cpu0).Seconds() / elapsed.Seconds()
	b.StopTimer()
	st := h.Stats()
	c.Close(websocket.StatusNormalClosure, "")
	for h.Stats().Clients > 0 {
		time.Sleep(10 * time.Millisecond)
	}
	idle()
	labCPU := idleCPU.Seconds() / phase.Seconds()
	idleRate := float64(idleEvents) / phase.Seconds()
	slices.Sort(lags)
	q := func(p float64) float64 { return lags[min(len(lags)-1, int(p*float64(len(lags))))] }
	emitMu.Lock()
	slices.Sort(emitLags)
	b.ReportMetric(emitLags[len(emitLags)/2], "emit-lag-p50-ms")
	b.ReportMetric(emitLags[len(emitLags)*99/100], "emit-lag-p99-ms")
	emitMu.Unlock()
	b.ReportMetric(float64(len(lags))/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(bytesIn)/elapsed.Seconds()/1e3, "kB/s")
	b.ReportMetric(q(0.5), "lag-p50-ms")
	b.ReportMetric(q(0.99), "lag-p99-ms")
	b.ReportMetric(lags[len(lags)-1], "lag-max-ms")
	b.ReportMetric(float64(st.Dropped-st0.Dropped), "dropped")
	b.ReportMetric(100*cpu, "cpu-%")
	b.ReportMetric(100*labCPU, "cpu-no-client-%")
	b.ReportMetric(idleRate, "events/s-no-client")
	b.ReportMetric(float64(nodes), "nodes")
	b.ReportMetric(float64(st.Messages-st0.Messages)/elapsed.Seconds(), "msgs/s")
}

// drive keeps the lab busy the way people use it: silences and alerts.
func drive(ctx context.Context, lab *node.Lab) {
	names := lab.Names()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		lab.Command(protocol.Command{Cmd: protocol.CmdSilence, Node: names[i%len(names)], Text: fmt.Sprintf("bench-%d", i)})
		if i%50 == 0 {
			lab.Command(protocol.Command{Cmd: protocol.CmdAlert, Text: fmt.Sprintf("BenchAlert%d", i/50)})
		}
	}
}

// eventT reads an event's t without decoding the rest: the encoder writes
// "type" then "t" first. Lines not in that shape are decoded in full.
func eventT(line []byte) (float64, bool) {
	if bytes.HasPrefix(line, []byte(`{"type":"header"`)) {
		return 0, false // t=0 by definition, not a packet
	}
	const key = `,"t":`
	if i := bytes.Index(line, []byte(key)); i >= 0 && i < 40 {
		rest := line[i+len(key):]
		if j := bytes.IndexAny(rest, ",}"); j > 0 {
			if t, err := strconv.ParseFloat(string(rest[:j]), 64); err == nil {
				return t, true
			}
		}
	}
	evs, _, _ := protocol.ReadAll(bytes.NewReader(line), 0)
	if len(evs) == 1 && evs[0].Type != protocol.TypeHeader {
		return evs[0].T, true
	}
	return 0, false
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

var _ http.Handler = (*live.Hub)(nil)

// BenchmarkHubStream is the hub alone: b.N lab-like events emitted as fast
// as one goroutine can, encoded once, and read and scanned by two
// websocket clients on loopback. ns/op is the cost of one event end to end.
func BenchmarkHubStream(b *testing.B) {
	h := live.NewHub(live.Config{Logger: quiet, ClientBuffer: 64 << 20, MaxPending: 1 << 22})
	defer h.Close()
	h.SetSource(newMemberSource(h.Emit, "n1"))
	srv := httptest.NewServer(h)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	done := make(chan int, 2)
	for range 2 {
		c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
		if err != nil {
			b.Fatal(err)
		}
		c.SetReadLimit(64 << 20)
		defer c.CloseNow()
		go func() {
			n := 0
			for n < b.N {
				_, data, err := c.Read(ctx)
				if err != nil {
					break
				}
				for line := range bytes.Lines(data) {
					if _, ok := eventT(line); ok && bytes.HasPrefix(line, []byte(`{"type":"msg"`)) {
						n++
					}
				}
			}
			done <- n
		}()
	}
	for h.Stats().Clients < 2 {
		time.Sleep(time.Millisecond)
	}
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		h.Emit(protocol.Event{Type: protocol.TypeMsg, T: float64(time.Since(start).Microseconds()) / 1000,
			From: "01HZX3K5N9Q7", To: "01HZX3K5NA2B", Kind: "user", Key: "sil", Version: int64(i), Bytes: 180})
	}
	n1, n2 := <-done, <-done
	b.StopTimer()
	if n1 != b.N || n2 != b.N {
		b.Fatalf("clients got %d and %d of %d events (dropped %d)", n1, n2, b.N, h.Stats().Dropped)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}
