package node

import (
	"bytes"
	"compress/lzw"
	"encoding/binary"
	"hash/crc32"
	"testing"
	"time"

	"github.com/hashicorp/go-msgpack/v2/codec"
	"github.com/hashicorp/memberlist"
	pb "github.com/prometheus/alertmanager/silence/silencepb"
)

// The helpers below build packets the way memberlist's net.go and util.go
// do (encode, makeCompoundMessage, compressPayload, the CRC header).

func encodeMsg(t *testing.T, typ byte, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteByte(typ)
	if err := codec.NewEncoder(&b, &codec.MsgpackHandle{}).Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pingMsg is memberlist's ping; nodeMsg its suspect or dead message (they
// begin alike: Incarnation, Node, From).
func pingMsg(t *testing.T, seq uint32, node string) []byte {
	return encodeMsg(t, mtPing, struct {
		SeqNo uint32
		Node  string
	}{seq, node})
}

func nodeMsg(t *testing.T, typ byte, incarnation uint32, node, from string) []byte {
	return encodeMsg(t, typ, struct {
		Incarnation uint32
		Node, From  string
	}{incarnation, node, from})
}

func compound(msgs ...[]byte) []byte {
	var b bytes.Buffer
	b.WriteByte(mtCompound)
	b.WriteByte(byte(len(msgs)))
	for _, m := range msgs {
		_ = binary.Write(&b, binary.BigEndian, uint16(len(m)))
	}
	for _, m := range msgs {
		b.Write(m)
	}
	return b.Bytes()
}

// memberlistCompress is memberlist's compressPayload (util.go), a fresh
// LZW writer each time: the reference for the transport's compression.
func memberlistCompress(in []byte) []byte {
	var z bytes.Buffer
	w := lzw.NewWriter(&z, lzw.LSB, 8)
	_, _ = w.Write(in)
	_ = w.Close()
	var out bytes.Buffer
	out.WriteByte(mtCompress)
	_ = codec.NewEncoder(&out, &codec.MsgpackHandle{}).Encode(struct {
		Algo uint8
		Buf  []byte
	}{0, z.Bytes()})
	return out.Bytes()
}

func withCRC(in []byte) []byte {
	h := make([]byte, 5, 5+len(in))
	h[0] = mtCRC
	binary.BigEndian.PutUint32(h[1:], crc32.ChecksumIEEE(in))
	return append(h, in...)
}

func silencePart(t *testing.T, id, comment string, updated time.Time) []byte {
	t.Helper()
	data, err := appendDelimited(nil, &pb.MeshSilence{Silence: &pb.Silence{
		Id: id, Comment: comment, UpdatedAt: updated, StartsAt: updated, EndsAt: updated.Add(time.Hour),
		Matchers: []*pb.Matcher{{Name: "a", Pattern: "b"}},
	}, ExpiresAt: updated.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte{mtUser}, partBytes(keySilences, data)...)
}

func TestDescribePacketKinds(t *testing.T) {
	updated := time.UnixMilli(1_700_000_000_123).UTC()
	ping := pingMsg(t, 7, "n2")
	suspect := nodeMsg(t, mtSuspect, 3, "n4", "n1")
	dead := nodeMsg(t, mtDead, 4, "n5", "n5")
	user := silencePart(t, "abc-123", "maintenance", updated)
	plain := compound(ping, suspect, dead, user)

	label, err := memberlist.AddLabelHeaderToPacket(withCRC(memberlistCompress(plain)), "prod")
	if err != nil {
		t.Fatal(err)
	}
	for name, pkt := range map[string][]byte{
		"compound":                           plain,
		"compressed compound":                memberlistCompress(plain),
		"labelled, crc, compressed compound": label,
	} {
		msgs := DescribePacket(pkt)
		if len(msgs) != 4 {
			t.Fatalf("%s: %d messages, want 4: %+v", name, len(msgs), msgs)
		}
		want := []Message{
			{Kind: KindPing},
			{Kind: KindSuspect, Key: "n4", Version: 3, Origin: "n1"},
			{Kind: KindDead, Key: "n5", Version: 4, Origin: "n5"},
			{Kind: KindUser, Key: "sil/abc-123", Version: updated.UnixMilli(), Value: "maintenance"},
		}
		for i, w := range want {
			g := msgs[i]
			if g.Kind != w.Kind || g.Key != w.Key || g.Version != w.Version || g.Value != w.Value || g.Origin != w.Origin || g.Bytes <= 0 {
				t.Errorf("%s: message %d = %+v, want %+v", name, i, g, w)
			}
			if (g.Payload != nil) != (w.Kind == KindUser) {
				t.Errorf("%s: message %d has payload %x", name, i, g.Payload)
			}
		}
		// The payload is what the delegate's NotifyMsg gets, described alike.
		if u := msgs[3]; !bytes.Equal(u.Payload, user[1:]) {
			t.Errorf("%s: user payload %x, want %x", name, u.Payload, user[1:])
		} else if d := DescribeUserMsg(u.Payload); d.Kind != KindUser || d.Key != u.Key || d.Version != u.Version || d.Value != u.Value || d.Bytes != len(user)-1 {
			t.Errorf("%s: DescribeUserMsg = %+v, packet said %+v", name, d, u)
		}
	}
	// A single message reports the whole packet's size.
	if m := DescribePacket(withCRC(ping)); len(m) != 1 || m[0].Kind != KindPing || m[0].Bytes != len(ping)+5 {
		t.Fatalf("single ping: %+v", m)
	}
}

func TestDescribeStreamPushPullAndUser(t *testing.T) {
	// A push-pull as sendLocalState writes it: header, node states, then
	// the delegate's state (here a real node's FullState with one silence).
	n := startNode(t, "pp", nil, nil)
	if _, err := n.sil.Set(newMatcherSilence("X", time.Now().UTC())); err != nil {
		t.Fatal(err)
	}
	state := (&delegate{n}).LocalState(true)
	var b bytes.Buffer
	b.WriteByte(mtPushPull)
	enc := codec.NewEncoder(&b, &codec.MsgpackHandle{})
	_ = enc.Encode(struct {
		Nodes        int
		UserStateLen int
		Join         bool
	}{2, len(state), true})
	for _, nm := range []string{"n1", "n2"} {
		_ = enc.Encode(struct {
			Name        string
			Addr        []byte
			Port        uint16
			Meta        []byte
			Incarnation uint32
			State       int
			Vsn         []uint8
		}{nm, []byte{127, 0, 0, 1}, 9094, nil, 1, 0, []uint8{1, 5, 2, 0, 0, 0}})
	}
	b.Write(state)
	if parts, err := DescribeFullState(state); err != nil || len(parts) != 2 ||
		parts[0] != (StatePart{Key: keySilences, Entries: 1}) || parts[1] != (StatePart{Key: keyNflog, Entries: 0}) {
		t.Errorf("DescribeFullState = %+v, %v", parts, err)
	}
	if parts, err := DescribeFullState(state[:len(state)-1]); err == nil {
		t.Errorf("truncated full state: %+v, no error", parts)
	}
	for name, s := range map[string][]byte{"plain": b.Bytes(), "compressed": memberlistCompress(b.Bytes())} {
		m := DescribeStream(s, len(s))
		if m.Kind != KindPushPull || m.Value != "2 members, join, 1 sil, 0 nfl" || m.Bytes != len(s) {
			t.Errorf("%s push-pull: %+v", name, m)
		}
	}
	// An oversized user message goes over a stream: header, then the Part.
	part := silencePart(t, "big", "over TCP", time.Now())[1:]
	var u bytes.Buffer
	u.WriteByte(mtUser)
	_ = codec.NewEncoder(&u, &codec.MsgpackHandle{}).Encode(struct{ UserMsgLen int }{len(part)})
	u.Write(part)
	if m := DescribeStream(u.Bytes(), u.Len()); m.Kind != KindUser || m.Key != "sil/big" {
		t.Fatalf("user stream: %+v", m)
	}
}

// Whatever arrives, decoding never panics and always says something.
func FuzzDescribePacket(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{mtCompound, 3, 0, 1})
	f.Add([]byte{mtCompress, 0x82, 0xa4})
	f.Add([]byte{mtLabel, 200, 'x'})
	f.Add([]byte{mtCRC, 0, 0, 0, 0, mtUser, 0x0a, 0x03, 's', 'i', 'l', 0x12, 0x05, 0xff, 0xff})
	f.Add([]byte{mtCompound, 2, 0, 1, 0, 1, mtCompress, mtCompound})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(DescribePacket(b)) == 0 {
			t.Fatal("no message described")
		}
		_ = DescribeStream(b, len(b))
		_ = DescribeUserMsg(b)
		_, _ = DescribeFullState(b)
	})
}
