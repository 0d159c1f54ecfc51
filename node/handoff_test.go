package node

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/protocol"
)

func TestHandoffTakesOnlyWhatWasSent(t *testing.T) {
	t.Parallel()
	h := newHandoff()
	h.put([]byte("wire A"), []byte("plain A"))
	if _, ok := h.take([]byte("wire B")); ok {
		t.Fatal("took the plain form of another packet")
	}
	if p, ok := h.take([]byte("wire A")); !ok || !bytes.Equal(p, []byte("plain A")) {
		t.Fatalf("took %q, %v", p, ok)
	}
	if _, ok := h.take([]byte("wire A")); ok {
		t.Fatal("took a packet's plain form twice")
	}
	for i := 0; i <= handoffSlots; i++ { // one more than fits: the first goes
		h.put(fmt.Appendf(nil, "wire %d", i), []byte("p"))
	}
	if _, ok := h.take([]byte("wire 0")); ok {
		t.Fatal("the oldest entry was not evicted")
	}
	if _, ok := h.take(fmt.Appendf(nil, "wire %d", handoffSlots)); !ok {
		t.Fatal("the newest entry is missing")
	}
	if len(h.plain) != handoffSlots-1 {
		t.Fatalf("%d entries left, want %d", len(h.plain), handoffSlots-1)
	}
}

// Between lab nodes, compressed packets reach memberlist in the plain form
// their sender left (and the lab works: silences replicate).
func TestLabNodesHandOffPlainPackets(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	l := startLab(t, 3, rec, nil)
	eventually(t, 10*time.Second, "convergence", func() bool { return converged(l, 3) })
	for i, nm := range l.Names() {
		if err := l.Command(protocol.Command{Cmd: protocol.CmdSilence, Node: nm, Text: fmt.Sprintf("HandedOff%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, 10*time.Second, "the silences on every node", func() bool {
		return len(rec.filter(func(e protocol.Event) bool { return e.Type == protocol.TypeState })) == 9
	})
	eventually(t, 10*time.Second, "packets received in plain form by every node", func() bool {
		for _, nm := range l.Names() {
			if b := l.Node(nm).tr.box; b == nil || b.taken.Load() == 0 {
				return false
			}
		}
		return true
	})
}
