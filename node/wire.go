package node

import (
	"bytes"
	"compress/lzw"
	"encoding/binary"
	"fmt"
	"io"
	"sync"

	"github.com/hashicorp/go-msgpack/v2/codec"
	"github.com/prometheus/alertmanager/cluster/clusterpb"
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

// memberlist's message type numbers (net.go; "ONLY APPEND TO THIS LIST").
const (
	mtPing = iota
	mtIndirectPing
	mtAck
	mtSuspect
	mtAlive
	mtDead
	mtPushPull
	mtCompound
	mtUser
	mtCompress
	mtEncrypt
	mtNack
	mtCRC
	mtErr
	mtLabel = 244
)

var kindNames = [...]string{
	mtPing: KindPing, mtIndirectPing: KindIndirectPing, mtAck: KindAck,
	mtSuspect: KindSuspect, mtAlive: KindAlive, mtDead: KindDead,
	mtPushPull: KindPushPull, mtUser: KindUser, mtEncrypt: KindEncrypted,
	mtNack: KindNack, mtErr: KindErr,
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

// wireMsg is one memberlist message as seen on the wire.
type wireMsg struct {
	Kind    string
	Key     string // user: "sil/<id>" or "nfl/<entry key>"; alive/suspect/dead: the node
	Version int64  // user: UpdatedAt/Timestamp in unix ms; alive/suspect/dead: incarnation
	Value   string // user: the silence's comment; pushpull: a summary
	Bytes   int
	Origin  string // suspect, dead: the From field (dead from itself = left)
}

// decodePacket splits one UDP packet into its messages. It never fails:
// what it cannot read comes back as KindUnknown with the packet's size.
func decodePacket(buf []byte) []wireMsg {
	size := len(buf)
	buf = stripLabel(buf)
	if len(buf) >= 5 && buf[0] == mtCRC {
		buf = buf[5:]
	}
	msgs := decodeMessage(buf, 0, nil)
	if len(msgs) == 1 {
		msgs[0].Bytes = size // the packet's size on the wire
	}
	if len(msgs) == 0 {
		msgs = append(msgs, wireMsg{Kind: KindUnknown, Bytes: size})
	}
	return msgs
}

func stripLabel(buf []byte) []byte {
	if len(buf) >= 2 && buf[0] == mtLabel && len(buf) >= 2+int(buf[1]) {
		return buf[2+int(buf[1]):]
	}
	return buf
}

// decodeMessage appends the messages in buf, which starts with a type byte.
func decodeMessage(buf []byte, depth int, out []wireMsg) []wireMsg {
	if len(buf) == 0 || depth > 4 {
		return out
	}
	t, body := buf[0], buf[1:]
	switch t {
	case mtCompound:
		for _, p := range splitCompound(body) {
			out = decodeMessage(p, depth+1, out)
		}
		return out
	case mtCompress:
		inner, err := decompressBytes(body)
		if err != nil {
			return append(out, wireMsg{Kind: KindUnknown, Bytes: len(buf)})
		}
		return decodeMessage(inner, depth+1, out)
	case mtCRC:
		if len(body) >= 4 {
			return decodeMessage(body[4:], depth+1, out)
		}
	}
	m := wireMsg{Kind: kindName(t), Bytes: len(buf)}
	switch t {
	case mtAlive, mtSuspect, mtDead:
		// alive, suspect and dead all start with Incarnation and Node.
		var v struct {
			Incarnation uint32
			Node        string
			From        string
		}
		if msgpackDecodeBytes(body, &v) == nil {
			m.Key, m.Version, m.Origin = v.Node, int64(v.Incarnation), v.From
		}
	case mtUser:
		describePart(body, &m)
	}
	return append(out, m)
}

// splitCompound follows memberlist's decodeCompoundMessage: a count byte,
// big-endian u16 lengths, then the parts; a truncated tail is dropped.
func splitCompound(buf []byte) [][]byte {
	if len(buf) < 1 {
		return nil
	}
	n := int(buf[0])
	buf = buf[1:]
	if len(buf) < 2*n {
		return nil
	}
	lens := buf[:2*n]
	buf = buf[2*n:]
	parts := make([][]byte, 0, n)
	for i := 0; i < n; i++ {
		l := int(binary.BigEndian.Uint16(lens[2*i:]))
		if len(buf) < l {
			break
		}
		parts = append(parts, buf[:l])
		buf = buf[l:]
	}
	return parts
}

func msgpackDecode(r io.Reader, v any) error {
	return codec.NewDecoder(r, &codec.MsgpackHandle{}).Decode(v)
}

// msgpackDecoders are reused for packets: a decoder costs more to make
// than a small message does to decode.
var msgpackDecoders = sync.Pool{New: func() any { return codec.NewDecoderBytes(nil, &codec.MsgpackHandle{}) }}

func msgpackDecodeBytes(b []byte, v any) error {
	dec := msgpackDecoders.Get().(*codec.Decoder)
	defer msgpackDecoders.Put(dec)
	dec.ResetBytes(b)
	return dec.Decode(v)
}

type compressed struct {
	Algo int
	Buf  []byte
}

func decompressBytes(b []byte) ([]byte, error) {
	var c compressed
	if err := msgpackDecodeBytes(b, &c); err != nil {
		return nil, err
	}
	return inflate(c)
}

// lzwReaders keeps LZW decoders (about 20 KB of tables each) for reuse:
// every observed packet is compressed.
var lzwReaders sync.Pool

// decompress reads memberlist's compress{Algo, Buf} (msgpack) from r and
// inflates Buf (LZW, LSB first, 8-bit literals).
func decompress(r io.Reader) ([]byte, error) {
	var c compressed
	if err := msgpackDecode(r, &c); err != nil {
		return nil, err
	}
	return inflate(c)
}

// inflate undoes memberlist's compressPayload.
func inflate(c compressed) ([]byte, error) {
	if c.Algo != 0 {
		return nil, fmt.Errorf("unknown compression %d", c.Algo)
	}
	zr, _ := lzwReaders.Get().(*lzw.Reader)
	if zr == nil {
		zr = lzw.NewReader(nil, lzw.LSB, 8).(*lzw.Reader)
	}
	zr.Reset(bytes.NewReader(c.Buf), lzw.LSB, 8)
	defer lzwReaders.Put(zr)
	b := bytes.NewBuffer(make([]byte, 0, 2*len(c.Buf)+64))
	if _, err := io.CopyN(b, zr, maxDecompressed+1); err != nil && err != io.EOF {
		return nil, err
	}
	if b.Len() > maxDecompressed {
		return nil, fmt.Errorf("decompressed message over %d bytes", maxDecompressed)
	}
	return b.Bytes(), nil
}

// describePart names an Alertmanager clusterpb.Part by its state key and
// first entry.
func describePart(b []byte, m *wireMsg) {
	var p clusterpb.Part
	if p.Unmarshal(b) != nil {
		return
	}
	m.Key = p.Key
	switch p.Key {
	case keySilences:
		if sils, err := decodeSilences(p.Data); err == nil && len(sils) > 0 {
			m.Key, m.Version, m.Value = silenceKey(sils[0].Silence), sils[0].Silence.UpdatedAt.UnixMilli(), sils[0].Silence.Comment
		}
	case keyNflog:
		if ents, err := decodeEntries(p.Data); err == nil && len(ents) > 0 {
			m.Key, m.Version = entryKey(ents[0].Entry), ents[0].Entry.Timestamp.UnixMilli()
		}
	}
}

// decodeStream reads what one side wrote on a memberlist TCP stream (as far
// as it was captured) and describes it. size is the full byte count.
func decodeStream(buf []byte, size int) wireMsg {
	m := wireMsg{Kind: KindUnknown, Bytes: size}
	buf = stripLabel(buf)
	if len(buf) == 0 {
		return m
	}
	t := buf[0]
	r := bytes.NewReader(buf[1:])
	var body io.Reader = r
	if t == mtCompress {
		inner, err := decompress(r)
		if err != nil || len(inner) == 0 {
			return m
		}
		t, body = inner[0], bytes.NewReader(inner[1:])
	}
	m.Kind = kindName(t)
	switch t {
	case mtPushPull:
		m.Value = describePushPull(body)
	case mtUser:
		var h struct{ UserMsgLen int }
		dec := codec.NewDecoder(body, &codec.MsgpackHandle{})
		if dec.Decode(&h) != nil || h.UserMsgLen <= 0 || h.UserMsgLen > maxDecompressed {
			return m
		}
		ub := make([]byte, h.UserMsgLen)
		if _, err := io.ReadFull(body, ub); err == nil {
			describePart(ub, &m)
		}
	}
	return m
}

// describePushPull summarises a push-pull: how many members it lists and
// how many silences and nflog entries its Alertmanager FullState carries.
func describePushPull(r io.Reader) string {
	var h struct {
		Nodes        int
		UserStateLen int
		Join         bool
	}
	dec := codec.NewDecoder(r, &codec.MsgpackHandle{})
	if dec.Decode(&h) != nil || h.Nodes < 0 || h.Nodes > 1<<16 {
		return ""
	}
	for i := 0; i < h.Nodes; i++ {
		var skip map[string]any
		if dec.Decode(&skip) != nil {
			return fmt.Sprintf("%d members", h.Nodes)
		}
	}
	desc := fmt.Sprintf("%d members", h.Nodes)
	if h.Join {
		desc += ", join"
	}
	if h.UserStateLen <= 0 || h.UserStateLen > maxDecompressed {
		return desc
	}
	ub := make([]byte, h.UserStateLen)
	if _, err := io.ReadFull(r, ub); err != nil {
		return desc
	}
	var fs clusterpb.FullState
	if fs.Unmarshal(ub) != nil {
		return desc
	}
	for _, p := range fs.Parts {
		switch p.Key {
		case keySilences:
			if s, err := decodeSilences(p.Data); err == nil {
				desc += fmt.Sprintf(", %d sil", len(s))
			}
		case keyNflog:
			if e, err := decodeEntries(p.Data); err == nil {
				desc += fmt.Sprintf(", %d nfl", len(e))
			}
		}
	}
	return desc
}
