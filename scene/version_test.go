package scene

import (
	"slices"
	"strings"
	"testing"

	"github.com/gossipscope/gossipscope/protocol"
)

// After a newer version of the news, the counters, the panel and the
// narration say which version is counted and how many live nodes still
// hold an older one; versions are told by rank, so a timestamp version
// (a live silence's) reads as "version 2" too.
func TestNewerVersionIsNamedAndOlderCounted(t *testing.T) {
	evs := []protocol.Event{protocol.Header("sim", map[string]any{"nodes": 10, "period": 1000.0, "fanout": 2})}
	for i := 0; i < 10; i++ {
		evs = append(evs, protocol.Event{Type: protocol.TypeState, T: float64(100 * i), Node: "n" + itoa(i), Key: "k0", Version: 1})
	}
	evs = append(evs,
		protocol.Event{Type: protocol.TypeRound, T: 5000, Round: 6},
		protocol.Event{Type: protocol.TypeState, T: 5000, Node: "n3", Key: "k0", Version: 2},
		protocol.Event{Type: protocol.TypeMsg, T: 5000, From: "n3", To: "n4", Kind: "push", Key: "k0", Version: 2, Arrive: 5100},
		protocol.Event{Type: protocol.TypeState, T: 5100, Node: "n4", Key: "k0", Version: 2},
		protocol.Event{Type: protocol.TypeNode, T: 5200, Node: "n9", Status: protocol.StatusDead},
		protocol.Event{Type: protocol.TypeState, T: 6000, Node: "n0", Key: "k0", Version: 3},
		protocol.Event{Type: protocol.TypeNode, T: 6100, Node: "n9", Status: protocol.StatusAlive},
	)
	p := load(t, Config{}, evs)
	p.SetDone(false)
	check := func(at float64, version, informed, older int, narration string) {
		t.Helper()
		p.Seek(at)
		c := p.Counters()
		if c.Version != version || c.Informed != informed || c.Older != older {
			t.Fatalf("at %v: version %d, informed %d, older %d; want %d, %d, %d", at, c.Version, c.Informed, c.Older, version, informed, older)
		}
		if got := p.Narration(); !strings.HasPrefix(got, narration) {
			t.Fatalf("at %v: narration %q, want it to start %q", at, got, narration)
		}
	}
	check(4000, 1, 10, 0, "All 10 nodes know the news")
	check(5050, 2, 1, 9, "Round 6: 1 of 10 nodes know version 2 of the news (9 still have version 1)")
	check(5300, 2, 2, 7, "n9 crashed. Round 6: 2 of 9 nodes know version 2 of the news (7 still have version 1)")
	check(6050, 3, 1, 8, "n9 crashed. Round 6: 1 of 9 nodes know version 3 of the news (8 still have an older version)")
	check(6200, 3, 1, 9, "n9 restarted. Round 6: 1 of 10 nodes know version 3 of the news (9 still have an older version)")

	// The panel names the version and counts the rest.
	p.Seek(5300)
	c := NewComposer()
	var f Frame
	c.Compose(p, 1280, 800, 1, &f)
	var texts []string
	for _, tx := range f.Texts {
		texts = append(texts, tx.S)
	}
	for _, want := range []string{"know version 2", "2 / 9", "still on version 1", "7"} {
		if !slices.Contains(texts, want) {
			t.Fatalf("panel lacks %q: %q", want, texts)
		}
	}
	p.Seek(4000)
	c.Compose(p, 1280, 800, 1, &f)
	texts = texts[:0]
	for _, tx := range f.Texts {
		texts = append(texts, tx.S)
	}
	if !slices.Contains(texts, "informed") || slices.Contains(texts, "still on version 1") {
		t.Fatalf("before the new version the panel says %q", texts)
	}

	// Cut the log before version 2: the ranks forget it.
	p.Truncate(4500)
	for _, ev := range []protocol.Event{{Type: protocol.TypeState, T: 4600, Node: "n1", Key: "k0", Version: 5}} {
		p.Append(&ev)
	}
	check(4700, 2, 1, 9, "")
}

// A live silence's versions are timestamps: told by rank, named by key.
func TestTimestampVersionsAreRanked(t *testing.T) {
	evs := []protocol.Event{protocol.Header("lab", nil)}
	for i := 0; i < 3; i++ {
		evs = append(evs, protocol.Event{Type: protocol.TypeNode, Node: "am-" + itoa(i), Status: protocol.StatusAlive})
		evs = append(evs, protocol.Event{Type: protocol.TypeState, T: 10, Node: "am-" + itoa(i), Key: "sil", Version: 1712000000000})
	}
	evs = append(evs, protocol.Event{Type: protocol.TypeState, T: 20, Node: "am-1", Key: "sil", Version: 1712000005000})
	p := load(t, Config{}, evs)
	p.Seek(30)
	if c := p.Counters(); c.Version != 2 || c.Informed != 1 || c.Older != 2 {
		t.Fatalf("counters %+v", c)
	}
	if got := p.Narration(); !strings.HasSuffix(got, `am-1 has version 2 of "sil"; nobody else has it yet (2 still have version 1).`) {
		t.Fatalf("narration %q", got)
	}
	p.SetDone(false)
	p.Append(&protocol.Event{Type: protocol.TypeMsg, T: 40, From: "am-1", To: "am-2", Kind: "user", Key: "sil", Version: 1712000005000, Arrive: 45})
	p.Seek(50)
	if got := p.Narration(); !strings.Contains(got, `1 of 3 nodes hold version 2 of "sil" (2 still have version 1)`) {
		t.Fatalf("narration %q", got)
	}
}
