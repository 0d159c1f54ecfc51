package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/internal/testnet"
	"github.com/gossipscope/gossipscope/protocol"
)

func TestObserveBadFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"observe"}, "nothing to observe"},
		{[]string{"observe", "--alertmanager.url", "127.0.0.1:9093"}, "http://host:port"},
		{[]string{"observe", "--alertmanager.url", "ftp://127.0.0.1:9093"}, "http://"},
		{[]string{"observe", "--alertmanager.url", "http://a:9093", "--interval", "10ms"}, "--interval"},
		{[]string{"observe", "--alertmanager.url", "http://a:9093", "--timeout", "0s"}, "--timeout"},
		{[]string{"observe", "--alertmanager.url", "http://a:9093", "--max-backoff", "1ms"}, "--max-backoff"},
		{[]string{"observe", "--alertmanager.url", "http://a:9093", "--alertmanager.url", "http://a:9093"}, "twice"},
		{[]string{"observe", "--alertmanager.url", "http://a:9093", "--join.bind", "127.0.0.1:0"}, "need --join"},
		{[]string{"observe", "--join", "10.1.2.3:9094"}, "not on loopback"},
		{[]string{"observe", "--join", "nohostport"}, "host:port"},
		{[]string{"observe", "--alertmanager.url", "http://a:9093", "--no-such-flag"}, "not defined"},
		{[]string{"observe", "--alertmanager.url", "http://a:9093", "stray"}, "unexpected argument"},
	} {
		var out, errb bytes.Buffer
		if code := dispatch(c.args, &out, &errb); code != 2 || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, errb.String(), c.want)
		}
	}
}

// 'gossipscope observe' serves a real 2-node Alertmanager cluster like a
// lab: header and snapshot over /ws, a silence's arrival on both nodes,
// commands refused as read-only, /api/live, and --record.
func TestObserveServesRealCluster(t *testing.T) {
	am1 := testnet.StartAlertmanager(t, testnet.AlertmanagerConfig{})
	am2 := testnet.StartAlertmanager(t, testnet.AlertmanagerConfig{Peer: am1.Gossip})
	api1, api2 := am1.API, am2.API
	waitFor(t, 20*time.Second, "2 members", func() bool { return len(statusPeers(t, api1)) == 2 && len(statusPeers(t, api2)) == 2 })

	path := filepath.Join(t.TempDir(), "observed.jsonl")
	ob := observeOptions{urls: []string{api1, api2}, interval: 200 * time.Millisecond, timeout: time.Second, maxBackoff: time.Second}
	var stdout bytes.Buffer
	s, err := startServer(serveOptions{listen: "127.0.0.1:0", record: path, source: ob.source(&stdout)}, &stdout, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if !strings.Contains(stdout.String(), "peers am1=") {
		t.Fatalf("stdout does not name the peers:\n%s", stdout.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	lc, _, err := dialLive(t, ctx, s.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	hdr := lc.until(ctx, "header", func(protocol.Event) bool { return true })
	if hdr.Type != protocol.TypeHeader || hdr.Source != "alertmanager" || fmt.Sprint(hdr.Params["names"]) != "[am1 am2]" {
		t.Fatalf("first event %+v, want the observer's header naming am1, am2", hdr)
	}
	for _, n := range []string{"am1", "am2"} {
		lc.until(ctx, n+" alive", func(ev protocol.Event) bool {
			return ev.Type == protocol.TypeNode && ev.Node == n && ev.Status == protocol.StatusAlive
		})
	}
	if st := getStats(t, s.URL()); st["source"] != "alertmanager" {
		t.Fatalf("/api/live source %v", st["source"])
	}

	// The test makes a silence on am2's Alertmanager; the page sees it
	// reach both.
	body := fmt.Sprintf(`{"matchers":[{"name":"alertname","value":"X","isRegex":false}],"startsAt":%q,"endsAt":%q,"createdBy":"test","comment":"watched"}`,
		time.Now().UTC().Format(time.RFC3339), time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	resp, err := http.Post(api2+"/api/v2/silences", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	got := map[string]bool{}
	for len(got) < 2 {
		ev := lc.until(ctx, "the silence on both nodes", func(ev protocol.Event) bool {
			return ev.Type == protocol.TypeState && ev.Value == "watched" && strings.HasPrefix(ev.Key, "sil/")
		})
		got[ev.Node] = true
	}

	for i, raw := range []string{
		`{"cmd":"silence","node":"am1","text":"no"}`, `{"cmd":"crash","node":"am2"}`, `{"cmd":"alert"}`,
		`{"cmd":"partition","groups":[["am1"],["am2"]]}`, `{"cmd":"heal"}`, `{"cmd":"loss","loss":0.1}`,
	} {
		id := fmt.Sprint(i)
		r := lc.command(ctx, id, `{"id":"`+id+`",`+raw[1:])
		if !strings.Contains(r.Error, "observer is read-only") {
			t.Fatalf("%s: reply %+v, want a read-only refusal", raw, r)
		}
	}
	var sils []map[string]any
	getJSON(t, api1+"/api/v2/silences", &sils)
	if len(sils) != 1 {
		t.Fatalf("%d silences in the cluster, want only the test's", len(sils))
	}

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recorded, problems, _ := protocol.ReadAll(bytes.NewReader(raw), 5)
	if len(problems) > 0 || len(recorded) == 0 || recorded[0].Source != "alertmanager" {
		t.Fatalf("recording: %d events, problems %v", len(recorded), problems)
	}
	if !hasEvent(recorded, func(ev protocol.Event) bool { return ev.Type == protocol.TypeState && ev.Value == "watched" }) {
		t.Fatal("the silence is not in the recording")
	}
}

// An Alertmanager that is not there: the server starts and stays up, and
// the page is told clearly.
func TestObserveUnreachableStaysUp(t *testing.T) {
	dead := "http://" + testnet.FreeAddr(t)
	ob := observeOptions{urls: []string{dead}, interval: 100 * time.Millisecond, timeout: 500 * time.Millisecond, maxBackoff: 200 * time.Millisecond}
	s := startTestServer(t, serveOptions{listen: "127.0.0.1:0", source: ob.source(io.Discard)})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	lc, _, err := dialLive(t, ctx, s.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	hdr := lc.until(ctx, "header", func(protocol.Event) bool { return true })
	if hdr.Source != "alertmanager" {
		t.Fatalf("header %+v", hdr)
	}
	// The failure happened before this client joined: the snapshot says so.
	note := lc.until(ctx, "a note saying it is unreachable", func(ev protocol.Event) bool { return ev.Type == protocol.TypeNote })
	if !strings.HasPrefix(note.Text, dead+": unreachable: ") || !strings.Contains(note.Text, "connection refused") {
		t.Fatalf("note %q", note.Text)
	}
	if st := getStats(t, s.URL()); st["source"] != "alertmanager" {
		t.Fatalf("/api/live %v", st)
	}
	r := lc.command(ctx, "1", `{"id":"1","cmd":"heal"}`)
	if !strings.Contains(r.Error, "read-only") {
		t.Fatalf("reply %+v", r)
	}
}
