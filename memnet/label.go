package memnet

import (
	"github.com/gossipscope/gossipscope/protocol"
	"github.com/gossipscope/gossipscope/wire"
)

// describePacket returns one msg event per memberlist message in a packet
// (Kind, Key, Version, Value, Bytes filled in), read by the wire package
// as the lab's transport and the observer read theirs.
func describePacket(pkt []byte) []protocol.Event {
	msgs := wire.DescribePacket(pkt)
	evs := make([]protocol.Event, len(msgs))
	for i, m := range msgs {
		evs[i] = labelled(m)
	}
	return evs
}

// labelled is a message as a msg event's fields. A suspect or dead
// message's Value is the node that raised it (Origin): who suspects whom is
// what a person watching failure detection asks first.
func labelled(m wire.Message) protocol.Event {
	e := protocol.Event{Kind: m.Kind, Key: m.Key, Version: m.Version, Value: m.Value, Bytes: m.Bytes}
	if m.Kind == wire.KindSuspect || m.Kind == wire.KindDead {
		e.Value = m.Origin
	}
	return e
}
