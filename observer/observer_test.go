package observer

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/internal/testnet"
	"github.com/gossipscope/gossipscope/protocol"
)

func newObserver(t *testing.T, cfg Config) (*Observer, *recorder) {
	t.Helper()
	rec := &recorder{}
	cfg.Emit = rec.emit
	o, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { o.Close() })
	return o, rec
}

// holders returns the nodes with a state event for key at version.
func holders(rec *recorder, key string, version int64, value string) []string {
	var out []string
	for _, e := range rec.filter(func(e protocol.Event) bool {
		return e.Type == protocol.TypeState && e.Key == key && e.Version == version && e.Value == value
	}) {
		if !slices.Contains(out, e.Node) {
			out = append(out, e.Node)
		}
	}
	slices.Sort(out)
	return out
}

// lastStatus returns the last node event's status for each node.
func lastStatus(rec *recorder) map[string]protocol.Status {
	out := map[string]protocol.Status{}
	for _, e := range rec.filter(func(e protocol.Event) bool { return e.Type == protocol.TypeNode }) {
		out[e.Node] = e.Status
	}
	return out
}

// A real 3-node Alertmanager v0.27 cluster watched passively: peers named
// in HA position order, a silence's arrival on every node, the cluster's
// own counters, a crash seen from the others, and nothing but GET requests
// (nothing created in the cluster by the observer).
func TestPassiveObservesRealCluster(t *testing.T) {
	t.Parallel()
	ams := startCluster(t, 3)
	var proxies []*methodCounter
	var urls []string
	for _, am := range ams {
		p := countMethods(t, am.API)
		proxies = append(proxies, p)
		urls = append(urls, p.URL)
	}
	o, rec := newObserver(t, Config{URLs: urls, Interval: 200 * time.Millisecond, Timeout: time.Second, MaxBackoff: time.Second})

	// Aliases in byte order of the real peer names: amK is position K-1.
	var real []string
	for _, am := range ams {
		name, _ := statusOf(t, am.API)
		real = append(real, name)
	}
	slices.Sort(real)
	if got := o.Names(); !slices.Equal(got, []string{"am1", "am2", "am3"}) {
		t.Fatalf("aliases %v, want am1..am3", got)
	}
	for i, a := range []string{"am1", "am2", "am3"} {
		if o.PeerName(a) != real[i] {
			t.Fatalf("%s is %q, want %q (peer names in byte order: %v)", a, o.PeerName(a), real[i], real)
		}
	}
	hdr := o.Header()
	if hdr.Source != Source || hdr.Params["mode"] != "passive" || fmt.Sprint(hdr.Params["names"]) != "[am1 am2 am3]" {
		t.Fatalf("header %+v", hdr)
	}
	eventually(t, 10*time.Second, "all three alive", func() bool {
		st := lastStatus(rec)
		return len(st) == 3 && st["am1"] == protocol.StatusAlive && st["am2"] == protocol.StatusAlive && st["am3"] == protocol.StatusAlive
	})

	// A silence made on one node (by the test, directly) arrives on all.
	id, version := postSilence(t, ams[1].API, "observed silence")
	key := "sil/" + id
	eventually(t, 10*time.Second, "the silence on every node", func() bool {
		return len(holders(rec, key, version, "observed silence")) == 3
	})
	// The snapshot says the same.
	n := 0
	for _, e := range o.Snapshot() {
		if e.Type == protocol.TypeState && e.Key == key && e.Version == version {
			n++
		}
	}
	if n != 3 {
		t.Fatalf("snapshot has the silence on %d nodes, want 3", n)
	}
	// The cluster's own counters show the gossip that carried it.
	eventually(t, 10*time.Second, "measured update messages", func() bool {
		return len(rec.filter(func(e protocol.Event) bool {
			d, _ := e.Params["delta"].(map[string]any)
			v, _ := d["received_update"].(float64)
			return e.Type == protocol.TypeNote && v > 0
		})) > 0
	})
	if msgs := rec.filter(func(e protocol.Event) bool { return e.Type == protocol.TypeMsg }); len(msgs) > 0 {
		t.Fatalf("a passive observer reported %d msg events it cannot have seen: %+v", len(msgs), msgs[0])
	}

	// Every command is refused, and refusing changes nothing.
	for _, c := range []protocol.Command{
		{Cmd: protocol.CmdSilence, Node: "am1", Text: "x"}, {Cmd: protocol.CmdAlert}, {Cmd: protocol.CmdCrash, Node: "am2"},
		{Cmd: protocol.CmdRestart, Node: "am2"}, {Cmd: protocol.CmdPartition, Groups: [][]string{{"am1"}, {"am2"}}},
		{Cmd: protocol.CmdHeal}, {Cmd: protocol.CmdLoss, Loss: 0.5},
	} {
		if err := o.Command(c); !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), "read-only") {
			t.Fatalf("%s: %v, want a read-only refusal", c.Cmd, err)
		}
	}

	// A crashed peer: a note that its API stopped answering, and dead once
	// the others drop it from their member lists.
	crashed := o.names.of(func() string { n, _ := statusOf(t, ams[2].API); return n }())
	ams[2].Stop(syscall.SIGKILL)
	eventually(t, 20*time.Second, crashed+" dead", func() bool { return lastStatus(rec)[crashed] == protocol.StatusDead })
	unreachable := rec.filter(func(e protocol.Event) bool {
		return e.Type == protocol.TypeNote && e.Node == crashed && strings.Contains(e.Text, "unreachable")
	})
	if len(unreachable) != 1 {
		t.Fatalf("%d unreachable notes for %s, want 1 (a note when it stops answering, not one per retry)", len(unreachable), crashed)
	}
	for a, st := range lastStatus(rec) {
		if a != crashed && st != protocol.StatusAlive {
			t.Fatalf("%s is %s", a, st)
		}
	}

	// Only GET requests reached the Alertmanagers, and the cluster holds
	// only what the test made.
	for i, p := range proxies {
		c := p.counts()
		if c["GET"] == 0 || len(c) != 1 {
			t.Fatalf("requests through proxy %d: %v, want GETs only", i, c)
		}
	}
	var sils []amSilence
	var alerts []any
	if err := httpGet(ams[0].API+"/api/v2/silences", &sils); err != nil {
		t.Fatal(err)
	}
	if err := httpGet(ams[0].API+"/api/v2/alerts", &alerts); err != nil {
		t.Fatal(err)
	}
	if len(sils) != 1 || sils[0].ID != id || len(alerts) != 0 {
		t.Fatalf("the cluster holds %d silences and %d alerts, want just the test's silence", len(sils), len(alerts))
	}
	rec.check(t)
	if testing.Verbose() {
		t.Logf("events:\n%s", rec.dump())
	}
}

// Alertmanagers that do not answer (nothing listening; an HTTP server that
// is not an Alertmanager): one clear note each, retries with backoff, no
// error and no crash.
func TestUnreachableAlertmanagers(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	notAM := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.NotFound(w, r)
	}))
	defer notAM.Close()
	closed := "http://" + testnet.FreeAddr(t)
	o, rec := newObserver(t, Config{URLs: []string{closed, notAM.URL}, Interval: 50 * time.Millisecond, Timeout: 500 * time.Millisecond, MaxBackoff: 200 * time.Millisecond})

	time.Sleep(1500 * time.Millisecond)
	for _, u := range []string{closed, notAM.URL} {
		notes := rec.filter(func(e protocol.Event) bool {
			return e.Type == protocol.TypeNote && e.Params["url"] == u && strings.Contains(e.Text, "unreachable")
		})
		if len(notes) != 1 {
			t.Fatalf("%s: %d unreachable notes, want 1:\n%s", u, len(notes), rec.dump())
		}
		if !strings.HasPrefix(notes[0].Text, u+": unreachable: ") {
			t.Fatalf("note %q does not say which URL failed first", notes[0].Text)
		}
	}
	if !strings.Contains(rec.dump(), "connection refused") || !strings.Contains(rec.dump(), "404") {
		t.Fatalf("notes do not say why:\n%s", rec.dump())
	}
	// Retried, but backing off: 1.5 s at 50 ms would be 30 polls; with the
	// backoff capped at 200 ms it is at most about 10.
	if n := hits.Load(); n < 3 || n > 12 {
		t.Fatalf("%d requests to the failing server in 1.5 s, want retries with backoff (3..12)", n)
	}
	// A page joining now is told too.
	snap := 0
	for _, e := range o.Snapshot() {
		if e.Type == protocol.TypeNote && strings.Contains(e.Text, ": unreachable: ") {
			snap++
		}
	}
	if snap != 2 {
		t.Fatalf("snapshot has %d unreachable notes, want 2: %+v", snap, o.Snapshot())
	}
	if len(o.Names()) != 0 || len(rec.filter(func(e protocol.Event) bool { return e.Type == protocol.TypeNode })) != 0 {
		t.Fatalf("nodes made up from nothing: %v", o.Names())
	}
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
	rec.check(t)
}

// The observer's HTTP client refuses anything but GET, whatever asks.
func TestClientRefusesAllButGet(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	c := newGetOnlyClient(nil, time.Second)
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH"} {
		req, _ := http.NewRequest(m, srv.URL+"/api/v2/silences", strings.NewReader("{}"))
		if _, err := c.Do(req); err == nil || !strings.Contains(err.Error(), "only reads") {
			t.Fatalf("%s: %v, want a refusal", m, err)
		}
	}
	if hits.Load() != 0 {
		t.Fatalf("%d requests reached the server", hits.Load())
	}
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if hits.Load() != 1 {
		t.Fatal("GET did not reach the server")
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	emit := func(protocol.Event) {}
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{Emit: emit}, "nothing to observe"},
		{Config{URLs: []string{"127.0.0.1:9093"}, Emit: emit}, "http://"},
		{Config{URLs: []string{"http://"}, Emit: emit}, "missing host"},
		{Config{URLs: []string{"http://a:1?x=1"}, Emit: emit}, "without query"},
		{Config{URLs: []string{"http://a:1", "http://a:1"}, Emit: emit}, "twice"},
		{Config{URLs: []string{"http://a:1"}}, "Emit"},
		{Config{Join: "10.0.0.1:9094", Emit: emit}, "not on loopback"},
		{Config{Join: "127.0.0.1", Emit: emit}, "host:port"},
		{Config{Join: "127.0.0.1:9094", Bind: "localhost:0", Emit: emit}, "IP address"},
	} {
		err := c.cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want an error saying %q", c.cfg, err, c.want)
		}
	}
	ok := Config{URLs: []string{"http://127.0.0.1:9093"}, Join: "10.0.0.1:9094", Bind: "10.0.0.2:0", Emit: emit}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestBackoffDoublesToTheCap(t *testing.T) {
	t.Parallel()
	o := &Observer{cfg: Config{Interval: time.Second, MaxBackoff: 5 * time.Second}}
	var got []time.Duration
	for n := 1; n <= 5; n++ {
		got = append(got, o.backoff(n))
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}
	if !slices.Equal(got, want) {
		t.Fatalf("backoff %v, want %v", got, want)
	}
}

// Join mode against a real 2-node cluster: the observer becomes a member
// whose name sorts last, so no real peer's HA position changes; it reports
// the gossip sent to it, named by sender; it refuses commands; it leaves
// on Close and the cluster is back to its real members.
func TestJoinKeepsPositions(t *testing.T) {
	t.Parallel()
	ams := startCluster(t, 2)
	before := map[string]float64{}
	for _, am := range ams {
		before[am.API] = metricOf(t, am.API, "alertmanager_peer_position")
	}
	var proxies []*methodCounter
	var urls []string
	for _, am := range ams {
		p := countMethods(t, am.API)
		proxies, urls = append(proxies, p), append(urls, p.URL)
	}
	o, rec := newObserver(t, Config{URLs: urls, Join: ams[0].Gossip, Interval: 200 * time.Millisecond, Timeout: time.Second})
	name := o.MemberName()
	if !strings.HasPrefix(name, "~observer-") {
		t.Fatalf("member name %q", name)
	}
	eventually(t, 10*time.Second, "3 members in every Alertmanager's view", func() bool {
		for _, am := range ams {
			if metricOf(t, am.API, "alertmanager_cluster_members") != 3 {
				return false
			}
		}
		return true
	})
	for _, am := range ams {
		if p := metricOf(t, am.API, "alertmanager_peer_position"); p != before[am.API] {
			t.Fatalf("%s: position %v with the observer joined, %v before", am.API, p, before[am.API])
		}
		_, peers := statusOf(t, am.API)
		if !slices.Contains(peers, name) {
			t.Fatalf("%s does not list the observer: %v", am.API, peers)
		}
	}
	st := lastStatus(rec)
	if st["am1"] != protocol.StatusAlive || st["am2"] != protocol.StatusAlive || st[ObserverAlias] != protocol.StatusAlive {
		t.Fatalf("statuses %v", st)
	}

	// A silence made on a real node reaches the observer as user messages
	// from the real peers, with node/'s key and version.
	id, version := postSilence(t, ams[1].API, "seen by a member")
	eventually(t, 10*time.Second, "the silence gossiped to the observer", func() bool {
		return len(rec.filter(func(e protocol.Event) bool {
			return e.Type == protocol.TypeMsg && e.Kind == "user" && e.To == ObserverAlias &&
				(e.From == "am1" || e.From == "am2") && e.Key == "sil/"+id && e.Version == version && e.Value == "seen by a member"
		})) > 0
	})
	eventually(t, 10*time.Second, "the silence on both nodes", func() bool {
		return len(holders(rec, "sil/"+id, version, "seen by a member")) == 2
	})
	// Those user messages came in UDP packets and were reported with their
	// sender; the delegate, which sees them again, must not also report
	// them as user messages over TCP.
	if notes := rec.filter(func(e protocol.Event) bool {
		return e.Type == protocol.TypeNote && strings.Contains(e.Text, " over TCP (")
	}); len(notes) > 0 {
		t.Fatalf("gossip over UDP also noted as over TCP: %+v", notes)
	}
	// Every message reported has the observer at one end: it cannot see
	// the others.
	for _, e := range rec.filter(func(e protocol.Event) bool { return e.Type == protocol.TypeMsg }) {
		if e.From != ObserverAlias && e.To != ObserverAlias {
			t.Fatalf("a message between two other peers: %+v", e)
		}
	}
	if err := o.Command(protocol.Command{Cmd: protocol.CmdCrash, Node: "am1"}); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("crash: %v, want refused", err)
	}

	if err := o.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if lastStatus(rec)[ObserverAlias] != protocol.StatusLeft {
		t.Fatalf("observer's last status %v, want left", lastStatus(rec)[ObserverAlias])
	}
	eventually(t, 10*time.Second, "2 members again", func() bool {
		for _, am := range ams {
			if metricOf(t, am.API, "alertmanager_cluster_members") != 2 {
				return false
			}
		}
		return true
	})
	for _, am := range ams {
		if p := metricOf(t, am.API, "alertmanager_peer_position"); p != before[am.API] {
			t.Fatalf("%s: position %v after the observer left, %v before", am.API, p, before[am.API])
		}
	}
	for i, p := range proxies {
		if c := p.counts(); c["GET"] == 0 || len(c) != 1 {
			t.Fatalf("requests through proxy %d: %v, want GETs only", i, c)
		}
	}
	var sils []amSilence
	if err := httpGet(ams[0].API+"/api/v2/silences", &sils); err != nil || len(sils) != 1 {
		t.Fatalf("%d silences (%v), want the test's one", len(sils), err)
	}
	rec.check(t)
}

// A joining observer refuses a name that would not sort after every peer.
func TestJoinRefusesANameSortingFirst(t *testing.T) {
	t.Parallel()
	ams := startCluster(t, 1)
	rec := &recorder{}
	// "0..." sorts before every ULID.
	_, err := New(Config{URLs: []string{ams[0].API}, Join: ams[0].Gossip, Name: "0-observer", Emit: rec.emit})
	if err == nil || !strings.Contains(err.Error(), "HA positions") {
		t.Fatalf("New with name %q: %v, want a refusal", "0-observer", err)
	}
	// It never joined: the Alertmanager is still alone.
	if m := metricOf(t, ams[0].API, "alertmanager_cluster_members"); m != 1 {
		t.Fatalf("%v members", m)
	}
	// Without a URL to ask first, it finds out from the member list once
	// joined, and leaves at once.
	_, err = New(Config{Join: ams[0].Gossip, Name: "0-observer", Emit: rec.emit})
	if err == nil || !strings.Contains(err.Error(), "left again") {
		t.Fatalf("New without URLs, name %q: %v, want join then leave", "0-observer", err)
	}
	eventually(t, 10*time.Second, "the Alertmanager alone again", func() bool {
		return metricOf(t, ams[0].API, "alertmanager_cluster_members") == 1
	})
	rec.check(t)
}

// A join that cannot reach the cluster is an error that says where, and
// leaves nothing running.
func TestJoinNobodyThere(t *testing.T) {
	t.Parallel()
	addr := testnet.FreeAddr(t)
	rec := &recorder{}
	o, err := New(Config{Join: addr, Emit: rec.emit})
	if err == nil {
		o.Close()
		t.Fatal("joined nobody")
	}
	// How the dial fails is the kernel's business: refused, or reset when a
	// parallel test happened to take the freed port meanwhile.
	if !strings.Contains(err.Error(), "join "+addr) || !strings.Contains(err.Error(), "failed to join") {
		t.Fatalf("error %q does not say what failed", err)
	}
}
