package cluster

import (
	"github.com/hashicorp/memberlist"
	"github.com/prometheus/alertmanager/cluster/clusterpb"
)

// delegate is Alertmanager's cluster delegate (cluster/delegate.go): user
// messages are clusterpb.Part{Key, Data} merged into the state of that key;
// push-pull carries a clusterpb.FullState of every key. It also feeds the
// membership (address book and statuses) from memberlist's events.
type delegate struct{ p *Peer }

func (d *delegate) merge(key string, data []byte) error {
	if s := d.p.state(key); s != nil {
		return s.Merge(data)
	}
	return nil // unknown keys are ignored, as Alertmanager does
}

// NodeMeta is empty, as Alertmanager's.
func (d *delegate) NodeMeta(int) []byte { return []byte{} }

func (d *delegate) NotifyMsg(b []byte) {
	d.p.counters.ReceivedUpdate.Add(1)
	d.p.counters.ReceivedUpdateBytes.Add(uint64(len(b)))
	var p clusterpb.Part
	if err := p.Unmarshal(b); err != nil {
		d.p.cfg.Logger.Warn("decode broadcast", "err", err)
		return
	}
	if err := d.merge(p.Key, p.Data); err != nil {
		d.p.cfg.Logger.Warn("merge broadcast", "key", p.Key, "err", err)
	}
}

func (d *delegate) GetBroadcasts(overhead, limit int) [][]byte {
	msgs := d.p.queue.GetBroadcasts(overhead, limit)
	for _, m := range msgs {
		d.p.counters.SentUpdate.Add(1)
		d.p.counters.SentUpdateBytes.Add(uint64(len(m)))
	}
	return msgs
}

func (d *delegate) LocalState(bool) []byte {
	b, err := d.p.fullState()
	if err != nil {
		d.p.cfg.Logger.Warn("local state", "err", err)
		return nil
	}
	d.p.counters.SentFullState.Add(1)
	d.p.counters.SentFullStateBytes.Add(uint64(len(b)))
	return b
}

func (d *delegate) MergeRemoteState(buf []byte, _ bool) {
	d.p.counters.ReceivedFullState.Add(1)
	d.p.counters.ReceivedFullStateBytes.Add(uint64(len(buf)))
	var fs clusterpb.FullState
	if err := fs.Unmarshal(buf); err != nil {
		d.p.cfg.Logger.Warn("merge remote state", "err", err)
		return
	}
	for _, p := range fs.Parts {
		if err := d.merge(p.Key, p.Data); err != nil {
			d.p.cfg.Logger.Warn("merge remote state", "key", p.Key, "err", err)
			return
		}
	}
}

// The event callbacks run with memberlist's node lock held: they must not
// call back into memberlist.

func (d *delegate) NotifyJoin(m *memberlist.Node) {
	d.p.mem.book.set(m.Address(), m.Name)
	d.p.mem.view.joined(m.Name)
	d.p.counters.PeersJoined.Add(1)
}

func (d *delegate) NotifyLeave(m *memberlist.Node) {
	d.p.mem.view.departed(m.Name)
	d.p.counters.PeersLeft.Add(1)
}

func (d *delegate) NotifyUpdate(m *memberlist.Node) { d.p.mem.book.set(m.Address(), m.Name) }
