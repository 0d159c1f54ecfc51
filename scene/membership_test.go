package scene

import (
	"testing"

	"github.com/gossipscope/gossipscope/protocol"
)

// memberlistStream: three nodes as memlab reports them; n3's peers first
// agree it is alive, then disagree (one suspects it), then agree again.
func memberlistStream() []protocol.Event {
	view := func(alive, suspect, gone int) map[string]any {
		return map[string]any{"alive": float64(alive), "suspect": float64(suspect), "gone": float64(gone)}
	}
	return []protocol.Event{
		protocol.Header("memberlist", map[string]any{"nodes": 3, "names": []any{"n1", "n2", "n3"}}),
		{Type: protocol.TypeNode, T: 1, Node: "n1", Status: protocol.StatusAlive, Params: view(2, 0, 0)},
		{Type: protocol.TypeNode, T: 1, Node: "n2", Status: protocol.StatusAlive, Params: view(2, 0, 0)},
		{Type: protocol.TypeNode, T: 1, Node: "n3", Status: protocol.StatusAlive, Params: view(2, 0, 0)},
		{Type: protocol.TypeMsg, T: 100, From: "n1", To: "n2", Kind: "suspect", Key: "n3", Version: 1, Value: "n1"},
		{Type: protocol.TypeNode, T: 1000, Node: "n3", Status: protocol.StatusAlive, Params: view(1, 1, 0)},
		{Type: protocol.TypeNode, T: 2000, Node: "n3", Status: protocol.StatusAlive, Params: view(2, 0, 0)},
	}
}

func TestSplitOpinionsAreRingedWhileTheyLast(t *testing.T) {
	p := load(t, Config{}, memberlistStream())
	c := NewComposer()
	var f Frame
	// ringed: a sprite of radius 1.45 R centred on n3 among the shapes
	// drawn over the nodes (a quad's first vertex is its top left corner).
	overAt := func(tms float64) (View, bool) {
		p.Seek(tms)
		c.Compose(p, 1024, 768, 1, &f)
		r := c.nodeR * 1.45
		x, y := c.px[4]-r, c.px[5]-r
		for _, v := range f.Over.Vertices {
			if abs32(v.DstX-x) < 0.01 && abs32(v.DstY-y) < 0.01 {
				return p.View(2), true
			}
		}
		return p.View(2), false
	}
	before, ringBefore := overAt(500)
	during, ringDuring := overAt(1500)
	after, ringAfter := overAt(2500)
	if before.Split() || !during.Split() || after.Split() {
		t.Fatalf("views %+v, %+v, %+v: want split only in the middle", before, during, after)
	}
	if during != (View{Alive: 1, Suspect: 1}) {
		t.Errorf("view during the suspicion %+v, want 1 alive and 1 suspect", during)
	}
	if ringBefore || !ringDuring || ringAfter {
		t.Errorf("ring around n3: %v, %v, %v; want it only while split", ringBefore, ringDuring, ringAfter)
	}
	// Seeking back restores the view from a snapshot as well.
	if v, _ := overAt(1200); !v.Split() {
		t.Error("seeking back into the split lost it")
	}
	if d, _ := p.Details(2); viewLine(d.View) != "seen alive by 1, suspect by 1" {
		t.Errorf("n3's details say %q", viewLine(d.View))
	}
	if (View{Gone: 3}).Split() || !(View{Alive: 1, Gone: 2}).Split() {
		t.Error("Split is wrong")
	}
}
