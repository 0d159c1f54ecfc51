package scene

import (
	"strings"
	"testing"

	"github.com/gossipscope/gossipscope/protocol"
)

// cutStream is a 600-node push run, two newcomers cut off from it on a
// side of their own (n0 on no listed side), with a crash, a suspect, a
// heal, and one late message so that the others have stopped spreading
// before it.
func cutStream() []protocol.Event {
	n := 600
	evs := gossip(n, 3, 100, 7, 10)
	a := []string{"x1", "x2"}
	var b []string
	for i := 1; i < n; i++ {
		b = append(b, "n"+itoa(i))
	}
	return append(evs,
		protocol.Event{Type: protocol.TypeNode, T: 9000, Node: "x1", Status: protocol.StatusAlive},
		protocol.Event{Type: protocol.TypeNode, T: 9000, Node: "x2", Status: protocol.StatusAlive},
		protocol.Event{Type: protocol.TypePartition, T: 9050, Groups: [][]string{b, a}},
		protocol.Event{Type: protocol.TypeNode, T: 9100, Node: "n5", Status: protocol.StatusDead},
		protocol.Event{Type: protocol.TypeNode, T: 9200, Node: "n6", Status: protocol.StatusSuspect},
		protocol.Event{Type: protocol.TypeHeal, T: 10500},
		protocol.Event{Type: protocol.TypeMsg, T: 11000, From: "n7", To: "n8", Kind: "push", Key: "k0", Version: 1, Redundant: true, Arrive: 11100},
		protocol.Event{Type: protocol.TypeRound, T: 12000, Round: 13},
	)
}

// The selected node's class, worked out for that node alone, is the class
// the frame gives it, for every node at every moment.
func TestNodeClassMatchesTheFrame(t *testing.T) {
	p := load(t, Config{}, cutStream())
	cls := make([]Class, p.NodeCount())
	seen := map[Class]bool{}
	for at := 0.0; at <= 12000; at += 250 {
		p.Seek(at)
		p.classify(cls, nil)
		for i, want := range cls {
			if got := p.NodeClass(i); got != want {
				t.Fatalf("at %v node %d: NodeClass %v, the frame %v", at, i, got, want)
			}
			seen[want] = true
		}
		if d, ok := p.Details(7); !ok || d.Class != cls[7] {
			t.Fatalf("at %v: details of n7 say %v, the frame %v", at, d.Class, cls[7])
		}
	}
	for _, c := range []Class{Uninformed, Informed, Stopped, Suspect, Crashed, CutOff} {
		if !seen[c] {
			t.Errorf("the stream never shows a %v node: the test covers too little", c)
		}
	}
	if p.NodeClass(-1) != Absent || p.NodeClass(len(cls)) != Absent {
		t.Error("a node that does not exist has a class")
	}
}

// Side labels that do not fit their slot shrink in eighths of their size,
// so a count or a window size that changes does not bring a new type size
// (and a fresh set of glyphs to rasterize, a frame's stutter) with it.
func TestSideLabelsUseFewSizes(t *testing.T) {
	p := load(t, Config{}, cutStream())
	c := NewComposer()
	var f Frame
	sizes := map[float32]bool{}
	for at := 9100.0; at < 10500; at += 20 {
		p.Seek(at)
		c.Compose(p, 560+float32(int(at)%400), 500, 1, &f)
		for _, tx := range f.Texts {
			if strings.HasPrefix(tx.S, "side ") || strings.HasPrefix(tx.S, "no side") {
				sizes[tx.Size] = true
			}
		}
	}
	if len(sizes) == 0 || len(sizes) > 3 {
		t.Fatalf("side labels in %d sizes: %v", len(sizes), sizes)
	}
	for s := range sizes {
		if k := s / 16 * 8; k != float32(int(k)) {
			t.Fatalf("label size %v is not an eighth of 16 px", s)
		}
	}
	t.Logf("sizes %v", sizes)
}
