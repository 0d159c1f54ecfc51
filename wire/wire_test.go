package wire

import (
	"bytes"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/internal/wiretest"
	"github.com/hashicorp/go-msgpack/v2/codec"
	"github.com/hashicorp/memberlist"
	"github.com/prometheus/alertmanager/cluster/clusterpb"
)

func TestDescribePacketKinds(t *testing.T) {
	updated := time.UnixMilli(1_700_000_000_123).UTC()
	ping := wiretest.PingMsg(t, 7, "n2")
	suspect := wiretest.NodeMsg(t, MsgSuspect, 3, "n4", "n1")
	dead := wiretest.NodeMsg(t, MsgDead, 4, "n5", "n5")
	user := wiretest.SilencePart(t, "abc-123", "maintenance", updated)
	plain := wiretest.Compound(ping, suspect, dead, user)

	label, err := memberlist.AddLabelHeaderToPacket(wiretest.WithCRC(wiretest.MemberlistCompress(plain)), "prod")
	if err != nil {
		t.Fatal(err)
	}
	for name, pkt := range map[string][]byte{
		"compound":                           plain,
		"compressed compound":                wiretest.MemberlistCompress(plain),
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
	if m := DescribePacket(wiretest.WithCRC(ping)); len(m) != 1 || m[0].Kind != KindPing || m[0].Bytes != len(ping)+5 {
		t.Fatalf("single ping: %+v", m)
	}
}

func TestDescribeStreamPushPullAndUser(t *testing.T) {
	// A push-pull as sendLocalState writes it: header, node states, then
	// the delegate's state (here a real node's FullState with one silence).
	fs := clusterpb.FullState{Parts: []clusterpb.Part{
		{Key: KeySilences, Data: wiretest.Delimited(t, wiretest.MeshSilence("X", "X", time.Now()))},
		{Key: KeyNflog},
	}}
	state, err := fs.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.WriteByte(MsgPushPull)
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
		parts[0] != (StatePart{Key: KeySilences, Entries: 1}) || parts[1] != (StatePart{Key: KeyNflog, Entries: 0}) {
		t.Errorf("DescribeFullState = %+v, %v", parts, err)
	}
	if parts, err := DescribeFullState(state[:len(state)-1]); err == nil {
		t.Errorf("truncated full state: %+v, no error", parts)
	}
	for name, s := range map[string][]byte{"plain": b.Bytes(), "compressed": wiretest.MemberlistCompress(b.Bytes())} {
		m := DescribeStream(s, len(s))
		if m.Kind != KindPushPull || m.Value != "2 members, join, 1 sil, 0 nfl" || m.Bytes != len(s) {
			t.Errorf("%s push-pull: %+v", name, m)
		}
	}
	// An oversized user message goes over a stream: header, then the Part.
	part := wiretest.SilencePart(t, "big", "over TCP", time.Now())[1:]
	var u bytes.Buffer
	u.WriteByte(MsgUser)
	_ = codec.NewEncoder(&u, &codec.MsgpackHandle{}).Encode(struct{ UserMsgLen int }{len(part)})
	u.Write(part)
	if m := DescribeStream(u.Bytes(), u.Len()); m.Kind != KindUser || m.Key != "sil/big" {
		t.Fatalf("user stream: %+v", m)
	}
}

// Whatever arrives, decoding never panics and always says something.
func FuzzDescribePacket(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{MsgCompound, 3, 0, 1})
	f.Add([]byte{MsgCompress, 0x82, 0xa4})
	f.Add([]byte{MsgLabel, 200, 'x'})
	f.Add([]byte{MsgCRC, 0, 0, 0, 0, MsgUser, 0x0a, 0x03, 's', 'i', 'l', 0x12, 0x05, 0xff, 0xff})
	f.Add([]byte{MsgCompound, 2, 0, 1, 0, 1, MsgCompress, MsgCompound})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(DescribePacket(b)) == 0 {
			t.Fatal("no message described")
		}
		_ = DescribeStream(b, len(b))
		_ = DescribeUserMsg(b)
		_, _ = DescribeFullState(b)
	})
}

// BenchmarkDecodePacket is the cost of observing one gossip packet: a
// compressed compound of a ping, a suspect and a silence broadcast.
func BenchmarkDecodePacket(b *testing.B) {
	ping := wiretest.PingMsg(b, 7, "n2")
	suspect := wiretest.NodeMsg(b, MsgSuspect, 3, "n4", "n1")
	pkt := wiretest.WithCRC(wiretest.MemberlistCompress(wiretest.Compound(ping, suspect, wiretest.SilencePart(b, "abc", "maintenance", time.Now()))))
	b.SetBytes(int64(len(pkt)))
	b.ReportAllocs()
	for b.Loop() {
		if len(DescribePacket(pkt)) != 3 {
			b.Fatal("bad decode")
		}
	}
}
