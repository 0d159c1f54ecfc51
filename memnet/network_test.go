package memnet_test

import (
	"bytes"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/memnet"
	"github.com/gossipscope/gossipscope/protocol"
	"github.com/hashicorp/go-msgpack/v2/codec"
	"github.com/hashicorp/memberlist"
)

// recorder keeps every event a Network emits.
type recorder struct {
	mu  sync.Mutex
	evs []protocol.Event
}

func (r *recorder) emit(evs []protocol.Event) {
	r.mu.Lock()
	r.evs = append(r.evs, evs...)
	r.mu.Unlock()
}

func (r *recorder) all() []protocol.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]protocol.Event(nil), r.evs...)
}

// msgs returns the msg events that match.
func (r *recorder) msgs(match func(e protocol.Event) bool) []protocol.Event {
	var out []protocol.Event
	for _, e := range r.all() {
		if e.Type == protocol.TypeMsg && match(e) {
			out = append(out, e)
		}
	}
	return out
}

// pingPacket is a memberlist ping (message type 0, then its msgpack body,
// field names as memberlist's ping struct).
func pingPacket(t *testing.T, seq uint32, target string) []byte {
	t.Helper()
	var body []byte
	err := codec.NewEncoderBytes(&body, &codec.MsgpackHandle{}).Encode(struct {
		SeqNo uint32
		Node  string
	}{seq, target})
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte{0}, body...)
}

func pair(t *testing.T, cfg memnet.Config) (*memnet.Network, *memnet.Transport, *memnet.Transport) {
	t.Helper()
	n := memnet.New(cfg)
	a, err := n.NewTransport("a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := n.NewTransport("b")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Shutdown(); _ = b.Shutdown() })
	return n, a, b
}

// received drains what is waiting for tr without blocking.
func received(tr *memnet.Transport) []*memberlist.Packet {
	var out []*memberlist.Packet
	for {
		select {
		case p := <-tr.PacketCh():
			out = append(out, p)
		default:
			return out
		}
	}
}

func TestPacketArrivesLabelledFromItsSender(t *testing.T) {
	var rec recorder
	n, a, b := pair(t, memnet.Config{Emit: rec.emit})
	pkt := pingPacket(t, 7, "b")
	addrB, _ := n.Addr("b")
	if _, err := a.WriteToAddress(pkt, memberlist.Address{Addr: addrB}); err != nil {
		t.Fatal(err)
	}
	got := received(b)
	if len(got) != 1 || !bytes.Equal(got[0].Buf, pkt) {
		t.Fatalf("b received %v, want the ping", got)
	}
	addrA, _ := n.Addr("a")
	if got[0].From.String() != addrA || got[0].Timestamp.IsZero() {
		t.Errorf("packet from %v at %v, want from %s with an arrival time", got[0].From, got[0].Timestamp, addrA)
	}
	evs := rec.msgs(func(protocol.Event) bool { return true })
	if len(evs) != 1 {
		t.Fatalf("events %+v, want one msg", evs)
	}
	e := evs[0]
	if e.From != "a" || e.To != "b" || e.Kind != "ping" || e.Lost || e.Bytes != len(pkt) {
		t.Errorf("event %+v, want a ping a -> b of %d bytes, not lost", e, len(pkt))
	}
	if err := e.Validate(); err != nil {
		t.Error(err)
	}
}

func TestLossIsSeededCountedAndReported(t *testing.T) {
	const sent = 2000
	run := func() (lostAt []bool, delivered int, st memnet.Stats) {
		var rec recorder
		n, a, b := pair(t, memnet.Config{Emit: rec.emit, Seed: 42, QueueLen: sent})
		if err := n.SetLoss(0.3); err != nil {
			t.Fatal(err)
		}
		pkt := pingPacket(t, 1, "b")
		for i := 0; i < sent; i++ {
			_, _ = a.WriteToAddress(pkt, memberlist.Address{Name: "b"})
		}
		for _, e := range rec.msgs(func(protocol.Event) bool { return true }) {
			lostAt = append(lostAt, e.Lost)
		}
		return lostAt, len(received(b)), n.Stats()
	}
	lost1, got, st := run()
	lost2, _, _ := run()
	nLost := 0
	for i := range lost1 {
		if lost1[i] != lost2[i] {
			t.Fatalf("packet %d: lost %v in one run, %v in another with the same seed", i, lost1[i], lost2[i])
		}
		if lost1[i] {
			nLost++
		}
	}
	// 30% of 2000: 600, sd ~20.5; 5 sd either way.
	if nLost < 500 || nLost > 700 {
		t.Errorf("%d of %d lost at loss 0.3", nLost, sent)
	}
	if got != sent-nLost || st.Packets != sent || st.Lost != nLost {
		t.Errorf("delivered %d, stats %+v; want %d delivered and %d lost of %d", got, st, sent-nLost, nLost, sent)
	}
	if err := memnet.New(memnet.Config{}).SetLoss(1.5); err == nil {
		t.Error("loss 1.5 accepted")
	}
}

func TestLinkLossIsOneDirection(t *testing.T) {
	n, a, b := pair(t, memnet.Config{})
	if err := n.SetLinkLoss("a", "b", 1); err != nil {
		t.Fatal(err)
	}
	pkt := pingPacket(t, 1, "x")
	_, _ = a.WriteToAddress(pkt, memberlist.Address{Name: "b"})
	_, _ = b.WriteToAddress(pkt, memberlist.Address{Name: "a"})
	if len(received(b)) != 0 || len(received(a)) != 1 {
		t.Error("link loss a -> b should lose a's packet and deliver b's")
	}
}

func TestPartitionCutsPacketsAndStreamsUntilHealed(t *testing.T) {
	var rec recorder
	n, a, b := pair(t, memnet.Config{Emit: rec.emit})
	if err := n.Partition([][]string{{"a"}, {"b"}}); err != nil {
		t.Fatal(err)
	}
	pkt := pingPacket(t, 1, "b")
	_, _ = a.WriteToAddress(pkt, memberlist.Address{Name: "b"})
	if len(received(b)) != 0 {
		t.Error("a packet crossed the partition")
	}
	if _, err := a.DialAddressTimeout(memberlist.Address{Name: "b"}, time.Second); err == nil {
		t.Error("a stream opened across the partition")
	}
	n.Heal()
	_, _ = a.WriteToAddress(pkt, memberlist.Address{Name: "b"})
	if len(received(b)) != 1 {
		t.Error("no packet after heal")
	}
	var types []protocol.Type
	for _, e := range rec.all() {
		types = append(types, e.Type)
	}
	want := []protocol.Type{protocol.TypePartition, protocol.TypeMsg, protocol.TypeHeal, protocol.TypeMsg}
	if len(types) != len(want) {
		t.Fatalf("event types %v, want %v", types, want)
	}
	for i := range want {
		if types[i] != want[i] {
			t.Fatalf("event types %v, want %v", types, want)
		}
	}
	if m := rec.msgs(func(protocol.Event) bool { return true }); !m[0].Lost || m[1].Lost {
		t.Errorf("lost flags %v then %v, want true then false", m[0].Lost, m[1].Lost)
	}
	if err := n.Partition([][]string{{"a"}, {"a", "b"}}); err == nil {
		t.Error("a node in two groups accepted")
	}
}

func TestLatencyAndSlowNodeDelayPackets(t *testing.T) {
	var rec recorder
	n, a, b := pair(t, memnet.Config{Emit: rec.emit, Latency: 20 * time.Millisecond})
	if err := n.SetSlow("b", 30*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	_, _ = a.WriteToAddress(pingPacket(t, 1, "b"), memberlist.Address{Name: "b"})
	select {
	case p := <-b.PacketCh():
		if d := p.Timestamp.Sub(sent); d < 50*time.Millisecond {
			t.Errorf("arrived after %v, want at least latency 20ms + slow 30ms", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("packet never arrived")
	}
	e := rec.msgs(func(protocol.Event) bool { return true })[0]
	if d := e.Arrive - e.T; d < 49.99 || d > 50.01 {
		t.Errorf("event says it arrives %v ms after it is sent, want 50", d)
	}
}

func TestShutDownNodeLosesPacketsAndKeepsItsAddress(t *testing.T) {
	n, a, b := pair(t, memnet.Config{})
	addr, _ := n.Addr("b")
	_ = b.Shutdown()
	if n.Running("b") {
		t.Error("b still running after Shutdown")
	}
	_, _ = a.WriteToAddress(pingPacket(t, 1, "b"), memberlist.Address{Addr: addr})
	if st := n.Stats(); st.Lost != 1 {
		t.Errorf("stats %+v, want the packet to a shut-down node lost", st)
	}
	if _, err := a.DialAddressTimeout(memberlist.Address{Addr: addr}, time.Second); err == nil {
		t.Error("dial to a shut-down node succeeded")
	}
	b2, err := n.NewTransport("b")
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Shutdown()
	ip, port, _ := b2.FinalAdvertiseAddr("", 0)
	if got := joinHostPort(ip.String(), port); got != addr {
		t.Errorf("restarted b at %s, want its old address %s", got, addr)
	}
	if _, err := n.NewTransport("b"); err == nil {
		t.Error("a second running transport for b accepted")
	}
}

func TestStreamIsReportedBothWaysByTheDialer(t *testing.T) {
	var rec recorder
	_, a, b := pair(t, memnet.Config{Emit: rec.emit})
	done := make(chan error, 1)
	go func() {
		c := <-b.StreamCh()
		buf := make([]byte, 5)
		if _, err := io.ReadFull(c, buf); err != nil {
			done <- err
			return
		}
		_, err := c.Write([]byte("answer!"))
		done <- err
	}()
	c, err := a.DialAddressTimeout(memberlist.Address{Name: "b"}, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 7)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "answer!" {
		t.Fatalf("read %q, %v", buf, err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	_ = c.Close()
	evs := rec.msgs(func(protocol.Event) bool { return true })
	if len(evs) != 2 || evs[0].From != "a" || evs[0].Bytes != 5 || evs[1].From != "b" || evs[1].Bytes != 7 {
		t.Errorf("events %+v, want a -> b 5 bytes then b -> a 7 bytes", evs)
	}
}

// A node that crashes (its transport shut down) mid-stream still reports
// the stream it dialed, stamped with when its bytes crossed, not with the
// crash; the other end's stream is closed too.
func TestShutdownReportsOpenStreamsAtTheirFirstBytes(t *testing.T) {
	var rec recorder
	n, a, b := pair(t, memnet.Config{Emit: rec.emit})
	got := make(chan error, 1)
	var server net.Conn
	go func() {
		server = <-b.StreamCh()
		_, err := io.ReadFull(server, make([]byte, 5))
		got <- err
	}()
	c, err := a.DialAddressTimeout(memberlist.Address{Name: "b"}, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	before := n.Now()
	if _, err := c.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	crash := n.Now()
	_ = a.Shutdown()
	evs := rec.msgs(func(protocol.Event) bool { return true })
	if len(evs) != 1 || evs[0].From != "a" || evs[0].To != "b" || evs[0].Bytes != 5 {
		t.Fatalf("events %+v, want the request a -> b, 5 bytes", evs)
	}
	if evs[0].T < before || evs[0].T >= crash {
		t.Errorf("stream stamped %v ms, want its write's time in [%v, %v)", evs[0].T, before, crash)
	}
	if _, err := server.Read(make([]byte, 1)); err == nil {
		t.Error("b's end of the stream still open after a shut down")
	}
	_ = b.Shutdown()
}

func joinHostPort(host string, port int) string {
	return (&net.TCPAddr{IP: net.ParseIP(host), Port: port}).String()
}
