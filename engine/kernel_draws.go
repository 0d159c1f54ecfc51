package engine

import "math"

// Random draws in the round kernel that the round scheduler makes on
// delivery, so the kernel must make them in the scheduler's delivery
// order: loss and Demers' coin.
//
// Loss: each message sent draws one number from the PCG stream
// (dispatch): requests in tick order, right after each node's picks;
// answers in the order requests are delivered (by the block of the asked
// node, then tick order); push-backs in the order answers are delivered
// (by the block of the asker, then of the asked, then tick order). So a
// lossy round keeps its exchanges (4 bytes and a byte of flags each),
// counts them by block, draws each kind's numbers in a row and hands them
// out by rank: a counting sort that moves no data. Who learns from whom is
// then the lossless rule among the messages that got through. (PUSH is one
// message per pick, drawn as it is sent: kernelPush.)
//
// Coin: every push that reaches a node that already knew draws one number
// (feedback), in the order pushes are delivered: by the receiver's block,
// then tick order. The kernel keeps the round's redundant pushes and
// draws for them in that order after the ticks, as the scheduler does.

// maxLossyExchanges bounds the exchanges a lossy round keeps (5 bytes
// each); bigger scenarios stay on the round scheduler.
const maxLossyExchanges = 1 << 28

// Exchange flags: which of its messages got through.
const (
	exReq  = 1 << iota // the request reached the peer
	exResp             // the answer reached the asker
	exBack             // the push-back reached the peer
)

// lossyScratch is the lossy round's state, part of kernel.
type lossyScratch struct {
	peer  []int32  // each exchange's peer, in tick order
	flags []uint8  // exReq | exResp | exBack
	ends  []int32  // where each node's exchanges end in peer
	next  []int32  // per block: the rank of its next message in the draw order
	lost  []uint64 // the draws of one kind, in order: bit set = lost
}

// lossThreshold is loss as an integer: rng01() < loss exactly when the
// draw's top 53 bits are below it (rng01 is those bits times 2^-53, and
// scaling by a power of two is exact).
func lossThreshold(loss float64) uint64 { return uint64(math.Ceil(loss * 0x1p53)) }

// kernelExchangeLossy is kernelExchange with loss.
func (s *Sim) kernelExchangeLossy() {
	k := s.k
	ls := &k.lossy
	cell, nodes, told, learnt := k.cell, s.nodes, k.told, k.learnt
	n := int32(len(cell))
	pushBack := s.cfg.Mode == PushPull
	if len(ls.ends) < int(n) {
		ls.ends = make([]int32, n)
	}
	// Requests: picks and draws in tick order.
	peer, flags := ls.peer[:0], ls.flags[:0]
	thr := lossThreshold(s.loss)
	for i := int32(0); i < n; i++ {
		s.pickPeers(i)
		for _, p := range s.picks {
			var f uint8
			if s.rng.Uint64()>>11 >= thr {
				f = exReq
			}
			peer, flags = append(peer, p), append(flags, f)
		}
		ls.ends[i] = int32(len(peer))
	}
	ls.peer, ls.flags = peer, flags
	requests := int64(len(peer))
	// Answers, in the order the requests are delivered.
	answers := s.drawLossy(0, len(peer), exReq, exResp)
	// Push-backs, in the order the answers are delivered: each block of
	// askers in turn (their exchanges are contiguous in tick order).
	var backs int64
	if pushBack {
		for lo := int32(0); lo < n; lo += 1 << blockShift {
			hi := min(lo+1<<blockShift, n)
			from := int32(0)
			if lo > 0 {
				from = ls.ends[lo-1]
			}
			backs += s.drawLossy(int(from), int(ls.ends[hi-1]), exResp, exBack)
		}
	}
	// What got through, in tick order: the lossless rules among it.
	var got, withData2, withData3, learned2 int64
	e := int32(0)
	for i := int32(0); i < n; i++ {
		start, end := e, ls.ends[i]
		informed := cell[i] >= cellInf
		answered := int32(0)
		best := uint64(math.MaxUint64) // (block, pick index) of the answer it learns from
		for ; e < end; e++ {
			p, f := peer[e], flags[e]
			m := f&exReq + f>>2&1 // request and push-back reach p
			c := cell[p]
			if m > 0 {
				c = k.hit(p, nodes, m)
			}
			got += int64(m)
			if f&exResp == 0 {
				continue
			}
			answered++
			switch pInf := c >= cellInf; {
			case !informed && pInf:
				withData2++
				best = min(best, uint64(p>>blockShift)<<32|uint64(e-start))
			case informed && !pInf && f&exBack != 0:
				withData3++
				if w, b := p>>6, uint64(1)<<(p&63); told[w]&b == 0 {
					told[w] |= b
					k.teller[p] = i
				}
			}
		}
		nodes[i].received += answered
		got += int64(answered)
		if best != math.MaxUint64 {
			learnt[i>>6] |= 1 << (i & 63)
			s.learn(i, peer[start+int32(uint32(best))])
			learned2++
		}
	}
	learned3 := s.kernelEndRound()
	sent := requests + answers + backs
	s.st.sent += sent
	s.st.delivered += got
	s.st.lost += sent - got
	s.st.redundant += withData2 - learned2 + withData3 - learned3
	if learned2+learned3 > 0 {
		s.checkCoverage(s.round)
	}
}

// drawLossy sends the next message of every exchange in [from, to) whose
// previous message (flag prev) got through, drawing their losses in the
// order the scheduler sends them: by the block of the exchange's peer (the
// receiver of a request, the sender of an answer), then in tick order. It
// sets flag next on those that get through and returns how many it sent.
func (s *Sim) drawLossy(from, to int, prev, next uint8) int64 {
	ls := &s.k.lossy
	peer, flags := ls.peer[from:to], ls.flags[from:to]
	blocks := (len(s.k.cell)-1)>>blockShift + 1
	if cap(ls.next) < blocks {
		ls.next = make([]int32, blocks)
	}
	rank := ls.next[:blocks]
	clear(rank)
	for j, f := range flags {
		if f&prev != 0 {
			rank[peer[j]>>blockShift]++
		}
	}
	sent := int32(0)
	for b, c := range rank {
		rank[b] = sent
		sent += c
	}
	ls.lost = resize(ls.lost, int(sent+63)/64)
	rng, thr := s.rng, lossThreshold(s.loss) // a local copy stays in registers
	for q := int32(0); q < sent; q++ {
		if rng.Uint64()>>11 < thr {
			ls.lost[q>>6] |= 1 << (q & 63)
		}
	}
	s.rng = rng
	for j, f := range flags {
		if f&prev == 0 {
			continue
		}
		b := peer[j] >> blockShift
		q := rank[b]
		rank[b]++
		if ls.lost[q>>6]&(1<<(q&63)) == 0 {
			flags[j] = f | next
		}
	}
	return int64(sent)
}

// coinScratch is the round's redundant pushes, in tick order, for
// kernelCoin: sender and receiver.
type coinScratch struct {
	from, to []int32
	order    []int32 // indices into from/to in delivery order
}

// kernelCoin is Demers' coin for the round's redundant pushes: in the
// scheduler's delivery order (by the receiver's block, then tick order),
// each draws a 1/FeedbackK chance of stopping its sender. It returns how
// many spreading nodes it stopped.
func (s *Sim) kernelCoin() int {
	c := &s.k.coin
	blocks := (len(s.k.cell)-1)>>blockShift + 1
	if cap(s.k.lossy.next) < blocks {
		s.k.lossy.next = make([]int32, blocks)
	}
	rank := s.k.lossy.next[:blocks]
	clear(rank)
	for _, p := range c.to {
		rank[p>>blockShift]++
	}
	at := int32(0)
	for b, n := range rank {
		rank[b] = at
		at += n
	}
	if cap(c.order) < len(c.to) {
		c.order = make([]int32, len(c.to))
	}
	order := c.order[:len(c.to)]
	for j, p := range c.to {
		b := p >> blockShift
		order[rank[b]] = int32(j)
		rank[b]++
	}
	stopped := 0
	k := uint64(s.cfg.FeedbackK)
	for _, j := range order {
		if s.intN(k) == 0 {
			nd := &s.nodes[c.from[j]]
			if nd.flags&flagActive != 0 {
				nd.flags &^= flagActive
				stopped++
			}
		}
	}
	return stopped
}
