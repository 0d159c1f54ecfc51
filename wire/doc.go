// Package wire reads and writes the bytes real Alertmanager clusters
// exchange: memberlist's messages (net.go: ping, ack, suspect, alive, dead,
// push-pull, user; compound, compressed, CRC and label wrappers) carrying
// Alertmanager's clusterpb parts of silences and notification-log entries.
//
// The Describe functions label traffic for events (the kind of each
// message, the state key and version a user message carries, what a
// push-pull holds), reading only the fields they need straight from the
// bytes. They never panic on bad input; they say what they could not read.
// A lab node's transport and the observer describe packets with them, so a
// lab's traffic and a real cluster's are reported alike.
//
// AppendPacket, ReadPacket and AppendStreamMsg frame packets and stream
// messages exactly as memberlist does with compression on, with reused LZW
// state, for a transport that compresses in memberlist's place.
//
// StreamTap keeps what crosses one end of a stream for the transports that
// report streams; when and how they report is theirs to decide.
//
// The package knows nothing of sockets, nodes or events.
package wire
