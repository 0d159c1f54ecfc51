package memlab

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gossipscope/gossipscope/notify"
	"github.com/gossipscope/gossipscope/protocol"
)

// The route every node runs, as the server's lab (node.Lab's template):
// group_by [alertname], group_wait 1 s, group_interval 10 s,
// repeat_interval 1 h, and Alertmanager's --cluster.peer-timeout 15 s; the
// lab divides each by Speedup, as it divides the cluster's intervals.
const (
	realGroupWait      = time.Second
	realGroupInterval  = 10 * time.Second
	realRepeatInterval = time.Hour
	realPeerTimeout    = 15 * time.Second
)

// notifyConfig is node name's notification pipeline: the same code as the
// server's lab (package notify), on the scaled timings, with the node's
// position in the cluster, its silences and its gossiped notification log.
func (l *Lab) notifyConfig(pr *peer) notify.Config {
	s := time.Duration(l.cfg.Speedup)
	return notify.Config{
		Name: pr.name, Receiver: receiverName, GroupBy: []string{"alertname"},
		GroupWait: realGroupWait / s, GroupInterval: realGroupInterval / s,
		RepeatInterval: realRepeatInterval / s, ResolveTimeout: realRepeatInterval / s,
		PeerTimeout: l.peerTimeout(),
		Position:    pr.p.Position, Silences: pr.sil, Log: pr.nfl,
		Sender: nodeSender{&l.receiver, pr.name}, Emit: l.emitOne, Start: l.start,
	}
}

// peerTimeout is Config.PeerTimeout, or the real default divided by
// Speedup.
func (l *Lab) peerTimeout() time.Duration {
	if l.cfg.PeerTimeout > 0 {
		return l.cfg.PeerTimeout
	}
	return realPeerTimeout / time.Duration(l.cfg.Speedup)
}

// receiverName is the one receiver every node notifies (the webhook
// "hook" of the lab's default configuration).
const receiverName = "hook"

// receiver stands for the webhook endpoint behind every node: it counts
// what it receives, by sender, which is how duplicates show.
type receiver struct {
	mu   sync.Mutex
	sent []Notification
	now  func() float64
}

// Notification is one notification the receiver got.
type Notification struct {
	Node     string  `json:"node"`
	Receiver string  `json:"receiver"`
	Group    string  `json:"group"`
	AtMs     float64 `json:"atMs"`
}

// nodeSender is one node's way to the receiver (a notify.Sender): it
// always arrives, and the receiver knows who sent it.
type nodeSender struct {
	r    *receiver
	node string
}

func (s nodeSender) Send(_ context.Context, m *notify.Message) (string, error) {
	r := s.r
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, Notification{Node: s.node, Receiver: m.Receiver, Group: m.GroupKey, AtMs: r.now()})
	return "200 OK", nil
}

func (r *receiver) list() []Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Notification(nil), r.sent...)
}

// Notifications returns what the receiver got, in order.
func (l *Lab) Notifications() []Notification { return l.receiver.list() }

// alert posts alert name to node, or to every running node, as Prometheus
// posts every alert to every Alertmanager. Each node then waits group_wait
// and its position x peer timeout, checks its notification log, and
// notifies only if no one has logged the group yet.
func (l *Lab) alert(node, name string) (string, error) {
	if name == "" {
		name = "GossipscopeTest"
	}
	running := l.running()
	var to []*peer
	if node != "" {
		if !l.known(node) {
			return "", fmt.Errorf("alert: no node %q", node)
		}
		pr, ok := running[node]
		if !ok {
			return "", fmt.Errorf("alert: %s is not running", node)
		}
		to = []*peer{pr}
	} else {
		for _, n := range l.names {
			if pr, ok := running[n]; ok {
				to = append(to, pr)
			}
		}
	}
	gw := realGroupWait / time.Duration(l.cfg.Speedup)
	pt := l.peerTimeout()
	for _, pr := range to {
		pos := pr.p.Position()
		wait := time.Duration(pos) * pt
		l.emitOne(protocol.Event{Type: protocol.TypeNote, T: l.now(), Node: pr.name, Key: groupKey(name),
			Text: fmt.Sprintf("%s: alert %s received; position %d: notifies after group_wait %s + %d x peer timeout %s = %s unless the notification log has it",
				pr.name, name, pos, gw, pos, pt, gw+wait),
			Params: map[string]any{"position": pos, "waitMs": ms(wait), "groupWaitMs": ms(gw), "peerTimeoutMs": ms(pt)}})
		now := time.Now()
		pr.disp.Put([]*notify.Alert{{Labels: map[string]string{"alertname": name}, StartsAt: now,
			EndsAt: now.Add(realRepeatInterval / time.Duration(l.cfg.Speedup))}})
	}
	return fmt.Sprintf("alert %s posted to %d nodes", name, len(to)), nil
}

// groupKey is notify's group key for an alert grouped by alertname.
func groupKey(name string) string { return fmt.Sprintf("{}:{alertname=%q}", name) }

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
