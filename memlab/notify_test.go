package memlab_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/memlab"
	"github.com/gossipscope/gossipscope/protocol"
)

// notes returns the T of each note of node containing text.
func (s *stream) notes(node, text string) []float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []float64
	for _, e := range s.evs {
		if e.Type == protocol.TypeNote && e.Node == node && strings.Contains(e.Text, text) {
			out = append(out, e.T)
		}
	}
	return out
}

func (s *stream) texts(node string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, e := range s.evs {
		if e.Type == protocol.TypeNote && e.Node == node {
			out = append(out, e.Text)
		}
	}
	return out
}

// senders returns who notified, in order.
func senders(l *memlab.Lab) []string {
	var out []string
	for _, n := range l.Notifications() {
		out = append(out, n.Node)
	}
	return out
}

// timings returns the scaled group_wait and peer timeout from the header.
func timings(t *testing.T, l *memlab.Lab) (groupWait, peerTimeout float64) {
	t.Helper()
	h := l.Header()
	gw, ok1 := h.Params["groupWaitMs"].(float64)
	pt, ok2 := h.Params["peerTimeoutMs"].(float64)
	if !ok1 || !ok2 || pt <= 0 {
		t.Fatalf("header without notification timings: %v", h.Params)
	}
	return gw, pt
}

func alertAll(t *testing.T, l *memlab.Lab) float64 {
	t.Helper()
	r := l.Do(memlab.Command{Command: protocol.Command{Cmd: protocol.CmdAlert, Text: "Lesson"}})
	if r.Error != "" {
		t.Fatalf("alert: %s", r.Error)
	}
	return r.T
}

// HA test 2 on in-page peers: the same alert on every node, one
// notification, from position 0; the others find its entry in the
// gossiped notification log when their wait ends.
func TestOneNotificationInAHealthyCluster(t *testing.T) {
	t.Parallel()
	l, s := start(t, memlab.Config{Nodes: 3})
	_, pt := timings(t, l)
	alertAll(t, l)
	// n3 waits 2 peer timeouts: its skip ends the test.
	waitFor(t, "n2 and n3 skip", 4*time.Duration(pt)*time.Millisecond+20*time.Second, func() bool {
		return len(s.notes("n2", "skipped notification")) > 0 && len(s.notes("n3", "skipped notification")) > 0
	})
	if got := senders(l); len(got) != 1 || got[0] != "n1" {
		t.Fatalf("notifications from %v; want one, from n1 (position 0)", got)
	}
	if len(s.notes("n1", "sent webhook")) != 1 {
		t.Errorf("n1's note about its webhook missing")
	}
	for _, n := range []string{"n1", "n2", "n3"} {
		if len(s.notes(n, "position")) != 1 {
			t.Errorf("%s: no note of its position and wait", n)
		}
	}
}

// Position 0 crashed: position 1 waits one peer timeout, finds no entry,
// notifies; position 2 finds position 1's entry.
func TestPositionOneNotifiesOnePeerTimeoutAfterPositionZeroCrashed(t *testing.T) {
	t.Parallel()
	l, s := start(t, memlab.Config{Nodes: 3})
	gw, pt := timings(t, l)
	do(t, l, cmd(protocol.CmdCrash, "n1"))
	at := alertAll(t, l)
	waitFor(t, "n3 skips", 4*time.Duration(pt)*time.Millisecond+20*time.Second, func() bool {
		return len(s.notes("n3", "skipped notification")) > 0
	})
	got := l.Notifications()
	if len(got) != 1 || got[0].Node != "n2" {
		t.Fatalf("notifications from %v; want one, from n2", senders(l))
	}
	// n1 is suspect at most when n2's group_wait ends (memberlist's
	// suspicion outlasts group_wait), so n2 is still position 1: it
	// cannot notify before group_wait + one peer timeout.
	if min := at + gw + pt; got[0].AtMs < min {
		t.Errorf("n2 notified at %.0f ms; not before %.0f (alert at %.0f + group_wait %.0f + peer timeout %.0f)",
			got[0].AtMs, min, at, gw, pt)
	}
}

// A partition: each side has a position 0 that finds no entry (the other
// side's cannot cross), so each side notifies: two notifications, the
// price of staying available.
func TestBothSidesNotifyUnderAPartition(t *testing.T) {
	t.Parallel()
	l, s := start(t, memlab.Config{Nodes: 4})
	_, pt := timings(t, l)
	left, right := []string{"n1", "n2"}, []string{"n3", "n4"}
	do(t, l, memlab.Command{Command: protocol.Command{Cmd: protocol.CmdPartition, Groups: [][]string{left, right}}})
	// The alert comes once the split is seen: a position is read when
	// group_wait ends, and during detection the views disagree (n4 no
	// longer counting n1 and n2 while n3 still does: n4 notifies before
	// n3's wait ends), by how fast the machine runs.
	waitCutSeen(t, l, left, right)
	alertAll(t, l)
	defer func() {
		if t.Failed() {
			for _, n := range []string{"n1", "n2", "n3", "n4"} {
				t.Logf("%s: %v", n, s.texts(n))
			}
		}
	}()
	waitFor(t, "n2 and n4 skip", 2*time.Duration(pt)*time.Millisecond+20*time.Second, func() bool {
		return len(s.notes("n2", "skipped notification")) > 0 && len(s.notes("n4", "skipped notification")) > 0
	})
	got := senders(l)
	if len(got) != 2 || !(got[0] == "n1" && got[1] == "n3" || got[0] == "n3" && got[1] == "n1") {
		t.Fatalf("notifications from %v; want n1 and n3, one per side", got)
	}
}

// A crashed node's pipeline stops with it, and an unknown or stopped
// node is refused.
func TestAlertRefusesWhatIsNotRunning(t *testing.T) {
	t.Parallel()
	l, _ := start(t, memlab.Config{Nodes: 2})
	do(t, l, cmd(protocol.CmdCrash, "n2"))
	for _, node := range []string{"n2", "n9"} {
		r := l.Do(memlab.Command{Command: protocol.Command{Cmd: protocol.CmdAlert, Node: node}})
		if r.Error == "" {
			t.Errorf("alert on %s accepted", node)
		}
	}
}
