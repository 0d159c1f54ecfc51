package observer

import (
	"sync"
	"time"

	"github.com/hashicorp/memberlist"
)

// watchTransport is memberlist's own NetTransport with the observer
// looking at every UDP packet: those it receives (the source address
// names the sender) and those it sends. Streams (TCP) pass untouched.
type watchTransport struct {
	*memberlist.NetTransport
	m        *member
	packets  chan *memberlist.Packet
	stop     chan struct{}
	stopOnce sync.Once
	closed   chan struct{} // the NetTransport's listeners have stopped
	done     chan struct{}
}

var _ memberlist.NodeAwareTransport = (*watchTransport)(nil)

func newWatchTransport(nt *memberlist.NetTransport, m *member) *watchTransport {
	t := &watchTransport{NetTransport: nt, m: m, packets: make(chan *memberlist.Packet), stop: make(chan struct{}), closed: make(chan struct{}), done: make(chan struct{})}
	go t.forward()
	return t
}

// forward hands memberlist each packet after looking at it. Once
// stopping, it drops what the listeners still read: they block until a
// packet is taken, and must get to see they are closed.
func (t *watchTransport) forward() {
	defer close(t.done)
	in := t.NetTransport.PacketCh()
	for {
		select {
		case p := <-in:
			if p.From != nil {
				t.m.received(p.Buf, p.From.String())
			}
			select {
			case t.packets <- p:
				continue
			case <-t.stop:
			}
		case <-t.stop:
		}
		for {
			select {
			case <-in:
			case <-t.closed:
				return
			}
		}
	}
}

func (t *watchTransport) PacketCh() <-chan *memberlist.Packet { return t.packets }

func (t *watchTransport) WriteTo(b []byte, addr string) (time.Time, error) {
	return t.WriteToAddress(b, memberlist.Address{Addr: addr})
}

func (t *watchTransport) WriteToAddress(b []byte, a memberlist.Address) (time.Time, error) {
	t.m.sent(b, a)
	return t.NetTransport.WriteToAddress(b, a)
}

// Shutdown stops the forwarder and the listeners. Safe to call twice.
func (t *watchTransport) Shutdown() error {
	var err error
	t.stopOnce.Do(func() {
		close(t.stop)
		err = t.NetTransport.Shutdown()
		close(t.closed)
	})
	<-t.done
	return err
}
