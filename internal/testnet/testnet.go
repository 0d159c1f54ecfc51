// Package testnet gives tests what they need of the machine's network: free
// loopback ports and real Alertmanager v0.27 processes ($ALERTMANAGER) on
// them. Only tests import it.
package testnet

import (
	"fmt"
	"net"
	"testing"
)

// FreePort returns a loopback port free for both TCP and UDP, as a gossip
// address needs (memberlist listens on both with one port number).
func FreePort(t testing.TB) int {
	t.Helper()
	for i := 0; i < 20; i++ {
		tl, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := tl.Addr().(*net.TCPAddr).Port
		ul, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port))
		tl.Close()
		if err == nil {
			ul.Close()
			return port
		}
	}
	t.Fatal("no loopback port free for both TCP and UDP")
	return 0
}

// FreeAddr returns "127.0.0.1:<FreePort>".
func FreeAddr(t testing.TB) string {
	t.Helper()
	return fmt.Sprintf("127.0.0.1:%d", FreePort(t))
}
