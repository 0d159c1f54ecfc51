package observer

import (
	"bytes"
	"compress/lzw"
	"encoding/binary"
	"io"
	"strconv"

	"github.com/gogo/protobuf/proto"
	"github.com/hashicorp/go-msgpack/v2/codec"
	"github.com/hashicorp/memberlist"
	"github.com/prometheus/alertmanager/cluster/clusterpb"
	nflogpb "github.com/prometheus/alertmanager/nflog/nflogpb"
	silencepb "github.com/prometheus/alertmanager/silence/silencepb"

	"github.com/gossipscope/gossipscope/node"
)

// memberlist's message types (net.go) that wrap or carry others.
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
)

// kinds names memberlist's message types as node/ does, so the page sees
// the same kinds from a lab and from a real cluster.
var kinds = [...]string{
	mtPing: node.KindPing, mtIndirectPing: node.KindIndirectPing, mtAck: node.KindAck,
	mtSuspect: node.KindSuspect, mtAlive: node.KindAlive, mtDead: node.KindDead,
	mtPushPull: node.KindPushPull, mtUser: node.KindUser, mtEncrypt: node.KindEncrypted,
	mtNack: node.KindNack, mtErr: node.KindErr,
}

func kindOf(t byte) string {
	if int(t) < len(kinds) && kinds[t] != "" {
		return kinds[t]
	}
	return node.KindUnknown
}

// maxInflated bounds what one compressed packet may inflate to.
const maxInflated = 4 << 20

// wireMsg is one memberlist message found in a UDP packet.
type wireMsg struct {
	kind    string
	key     string // user: sil/<id> or nfl/<entry key>; alive, suspect, dead: the member concerned
	version int64  // user: UpdatedAt / Timestamp in unix ms; alive, suspect, dead: incarnation
	value   string // user: a silence's comment
	origin  string // suspect, dead: who says so (dead from the node itself = it left)
	bytes   int
	payload []byte // user: the delegate's bytes (a clusterpb.Part)
}

// decodePacket splits one UDP packet into its messages: label, CRC,
// compression and compound wrappers removed. It never fails; what it
// cannot read is a message of kind "unknown".
func decodePacket(buf []byte) []wireMsg {
	size := len(buf)
	if b, _, err := memberlist.RemoveLabelHeaderFromPacket(buf); err == nil {
		buf = b
	}
	out := decodeMessage(buf, 0, nil)
	switch len(out) {
	case 0:
		out = append(out, wireMsg{kind: node.KindUnknown, bytes: size})
	case 1:
		out[0].bytes = size
	}
	return out
}

func decodeMessage(buf []byte, depth int, out []wireMsg) []wireMsg {
	if len(buf) == 0 || depth > 4 {
		return out
	}
	t, body := buf[0], buf[1:]
	switch t {
	case mtCRC:
		if len(body) < 4 {
			return out
		}
		return decodeMessage(body[4:], depth+1, out)
	case mtCompress:
		inner, err := inflate(body)
		if err != nil {
			return append(out, wireMsg{kind: node.KindUnknown, bytes: len(buf)})
		}
		return decodeMessage(inner, depth+1, out)
	case mtCompound:
		if len(body) < 1 {
			return out
		}
		n := int(body[0])
		body = body[1:]
		if len(body) < 2*n {
			return out
		}
		lens, rest := body[:2*n], body[2*n:]
		for i := 0; i < n; i++ {
			l := int(binary.BigEndian.Uint16(lens[2*i:]))
			if len(rest) < l {
				break
			}
			out = decodeMessage(rest[:l], depth+1, out)
			rest = rest[l:]
		}
		return out
	}
	m := wireMsg{kind: kindOf(t), bytes: len(buf)}
	switch t {
	case mtAlive, mtSuspect, mtDead:
		var v struct {
			Incarnation uint32
			Node        string
			From        string
		}
		if codec.NewDecoderBytes(body, &codec.MsgpackHandle{}).Decode(&v) == nil {
			m.key, m.version, m.origin = v.Node, int64(v.Incarnation), v.From
		}
	case mtUser:
		m.payload = body
		describePart(body, &m)
	}
	return append(out, m)
}

// inflate undoes memberlist's compression: msgpack {Algo, Buf}, LZW.
func inflate(body []byte) ([]byte, error) {
	var c struct {
		Algo int
		Buf  []byte
	}
	if err := codec.NewDecoderBytes(body, &codec.MsgpackHandle{}).Decode(&c); err != nil {
		return nil, err
	}
	if c.Algo != 0 { // lzwAlgo is memberlist's only algorithm
		return nil, io.ErrUnexpectedEOF
	}
	r := lzw.NewReader(bytes.NewReader(c.Buf), lzw.LSB, 8)
	defer r.Close()
	return io.ReadAll(io.LimitReader(r, maxInflated))
}

// describePart names an Alertmanager clusterpb.Part by its first entry:
// the same keys, versions and values as node/'s events.
func describePart(b []byte, m *wireMsg) {
	var p clusterpb.Part
	if p.Unmarshal(b) != nil {
		return
	}
	m.key = p.Key
	first, ok := firstDelimited(p.Data)
	if !ok {
		return
	}
	switch p.Key {
	case "sil":
		var s silencepb.MeshSilence
		if s.Unmarshal(first) == nil && s.Silence != nil {
			m.key, m.version, m.value = "sil/"+s.Silence.Id, s.Silence.UpdatedAt.UnixMilli(), s.Silence.Comment
		}
	case "nfl":
		var e nflogpb.MeshEntry
		if e.Unmarshal(first) == nil && e.Entry != nil {
			m.key, m.version = nflKey(e.Entry), e.Entry.Timestamp.UnixMilli()
		}
	}
}

// nflKey is node/'s key for a notification log entry (nflog.go's state
// key): nfl/<group key>:<group name>/<integration>/<idx>.
func nflKey(e *nflogpb.Entry) string {
	if e.Receiver == nil {
		return "nfl/" + string(e.GroupKey)
	}
	r := e.Receiver
	return "nfl/" + string(e.GroupKey) + ":" + r.GroupName + "/" + r.Integration + "/" + strconv.FormatUint(uint64(r.Idx), 10)
}

// firstDelimited returns the first varint-length-delimited message.
func firstDelimited(b []byte) ([]byte, bool) {
	n, k := proto.DecodeVarint(b)
	if k == 0 || n > uint64(len(b)-k) {
		return nil, false
	}
	return b[k : k+int(n)], true
}

// countDelimited counts the varint-length-delimited messages in b.
func countDelimited(b []byte) int {
	c := 0
	for len(b) > 0 {
		n, k := proto.DecodeVarint(b)
		if k == 0 || n > uint64(len(b)-k) {
			break
		}
		b = b[k+int(n):]
		c++
	}
	return c
}
