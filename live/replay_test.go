package live_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/live"
	"github.com/gossipscope/gossipscope/protocol"
)

// session is a small but varied live session: membership, messages,
// state, a partition and its heal, a param change.
func session() []protocol.Event {
	var evs []protocol.Event
	for i, n := range []string{"n1", "n2", "n3"} {
		evs = append(evs, protocol.Event{Type: protocol.TypeNode, T: float64(i), Node: n, Status: protocol.StatusAlive})
	}
	for i := range 300 {
		t := 10 + float64(i)*0.5
		evs = append(evs, protocol.Event{Type: protocol.TypeMsg, T: t, From: "n1", To: "n2", Kind: "user", Key: "sil", Version: int64(i), Bytes: 120, Arrive: t + 0.3})
		if i%50 == 0 {
			evs = append(evs, protocol.Event{Type: protocol.TypeState, T: t, Node: "n2", Key: "sil/" + string(rune('a'+i/50)), Version: 1, Value: "silenced"})
		}
	}
	evs = append(evs,
		protocol.Event{Type: protocol.TypePartition, T: 200, Groups: [][]string{{"n1"}, {"n2", "n3"}}},
		protocol.Event{Type: protocol.TypeNode, T: 210, Node: "n1", Status: protocol.StatusSuspect},
		protocol.Event{Type: protocol.TypeHeal, T: 220},
		protocol.Event{Type: protocol.TypeParam, T: 230, Params: map[string]any{"loss": 0.25}},
		protocol.Event{Type: protocol.TypeMsg, T: 240, From: "n3", To: "n1", Kind: "ping", Lost: true},
	)
	return evs
}

// streamOf drops what a hub adds around a source's events: the header,
// notes and replies.
func streamOf(evs []protocol.Event) []protocol.Event {
	var out []protocol.Event
	for _, ev := range evs {
		switch ev.Type {
		case protocol.TypeHeader, protocol.TypeNote, protocol.TypeReply:
			continue
		}
		out = append(out, ev)
	}
	return out
}

func roundTrip(t *testing.T, evs []protocol.Event) []protocol.Event {
	t.Helper()
	var out []protocol.Event
	for _, ev := range evs { // compare as a reader of the wire sees them
		b, err := protocol.Marshal(&ev)
		if err != nil {
			t.Fatal(err)
		}
		back, _, _ := protocol.ReadAll(bytes.NewReader(b), 1)
		out = append(out, back...)
	}
	return out
}

// Record a hub's stream to a file, replay the file through a second hub
// to a websocket client: the client sees the recorded events, in order,
// unchanged.
func TestRecordThenReplayRoundTrips(t *testing.T) {
	h := live.NewHub(live.Config{FlushInterval: 5 * time.Millisecond, Logger: quiet})
	h.SetSource(newMemberSource(h.Emit))
	path := filepath.Join(t.TempDir(), "session.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := h.Record(f)
	if err != nil {
		t.Fatal(err)
	}
	want := session()
	for _, ev := range want {
		h.Emit(ev)
	}
	if err := rec.Stop(); err != nil { // records what was emitted, flushed or not
		t.Fatal(err)
	}
	h.Close()
	f.Close()

	raw, _ := os.ReadFile(path)
	recorded, problems, _ := protocol.ReadAll(bytes.NewReader(raw), 10)
	if len(problems) > 0 {
		t.Fatalf("recording has problems: %v", problems)
	}
	if recorded[0].Type != protocol.TypeHeader || recorded[0].Source != "test" {
		t.Fatalf("recording starts with %+v, want the test header", recorded[0])
	}
	if got := streamOf(recorded); !reflect.DeepEqual(got, roundTrip(t, want)) {
		t.Fatalf("recorded %d events, emitted %d; they differ", len(got), len(want))
	}

	// Replay at 100x: the 240 ms session takes a few ms.
	rp, err := live.OpenReplay(context.Background(), path, 100)
	if err != nil {
		t.Fatal(err)
	}
	defer rp.Close()
	h2 := live.NewHub(live.Config{FlushInterval: 5 * time.Millisecond, Logger: quiet})
	h2.SetSource(rp)
	srv := newServer(t, h2)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := dial(t, ctx, srv)
	<-h2.WaitClient()
	done := make(chan error, 1)
	var res live.ReplayResult
	go func() {
		var err error
		res, err = rp.Play(ctx, h2.Emit, h2.Pending, 1000)
		done <- err
	}()
	got := readUntil(t, ctx, c, func(ev protocol.Event) bool {
		return ev.Type == protocol.TypeNote && strings.HasPrefix(ev.Text, "end of recording")
	})
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	hdr := got[0]
	if hdr.Type != protocol.TypeHeader || hdr.Source != "replay" || hdr.Params["recorded_source"] != "test" || hdr.Params["file"] != "session.jsonl" {
		t.Fatalf("replay header %+v", hdr)
	}
	if res.Events != len(recorded)-1 || res.Skipped != 0 {
		t.Fatalf("replay result %+v, want %d events, none skipped", res, len(recorded)-1)
	}
	if !reflect.DeepEqual(streamOf(got), streamOf(recorded)) {
		t.Fatalf("replayed stream differs from the recording (%d vs %d events)", len(streamOf(got)), len(streamOf(recorded)))
	}
}

// The replay keeps the recording's pace, divided by the speed.
func TestReplayPace(t *testing.T) {
	var buf bytes.Buffer
	enc := protocol.NewEncoder(&buf)
	hdr := protocol.Header("lab", nil)
	enc.Encode(&hdr)
	for i := range 5 {
		enc.Encode(&protocol.Event{Type: protocol.TypeNode, T: 1000 + float64(i)*100, Node: "n1", Status: protocol.StatusAlive})
	}
	enc.Flush()
	path := filepath.Join(t.TempDir(), "pace.jsonl")
	os.WriteFile(path, buf.Bytes(), 0o644)
	rp, err := live.OpenReplay(context.Background(), path, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer rp.Close()
	var at []time.Duration
	start := time.Now()
	if _, err := rp.Play(context.Background(), func(ev protocol.Event) {
		if ev.Type == protocol.TypeNode {
			at = append(at, time.Since(start))
		}
	}, nil, 0); err != nil {
		t.Fatal(err)
	}
	// 400 ms of recording at speed 2: the last event after ~200 ms, the
	// first at once (the recording's own start is not waited for).
	if at[0] > 50*time.Millisecond || at[4] < 190*time.Millisecond || at[4] > 400*time.Millisecond {
		t.Fatalf("events played at %v, want 0 .. 200 ms in 50 ms steps", at)
	}
}

// A damaged recording: bad lines are reported by line number and skipped,
// every good event still plays, and the end says how many were skipped.
func TestReplaySkipsAndReportsBadLines(t *testing.T) {
	text := strings.Join([]string{
		`{"type":"header","t":0,"version":1,"source":"lab","params":{"nodes":3}}`,
		`{"type":"node","t":1,"node":"n1","status":"alive"}`,
		`this is not json`,
		`{"type":"node","t":2,"node":"n2","status":"sleepy"}`,
		``,
		`{"type":"hologram","t":3}`,
		`{"type":"msg","t":4,"from":"n1","to":"n2","kind":"ping"}`,
		`{"type":"header","t":5,"version":1,"source":"lab"}`,
		`{"type":"node","t":6,"node":"n2","status":"alive"}`,
		`{"type":"msg","t":7,"from":"n2","to":"n1","ki`, // truncated: no newline
	}, "\n")
	path := filepath.Join(t.TempDir(), "bad.jsonl")
	os.WriteFile(path, []byte(text), 0o644)
	rp, err := live.OpenReplay(context.Background(), path, 1000)
	if err != nil {
		t.Fatal(err)
	}
	defer rp.Close()
	var played, notes []protocol.Event
	res, err := rp.Play(context.Background(), func(ev protocol.Event) {
		if ev.Type == protocol.TypeNote {
			notes = append(notes, ev)
		} else {
			played = append(played, ev)
		}
	}, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, ev := range played {
		kinds = append(kinds, string(ev.Type)+":"+ev.Node+ev.Kind)
	}
	if got, want := strings.Join(kinds, " "), "node:n1 msg:ping node:n2"; got != want {
		t.Fatalf("played %q, want %q", got, want)
	}
	var texts []string
	for _, n := range notes {
		texts = append(texts, n.Text)
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{"line 3: not valid JSON", `line 4: node event: unknown status "sleepy"`, "line 8: a second header", "line 10: " + protocol.ErrTruncated.Error(), "end of recording bad.jsonl: 3 events played, 4 lines skipped"} {
		if !strings.Contains(all, want) {
			t.Errorf("notes lack %q:\n%s", want, all)
		}
	}
	if res.Events != 3 || res.Skipped != 4 || len(res.Problems) != 4 {
		t.Errorf("result %+v, want 3 played, 4 skipped, 4 problems", res)
	}
	var le *protocol.LineError
	if !errors.As(res.Problems[0], &le) || le.Line != 3 {
		t.Errorf("first problem %v, want a *protocol.LineError at line 3", res.Problems[0])
	}
	// The snapshot a late client would get: the state reached at the end.
	snap := rp.Snapshot()
	if len(snap) != 2 || snap[0].Node != "n1" || snap[1].Node != "n2" || snap[1].Status != protocol.StatusAlive || snap[0].T != 6 {
		t.Errorf("snapshot %+v, want n1 and n2 alive at t=6", snap)
	}
}

func TestOpenReplayRefusesUnusableFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(text), 0o644)
		return p
	}
	for _, tc := range []struct {
		path  string
		speed float64
		want  string
	}{
		{filepath.Join(dir, "missing.jsonl"), 1, "no such file"},
		{write("empty.jsonl", ""), 1, "the recording is empty"},
		{write("junk.jsonl", "junk\n{\"type\":\n"), 1, "no usable events (2 bad lines; first: line 1: not valid JSON"},
		{write("ok.jsonl", `{"type":"header","t":0,"version":1}`+"\n"), 0, "speed 0 is not in"},
		{write("ok2.jsonl", `{"type":"header","t":0,"version":1}`+"\n"), -3, "speed -3 is not in"},
		{write("future.jsonl", `{"type":"header","t":0,"version":99}`+"\n"), 1, "no usable events"},
	} {
		rp, err := live.OpenReplay(context.Background(), tc.path, tc.speed)
		if err == nil {
			rp.Close()
			t.Errorf("%s at speed %v: opened", tc.path, tc.speed)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", filepath.Base(tc.path), err, tc.want)
		}
	}
	// No header: still plays, with a problem reported.
	rp, err := live.OpenReplay(context.Background(), write("headless.jsonl", `{"type":"node","t":1,"node":"a","status":"alive"}`+"\n"), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer rp.Close()
	if p := rp.Problems(); len(p) != 1 || !strings.Contains(p[0].Error(), "line 1: recording does not start with a header") {
		t.Fatalf("problems %v", p)
	}
	if rp.Header().Type != protocol.TypeHeader || rp.Header().Source != "replay" {
		t.Fatalf("header %+v", rp.Header())
	}
}

// Events emitted just before Stop are recorded, though the hub has not
// flushed them yet (its flush interval is an hour here): Stop flushes.
func TestRecordingStopKeepsPendingEvents(t *testing.T) {
	h := live.NewHub(live.Config{FlushInterval: time.Hour, Logger: quiet})
	defer h.Close()
	h.SetSource(newMemberSource(h.Emit))
	var buf bytes.Buffer
	rec, err := h.Record(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		h.Emit(protocol.Event{Type: protocol.TypeNote, T: float64(i), Text: fmt.Sprint("note ", i)})
	}
	if err := rec.Stop(); err != nil {
		t.Fatal(err)
	}
	recorded, problems, _ := protocol.ReadAll(bytes.NewReader(buf.Bytes()), 10)
	var notes int
	for _, ev := range recorded {
		if ev.Type == protocol.TypeNote && strings.HasPrefix(ev.Text, "note ") {
			notes++
		}
	}
	if len(problems) > 0 || notes != 10 {
		t.Fatalf("recorded %d of 10 notes (problems %v): %s", notes, problems, buf.String())
	}
}
