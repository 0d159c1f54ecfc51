package cluster_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/cluster"
	"github.com/gossipscope/gossipscope/nflog"
	"github.com/gossipscope/gossipscope/notify"
	"github.com/gossipscope/gossipscope/protocol"
	"github.com/gossipscope/gossipscope/silence"
	"github.com/gossipscope/gossipscope/wire"
	"github.com/hashicorp/memberlist"
	silencepb "github.com/prometheus/alertmanager/silence/silencepb"
)

// events collects events from any goroutine.
type events struct {
	mu  sync.Mutex
	all []protocol.Event
}

func (r *events) emit(e protocol.Event) { r.emitAll([]protocol.Event{e}) }
func (r *events) emitAll(evs []protocol.Event) {
	r.mu.Lock()
	r.all = append(r.all, evs...)
	r.mu.Unlock()
}

func (r *events) count(f func(protocol.Event) bool) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.all {
		if f(e) {
			n++
		}
	}
	return n
}

// member is what a page would run per node: a peer on an in-process
// transport with its silences and notification log plugged in, and HA
// notification sending to a Go function instead of a webhook.
type member struct {
	peer *cluster.Peer
	sil  *silence.Silences
	nfl  *nflog.Log
	disp *notify.Dispatcher
}

// sent records notifications: the Sender of every member.
type sent struct {
	mu sync.Mutex
	by []string
}

type senderFor struct {
	s    *sent
	name string
}

func (f senderFor) Send(_ context.Context, m *notify.Message) (string, error) {
	f.s.mu.Lock()
	f.s.by = append(f.s.by, f.name+":"+m.GroupKey)
	f.s.mu.Unlock()
	return "delivered", nil
}

func (s *sent) list() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.by...)
}

func startMember(t *testing.T, nw *memberlist.MockNetwork, name string, rec *events, out *sent) *member {
	t.Helper()
	start := time.Now()
	mem := cluster.NewMembership(name, start, rec.emit, nil)
	tr := cluster.Observe(nw.NewTransport(name), mem, rec.emitAll)
	// Probes as patient as memberlist's LAN defaults, so that a loaded
	// machine's late acks cause no false suspicion that would move
	// positions; gossip fast against the peer timeout below (1/50 of it,
	// Alertmanager's ratio is 1/75), so the log entry reaches b and c
	// before their wait ends, which the test is about.
	cfg := cluster.Config{Name: name, Membership: mem, Start: start,
		GossipInterval: 20 * time.Millisecond, ProbeInterval: time.Second,
		ProbeTimeout: 500 * time.Millisecond, PushPullInterval: time.Second, TCPTimeout: time.Second}
	p, err := cluster.New(cfg, tr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Shutdown() })
	m := &member{peer: p}
	m.sil = silence.New(silence.Options{Learned: func(s *silencepb.Silence, _ silence.Origin) {
		rec.emit(silence.Event(s, name, 0))
	}})
	m.sil.SetBroadcast(p.AddState(wire.KeySilences, m.sil).Broadcast)
	m.nfl = nflog.New(nflog.Options{})
	m.nfl.SetBroadcast(p.AddState(wire.KeyNflog, m.nfl).Broadcast)
	m.disp = notify.New(notify.Config{Name: name, GroupWait: 50 * time.Millisecond, PeerTimeout: time.Second,
		Position: p.Position, Silences: m.sil, Log: m.nfl, Sender: senderFor{out, name}, Emit: rec.emit})
	t.Cleanup(m.disp.Stop)
	return m
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second) // a bound for a loaded machine, not a speed test
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func addr(t *testing.T, m *member) string {
	t.Helper()
	a, ok := m.peer.Membership().AddrOf(m.peer.Name())
	if !ok {
		t.Fatalf("%s does not know its own address", m.peer.Name())
	}
	return a
}

// Peers on memberlist's in-process MockNetwork (no socket, no HTTP) form a
// cluster, replicate a silence by gossip, report what they send as msg
// events and membership as node events, and notify once for an alert all
// of them get: Alertmanager's HA dedup through the gossiped nflog.
func TestPeersOverInProcessTransport(t *testing.T) {
	nw := &memberlist.MockNetwork{}
	rec, out := &events{}, &sent{}
	var ms []*member
	for _, name := range []string{"a", "b", "c"} {
		ms = append(ms, startMember(t, nw, name, rec, out))
	}
	for _, m := range ms[1:] {
		if err := m.peer.Join([]string{addr(t, ms[0])}); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "three members everywhere", func() bool {
		for _, m := range ms {
			if m.peer.NumMembers() != 3 {
				return false
			}
		}
		return true
	})
	if p := ms[2].peer.Position(); p != 2 {
		t.Fatalf("c's position %d, want 2 (members sorted by name)", p)
	}
	now := time.Now().UTC()
	id, err := ms[0].sil.Set(&silencepb.Silence{
		Matchers: []*silencepb.Matcher{{Name: "alertname", Pattern: "Quiet"}},
		StartsAt: now, EndsAt: now.Add(time.Hour), Comment: "quiet please"})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the silence on every peer", func() bool {
		for _, m := range ms {
			if _, ok := m.sil.Get(id); !ok {
				return false
			}
		}
		return true
	})
	key := "sil/" + id
	if n := rec.count(func(e protocol.Event) bool {
		return e.Type == protocol.TypeMsg && e.Kind == wire.KindUser && e.Key == key && e.Value == "quiet please"
	}); n == 0 {
		t.Fatal("no msg event carried the silence")
	}
	if n := rec.count(func(e protocol.Event) bool { return e.Type == protocol.TypeState && e.Key == key }); n != 3 {
		t.Fatalf("%d state events for the silence, want one per peer", n)
	}
	if n := rec.count(func(e protocol.Event) bool {
		return e.Type == protocol.TypeNode && e.From == "c" && e.Status == protocol.StatusAlive
	}); n != 3 {
		t.Fatalf("c reported %d members alive, want 3", n)
	}

	// Every peer gets the alert; a notifies, b and c find it in the log.
	for _, m := range ms {
		m.disp.Put([]*notify.Alert{{Labels: map[string]string{"alertname": "Loud"}, StartsAt: time.Now(), EndsAt: time.Now().Add(time.Hour)}})
	}
	// Wait for every peer's decision (sent or skipped) and judge them
	// after, so that a wrong outcome fails as itself, not as a timeout.
	decided := func(e protocol.Event) bool {
		return e.Type == protocol.TypeNote && e.Node != "" &&
			(strings.HasPrefix(e.Text, e.Node+": sent webhook") ||
				e.Text == e.Node+": skipped notification: the notification log already has it")
	}
	eventually(t, "a, b and c to decide (b and c after 1 and 2 peer timeouts)", func() bool {
		return rec.count(decided) >= 3
	})
	if n := rec.count(func(e protocol.Event) bool {
		return decided(e) && (e.Node == "b" || e.Node == "c") && strings.Contains(e.Text, "skipped notification")
	}); n != 2 {
		t.Errorf("%d of b and c skipped, want both (they should find a's entry in the gossiped log)", n)
	}
	if got := out.list(); len(got) != 1 || got[0] != `a:{}:{alertname="Loud"}` {
		t.Fatalf("notifications %v, want one from a", got)
	}
}
