package node

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync/atomic"
	"time"

	sockaddr "github.com/hashicorp/go-sockaddr"
)

// udpRecvBuf is the UDP receive window asked for, as memberlist's
// NetTransport (udpRecvBufSize): bursts of gossip in a big lab queue there.
const udpRecvBuf = 2 << 20

// maxPacket bounds one UDP datagram read.
const maxPacket = 65536

// sockets are a node's gossip listeners on one address: UDP for packets,
// TCP for streams. They do what memberlist's NetTransport
// (net_transport.go) does, except that packets are read into one reused
// buffer: NetTransport allocates and zeroes a fresh 64 KB buffer for every
// packet it receives, which in a 50-node lab was most of the process's
// garbage.
type sockets struct {
	udp      *net.UDPConn
	tcp      *net.TCPListener
	bindHost string
	port     int
	closing  atomic.Bool
	log      *slog.Logger
}

// listen binds TCP (first, so that port 0 picks a port free for both) and
// UDP on host:port.
func listen(host string, port int, log *slog.Logger) (*sockets, error) {
	ip := net.ParseIP(host)
	tcp, err := net.ListenTCP("tcp", &net.TCPAddr{IP: ip, Port: port})
	if err != nil {
		return nil, fmt.Errorf("TCP listen on %s: %w", net.JoinHostPort(host, fmt.Sprint(port)), err)
	}
	port = tcp.Addr().(*net.TCPAddr).Port
	udp, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip, Port: port})
	if err != nil {
		_ = tcp.Close()
		return nil, fmt.Errorf("UDP listen on %s: %w", net.JoinHostPort(host, fmt.Sprint(port)), err)
	}
	for size := udpRecvBuf; size > 0; size /= 2 { // back off as NetTransport's setUDPRecvBuf
		if udp.SetReadBuffer(size) == nil {
			break
		}
	}
	return &sockets{udp: udp, tcp: tcp, bindHost: host, port: port, log: log}, nil
}

// advertise is NetTransport.FinalAdvertiseAddr.
func (s *sockets) advertise(ip string, port int) (net.IP, int, error) {
	if ip != "" {
		a := net.ParseIP(ip)
		if a == nil {
			return nil, 0, fmt.Errorf("failed to parse advertise address %q", ip)
		}
		if a4 := a.To4(); a4 != nil {
			a = a4
		}
		return a, port, nil
	}
	if s.bindHost == "0.0.0.0" {
		priv, err := sockaddr.GetPrivateIP()
		if err != nil {
			return nil, 0, fmt.Errorf("failed to get interface addresses: %v", err)
		}
		if priv == "" {
			return nil, 0, fmt.Errorf("no private IP address found, and explicit IP not provided")
		}
		a := net.ParseIP(priv)
		if a == nil {
			return nil, 0, fmt.Errorf("failed to parse advertise address: %q", priv)
		}
		return a, s.port, nil
	}
	return s.tcp.Addr().(*net.TCPAddr).IP, s.port, nil
}

// write sends one packet.
func (s *sockets) write(b []byte, to netip.AddrPort) error {
	_, err := s.udp.WriteToUDPAddrPort(b, to)
	return err
}

// read reads one packet into buf; ok is false once the sockets are closed.
func (s *sockets) read(buf []byte) (n int, from netip.AddrPort, ts time.Time, ok bool) {
	for {
		n, from, err := s.udp.ReadFromUDPAddrPort(buf)
		ts := time.Now()
		if err != nil {
			if s.closing.Load() {
				return 0, from, ts, false
			}
			s.log.Error("reading UDP packet", "err", err)
			continue
		}
		if n < 1 {
			s.log.Debug("UDP packet too short", "from", from)
			continue
		}
		return n, unmapped(from), ts, true
	}
}

// accept waits for a stream, backing off on errors as NetTransport's
// tcpListen; ok is false once the sockets are closed.
func (s *sockets) accept() (net.Conn, bool) {
	const baseDelay, maxDelay = 5 * time.Millisecond, time.Second
	var delay time.Duration
	for {
		c, err := s.tcp.AcceptTCP()
		if err == nil {
			return c, true
		}
		if s.closing.Load() {
			return nil, false
		}
		delay = min(max(2*delay, baseDelay), maxDelay)
		s.log.Error("accepting TCP connection", "err", err)
		time.Sleep(delay)
	}
}

func (s *sockets) dial(addr string, timeout time.Duration) (net.Conn, error) {
	d := net.Dialer{Timeout: timeout}
	return d.Dial("tcp", addr)
}

func (s *sockets) close() {
	s.closing.Store(true)
	_ = s.tcp.Close()
	_ = s.udp.Close()
}
