package wire

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/internal/wiretest"
)

// The transport compresses exactly as memberlist does, so peers see the
// same bytes as from a memberlist with compression on.
func TestCompressMatchesMemberlist(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 20, 31, 32, 200, 1400, 70_000} {
		for _, kind := range []string{"random", "repetitive"} {
			plain := make([]byte, n)
			for i := range plain {
				if kind == "random" {
					plain[i] = byte(rng.IntN(256))
				} else {
					plain[i] = "gossip"[i%6]
				}
			}
			got := AppendCompressed([]byte("x"), plain)
			want := wiretest.MemberlistCompress(plain)
			if !bytes.Equal(got[1:], want) {
				t.Fatalf("%s %d bytes: compress message differs from memberlist's:\n%x\n%x", kind, n, got[1:min(len(got), 40)], want[:min(len(want), 40)])
			}
			back, err := appendInflated([]byte("y"), want[1:])
			if err != nil || !bytes.Equal(back[1:], plain) || back[0] != 'y' {
				t.Fatalf("%s %d bytes: inflate: %v", kind, n, err)
			}
		}
	}
	if _, err := inflate(wiretest.MemberlistCompress(make([]byte, maxDecompressed+1))[1:]); err == nil {
		t.Fatal("inflated past the limit")
	}
	if _, err := inflate([]byte{0x82, 0xa4, 'A', 'l', 'g', 'o', 0x00, 0xa3, 'B', 'u', 'f', 0xda, 0xff}); err == nil {
		t.Fatal("truncated compress message accepted")
	}
}

// What the transport sends for a packet memberlist hands it is what
// memberlist would send with compression on, and what it hands memberlist
// on receipt is the same packet inflated.
func TestWirePacketRoundTrip(t *testing.T) {
	heldAt := time.UnixMilli(1_700_000_000_000)
	payload := wiretest.GossipPayload(t, heldAt)
	for _, label := range []string{"", "prod"} {
		in := wiretest.WithCRC(payload)
		lbl := []byte(nil)
		if label != "" {
			lbl = append([]byte{MsgLabel, byte(len(label))}, label...)
		}
		in = append(append([]byte(nil), lbl...), in...)
		wire, plain, compressed := AppendPacket(nil, in)
		if !bytes.Equal(plain, payload) || !compressed {
			t.Fatalf("label %q: payload not found", label)
		}
		want := append(append([]byte(nil), lbl...), wiretest.WithCRC(wiretest.MemberlistCompress(payload))...)
		if !bytes.Equal(wire, want) {
			t.Fatalf("label %q: wire packet differs from memberlist's", label)
		}
		got := ReadPacket(wire)
		if !bytes.Equal(got, append(append([]byte(nil), lbl...), payload...)) {
			t.Fatalf("label %q: unwrapped packet is not the label and payload", label)
		}
		msgs := DescribePacket(wire)
		if len(msgs) != 4 || msgs[2].Key != "sil/held" || msgs[3].Key != "sil/fresh" || msgs[1].Key != "n3" {
			t.Fatalf("label %q: decoded %+v", label, msgs)
		}
		bad := bytes.Clone(wire)
		bad[len(bad)-1] ^= 0xff
		if !bytes.Equal(ReadPacket(bad), bad) {
			t.Fatalf("label %q: a packet with a bad CRC was changed", label)
		}
	}
	// A payload that does not shrink is sent as it is.
	ping := wiretest.EncodeMsg(t, MsgPing, struct{ SeqNo uint32 }{1})
	if wire, _, compressed := AppendPacket(nil, ping); !bytes.Equal(wire, ping) || compressed {
		t.Fatalf("tiny ping compressed: %x", wire)
	}
}
