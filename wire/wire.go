package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/hashicorp/go-msgpack/v2/codec"
)

// State keys of Alertmanager's cluster (main.go's peer.AddState): a user
// message is a clusterpb.Part of one of them, and a push-pull's state a
// clusterpb.FullState with a part for each.
const (
	KeySilences = "sil" // silencepb.MeshSilence entries
	KeyNflog    = "nfl" // nflogpb.MeshEntry entries
)

// Message kinds of real memberlist traffic, as msg events' Kind. They are
// memberlist's message types (net.go) without the "Msg" suffix. Compound
// packets are unpacked into their parts and compressed or CRC-wrapped ones
// unwrapped, so those wrappers never appear as kinds.
const (
	KindPing         = "ping"
	KindIndirectPing = "indirectping"
	KindAck          = "ack"
	KindNack         = "nack"
	KindSuspect      = "suspect"
	KindAlive        = "alive"
	KindDead         = "dead"
	KindPushPull     = "pushpull"
	KindUser         = "user"
	KindErr          = "err"
	KindEncrypted    = "encrypted"
	KindUnknown      = "unknown"
)

// memberlist's message type numbers (net.go; "ONLY APPEND TO THIS LIST"),
// the first byte of every message.
const (
	MsgPing = iota
	MsgIndirectPing
	MsgAck
	MsgSuspect
	MsgAlive
	MsgDead
	MsgPushPull
	MsgCompound
	MsgUser
	MsgCompress
	MsgEncrypt
	MsgNack
	MsgCRC
	MsgErr
	MsgLabel = 244
)

var kindNames = [...]string{
	MsgPing: KindPing, MsgIndirectPing: KindIndirectPing, MsgAck: KindAck,
	MsgSuspect: KindSuspect, MsgAlive: KindAlive, MsgDead: KindDead,
	MsgPushPull: KindPushPull, MsgUser: KindUser, MsgEncrypt: KindEncrypted,
	MsgNack: KindNack, MsgErr: KindErr,
}

func kindName(t byte) string {
	if int(t) < len(kindNames) && kindNames[t] != "" {
		return kindNames[t]
	}
	return KindUnknown
}

// maxDecompressed bounds what we inflate to look inside one message; larger
// ones are reported with their kind only.
const maxDecompressed = 4 << 20

// Message is one memberlist message as read from the wire: what a msg
// event reports of it. Only the fields events need are read, straight from
// the bytes (wireread.go).
type Message struct {
	Kind    string // KindPing, KindUser, ...; KindUnknown for what cannot be read
	Key     string // user: "sil/<id>" or "nfl/<entry key>"; alive/suspect/dead: the node
	Version int64  // user: UpdatedAt/Timestamp in unix ms; alive/suspect/dead: incarnation
	Value   string // user: the silence's comment; pushpull: a summary
	Bytes   int    // the packet's size for a lone message, the part's in a compound, the stream's
	Origin  string // suspect, dead: the From field (dead from itself = left)
	// Payload is a user message's bytes as memberlist's Delegate.NotifyMsg
	// gets them (an Alertmanager clusterpb.Part). It shares memory with the
	// bytes described or their inflated copy; nil for other kinds.
	Payload []byte
}

// DescribePacket splits one UDP packet as it is on the wire into its
// messages: memberlist's label header, CRC, compression and compound
// wrappers are removed (the CRC is not checked: memberlist does that). It
// never fails: what it cannot read comes back as KindUnknown, and a packet
// always has one message at least.
func DescribePacket(pkt []byte) []Message {
	size := len(pkt)
	pkt = StripLabel(pkt)
	if len(pkt) >= 5 && pkt[0] == MsgCRC {
		pkt = pkt[5:]
	}
	return AppendMessages(nil, pkt, size)
}

// DescribeUserMsg describes a user message's payload as memberlist's
// Delegate.NotifyMsg receives it, an Alertmanager clusterpb.Part: its state
// key and first entry, as DescribePacket does inside a packet.
func DescribeUserMsg(part []byte) Message {
	m := Message{Kind: KindUser, Bytes: len(part)}
	describePart(part, &m)
	return m
}

// AppendMessages appends the messages of a packet's payload (label and CRC
// removed) that is size bytes on the wire.
func AppendMessages(out []Message, payload []byte, size int) []Message {
	n := len(out)
	out = decodeMessage(payload, 0, out)
	switch len(out) - n {
	case 0:
		out = append(out, Message{Kind: KindUnknown, Bytes: size})
	case 1:
		out[n].Bytes = size // the packet's size on the wire
	}
	return out
}

// StripLabel returns a packet or stream without memberlist's label header.
func StripLabel(buf []byte) []byte {
	if len(buf) >= 2 && buf[0] == MsgLabel && len(buf) >= 2+int(buf[1]) {
		return buf[2+int(buf[1]):]
	}
	return buf
}

// decodeMessage appends the messages in buf, which starts with a type byte.
func decodeMessage(buf []byte, depth int, out []Message) []Message {
	if len(buf) == 0 || depth > 4 {
		return out
	}
	t, body := buf[0], buf[1:]
	switch t {
	case MsgCompound:
		forCompound(body, func(p []byte) { out = decodeMessage(p, depth+1, out) })
		return out
	case MsgCompress:
		inner, err := inflate(body)
		if err != nil {
			return append(out, Message{Kind: KindUnknown, Bytes: len(buf)})
		}
		return decodeMessage(inner, depth+1, out)
	case MsgCRC:
		if len(body) >= 4 {
			return decodeMessage(body[4:], depth+1, out)
		}
	}
	m := Message{Kind: kindName(t), Bytes: len(buf)}
	switch t {
	case MsgAlive, MsgSuspect, MsgDead:
		if node, from, inc, ok := describeNodeMsg(body); ok {
			m.Key, m.Version = string(node), int64(inc)
			if t != MsgAlive && len(from) > 0 {
				if string(from) == m.Key {
					m.Origin = m.Key
				} else {
					m.Origin = string(from)
				}
			}
		}
	case MsgUser:
		describePart(body, &m)
	}
	return append(out, m)
}

// forCompound follows memberlist's decodeCompoundMessage: a count byte,
// big-endian u16 lengths, then the parts; a truncated tail is dropped.
func forCompound(buf []byte, f func([]byte)) {
	if len(buf) < 1 {
		return
	}
	n := int(buf[0])
	buf = buf[1:]
	if len(buf) < 2*n {
		return
	}
	lens := buf[:2*n]
	buf = buf[2*n:]
	for i := 0; i < n; i++ {
		l := int(binary.BigEndian.Uint16(lens[2*i:]))
		if len(buf) < l {
			return
		}
		f(buf[:l])
		buf = buf[l:]
	}
}

// msgpackDecoders are reused: a decoder costs more to make than a small
// message does to decode.
var msgpackDecoders = sync.Pool{New: func() any { return codec.NewDecoderBytes(nil, &codec.MsgpackHandle{}) }}

func msgpackDecodeBytes(b []byte, v any) error {
	dec := msgpackDecoders.Get().(*codec.Decoder)
	defer msgpackDecoders.Put(dec)
	dec.ResetBytes(b)
	return dec.Decode(v)
}

// describePart names an Alertmanager clusterpb.Part by its state key and
// first entry, reading only those fields, and keeps it as m's Payload.
func describePart(b []byte, m *Message) {
	m.Payload = b
	var key, data []byte
	for len(b) > 0 {
		n, typ, _, d, rest, ok := pbField(b)
		if !ok {
			return
		}
		if typ == 2 && n == 1 {
			key = d
		} else if typ == 2 && n == 2 {
			data = d
		}
		b = rest
	}
	switch string(key) {
	case KeySilences:
		m.Key = KeySilences
		if first, ok := firstDelimited(data); ok {
			if id, updated, comment, ok := DescribeSilence(first); ok {
				m.Key, m.Version, m.Value = "sil/"+string(id), updated.UnixMilli(), string(comment)
			}
		}
	case KeyNflog:
		m.Key = KeyNflog
		if first, ok := firstDelimited(data); ok {
			if k, v, ok := describeEntry(first); ok {
				m.Key, m.Version = k, v
			}
		}
	default:
		m.Key = string(key)
	}
}

// DescribeStream describes what one side wrote on a memberlist TCP stream:
// its first message (a push-pull, or an oversized user message), after the
// label header and compression. buf is what was captured of it, size the
// full byte count (the message's Bytes). It never fails: what it cannot
// read is KindUnknown.
func DescribeStream(buf []byte, size int) Message {
	m := Message{Kind: KindUnknown, Bytes: size}
	buf = StripLabel(buf)
	if len(buf) == 0 {
		return m
	}
	if buf[0] == MsgCompress {
		inner, err := inflate(buf[1:])
		if err != nil || len(inner) == 0 {
			return m
		}
		buf = inner
	}
	t, body := buf[0], buf[1:]
	m.Kind = kindName(t)
	switch t {
	case MsgPushPull:
		m.Value = describePushPull(body)
	case MsgUser:
		r := mpReader{b: body}
		n := -1
		r.fields(func(key []byte) bool {
			if string(key) == "UserMsgLen" {
				n = int(r.uint())
				return true
			}
			return false
		})
		if !r.bad && n > 0 && n <= len(r.b) {
			describePart(r.b[:n], &m)
		}
	}
	return m
}

// describePushPull summarises a push-pull: how many members it lists and
// how many silences and nflog entries its Alertmanager FullState carries.
func describePushPull(body []byte) string {
	r := mpReader{b: body}
	nodes, userLen, join := -1, 0, false
	r.fields(func(key []byte) bool {
		switch string(key) {
		case "Nodes":
			nodes = int(r.uint())
		case "UserStateLen":
			userLen = int(r.uint())
		case "Join":
			join = r.bool()
		default:
			return false
		}
		return true
	})
	if r.bad || nodes < 0 || nodes > 1<<16 {
		return ""
	}
	for i := 0; i < nodes; i++ {
		if r.skip(8); r.bad {
			return fmt.Sprintf("%d members", nodes)
		}
	}
	desc := fmt.Sprintf("%d members", nodes)
	if join {
		desc += ", join"
	}
	if userLen <= 0 || userLen > len(r.b) {
		return desc
	}
	parts, _ := DescribeFullState(r.b[:userLen])
	for _, p := range parts {
		switch p.Key {
		case KeySilences:
			desc += fmt.Sprintf(", %d sil", p.Entries)
		case KeyNflog:
			desc += fmt.Sprintf(", %d nfl", p.Entries)
		}
	}
	return desc
}

// StatePart is one part of an Alertmanager full state: its key ("sil",
// "nfl") and how many entries it carries.
type StatePart struct {
	Key     string
	Entries int
}

// DescribeFullState lists the parts of an Alertmanager full state (a
// clusterpb.FullState: a push-pull's user state, as memberlist's
// Delegate.MergeRemoteState receives it), in order. A part whose entries
// cannot be read is left out. If b is not a FullState, the error comes
// with the parts read before the damage.
func DescribeFullState(b []byte) ([]StatePart, error) {
	var parts []StatePart
	for len(b) > 0 {
		n, typ, _, part, rest, ok := pbField(b)
		if !ok {
			return parts, errNotFullState
		}
		b = rest
		if n != 1 || typ != 2 {
			continue
		}
		key, _ := pbBytes(part, 1)
		data, _ := pbBytes(part, 2)
		if count, ok := countDelimited(data); ok {
			parts = append(parts, StatePart{Key: string(key), Entries: count})
		}
	}
	return parts, nil
}

var errNotFullState = errors.New("not an Alertmanager full state")
