package engine

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"sync"
	"sync/atomic"
)

// The bitset kernel: Run's path for the classic model, node by node, at a
// million nodes and more. It applies to synchronous zero-latency runs of
// one key with uniform random peers (PeersRandom), no scheduled action,
// and in PUSH a stop rule that counts sends (never, all, limit).
//
// State is one bit per node: a million nodes' "informed when the round
// began" is 128 KB, which stays in the L2 cache however randomly the picks
// fall. A pick is half a 64-bit wyrand draw and one multiply (Lemire's
// multiply-shift, rejecting the few values that would bias it); its effect
// is a bit test (the peer's answer) and, for an informed sender, a bit set
// in the round's "told" bitset (its push or push-back), written without a
// branch. A node's own pulls go to its word of "learnt".
//
// Cores: the nodes are cut into blocks of blockNodes; each block draws from
// its own wyrand stream, seeded by (seed, round, block), and each worker
// goroutine takes blocks in turn, writing pushes into its own told bitset;
// the round ends by OR-ing them. What a block draws does not depend on
// which worker runs it, and OR and sums do not depend on order, so a seed
// gives the same Stats on 1 core or 64 (tested).
//
// What it does not do, and why:
//   - The basic peer rules (PeersSeed, docs/gossip-rules.md: no resend since the news, never
//     back to the sender) need per-node memory (a permutation cursor and
//     key, the node it heard from: 20 bytes, against 1 bit) and who taught
//     whom, which follows the scheduler's delivery order; such runs stay
//     on the round kernel (kernel.go), which is exact draw for draw.
//   - Demers' feedback and coin stop a sender on the feedback of each
//     redundant push in delivery order: also the round kernel's.
//   - Per-node received counts (Stats.Received) cost a random read-write
//     of a counter per message, the very cache traffic this kernel avoids:
//     it leaves them nil.
//
// Unlike the round kernel it does not draw the scheduler's random numbers
// in the scheduler's order, so Run's Stats for these scenarios equal
// New+Advance's in distribution, not draw for draw; the count-level chain
// (chain.go) is the same model and a test compares the two.

// blockNodes is the nodes per block: a unit of work and of random stream.
const blockNodes = 1 << 14

// classicFits reports whether c runs on the bitset kernel.
func classicFits(c Config) bool {
	c = c.normalized()
	if c.Async || c.LatencyMax != 0 || c.Keys != 1 || len(c.Schedule) != 0 ||
		c.Peers != PeersRandom || c.Nodes < 2 {
		return false
	}
	switch c.Stop {
	case StopNever:
		return true
	case StopAll, StopLimit:
		return c.Mode == Push
	}
	return false
}

// classic is one bitset-kernel run.
type classic struct {
	cfg     Config
	n       int
	m       uint64 // n-1: the others a node picks among
	thresh  uint32 // Lemire's rejection threshold for m
	thr     uint64 // loss as a threshold on 53-bit draws (lossThreshold)
	lossy   bool
	limit   int32 // PUSH: sends per news (MaxInt32: never stop)
	workers int

	inf    []uint64   // informed when the round began
	learnt []uint64   // learned by its own pull this round (each word written by one block)
	told   [][]uint64 // per worker: reached by an informative push or push-back
	spent  []int32    // PUSH with a limit: sends since its news
	round  int
	agg    rand.PCG // draws for whole groups of messages (loss among the uninformative)

	// The round's plan (lossless runs): where one side's picks mostly
	// cannot matter, that side skips to the picks that do (skip.go).
	skipAsk, skipSend bool
	lqAsk, lqSend     float64  // log(1-p) of a pick that matters, per side
	uninformed        uint64   // when the round began
	cum               []uint32 // uninformed nodes before each word (skipSend)

	st counters
}

// blockResult is what one block of one round adds up.
type blockResult struct {
	sent, lost, withData, active int64
}

// runClassic runs c (classicFits) on the bitset kernel with workers
// goroutines.
func runClassic(c Config, workers int) Stats {
	c = c.normalized()
	blocks := (c.Nodes + blockNodes - 1) / blockNodes
	k := &classic{cfg: c, n: c.Nodes, m: uint64(c.Nodes - 1), workers: min(max(1, workers), blocks)}
	k.thresh = uint32(-uint32(k.m)) % uint32(k.m)
	k.thr = lossThreshold(c.Loss)
	k.lossy = c.Loss > 0
	k.limit = math.MaxInt32
	switch {
	case c.Mode != Push || c.Stop == StopNever:
	case c.Stop == StopLimit:
		k.limit = int32(c.RetransmitMult) * int32(math.Ceil(math.Log10(float64(c.Nodes)+1)))
	case c.Stop == StopAll:
		k.limit = int32(c.Nodes - 1)
	}
	words := (k.n + 63) / 64
	k.inf = make([]uint64, words)
	k.learnt = make([]uint64, words)
	k.told = make([][]uint64, k.workers)
	for w := range k.told {
		k.told[w] = make([]uint64, words)
	}
	if k.limit != math.MaxInt32 {
		k.spent = make([]int32, k.n)
	}
	k.agg.Seed(c.Seed, mix64(c.Seed^0x6a09e667f3bcc909))
	k.st = counters{t99: -1, t100: -1, r99: -1, r100: -1}
	k.inf[0] = 1 // node 0 holds the news
	informed, active := 1, 1
	now, cut := 0.0, false
	for {
		tr := float64(k.round) * c.Period
		if c.MaxTime > 0 && tr > c.MaxTime {
			now, cut = c.MaxTime, true
			break
		}
		now = tr
		progress := c.Loss < 1 && (c.Mode != Push || active > 0)
		if informed == k.n || !progress || (c.MaxTime == 0 && k.round >= MaxPeriods) {
			break
		}
		k.round++
		k.st.series = append(k.st.series, Sample{Round: k.round, T: tr, Informed: informed, Alive: k.n})
		k.planRound(informed)
		res := k.runRound(informed)
		learned := k.endRound()
		informed += learned
		active = int(res.active) + learned
		k.st.sent += res.sent
		k.st.lost += res.lost
		k.st.delivered += res.sent - res.lost
		k.st.redundant += res.withData - int64(learned)
		if k.st.t99 < 0 && informed*100 >= k.n*99 {
			k.st.t99, k.st.r99 = tr, k.round
		}
		if k.st.t100 < 0 && informed == k.n {
			k.st.t100, k.st.r100 = tr, k.round
		}
	}
	if cut && now < c.MaxTime {
		now = c.MaxTime
	}
	st := Stats{
		Nodes: k.n, Alive: k.n, Informed: informed, Rounds: k.round, Time: now,
		Rounds99: k.st.r99, Rounds100: k.st.r100, Time99: k.st.t99, Time100: k.st.t100,
		Sent: k.st.sent, Lost: k.st.lost, Delivered: k.st.delivered, Redundant: k.st.redundant,
		Residue: float64(k.n-informed) / float64(k.n), Series: k.st.series,
	}
	return st
}

// runRound runs every block of one round on the workers and sums what
// they report. informed is the count when the round began.
func (k *classic) runRound(informed int) blockResult {
	blocks := (k.n + blockNodes - 1) / blockNodes
	results := make([]blockResult, blocks)
	var next atomic.Int64
	work := func(w int) {
		for {
			b := int(next.Add(1) - 1)
			if b >= blocks {
				return
			}
			results[b] = k.runBlock(b, k.told[w])
		}
	}
	if workers := min(k.workers, blocks); workers == 1 {
		work(0)
	} else {
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() { defer wg.Done(); work(w) }()
		}
		wg.Wait()
	}
	var sum blockResult
	for _, r := range results {
		sum.sent += r.sent
		sum.lost += r.lost
		sum.withData += r.withData
		sum.active += r.active
	}
	// PULL skips the draws of informed askers (they can neither learn nor
	// teach); their messages still count, and under loss their losses are
	// drawn here as two binomials.
	if k.cfg.Mode == Pull && k.lossy {
		asks := int64(informed) * int64(k.cfg.Fanout)
		lostReq := binomial(&k.agg, asks, k.cfg.Loss)
		lostAns := binomial(&k.agg, asks-lostReq, k.cfg.Loss)
		sum.sent += 2*asks - lostReq
		sum.lost += lostReq + lostAns
	}
	return sum
}

// endRound ORs the round's pulls and pushes into the informed set, clears
// them, and returns how many nodes learned.
func (k *classic) endRound() int {
	learned := 0
	for i, was := range k.inf {
		now := was | k.learnt[i]
		k.learnt[i] = 0
		for _, t := range k.told {
			now |= t[i]
			t[i] = 0
		}
		k.inf[i] = now
		learned += bits.OnesCount64(now &^ was)
	}
	return learned
}

// blockRNG is block b's stream for the current round.
func (k *classic) blockRNG(b int) wyrand {
	return wyrand(mix64(k.cfg.Seed ^ mix64(uint64(k.round)<<32|uint64(b))))
}

// runBlock runs the ticks of block b's nodes, pushes into told.
func (k *classic) runBlock(b int, told []uint64) blockResult {
	lo := b * blockNodes
	hi := min(lo+blockNodes, k.n)
	rng := k.blockRNG(b)
	switch mode := k.cfg.Mode; {
	case k.lossy:
		return k.blockLossy(lo, hi, &rng, told)
	case mode == PushPull && !k.skipAsk && !k.skipSend:
		return k.blockPushPull(lo, hi, &rng, told)
	default:
		// One side skips (skip.go): senders' pushes or push-backs and
		// askers' pulls run apart.
		var r blockResult
		if mode != Pull {
			var picks int64
			picks, r.withData, r.active = k.senders(lo, hi, &rng, told)
			r.sent = picks // PUSH: every push carries the news
			if mode == Push {
				r.withData = picks
			}
		}
		if mode != Push {
			r.withData += k.askers(lo, hi, &rng)
			r.sent = int64(hi-lo) * int64(k.cfg.Fanout) * 2
			if mode == PushPull {
				r.sent = int64(hi-lo) * int64(k.cfg.Fanout) * 3
			}
		}
		return r
	}
}

// picker draws peers: 32 bits of a wyrand draw each, Lemire's
// multiply-shift to [0, n-1), skipping the node itself.
type picker struct {
	rng    *wyrand
	pool   uint64
	odd    bool
	m      uint64
	thresh uint32
}

func (k *classic) picker(rng *wyrand) picker {
	return picker{rng: rng, m: k.m, thresh: k.thresh}
}

// pick returns a uniform peer of node i among the others.
func (p *picker) pick(i uint64) uint64 {
	var r uint32
	if p.odd {
		r = uint32(p.pool >> 32)
	} else {
		p.pool = p.rng.next()
		r = uint32(p.pool)
	}
	p.odd = !p.odd
	x := uint64(r) * p.m
	if uint32(x) < p.thresh {
		x = p.redraw()
	}
	q := x >> 32
	return q + (1 ^ (q-i)>>63) // q >= i: skip i
}

// redraw is Lemire's rejection step, taken with probability < (n-1)/2^32.
func (p *picker) redraw() uint64 {
	for {
		x := uint64(uint32(p.rng.next())) * p.m
		if uint32(x) >= p.thresh {
			return x
		}
	}
}

// blockPushPull: every node opens Fanout exchanges. An uninformed node
// learns if a peer it asked was informed (the answer); an informed node's
// push-back teaches an uninformed peer. Lossless: 3 messages each.
func (k *classic) blockPushPull(lo, hi int, rng *wyrand, told []uint64) blockResult {
	inf, learnt := k.inf, k.learnt
	fan := k.cfg.Fanout
	pk := k.picker(rng)
	var data uint64
	for w := lo >> 6; w < (hi+63)>>6; w++ {
		word := inf[w]
		var pulled uint64
		n := min(64, hi-w<<6)
		for bit := 0; bit < n; bit++ {
			i := uint64(w<<6 + bit)
			x := word >> bit & 1
			var y uint64
			for j := 0; j < fan; j++ {
				p := pk.pick(i)
				yb := inf[p>>6] >> (p & 63) & 1
				y |= yb
				data += x ^ yb
				told[p>>6] |= x << (p & 63)
			}
			pulled |= y << bit
		}
		learnt[w] = pulled &^ word
	}
	// Pushes to nodes already informed were set in told too: harmless
	// (endRound ORs) and cheaper than a branch.
	msgs := int64(3 * (hi - lo) * fan)
	return blockResult{sent: msgs, withData: int64(data)}
}

// blockLossy is any mode with loss: every message draws its loss as the
// scheduler does (a 53-bit draw below the threshold is lost), and a reply
// is sent only if what it answers arrived.
func (k *classic) blockLossy(lo, hi int, rng *wyrand, told []uint64) blockResult {
	inf, learnt := k.inf, k.learnt
	mode := k.cfg.Mode
	fan := int32(k.cfg.Fanout)
	thr := k.thr
	pk := k.picker(rng)
	var r blockResult
	arrives := func() bool {
		r.sent++
		if rng.next()>>11 < thr {
			r.lost++
			return false
		}
		return true
	}
	for i := lo; i < hi; i++ {
		x := inf[i>>6]>>(i&63)&1 != 0
		sends := fan
		switch mode {
		case Push:
			if !x {
				continue
			}
			if k.spent != nil {
				sends = min(fan, k.limit-k.spent[i])
				k.spent[i] += sends
				if k.spent[i] < k.limit {
					r.active++
				}
			} else {
				r.active++
			}
		case Pull:
			if x {
				continue // counted in runRound
			}
		}
		for j := int32(0); j < sends; j++ {
			p := pk.pick(uint64(i))
			y := inf[p>>6]>>(p&63)&1 != 0
			if !arrives() { // the push, or the request
				continue
			}
			if mode == Push {
				r.withData++
				told[p>>6] |= 1 << (p & 63)
				continue
			}
			if !arrives() { // the answer
				continue
			}
			if y && !x {
				r.withData++
				learnt[i>>6] |= 1 << (i & 63)
			}
			if mode == PushPull && arrives() && x && !y { // the push-back
				r.withData++
				told[p>>6] |= 1 << (p & 63)
			}
		}
	}
	return r
}
