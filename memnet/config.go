package memnet

import (
	"io"
	"log"
	"math"
	"time"

	"github.com/hashicorp/memberlist"
)

// LANConfig returns memberlist's DefaultLANConfig for node name on t, with
// every interval and timeout divided by speedup, so that what takes a
// minute on a LAN takes a minute/speedup here: speedup 5 probes every
// 200 ms, gossips every 40 ms, and push-pulls every 6 s. Multipliers
// (suspicion, retransmit, awareness) are memberlist's own, so the formulas
// hold as they are, in scaled time.
//
// Compression is off: in memory it saves nothing and costs an LZW writer
// per packet, which the browser pays for in garbage; packets are reported
// at their plain size. Logs are discarded.
func LANConfig(name string, t *Transport, speedup int) *memberlist.Config {
	if speedup < 1 {
		speedup = 1
	}
	c := memberlist.DefaultLANConfig()
	div := func(d time.Duration) time.Duration { return d / time.Duration(speedup) }
	c.Name = name
	c.Transport = t
	c.TCPTimeout = div(c.TCPTimeout)
	c.PushPullInterval = div(c.PushPullInterval)
	c.ProbeTimeout = div(c.ProbeTimeout)
	c.ProbeInterval = div(c.ProbeInterval)
	c.GossipInterval = div(c.GossipInterval)
	c.GossipToTheDeadTime = div(c.GossipToTheDeadTime)
	c.QueueCheckInterval = div(c.QueueCheckInterval)
	c.EnableCompression = false
	c.Logger = log.New(io.Discard, "", 0)
	return c
}

// SuspicionTimeouts is memberlist's suspicion timeout for a cluster of n
// under c (state.go, suspectNode): a suspect is declared dead after
// between lo and hi; hi with no independent confirmation, shrinking to
// lo as k = SuspicionMult-2 other nodes confirm the suspicion (Lifeguard),
// k = 0 when n-2 < k. lo = SuspicionMult x max(1, log10(n)) x ProbeInterval,
// hi = SuspicionMaxTimeoutMult x lo.
func SuspicionTimeouts(c *memberlist.Config, n int) (lo, hi time.Duration, k int) {
	scale := math.Max(1, math.Log10(math.Max(1, float64(n))))
	lo = time.Duration(c.SuspicionMult) * time.Duration(scale*1000) * c.ProbeInterval / 1000
	hi = time.Duration(c.SuspicionMaxTimeoutMult) * lo
	k = c.SuspicionMult - 2
	if n-2 < k {
		k = 0
	}
	return lo, hi, k
}
