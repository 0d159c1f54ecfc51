package scene

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gossipscope/gossipscope/protocol"
)

func TestStoreRoundTrip(t *testing.T) {
	evs := []protocol.Event{
		protocol.Header("lab", map[string]any{"nodes": 3.0}),
		{Type: protocol.TypeNode, T: 1, Node: "a", Status: protocol.StatusAlive},
		{Type: protocol.TypeState, T: 2, Node: "a", Key: "sil", Version: 1 << 40},
		{Type: protocol.TypeMsg, T: 3, From: "a", To: "b", Kind: "push", Key: "sil", Version: 1 << 40, Arrive: 3.5},
		{Type: protocol.TypeMsg, T: 3, From: "b", To: "a", Kind: "ping", Lost: true},
		{Type: protocol.TypeMsg, T: 4, From: "a", To: "c", Kind: "pushback", Key: "sil", Version: 7, Redundant: true, Arrive: 4},
		{Type: protocol.TypeRound, T: 5, Round: 2},
		{Type: protocol.TypePartition, T: 6, Groups: [][]string{{"a"}, {"b", "c"}}},
		{Type: protocol.TypeHeal, T: 7},
		{Type: protocol.TypeNode, T: 8, Node: "b", Status: protocol.StatusDead},
	}
	p := load(t, Config{}, evs)
	if p.Len() != len(evs) {
		t.Fatalf("stored %d events, want %d", p.Len(), len(evs))
	}
	for i := range evs {
		got := p.Event(i)
		if !reflect.DeepEqual(got, evs[i]) {
			t.Errorf("event %d: got %+v, want %+v", i, got, evs[i])
		}
	}
	if unsafeSize := int(reflect.TypeOf(rec{}).Size()); unsafeSize != 32 {
		t.Errorf("rec is %d bytes, want 32", unsafeSize)
	}
}

func TestAppendRefusesBadEventsAndKeepsGoing(t *testing.T) {
	p := NewPlayer(Config{MaxEvents: 4})
	if err := p.Append(&protocol.Event{Type: protocol.TypeMsg, T: 1, From: "a"}); err == nil {
		t.Fatal("a msg without a receiver was accepted")
	}
	if err := p.Append(&protocol.Event{Type: "future-type", T: 1}); err != nil {
		t.Fatalf("unknown type: %v, want skipped silently", err)
	}
	for i := 0; i < 4; i++ {
		if err := p.Append(&protocol.Event{Type: protocol.TypeNode, T: float64(10 - i), Node: "a", Status: protocol.StatusAlive}); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Append(&protocol.Event{Type: protocol.TypeHeal, T: 20}); err != ErrFull {
		t.Fatalf("past MaxEvents: %v, want ErrFull", err)
	}
	skipped, reordered := p.Skipped()
	if skipped != 2 || reordered != 3 || p.Len() != 4 {
		t.Fatalf("skipped %d reordered %d len %d, want 2 3 4", skipped, reordered, p.Len())
	}
	if p.Horizon() != 10 {
		t.Fatalf("out-of-order times were not clamped: horizon %v", p.Horizon())
	}
	if !strings.Contains(p.Err(), "4 events") {
		t.Fatalf("Err() = %q, want the limit named", p.Err())
	}
}

// fingerprint is everything the scene shows at the playhead.
func fingerprint(p *Player) string {
	cls := make([]Class, p.NodeCount())
	counts, _ := p.classify(cls, nil)
	c := p.Counters()
	return fmt.Sprintf("%+v %v %v %q", c, cls, counts, p.Narration())
}

func TestSeekAnyOrderGivesTheSameView(t *testing.T) {
	evs := gossip(200, 3, 120, 7, 12)
	p := load(t, Config{SnapshotEvery: 50}, evs)
	fresh := func(at float64) string {
		q := load(t, Config{SnapshotEvery: 1 << 30}, evs)
		q.Seek(at)
		return fingerprint(q)
	}
	times := []float64{0, 999, 1000, 1120, 3050, 7000, 2000, 0, 11500, 5000.5, 5000, 20000, 1}
	for _, at := range times {
		p.Seek(at)
		if got, want := fingerprint(p), fresh(at); got != want {
			t.Fatalf("seek to %v via snapshots:\n got %s\nwant %s", at, got, want)
		}
	}
	if len(p.snap) < 5 {
		t.Fatalf("only %d snapshots for %d events every 50", len(p.snap), p.Len())
	}
}

func TestTruncateThenRefeedIsIdentical(t *testing.T) {
	evs := gossip(100, 3, 0, 0, 8)
	whole := load(t, Config{SnapshotEvery: 40}, evs)
	cut := 3000.0
	p := load(t, Config{SnapshotEvery: 40}, evs)
	p.Seek(5000)
	p.Truncate(cut)
	if p.Horizon() >= cut || p.Done() {
		t.Fatalf("after Truncate(%v): horizon %v done %v", cut, p.Horizon(), p.Done())
	}
	for i := range evs {
		if evs[i].T >= cut {
			if err := p.Append(&evs[i]); err != nil {
				t.Fatal(err)
			}
		}
	}
	p.SetDone(true)
	for _, at := range []float64{5000, 2500, 7000} {
		p.Seek(at)
		whole.Seek(at)
		if a, b := fingerprint(p), fingerprint(whole); a != b {
			t.Fatalf("at %v after truncate and refeed:\n got %s\nwant %s", at, a, b)
		}
	}
	if !slices.Equal(p.series, whole.series) {
		t.Fatalf("chart series differ after truncate:\n%v\n%v", p.series, whole.series)
	}
}

func TestCountersFollowTheStream(t *testing.T) {
	evs := gossip(50, 3, 200, 5, 10)
	p := load(t, Config{}, evs)
	at := 2100.0
	p.Seek(at)
	var msgs, lost, red, roundMsgs int
	informed := map[string]bool{}
	for _, e := range evs {
		if e.T > at {
			break
		}
		switch e.Type {
		case protocol.TypeMsg:
			msgs++
			roundMsgs++
			if e.Lost {
				lost++
			}
			if e.Redundant {
				red++
			}
		case protocol.TypeRound:
			roundMsgs = 0
		case protocol.TypeState:
			informed[e.Node] = true
		}
	}
	c := p.Counters()
	if c.Messages != msgs || c.Lost != lost || c.Redundant != red || c.RoundMessages != roundMsgs || c.Informed != len(informed) || c.Round != 3 || c.Alive != 50 {
		t.Fatalf("counters %+v; want msgs %d lost %d redundant %d round msgs %d informed %d round 3", c, msgs, lost, red, roundMsgs, len(informed))
	}
}

func TestClassesCrashPartitionStopped(t *testing.T) {
	hdr := protocol.Header("sim", map[string]any{"nodes": 4, "period": 1000.0})
	evs := []protocol.Event{
		hdr,
		{Type: protocol.TypeState, T: 0, Node: "n0", Key: "k0", Version: 1},
		{Type: protocol.TypeMsg, T: 0, From: "n0", To: "n1", Kind: "push", Key: "k0", Version: 1, Arrive: 100},
		{Type: protocol.TypeState, T: 100, Node: "n1", Key: "k0", Version: 1},
		{Type: protocol.TypePartition, T: 500, Groups: [][]string{{"n0", "n1", "n2"}, {"n3"}}},
		{Type: protocol.TypeNode, T: 600, Node: "n2", Status: protocol.StatusDead},
		{Type: protocol.TypeMsg, T: 1000, From: "n1", To: "n0", Kind: "push", Key: "k0", Version: 1, Arrive: 1100, Redundant: true},
		{Type: protocol.TypeMsg, T: 3000, From: "n3", To: "n0", Kind: "pullreq", Lost: true},
		{Type: protocol.TypeRound, T: 5000, Round: 6},
	}
	p := load(t, Config{}, evs)
	cls := make([]Class, 4)
	check := func(at float64, want ...Class) {
		t.Helper()
		p.Seek(at)
		p.classify(cls, nil)
		if !slices.Equal(cls, want) {
			t.Fatalf("at %v: classes %v, want %v", at, cls, want)
		}
	}
	check(50, Stopped, Uninformed, Uninformed, Uninformed) // its only send is behind it
	// n0 never sends again after 0: stopped; n1 still will at 1000.
	check(200, Stopped, Informed, Uninformed, Uninformed)
	check(700, Stopped, Informed, Crashed, CutOff)
	check(1200, Stopped, Stopped, Crashed, CutOff)
	// Once nobody sends any more, those who know are simply informed.
	check(3500, Informed, Informed, Crashed, CutOff)
	p.SetDone(false) // not settled: nobody can be called stopped yet at the end
	check(4900, Informed, Informed, Crashed, CutOff)
}

func TestVersionsNewestWinsAndUpdateRestartsTheCount(t *testing.T) {
	evs := []protocol.Event{
		protocol.Header("sim", map[string]any{"nodes": 3}),
		{Type: protocol.TypeState, T: 0, Node: "n0", Key: "k0", Version: 1},
		{Type: protocol.TypeState, T: 1, Node: "n1", Key: "k0", Version: 1},
		{Type: protocol.TypeState, T: 2, Node: "n2", Key: "k0", Version: 1},
		{Type: protocol.TypeState, T: 3, Node: "n1", Key: "k0", Version: 2},
		{Type: protocol.TypeState, T: 4, Node: "n1", Key: "k0", Version: 1}, // stale repeat: ignored
		{Type: protocol.TypeState, T: 5, Node: "n0", Key: "k0", Version: 2},
	}
	p := load(t, Config{}, evs)
	for at, want := range map[float64]int{2: 3, 3: 1, 4: 1, 5: 2} {
		p.Seek(at)
		if got := p.Counters().Informed; got != want {
			t.Errorf("at %v: informed %d, want %d", at, got, want)
		}
	}
	p.Seek(5)
	d, ok := p.Details(1)
	if !ok || len(d.Holds) != 1 || d.Holds[0].Version != 2 || !d.Holds[0].Newest {
		t.Fatalf("n1 details %+v", d)
	}
}

func TestDetailsListPeersIncrementally(t *testing.T) {
	evs := gossip(30, 3, 100, 0, 6)
	p := load(t, Config{}, evs)
	for _, at := range []float64{500, 2500, 1500, 5500} {
		p.Seek(at)
		d, ok := p.Details(0)
		if !ok {
			t.Fatal("n0 missing")
		}
		sent := map[string]bool{}
		for _, e := range evs {
			if e.T <= at && e.Type == protocol.TypeMsg && e.From == "n0" {
				sent[e.To] = true
			}
		}
		if d.SentToN != len(sent) || len(d.SentTo) != len(sent) {
			t.Fatalf("at %v: n0 sent to %d (%v), want %d", at, d.SentToN, d.SentTo, len(sent))
		}
		for _, n := range d.SentTo {
			if !sent[n] {
				t.Fatalf("at %v: %s listed but never sent to", at, n)
			}
		}
	}
	if _, ok := p.Details(999); ok {
		t.Fatal("details for a node that does not exist")
	}
}

func TestNextRoundAndMessage(t *testing.T) {
	evs := gossip(20, 2, 150, 0, 4)
	p := load(t, Config{}, evs)
	if r, ok := p.NextRound(0); !ok || r != 1000 {
		t.Fatalf("NextRound(0) = %v %v", r, ok)
	}
	if m, ok := p.NextMessage(0); !ok || m != 150 {
		t.Fatalf("NextMessage(0) = %v %v, want the first arrival at 150", m, ok)
	}
	if m, ok := p.NextMessage(150); !ok || m != 1000 {
		t.Fatalf("NextMessage(150) = %v %v, want the next send at 1000", m, ok)
	}
	if _, ok := p.NextRound(1e9); ok {
		t.Fatal("a round after the end")
	}
}

func TestSetKeyRebuildsTheSeries(t *testing.T) {
	evs := []protocol.Event{
		protocol.Header("lab", nil),
		{Type: protocol.TypeNode, Node: "a", Status: protocol.StatusAlive},
		{Type: protocol.TypeNode, Node: "b", Status: protocol.StatusAlive},
		{Type: protocol.TypeState, T: 1, Node: "a", Key: "sil1", Version: 1},
		{Type: protocol.TypeState, T: 2, Node: "b", Key: "sil1", Version: 1},
		{Type: protocol.TypeState, T: 3, Node: "b", Key: "sil2", Version: 1},
	}
	p := load(t, Config{}, evs)
	p.Seek(10)
	if c := p.Counters(); c.Key != "sil2" || c.Informed != 1 {
		t.Fatalf("default key: %+v, want the newest (sil2) held by 1", c)
	}
	if !p.SetKey("sil1") || p.Counters().Informed != 2 || p.series[len(p.series)-1].informed != 2 {
		t.Fatalf("after SetKey(sil1): %+v series %v", p.Counters(), p.series)
	}
	if p.SetKey("nope") {
		t.Fatal("SetKey accepted an unknown key")
	}
	if math.IsNaN(p.Duration()) {
		t.Fatal("NaN duration")
	}
}
