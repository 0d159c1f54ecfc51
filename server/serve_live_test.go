package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gossipscope/gossipscope/node"
	"github.com/gossipscope/gossipscope/protocol"
)

func labOpts(nodes int) serveOptions {
	lab := labOptions{nodes: nodes, randomPorts: true, fast: true}
	return serveOptions{listen: "127.0.0.1:0", source: lab.source(io.Discard)}
}

func startTestServer(t *testing.T, o serveOptions) *server {
	t.Helper()
	s, err := startServer(o, io.Discard, io.Discard)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// liveClient is a websocket client of a test server's /ws.
type liveClient struct {
	t      *testing.T
	c      *websocket.Conn
	seen   []protocol.Event // read and looked at
	unread []protocol.Event // read, not yet looked at
}

func dialLive(t *testing.T, ctx context.Context, base string, hdr http.Header) (*liveClient, *http.Response, error) {
	c, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/ws", &websocket.DialOptions{HTTPHeader: hdr})
	if err != nil {
		return nil, resp, err
	}
	c.SetReadLimit(64 << 20)
	t.Cleanup(func() { c.CloseNow() })
	return &liveClient{t: t, c: c}, resp, nil
}

// until reads events until pred holds for one, and returns it.
func (lc *liveClient) until(ctx context.Context, what string, pred func(protocol.Event) bool) protocol.Event {
	lc.t.Helper()
	for {
		for len(lc.unread) > 0 {
			ev := lc.unread[0]
			lc.unread = lc.unread[1:]
			lc.seen = append(lc.seen, ev)
			if pred(ev) {
				return ev
			}
		}
		typ, data, err := lc.c.Read(ctx)
		if err != nil {
			lc.t.Fatalf("waiting for %s: %v", what, err)
		}
		if typ != websocket.MessageText {
			lc.t.Fatalf("a %v message", typ)
		}
		evs, problems, _ := protocol.ReadAll(bytes.NewReader(data), 5)
		for _, p := range problems {
			if !strings.Contains(p.Error(), "does not start with a header") {
				lc.t.Fatalf("bad event on the wire: %v", p)
			}
		}
		lc.unread = evs
	}
}

func (lc *liveClient) command(ctx context.Context, id, raw string) protocol.Event {
	lc.t.Helper()
	if err := lc.c.Write(ctx, websocket.MessageText, []byte(raw)); err != nil {
		lc.t.Fatal(err)
	}
	return lc.until(ctx, "reply "+id, func(ev protocol.Event) bool { return ev.Type == protocol.TypeReply && ev.ID == id })
}

func getStats(t *testing.T, base string) map[string]any {
	t.Helper()
	resp, err := http.Get(base + "/api/live")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

// A real 3-node lab streamed over /ws: header and snapshot first, real
// gossip messages, commands carried out or refused without effect.
func TestLabStreamsAndTakesCommands(t *testing.T) {
	s := startTestServer(t, labOpts(3))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	lc, _, err := dialLive(t, ctx, s.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	hdr := lc.until(ctx, "header", func(protocol.Event) bool { return true })
	if hdr.Type != protocol.TypeHeader || hdr.Source != "lab" || fmt.Sprint(hdr.Params["names"]) != "[n1 n2 n3]" {
		t.Fatalf("first event %+v, want the lab's header naming n1..n3", hdr)
	}
	lc.until(ctx, "a gossip message", func(ev protocol.Event) bool { return ev.Type == protocol.TypeMsg && ev.From != ev.To })

	// Refused commands: an error each, and no effect.
	for id, raw := range map[string]string{
		"b1": `{"id":"b1","cmd":"crash","node":"n9"}`,
		"b2": `{"id":"b2","cmd":"partition","groups":[["n1"],["n2","ghost"]]}`,
		"b3": `{"id":"b3","cmd":"restart","node":"n1"}`,
		"b4": `{"id":"b4","cmd":"loss","loss":-1}`,
		"b5": `{"id":"b5","cmd":"silence","node":""}`,
	} {
		if r := lc.command(ctx, id, raw); r.Error == "" {
			t.Errorf("%s: no error", raw)
		}
	}
	if g := s.src.(*node.Lab).Net().Groups(); len(g) != 0 {
		t.Fatalf("a refused partition cut the network: %v", g)
	}
	for _, n := range []string{"n1", "n2", "n3"} {
		if s.src.(*node.Lab).Node(n) == nil {
			t.Fatalf("a refused command stopped %s", n)
		}
	}

	// Carried out: a partition (streamed to the client before its reply),
	// a heal, a crash seen by the others, a restart.
	lc.seen = nil
	if r := lc.command(ctx, "p", `{"id":"p","cmd":"partition","groups":[["n1"],["n2","n3"]]}`); r.Error != "" {
		t.Fatalf("partition: %s", r.Error)
	}
	if !hasEvent(lc.seen, func(ev protocol.Event) bool { return ev.Type == protocol.TypePartition && len(ev.Groups) == 2 }) {
		t.Fatalf("no partition event before the reply: %v", lc.seen)
	}
	if r := lc.command(ctx, "h", `{"id":"h","cmd":"heal"}`); r.Error != "" {
		t.Fatalf("heal: %s", r.Error)
	}
	if r := lc.command(ctx, "c", `{"id":"c","cmd":"crash","node":"n2"}`); r.Error != "" {
		t.Fatalf("crash: %s", r.Error)
	}
	lc.until(ctx, "n2 suspect or dead", func(ev protocol.Event) bool {
		return ev.Type == protocol.TypeNode && ev.Node == "n2" && (ev.Status == protocol.StatusSuspect || ev.Status == protocol.StatusDead)
	})
	lc.seen = nil
	if r := lc.command(ctx, "r", `{"id":"r","cmd":"restart","node":"n2"}`); r.Error != "" {
		t.Fatalf("restart: %s", r.Error)
	}
	alive := func(ev protocol.Event) bool {
		return ev.Type == protocol.TypeNode && ev.Node == "n2" && ev.Status == protocol.StatusAlive
	}
	if !hasEvent(lc.seen, alive) {
		lc.until(ctx, "n2 alive again", alive)
	}

	st := getStats(t, s.URL())
	if st["source"] != "lab" || st["clients"] != 1.0 || st["events"].(float64) < 10 || st["dropped"] != 0.0 {
		t.Fatalf("/api/live: %v", st)
	}

	// A page joining now sees n2 in the snapshot, before anything else.
	late, _, err := dialLive(t, ctx, s.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	late.until(ctx, "header", func(ev protocol.Event) bool { return ev.Type == protocol.TypeHeader })
	first := late.until(ctx, "snapshot", func(protocol.Event) bool { return true })
	if first.Type != protocol.TypeNode {
		t.Fatalf("late client: after the header %+v, want the snapshot's node events", first)
	}
}

func hasEvent(evs []protocol.Event, pred func(protocol.Event) bool) bool {
	for _, ev := range evs {
		if pred(ev) {
			return true
		}
	}
	return false
}

func TestLiveOriginCheck(t *testing.T) {
	o := labOpts(1)
	o.allowedOrigins = []string{"localhost:3000"}
	s := startTestServer(t, o)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for origin, want := range map[string]int{"http://evil.example": http.StatusForbidden, "http://localhost:3000": http.StatusSwitchingProtocols, s.URL(): http.StatusSwitchingProtocols} {
		_, resp, err := dialLive(t, ctx, s.URL(), http.Header{"Origin": {origin}})
		if resp == nil || resp.StatusCode != want {
			t.Errorf("Origin %s: %v (%v), want HTTP %d", origin, resp, err, want)
		}
	}
}

// serve --lab --record, then replay: the replayed stream is the recorded
// one, event for event.
func TestRecordThenReplayALab(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lab.jsonl")
	o := labOpts(3)
	o.record = path
	s, err := startServer(o, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	lc, _, err := dialLive(t, ctx, s.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	lc.command(ctx, "1", `{"id":"1","cmd":"silence","node":"n1","text":"recorded"}`)
	lc.until(ctx, "the silence reaching n3", func(ev protocol.Event) bool {
		return ev.Type == protocol.TypeState && ev.Node == "n3"
	})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recorded, problems, _ := protocol.ReadAll(bytes.NewReader(raw), 5)
	if len(problems) > 0 || len(recorded) < 20 || recorded[0].Source != "lab" {
		t.Fatalf("recording: %d events, problems %v", len(recorded), problems)
	}
	if !hasEvent(recorded, func(ev protocol.Event) bool { return ev.Type == protocol.TypeState && ev.Value == "recorded" }) {
		t.Fatal("the silence is not in the recording")
	}

	ro := replayOptions{serveOptions: serveOptions{listen: "127.0.0.1:0"}, file: path, speed: 100, wait: true}
	var out syncBuffer // the replay writes from its own goroutine
	rs, err := startReplay(ctx, ro, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	rc, _, err := dialLive(t, ctx, rs.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	rc.until(ctx, "the end", func(ev protocol.Event) bool {
		return ev.Type == protocol.TypeNote && strings.HasPrefix(ev.Text, "end of recording")
	})
	if rc.seen[0].Source != "replay" || rc.seen[0].Params["recorded_source"] != "lab" {
		t.Fatalf("replay header %+v", rc.seen[0])
	}
	if got, want := eventsOnly(rc.seen), eventsOnly(recorded); !reflect.DeepEqual(got, want) {
		t.Fatalf("replay streamed %d events, the recording has %d; they differ", len(got), len(want))
	}
	if r := rc.command(ctx, "x", `{"id":"x","cmd":"heal"}`); !strings.Contains(r.Error, "replay takes no commands") {
		t.Fatalf("command to a replay: %+v", r)
	}
}

// eventsOnly drops the header and the notes and replies a hub adds.
func eventsOnly(evs []protocol.Event) []protocol.Event {
	var out []protocol.Event
	for _, ev := range evs {
		if ev.Type != protocol.TypeHeader && ev.Type != protocol.TypeReply && !(ev.Type == protocol.TypeNote && strings.HasPrefix(ev.Text, "end of recording")) {
			out = append(out, ev)
		}
	}
	return out
}

func TestLiveCommandsBadFlags(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"lab", "--nodes", "0"},
		{"lab", "--nodes", "100000"},
		{"lab", "stray"},
		{"serve", "--record", filepath.Join(dir, "x.jsonl")},
		{"serve", "--web.allowed-origin", "*"},
		{"replay"},
		{"replay", "a.jsonl", "b.jsonl"},
		{"replay", "--speed", "0", "a.jsonl"},
		{"replay", "a.jsonl", "--speed", "-1"},
		{"replay", "--speed", "1e-300", "a.jsonl"},
		{"replay", "--speed", "1e-9", "a.jsonl"},
		{"replay", "--speed", "1e300", "a.jsonl"},
		{"replay", "--replay.max-gap", "0s", "a.jsonl"},
		{"replay", "--replay.max-gap", "48h", "a.jsonl"},
		{"replay", "--replay.max-keys", "0", "a.jsonl"},
		{"serve", "--web.allowed-hosts", "*"},
		{"replay", "--no-such-flag", "a.jsonl"},
	} {
		var out, errb bytes.Buffer
		if code := dispatch(args, &out, &errb); code != 2 {
			t.Errorf("%v: exit code %d, want 2 (stderr %q)", args, code, errb.String())
		}
		if errb.Len() == 0 {
			t.Errorf("%v: no message on stderr", args)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x.jsonl")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused --record created its file")
	}
	// A recording that cannot be used: exit 1 with the reason.
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte("not json\n"), 0o644)
	var out, errb bytes.Buffer
	if code := dispatch([]string{"replay", "--web.listen-address", "127.0.0.1:0", bad}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "line 1: not valid JSON") {
		t.Errorf("replay of junk: code %d, stderr %q", code, errb.String())
	}
}

// A damaged recording plays what it can; the page is told which lines were
// skipped, and the server stays up for more pages.
func TestReplayDamagedRecording(t *testing.T) {
	path := filepath.Join(t.TempDir(), "damaged.jsonl")
	os.WriteFile(path, []byte(strings.Join([]string{
		`{"type":"header","t":0,"version":1,"source":"lab","params":{"nodes":2}}`,
		`{"type":"node","t":1,"node":"n1","status":"alive"}`,
		`{"type":"node","t":2,"node":"n2","status":"alive"`,
		`{"type":"msg","t":3,"from":"n1","to":"n2","kind":"ping"}`,
		`{"type":"msg","t":4,"from":"n2","to":"n1","kind":"ack"}`,
		`{"type":"node","t":5,"node":"n2","stat`,
	}, "\n")), 0o644)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var errb syncBuffer
	s, err := startReplay(ctx, replayOptions{serveOptions: serveOptions{listen: "127.0.0.1:0"}, file: path, speed: 1, wait: true}, io.Discard, &errb)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	lc, _, err := dialLive(t, ctx, s.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	lc.until(ctx, "the end", func(ev protocol.Event) bool {
		return ev.Type == protocol.TypeNote && strings.HasPrefix(ev.Text, "end of recording")
	})
	var notes, kinds []string
	for _, ev := range lc.seen {
		switch ev.Type {
		case protocol.TypeNote:
			notes = append(notes, ev.Text)
		case protocol.TypeMsg:
			kinds = append(kinds, ev.Kind)
		}
	}
	all := strings.Join(notes, "\n")
	for _, want := range []string{"line 3: not valid JSON", "line 6: " + protocol.ErrTruncated.Error(), "3 events played, 2 lines skipped"} {
		if !strings.Contains(all, want) {
			t.Errorf("notes lack %q:\n%s", want, all)
		}
	}
	if fmt.Sprint(kinds) != "[ping ack]" {
		t.Errorf("played messages %v, want [ping ack]", kinds)
	}
	// Still serving: a second page joins and gets the state reached.
	late, _, err := dialLive(t, ctx, s.URL(), nil)
	if err != nil {
		t.Fatalf("server down after a damaged recording: %v", err)
	}
	late.until(ctx, "header", func(ev protocol.Event) bool { return ev.Type == protocol.TypeHeader })
	if ev := late.until(ctx, "snapshot", func(protocol.Event) bool { return true }); ev.Type != protocol.TypeNode || ev.Node != "n1" {
		t.Errorf("late page's snapshot starts with %+v, want n1 alive", ev)
	}
	s.Close()
	if !strings.Contains(errb.String(), "line 3") || !strings.Contains(errb.String(), "line 6") {
		t.Errorf("stderr does not name the bad lines: %q", errb.String())
	}
}
