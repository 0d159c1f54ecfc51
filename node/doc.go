// Package node runs real gossip nodes: hashicorp/memberlist speaking
// Prometheus Alertmanager v0.27's cluster wire format, so they gossip with
// real Alertmanagers, plus a Lab of N such nodes on loopback.
//
// A Node is one Alertmanager-like process assembled from the socket-free
// parts, over its own sockets:
//   - a cluster.Peer (Alertmanager's cluster delegate and settings) with
//     the silence store (package silence) and the notification log
//     (package nflog) plugged in as states "sil" and "nfl";
//   - HA notification (package notify) POSTing Alertmanager's webhook;
//   - the v2 API subset amtool and curl use (see newAPI);
//   - a memberlist Transport over the node's own UDP and TCP sockets
//     (transport.go, sockets.go) that reports traffic as events and, in a
//     lab, applies the lab's network (LabNet: loss, partitions) both ways.
//
// A Lab is N nodes in one process on loopback sharing a LabNet, driven by
// protocol Commands.
//
// # Cost of observing
//
// Every packet is described, so the transport is built to be cheap per
// packet (BenchmarkObserveSend; scripts/bench-live.sh for a lab of 50):
// memberlist runs with compression off and the transport compresses
// instead, byte for byte as memberlist would, so a sender describes the
// plain bytes it is handed and never inflates what it just compressed;
// LZW state and packet buffers are reused (memberlist's NetTransport made a
// 64 KB buffer per packet received, its compressor a 64 KB table per
// packet sent); received packets are inflated once, or, between lab nodes,
// taken in plain form from the sender (handoff.go) after the real socket
// delivered them; only the fields events need are read from the wire;
// "is this redundant" is a lookup in the receiver's version index, not its
// store; a packet's events reach the Lab in one call; the delegate's
// broadcast queue (package cluster) is memberlist's algorithm without its
// allocations; and
// silence merges decode only entries they would take.
//
// # Reading the wire
//
// The transport reads and frames packets with package wire, as the
// observer does, so a lab's traffic and a real cluster's are described
// alike: the same kinds, keys, versions and sizes.
//
// # Events
//
// T is milliseconds since Config.Start (wall time).
//
//   - msg: one memberlist message. Kind is memberlist's message type
//     (wire.KindPing, KindIndirectPing, KindAck, KindNack, KindSuspect,
//     KindAlive, KindDead, KindPushPull, KindUser, KindErr); compound
//     packets are split into their parts and compressed/CRC/label wrappers
//     removed. Bytes is the packet's size on the wire for a lone message,
//     the part's size inside a compound, the stream's size for TCP. For
//     user messages Key is the state key of the first entry carried
//     ("sil/<silence id>" or "nfl/<group key>:<receiver>/<integration>/<idx>")
//     and Version its UpdatedAt / Timestamp in unix ms, Value a silence's
//     comment; for alive, suspect and dead Key is the node concerned and
//     Version its incarnation; for push-pull Value summarises what it
//     carries ("5 members, join, 2 sil, 1 nfl"). Lost: dropped by the
//     LabNet. Redundant: the receiver (a lab node) already held that key at
//     that version. Arrive is 0 (unknown). A message is reported once: by
//     its sender when the sender is a lab node (or the only node), by the
//     receiver when it comes from outside (e.g. a real Alertmanager, named
//     from memberlist's member list); a TCP stream between lab nodes by the
//     side that dialed it, request then answer.
//   - state: Node now holds Key at Version, same keys as above; Value is a
//     silence's comment. Emitted when the node's store takes a new version,
//     whether made locally or learned by gossip.
//   - node: Node's membership Status in the view of the node named in
//     From. Alive on join, suspect/alive when the observer gossips a
//     suspect/alive message about it (memberlist only broadcasts what it
//     accepted), dead or left on memberlist's leave event. A Lab forwards
//     only changes (the first observer to report each), and never a
//     suspicion of a node another observer already reported dead or
//     left. While a Lab closes it forwards only left, and reports left
//     itself (From empty) any node whose leave nobody reported.
//   - note: "<node>: sent webhook ...", "skipped notification ...", "webhook
//     attempt failed ..." (Node and Key = the group key are set), and the
//     lab's "n3 crashed" / "n3 restarted".
//   - partition, heal, param {"loss": p}: the Lab's fault commands.
package node
