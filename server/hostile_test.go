package server

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/http"
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

	"github.com/gossipscope/gossipscope"
	"github.com/gossipscope/gossipscope/protocol"
)

// heapPeak samples the live heap (as of the last collection, so the
// figure does not depend on when garbage happens to be collected) every
// 10 ms until stop is called, and returns the highest figure seen.
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

// heapNow is the live heap after a collection.
func heapNow() uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

// pageLoaded fetches every file of the page from s, so that the page
// handler has loaded and compressed them all (it keeps them) before a
// test measures the heap.
func pageLoaded(t *testing.T, s *server) {
	t.Helper()
	fs.WalkDir(gossipscope.Page, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		req, _ := http.NewRequest("GET", s.URL()+"/"+name, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil
	})
}

// settledHeap waits (up to 5 s) for the live heap to stop moving, so that
// what earlier tests left running (servers compressing the page, labs
// leaving) is not counted against the test that measures, and returns it.
func settledHeap() uint64 {
	prev := heapNow()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
		v := heapNow()
		if max(v, prev)-min(v, prev) < mib/2 {
			return v
		}
		prev = v
	}
	return prev
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
	pageLoaded(t, s)
	base := settledHeap()
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

// writeManyKeys writes a recording in which n nodes learn keys distinct
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

// A recording with 20,000 distinct state keys, played to the end, then
// three pages joining late: before, the replay kept every key (976 MB at
// rest for 1.6 M keys) and gave each late page the whole snapshot past its
// buffer (3.9 GB). Now the replay keeps the latest --replay.max-keys
// entries and a page's snapshot fits its buffer; a note says what was cut.
func TestLateJoinersOfABigReplayAreBounded(t *testing.T) {
	// --replay.max-keys 2048 rather than the default 32768 keeps the file,
	// and the test under -race, small; the bound is the same code.
	const keys, maxKeys = 20000, 2048
	path := writeManyKeys(t, keys)
	var out syncBuffer
	o := replayOptions{serveOptions: serveOptions{listen: "127.0.0.1:0"}, file: path, speed: 1e6, maxKeys: maxKeys, wait: true}
	s, err := startReplay(context.Background(), o, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	pageLoaded(t, s)
	base := settledHeap()
	stop := heapPeak()
	// A first page starts the replay and reads it as it plays.
	viewer, _, err := dialLive(t, ctx, s.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			if _, _, err := viewer.c.Read(ctx); err != nil {
				return
			}
		}
	}()
	for !strings.Contains(out.String(), "played") {
		if ctx.Err() != nil {
			t.Fatalf("replay did not finish: %s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	viewer.c.CloseNow()
	atRest := heapNow()
	var clients []*liveClient
	for range 3 {
		lc, _, err := dialLive(t, ctx, s.URL(), nil)
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, lc)
	}
	waitUntil(t, ctx, func() bool { return s.hub.Stats().Clients == 3 })
	time.Sleep(200 * time.Millisecond) // the snapshots are queued
	peak := stop()
	t.Logf("%d keys: heap %d MiB before, %d MiB at rest after playing, peak %d MiB with 3 late pages", keys, base/mib, atRest/mib, peak/mib)
	if peak > base+48*mib {
		t.Errorf("heap peaked at %d MiB (from %d MiB) replaying %d keys to 3 late pages; want under %d MiB more", peak/mib, base/mib, keys, 48)
	}
	states := 0
	note := clients[0].until(ctx, "a note on what the snapshot left out", func(ev protocol.Event) bool {
		if ev.Type == protocol.TypeState {
			states++
		}
		return ev.Type == protocol.TypeNote && strings.Contains(ev.Text, "left out")
	})
	t.Logf("a late page got %d state events, then %q", states, note.Text)
	if states != maxKeys {
		t.Errorf("a late page got %d of %d state events, want the latest %d", states, keys, maxKeys)
	}
}

func waitUntil(t *testing.T, ctx context.Context, cond func() bool) {
	t.Helper()
	for !cond() {
		if ctx.Err() != nil {
			t.Fatal("timed out")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// --record /dev/full logged the write error and still said "recording
// saved". Now the failure is the server's error and nothing claims a save.
func TestRecordingToAFullDiskFails(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	o := labOpts(1)
	o.record = "/dev/full"
	var out syncBuffer
	s, err := startServer(o, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the header and the lab's first events
	err = s.Close()
	if err == nil || !strings.Contains(err.Error(), "recording to /dev/full failed") || !strings.Contains(err.Error(), "no space left on device") {
		t.Errorf("Close: %v, want the recording's failure", err)
	}
	if strings.Contains(out.String(), "recording saved") {
		t.Errorf("output claims a save: %q", out.String())
	}
}
