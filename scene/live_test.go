package scene

import (
	"math"
	"strings"
	"testing"

	"github.com/gossipscope/gossipscope/protocol"
)

// labStream is a small live stream as node.Lab sends it: three nodes,
// ping/ack chatter, a silence created on n1 gossiped to the others, and
// membership news about n3.
func labStream() []protocol.Event {
	return []protocol.Event{
		protocol.Header("lab", map[string]any{"nodes": 3, "names": []any{"n1", "n2", "n3"}}),
		{Type: protocol.TypeNode, T: 1, Node: "n1", Status: protocol.StatusAlive},
		{Type: protocol.TypeNode, T: 1, Node: "n2", Status: protocol.StatusAlive},
		{Type: protocol.TypeNode, T: 1, Node: "n3", Status: protocol.StatusAlive},
		{Type: protocol.TypeMsg, T: 100, From: "n1", To: "n2", Kind: "ping", Bytes: 50},
		{Type: protocol.TypeMsg, T: 101, From: "n2", To: "n1", Kind: "ack", Bytes: 20},
		{Type: protocol.TypeState, T: 200, Node: "n1", Key: "sil/2865822a-46c3-4b0e-9a3c-1f2e3d4c5b6a", Version: 1700000000000, Value: "maintenance"},
		{Type: protocol.TypeMsg, T: 201, From: "n1", To: "n2", Kind: "user", Key: "sil/2865822a-46c3-4b0e-9a3c-1f2e3d4c5b6a", Version: 1700000000000, Value: "maintenance"},
		{Type: protocol.TypeMsg, T: 202, From: "n1", To: "n3", Kind: "user", Key: "sil/2865822a-46c3-4b0e-9a3c-1f2e3d4c5b6a", Version: 1700000000000, Value: "maintenance"},
		{Type: protocol.TypeState, T: 203, Node: "n2", Key: "sil/2865822a-46c3-4b0e-9a3c-1f2e3d4c5b6a", Version: 1700000000000, Value: "maintenance"},
		{Type: protocol.TypeState, T: 204, Node: "n3", Key: "sil/2865822a-46c3-4b0e-9a3c-1f2e3d4c5b6a", Version: 1700000000000, Value: "maintenance"},
		{Type: protocol.TypeMsg, T: 300, From: "n2", To: "n3", Kind: "pushpull", Bytes: 900, Value: "3 members, 1 sil"},
		{Type: protocol.TypeMsg, T: 2000, From: "n1", To: "n2", Kind: "suspect", Key: "n3", Version: 2},
		{Type: protocol.TypeNode, T: 2001, From: "n1", Node: "n3", Status: protocol.StatusSuspect},
		{Type: protocol.TypeNode, T: 5000, From: "n2", Node: "n3", Status: protocol.StatusDead},
		{Type: protocol.TypeNode, T: 9000, From: "n1", Node: "n3", Status: protocol.StatusAlive},
	}
}

func textsContain(f *Frame, s string) (Text, bool) {
	for _, t := range f.Texts {
		if t.S == s {
			return t, true
		}
	}
	return Text{}, false
}

// Small clusters show each node's name beside it, outside the ring;
// big ones do not.
func TestNamesBesideSmallClusters(t *testing.T) {
	p := load(t, Config{}, labStream())
	c := NewComposer()
	var f Frame
	p.Seek(1000)
	c.Compose(p, 1024, 768, 1, &f)
	cx, cy := c.disc.x+c.disc.w/2, c.disc.y+c.disc.h/2
	for i, name := range []string{"n1", "n2", "n3"} {
		tx, ok := textsContain(&f, name)
		if !ok {
			t.Fatalf("no name %q drawn; texts %v", name, f.Texts)
		}
		if tx.Size < 18 {
			t.Errorf("%s drawn at %v px: too small to read across a room", name, tx.Size)
		}
		x, y, _ := c.NodePos(i)
		// The label is further from the ring's centre than its node, and
		// near the node.
		ly := tx.Y + tx.Size/2
		if d2 := (tx.X-x)*(tx.X-x) + (ly-y)*(ly-y); d2 > (c.nodeR+3*tx.Size)*(c.nodeR+3*tx.Size) {
			t.Errorf("%s's name at (%v,%v) is far from its node at (%v,%v)", name, tx.X, ly, x, y)
		}
		if (tx.X-cx)*(tx.X-cx)+(ly-cy)*(ly-cy) <= (x-cx)*(x-cx)+(y-cy)*(y-cy) {
			t.Errorf("%s's name at (%v,%v) is inside its node at (%v,%v)", name, tx.X, ly, x, y)
		}
	}
	big := load(t, Config{}, gossip(NamesMax+1, 2, 10, 0, 3))
	big.Seek(500)
	c2 := NewComposer()
	c2.Compose(big, 1024, 768, 1, &f)
	if _, ok := textsContain(&f, "n7"); ok {
		t.Errorf("names drawn for %d nodes", NamesMax+1)
	}
}

// An observer that joined the cluster is not counted and is drawn apart.
func TestObserverIsNotCounted(t *testing.T) {
	evs := []protocol.Event{
		protocol.Header("alertmanager", map[string]any{"read_only": true, "observer_name": "~observer-abc123", "names": []any{"am1", "am2"}}),
		{Type: protocol.TypeNode, T: 1, Node: "am1", Status: protocol.StatusAlive},
		{Type: protocol.TypeNode, T: 1, Node: "am2", Status: protocol.StatusAlive},
		{Type: protocol.TypeMsg, T: 10, From: "am1", To: "observer", Kind: "ping"},
		{Type: protocol.TypeState, T: 20, Node: "am1", Key: "sil/abc", Version: 5, Value: "x"},
		{Type: protocol.TypeState, T: 30, Node: "am2", Key: "sil/abc", Version: 5, Value: "x"},
	}
	p := load(t, Config{}, evs)
	p.Seek(100)
	c := p.Counters()
	if c.Present != 2 || c.Alive != 2 || c.Informed != 2 {
		t.Fatalf("counters %+v: the observer counted", c)
	}
	i, ok := p.Node("observer")
	if !ok {
		t.Fatal("observer not in the stream")
	}
	if cl := p.NodeClass(i); cl != Observer {
		t.Fatalf("observer's class %v", cl)
	}
	// Without observer_name a node called "observer" is just a node.
	evs[0] = protocol.Header("lab", map[string]any{})
	p = load(t, Config{}, evs)
	p.Seek(100)
	if c := p.Counters(); c.Present != 3 {
		t.Fatalf("present %d, want 3", c.Present)
	}
}

// Live keys are named for people: the silence's comment and where it was
// made, never the raw "sil/<uuid>"; a notification-log entry by its alert.
func TestLiveKeysAreNamedNotShownRaw(t *testing.T) {
	evs := labStream()
	evs = append(evs, protocol.Event{Type: protocol.TypeState, T: 9500, Node: "n2", Key: `nfl/{}:{alertname="HighLatency"}:web/webhook/0`, Version: 1700000009000})
	p := load(t, Config{}, evs)
	p.Seek(1000)
	n := p.Narration()
	if want := `the silence "maintenance" (created on n1)`; !strings.Contains(n, want) {
		t.Errorf("narration %q does not say %s", n, want)
	}
	if strings.Contains(n, "sil/") || strings.Contains(n, "2865822a-46c3") {
		t.Errorf("narration shows a raw key: %q", n)
	}
	ks := p.KeyList()
	if len(ks) != 2 {
		t.Fatalf("keys %+v, want the nflog entry and the silence (not membership keys)", ks)
	}
	if ks[0].Label != `the notification-log entry for alert "HighLatency"` || ks[0].Origin != "n2" {
		t.Errorf("newest key %+v", ks[0])
	}
	if ks[1].Short != `silence "maintenance" · 2865822a` || ks[1].Comment != "maintenance" || ks[1].Origin != "n1" || ks[1].Holders != 3 {
		t.Errorf("silence key %+v", ks[1])
	}
	// The details name what a node holds the same way, by version rank.
	d, _ := p.Details(1)
	if len(d.Holds) != 1 || d.Holds[0].Label != ks[1].Short || d.Holds[0].Rank != 1 {
		t.Errorf("n2 holds %+v", d.Holds)
	}
	// A silence without a comment is named by its short id.
	p2 := load(t, Config{}, []protocol.Event{
		protocol.Header("lab", nil),
		{Type: protocol.TypeState, T: 5, Node: "n4", Key: "sil/0badc0de-0000-4000-8000-000000000000", Version: 3},
	})
	p2.Seek(10)
	if got := p2.KeyLabel(); got != "the silence 0badc0de (created on n4)" {
		t.Errorf("uncommented silence named %q", got)
	}
	// A simulation's key stays "the news".
	sim := load(t, Config{}, gossip(5, 2, 10, 0, 3))
	if got := sim.KeyLabel(); got != "the news" {
		t.Errorf("sim key named %q", got)
	}
}

// Counts in the narration agree in number: "1 message", not "1 messages".
func TestNarrationSingular(t *testing.T) {
	evs := []protocol.Event{
		protocol.Header("lab", nil),
		{Type: protocol.TypeNode, T: 1, Node: "n1", Status: protocol.StatusAlive},
		{Type: protocol.TypeNode, T: 1, Node: "n2", Status: protocol.StatusAlive},
		{Type: protocol.TypeState, T: 2, Node: "n1", Key: "sil/a", Version: 1, Value: "x"},
		{Type: protocol.TypeMsg, T: 3, From: "n1", To: "n2", Kind: "user", Key: "sil/a", Version: 1},
		{Type: protocol.TypeState, T: 4, Node: "n2", Key: "sil/a", Version: 1, Value: "x"},
	}
	p := load(t, Config{}, evs)
	p.Seek(10)
	n := p.Narration()
	if !strings.Contains(n, "1 message so far") || strings.Contains(n, "1 messages") {
		t.Errorf("narration %q", n)
	}
	p.Seek(3.5)
	if n := p.Narration(); strings.Contains(n, "1 messages") || strings.Contains(n, "1 nodes") {
		t.Errorf("narration %q", n)
	}
}

// Live, memberlist's kinds are told apart: the legend lists them, ping/ack
// is small and faint, data stands out; membership changes colour the node
// and are narrated as memberlist sees them.
func TestLiveKindsAndMembership(t *testing.T) {
	p := load(t, Config{}, labStream())
	legend := p.LegendFor()
	var labels []string
	for _, it := range legend {
		labels = append(labels, it.Label)
	}
	all := strings.Join(labels, "|")
	for _, want := range []string{"gossip: silence/nflog", "ping/ack", "push-pull", "membership", "suspected", "dead / left"} {
		if !strings.Contains(all, want) {
			t.Errorf("live legend %q lacks %q", all, want)
		}
	}
	if strings.Contains(all, "request (pull)") {
		t.Errorf("live legend shows the simulator's entries: %q", all)
	}
	c := NewComposer()
	var f Frame
	p.Seek(100.5) // the ping under way
	c.Compose(p, 1024, 768, 1, &f)
	if tx, ok := textsContain(&f, "gossip: silence/nflog"); !ok || tx.Size <= 0 {
		t.Error("the canvas does not draw the live legend")
	}
	if f.Packets == 0 {
		t.Fatal("no ping drawn")
	}
	// A ping is drawn smaller than a data message at the same scale.
	probeR := dotRadius(&f.Under, ColProbe)
	p.Seek(201.5)
	c.Compose(p, 1024, 768, 1, &f)
	dataR := dotRadius(&f.Under, ColNews)
	if !(probeR > 0 && dataR > 1.5*probeR) {
		t.Errorf("ping radius %v, data radius %v: data should stand out", probeR, dataR)
	}
	// Membership.
	p.Seek(2100)
	if n := p.Narration(); !strings.Contains(n, "n3 is suspected by n1.") {
		t.Errorf("narration %q", n)
	}
	if cl := p.NodeClass(2); cl != Suspect {
		t.Errorf("n3 suspected: class %v", cl)
	}
	p.Seek(5100)
	if n := p.Narration(); !strings.Contains(n, "n3 is dead") {
		t.Errorf("narration %q", n)
	}
	if cl := p.NodeClass(2); cl != Crashed {
		t.Errorf("n3 dead: class %v", cl)
	}
	if c := p.Counters(); c.Alive != 2 {
		t.Errorf("alive %d with n3 dead", c.Alive)
	}
	p.Seek(9100)
	if n := p.Narration(); !strings.Contains(n, "n3 is back.") {
		t.Errorf("narration %q", n)
	}
	// The simulator keeps its own legend.
	sim := load(t, Config{}, gossip(5, 2, 10, 0, 3))
	if l := sim.LegendFor(); l[len(l)-2].Label != "request (pull)" {
		t.Errorf("sim legend %v", l)
	}
}

// dotRadius is the size of a message dot of colour col in b (a lone
// equilateral triangle, as hasDot finds them): from a corner to its centre;
// 0 if there is none.
func dotRadius(b *Batch, col Color) float32 {
	for _, ch := range b.Chunks() {
		idx := b.Indices[ch.I0:ch.I1]
		v := b.Vertices[ch.V0:]
		for i := 0; i+2 < len(idx); i += 3 {
			a, bb, cc := v[idx[i]], v[idx[i+1]], v[idx[i+2]]
			if idx[i+1] != idx[i]+1 || idx[i+2] != idx[i]+2 || a.DstX != (bb.DstX+cc.DstX)/2 || bb.DstY != cc.DstY {
				continue
			}
			if a.ColorR != col.R || a.ColorG != col.G || a.ColorB != col.B {
				continue
			}
			cx, cy := (a.DstX+bb.DstX+cc.DstX)/3, (a.DstY+bb.DstY+cc.DstY)/3
			return float32(math.Hypot(float64(a.DstX-cx), float64(a.DstY-cy)))
		}
	}
	return 0
}

// One node behind says "has", and news that reaches everybody within the
// same millisecond (a live lab on loopback) is not "after 0 ms".
func TestNarrationGrammarLive(t *testing.T) {
	evs := []protocol.Event{
		protocol.Header("lab", nil),
		{Type: protocol.TypeNode, T: 1, Node: "n1", Status: protocol.StatusAlive},
		{Type: protocol.TypeNode, T: 1, Node: "n2", Status: protocol.StatusAlive},
		{Type: protocol.TypeState, T: 2, Node: "n1", Key: "sil/a", Version: 1700000000000, Value: "x"},
		{Type: protocol.TypeState, T: 2.3, Node: "n2", Key: "sil/a", Version: 1700000000000, Value: "x"},
		{Type: protocol.TypeState, T: 10, Node: "n1", Key: "sil/a", Version: 1700000005000, Value: "x"},
		{Type: protocol.TypeMsg, T: 11, From: "n1", To: "n2", Kind: "user", Key: "sil/a", Version: 1700000005000, Arrive: 12},
	}
	p := load(t, Config{}, evs)
	p.Seek(5)
	if n := p.Narration(); !strings.Contains(n, "All 2 nodes know") || !strings.Contains(n, "within 1 ms") || strings.Contains(n, "0 ms") {
		t.Errorf("same-millisecond narration %q", n)
	}
	// No message seen yet (an observer never sees any): none are claimed.
	if n := p.Narration(); strings.Contains(n, "message") {
		t.Errorf("narration claims messages it never saw: %q", n)
	}
	p.Seek(11.5)
	if n := p.Narration(); !strings.Contains(n, "(1 still has version 1)") {
		t.Errorf("one node behind: %q", n)
	}
	p.SetDone(false)
	p.Append(&protocol.Event{Type: protocol.TypeState, T: 40, Node: "n2", Key: "sil/a", Version: 1700000005000, Value: "x"})
	p.Seek(50)
	if n := p.Narration(); !strings.Contains(n, "after 30 ms") {
		t.Errorf("30 ms later: %q", n)
	}
}

// Up to NamesMax nodes every node is named, and at 1280x720 and 1920x1080
// no two names cover each other (their measured boxes, as aligned).
func TestNamesUpToFiftyDoNotOverlap(t *testing.T) {
	p := load(t, Config{}, gossip(NamesMax, 2, 10, 0, 3))
	p.Seek(500)
	for _, sz := range [][2]float32{{1280, 720}, {1920, 1080}} {
		c := NewComposer()
		var f Frame
		for i := 0; i < 3; i++ { // let the nodes reach their places
			c.Compose(p, sz[0], sz[1], 1, &f)
		}
		type box struct{ x0, y0, x1, y1 float32 }
		var boxes []box
		var names []string
		for i := 0; i < NamesMax; i++ {
			name := "n" + itoa(i)
			tx, ok := textsContain(&f, name)
			if !ok {
				t.Fatalf("%vx%v: no name %q for %d nodes", sz[0], sz[1], name, NamesMax)
			}
			w := c.Measure(tx.S, tx.Size, true)
			x0 := tx.X
			switch tx.Align {
			case AlignCenter:
				x0 -= w / 2
			case AlignRight:
				x0 -= w
			}
			boxes = append(boxes, box{x0, tx.Y, x0 + w, tx.Y + tx.Size})
			names = append(names, name)
		}
		for i := range boxes {
			for j := i + 1; j < len(boxes); j++ {
				a, b := boxes[i], boxes[j]
				if a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1 {
					t.Errorf("%vx%v: %s %v and %s %v overlap", sz[0], sz[1], names[i], a, names[j], b)
				}
			}
		}
	}
}

// Every legend label, the simulator's and the live one's, ends inside the
// panel (or, in a strip, inside the node area) at the classroom sizes, with
// the page's side panel open or closed and in projector type: the live
// "ping/ack (failure det.)" ran about 5 px past the panel at 1280x720.
func TestLegendLabelsFitInThePanel(t *testing.T) {
	players := map[string]*Player{
		"sim":  load(t, Config{}, gossip(5, 2, 10, 0, 3)),
		"live": load(t, Config{}, labStream()),
	}
	for name, p := range players {
		var labels []string
		for _, it := range p.LegendFor() {
			labels = append(labels, it.Label)
		}
		for _, sz := range [][2]float32{{1280, 720}, {1920, 1080}} {
			for _, right := range []float32{0, 360} {
				for _, proj := range []bool{false, true} {
					c := NewComposer()
					c.Projector = proj
					c.Insets = Insets{Top: 60, Right: right}
					var f Frame
					c.Compose(p, sz[0], sz[1], 1, &f)
					g := c.Geometry()
					boxes := map[string][4]float32{"panel": g.Panel}
					switch c.LegendPlace() {
					case "strip":
						boxes["strip"] = g.Disc
					case "none":
						continue
					}
					inside := func(tx Text) bool {
						end := tx.X + c.Measure(tx.S, tx.Size, tx.Bold)
						for _, b := range boxes {
							if tx.X >= b[0] && end <= b[0]+b[2] {
								return true
							}
						}
						return false
					}
					for _, l := range labels {
						// A label may also be a counter's ("lost"): each text
						// drawn with it must fit.
						drawn := false
						for _, tx := range f.Texts {
							if tx.S != l {
								continue
							}
							drawn = true
							if !inside(tx) {
								t.Errorf("%s %v right inset %v projector %v: %q spans x %.1f..%.1f, outside the legend's %s %v",
									name, sz, right, proj, l, tx.X, tx.X+c.Measure(l, tx.Size, tx.Bold), c.LegendPlace(), boxes)
							}
						}
						if !drawn {
							t.Errorf("%s %v right inset %v projector %v: legend label %q not drawn", name, sz, right, proj, l)
						}
					}
				}
			}
		}
	}
}
