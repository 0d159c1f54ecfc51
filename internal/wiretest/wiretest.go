// Package wiretest builds memberlist packets and Alertmanager parts the
// way memberlist's net.go and util.go and Alertmanager's cluster do
// (encode, makeCompoundMessage, compressPayload, the CRC header,
// clusterpb.Part), independently of package wire: the reference its
// readers and writers are tested against.
package wiretest

import (
	"bytes"
	"compress/lzw"
	"encoding/binary"
	"hash/crc32"
	"testing"
	"time"

	"github.com/hashicorp/go-msgpack/v2/codec"
	"github.com/prometheus/alertmanager/cluster/clusterpb"
	pb "github.com/prometheus/alertmanager/silence/silencepb"
)

// memberlist's message types (net.go).
const (
	MsgPing     byte = 0
	MsgSuspect  byte = 3
	MsgAlive    byte = 4
	MsgDead     byte = 5
	MsgPushPull byte = 6
	MsgCompound byte = 7
	MsgUser     byte = 8
	MsgCompress byte = 9
	MsgCRC      byte = 12
	MsgLabel    byte = 244
	keySilences      = "sil"
)

// EncodeMsg is memberlist's encode: the type byte, then v in msgpack.
func EncodeMsg(t testing.TB, typ byte, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteByte(typ)
	if err := codec.NewEncoder(&b, &codec.MsgpackHandle{}).Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// PingMsg is memberlist's ping.
func PingMsg(t testing.TB, seq uint32, node string) []byte {
	return EncodeMsg(t, MsgPing, struct {
		SeqNo uint32
		Node  string
	}{seq, node})
}

// NodeMsg is memberlist's suspect or dead message (they begin alike:
// Incarnation, Node, From).
func NodeMsg(t testing.TB, typ byte, incarnation uint32, node, from string) []byte {
	return EncodeMsg(t, typ, struct {
		Incarnation uint32
		Node, From  string
	}{incarnation, node, from})
}

// AliveMsg is memberlist's alive message for node at 127.0.0.1:9094.
func AliveMsg(t testing.TB, incarnation uint32, node string) []byte {
	return EncodeMsg(t, MsgAlive, struct {
		Incarnation uint32
		Node        string
		Addr        []byte
		Port        uint16
		Meta        []byte
		Vsn         []uint8
	}{incarnation, node, []byte{127, 0, 0, 1}, 9094, nil, []uint8{1, 5, 2, 0, 0, 0}})
}

// Compound is memberlist's makeCompoundMessage.
func Compound(msgs ...[]byte) []byte {
	var b bytes.Buffer
	b.WriteByte(MsgCompound)
	b.WriteByte(byte(len(msgs)))
	for _, m := range msgs {
		_ = binary.Write(&b, binary.BigEndian, uint16(len(m)))
	}
	for _, m := range msgs {
		b.Write(m)
	}
	return b.Bytes()
}

// MemberlistCompress is memberlist's compressPayload (util.go), a fresh
// LZW writer each time: the reference for a transport's compression.
func MemberlistCompress(in []byte) []byte {
	var z bytes.Buffer
	w := lzw.NewWriter(&z, lzw.LSB, 8)
	_, _ = w.Write(in)
	_ = w.Close()
	var out bytes.Buffer
	out.WriteByte(MsgCompress)
	_ = codec.NewEncoder(&out, &codec.MsgpackHandle{}).Encode(struct {
		Algo uint8
		Buf  []byte
	}{0, z.Bytes()})
	return out.Bytes()
}

// WithCRC puts memberlist's CRC header in front of a packet.
func WithCRC(in []byte) []byte {
	h := make([]byte, 5, 5+len(in))
	h[0] = MsgCRC
	binary.BigEndian.PutUint32(h[1:], crc32.ChecksumIEEE(in))
	return append(h, in...)
}

// MeshSilence is an hour-long silence of a="b" updated at updated.
func MeshSilence(id, comment string, updated time.Time) *pb.MeshSilence {
	return &pb.MeshSilence{Silence: &pb.Silence{
		Id: id, Comment: comment, UpdatedAt: updated, StartsAt: updated, EndsAt: updated.Add(time.Hour),
		Matchers: []*pb.Matcher{{Name: "a", Pattern: "b"}},
	}, ExpiresAt: updated.Add(time.Hour)}
}

// Delimited writes messages as pbutil.WriteDelimited: each with a varint
// length in front, as Alertmanager's states marshal and gossip entries.
func Delimited(t testing.TB, ms ...interface{ Marshal() ([]byte, error) }) []byte {
	t.Helper()
	var out []byte
	for _, m := range ms {
		b, err := m.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		out = binary.AppendUvarint(out, uint64(len(b)))
		out = append(out, b...)
	}
	return out
}

// Part is Alertmanager's clusterpb.Part as a user message's payload.
func Part(t testing.TB, key string, data []byte) []byte {
	t.Helper()
	b, err := (&clusterpb.Part{Key: key, Data: data}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// SilencePart is a user message gossiping one silence (MeshSilence).
func SilencePart(t testing.TB, id, comment string, updated time.Time) []byte {
	t.Helper()
	return append([]byte{MsgUser}, Part(t, keySilences, Delimited(t, MeshSilence(id, comment, updated)))...)
}

// GossipPayload is what memberlist's gossip hands a transport: a compound
// of memberlist broadcasts and Alertmanager parts, before compression. Its
// silences are "held" (updated at heldAt) and "fresh" (a second later).
func GossipPayload(t testing.TB, heldAt time.Time) []byte {
	return Compound(NodeMsg(t, MsgSuspect, 3, "n4", "a"), AliveMsg(t, 5, "n3"),
		SilencePart(t, "held", "held by b", heldAt),
		SilencePart(t, "fresh", "new to b", heldAt.Add(time.Second)))
}
