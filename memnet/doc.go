// Package memnet is an in-memory network for real hashicorp/memberlist
// nodes: each node gets a memberlist Transport (NewTransport) whose packets
// and streams never touch a socket, so a whole cluster runs in one process,
// including in the browser (GOOS=js) where there are no sockets at all.
//
// Like memberlist's own MockNetwork, but every packet and stream goes
// through the Network, which
//   - reports each message as a protocol msg event, labelled by the shared
//     wire readers (kind, key, version), as the lab's socket transport does;
//   - applies faults: packet loss (global and per link), latency, a
//     partition into groups, slow nodes (everything to and from them is
//     late: the case Lifeguard's local health awareness is for), and the
//     silence of a node whose transport is shut down (a crashed node).
//
// Packets are UDP-like: never blocking, lost to faults or when the
// receiver's queue is full, possibly reordered by latency. Streams are
// TCP-like: reliable (no loss), refused across a partition or to a node
// that is down, delayed by one link latency when opened.
//
// memberlist keeps its own wall-clock timers; memnet adds no clock of its
// own beyond the latencies it applies. Its random choices (loss) come from
// one seeded generator, so a fault pattern is reproducible for a given
// order of packets; memberlist's own choices are not seeded.
package memnet
