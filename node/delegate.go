package node

import (
	"github.com/gossipscope/gossipscope/wire"
	"github.com/hashicorp/memberlist"
	"github.com/prometheus/alertmanager/cluster/clusterpb"
)

// delegate is Alertmanager's cluster delegate (cluster/delegate.go): user
// messages are clusterpb.Part{Key, Data} merged into the state of that key;
// push-pull carries a clusterpb.FullState of every key. It also feeds the
// address book and the membership view from memberlist's events.
type delegate struct{ n *Node }

func partBytes(key string, data []byte) []byte {
	p := clusterpb.Part{Key: key, Data: data}
	b, err := p.Marshal()
	if err != nil {
		return nil
	}
	return b
}

func (d *delegate) merge(key string, data []byte) error {
	switch key {
	case wire.KeySilences:
		return d.n.sil.Merge(data)
	case wire.KeyNflog:
		return d.n.nfl.Merge(data)
	}
	return nil // unknown keys are ignored, as Alertmanager does
}

// NodeMeta is empty, as Alertmanager's.
func (d *delegate) NodeMeta(int) []byte { return []byte{} }

func (d *delegate) NotifyMsg(b []byte) {
	var p clusterpb.Part
	if err := p.Unmarshal(b); err != nil {
		d.n.cfg.Logger.Warn("decode broadcast", "err", err)
		return
	}
	if err := d.merge(p.Key, p.Data); err != nil {
		d.n.cfg.Logger.Warn("merge broadcast", "key", p.Key, "err", err)
	}
}

func (d *delegate) GetBroadcasts(overhead, limit int) [][]byte {
	return d.n.queue.GetBroadcasts(overhead, limit)
}

func (d *delegate) LocalState(bool) []byte {
	sb, err := d.n.sil.MarshalBinary()
	if err != nil {
		return nil
	}
	nb, err := d.n.nfl.MarshalBinary()
	if err != nil {
		return nil
	}
	fs := clusterpb.FullState{Parts: []clusterpb.Part{{Key: wire.KeySilences, Data: sb}, {Key: wire.KeyNflog, Data: nb}}}
	b, err := fs.Marshal()
	if err != nil {
		return nil
	}
	return b
}

func (d *delegate) MergeRemoteState(buf []byte, _ bool) {
	var fs clusterpb.FullState
	if err := fs.Unmarshal(buf); err != nil {
		d.n.cfg.Logger.Warn("merge remote state", "err", err)
		return
	}
	for _, p := range fs.Parts {
		if err := d.merge(p.Key, p.Data); err != nil {
			d.n.cfg.Logger.Warn("merge remote state", "key", p.Key, "err", err)
			return
		}
	}
}

// The event callbacks run with memberlist's node lock held: they must not
// call back into memberlist.

func (d *delegate) NotifyJoin(m *memberlist.Node) {
	d.n.book.set(m.Address(), m.Name)
	d.n.view.joined(m.Name)
}

func (d *delegate) NotifyLeave(m *memberlist.Node) { d.n.view.departed(m.Name) }

func (d *delegate) NotifyUpdate(m *memberlist.Node) { d.n.book.set(m.Address(), m.Name) }
