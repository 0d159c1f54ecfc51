package engine

import "math/bits"

// The round kernel: Run's path for the common large scenario, synchronous
// rounds with zero latency, one key, every node alive, no partition,
// nothing left in the Schedule and nothing emitted. It computes the same
// rounds as the round scheduler (runRounds and flush), with identical
// Stats and random draws, but without queueing a single message.
//
// Why that is possible: in such a round every message carries the state
// its sender had when the round began. A PULL request carries the asker's
// digest; the answer is made when requests are delivered, before anyone
// has learned anything; a PUSH-PULL push-back carries the asker's digest
// again. So who learns in a round, from whom, and which messages were
// redundant follow from the round's peer picks and who was informed when
// it began, in one pass over the nodes in tick order:
//
//   - Answers (phase 2, pull and push-pull): an uninformed asker learns
//     from the first informed peer its answers arrive from. The scheduler
//     delivers answers by the block of their sender (queue.go), then in the
//     asker's pick order, so that is its informed pick with the lowest
//     (block, pick index).
//   - Pushes and push-backs (push and push-pull): a node that did not learn
//     from an answer learns from the first informed node that contacted
//     it; pushes and push-backs to one node are delivered in the senders'
//     tick order, so that is the lowest-numbered one: the first one the
//     pass meets.
//   - Every other message that carried data taught nothing: redundant.
//
// The message and delivery counts follow from the number of picks, and
// the per-node received counts from how often each node was picked. One
// byte per node holds both what a pick needs to know (up to date when the
// round began) and what it changes (times picked), so a pick costs one
// access to a 1 MB array (for a million nodes: it stays in the cache)
// instead of a cache miss on the node's record; the counts go into the
// records when the kernel stops.
//
// Random draws happen in peer picking (PeersRandom), in tick order as in
// the scheduler, and for loss and Demers' coin, in the scheduler's
// delivery order (kernel_draws.go).

// kernel is the round kernel's scratch state, kept across Advance calls.
type kernel struct {
	// cell: bit 7 (cellInf) is "up to date when the round began"; bits
	// 0-6 count the node's picks (or messages, see per) not yet in its
	// record (see hit).
	cell   []uint8
	learnt []uint64 // learned from an answer this round (phase 2)
	told   []uint64 // reached by an informative push or push-back this round
	teller []int32  // the first node that told it, for nodes in told
	lossy  lossyScratch
	coin   coinScratch
	per    int32 // messages per count in a cell
	active int   // push mode: nodes still spreading
	rounds int   // rounds run by the kernel (for tests)
}

const cellInf = 0x80

// kernelFits reports whether the kernel computes the next rounds exactly
// as the round scheduler would, and prepares it if so. It costs one pass
// over the nodes.
func (s *Sim) kernelFits() bool {
	if !s.fast || s.emit != nil || s.nextAct < len(s.acts) || s.keys != 1 ||
		s.group != nil || s.alive != s.n || s.inflight != 0 {
		return false
	}
	if s.loss > 0 && s.cfg.Mode != Push && int64(s.n)*int64(s.cfg.Fanout) > maxLossyExchanges {
		return false // kernelExchangeLossy keeps the round's exchanges
	}
	// Up to date or not must say everything about a node's item: every
	// node that is not holds the same older version. In push mode only up
	// to date nodes may be spreading (so a sender never learns in the
	// round it sends, and spent is never reset under it).
	latest, lo := s.latest[0], int32(-1)
	active := 0
	for i := range s.nodes {
		nd := &s.nodes[i]
		if v := nd.ver0; v != latest {
			if lo >= 0 && v != lo {
				return false
			}
			lo = v
			if nd.flags&flagActive != 0 {
				return false
			}
		} else if nd.flags&flagActive != 0 {
			active++
		}
	}
	if s.k == nil {
		s.k = &kernel{}
	}
	k := s.k
	words := (s.n + 63) / 64
	k.learnt = resize(k.learnt, words)
	k.told = resize(k.told, words)
	if len(k.cell) < s.n {
		k.cell = make([]uint8, s.n)
		k.teller = make([]int32, s.n)
	}
	k.cell = k.cell[:s.n]
	for i := range s.nodes {
		k.cell[i] = 0
		if s.nodes[i].ver0 == latest {
			k.cell[i] = cellInf
		}
	}
	k.active = active
	// A cell counts picks where each pick is a fixed number of messages
	// (lossless PUSH-PULL: request and push-back), else messages.
	k.per = 1
	if s.cfg.Mode == PushPull && s.loss == 0 {
		k.per = 2
	}
	return true
}

// resize returns a zeroed slice of n words, reusing b's memory if it can.
func resize(b []uint64, n int) []uint64 {
	if cap(b) < n {
		return make([]uint64, n)
	}
	b = b[:n]
	clear(b)
	return b
}

// runKernel runs rounds with the kernel up to time limit; it is runRounds
// for a scenario that kernelFits.
func (s *Sim) runKernel(limit float64) {
	defer s.kernelFlush()
	for !s.done {
		tr := float64(s.round) * s.cfg.Period
		if tr > limit {
			return
		}
		s.now = tr
		if !s.kernelStartRound(tr) {
			return
		}
		switch {
		case s.cfg.Mode == Push:
			s.kernelPush()
		case s.loss > 0:
			s.kernelExchangeLossy()
		default:
			s.kernelExchange()
		}
		s.k.rounds++
	}
}

// kernelStartRound is startRound, with finished() known without a pass:
// in the kernel's state someone can still teach someone iff not everyone
// is up to date and (push) some node is spreading or (pull modes) some
// node is up to date.
func (s *Sim) kernelStartRound(t float64) bool {
	progress := s.upToDate > 0
	if s.cfg.Mode == Push {
		progress = s.k.active > 0
	}
	progress = progress && s.loss < 1
	if s.upToDate == s.alive || !progress || (s.cfg.MaxTime == 0 && s.round >= MaxPeriods) {
		s.done = true
		return false
	}
	s.beginRound(t)
	return true
}

// hit counts m messages to node p (m picks of per messages each, see
// kernel.per) and returns its cell as it was: bit 7 (cellInf) says
// whether p was up to date when the round began. A count that reaches 128
// would carry into bit 7: the 128 go into the node's record instead.
func (k *kernel) hit(p int32, nodes []node, m uint8) uint8 {
	c := k.cell[p]
	n := c + m
	if (n^c)&cellInf != 0 {
		nodes[p].received += 128 * k.per
		n -= cellInf
	}
	k.cell[p] = n
	return c
}

// kernelExchange is one round of PULL or PUSH-PULL.
func (s *Sim) kernelExchange() {
	k := s.k
	cell, learnt, told, nodes := k.cell, k.learnt, k.told, s.nodes
	pushBack := s.cfg.Mode == PushPull
	var picks, withData2, withData3, learned2 int64
	for i := int32(0); i < int32(len(cell)); i++ {
		s.pickPeers(i)
		nodes[i].received += int32(len(s.picks)) // the answers
		picks += int64(len(s.picks))
		if cell[i] >= cellInf {
			for _, p := range s.picks {
				if k.hit(p, nodes, 1) < cellInf && pushBack {
					withData3++
					if w, b := p>>6, uint64(1)<<(p&63); told[w]&b == 0 {
						told[w] |= b
						k.teller[p] = i
					}
				}
			}
			continue
		}
		from, fromBlk := int32(-1), int32(0)
		for _, p := range s.picks {
			if k.hit(p, nodes, 1) >= cellInf {
				withData2++
				if from < 0 || p>>blockShift < fromBlk {
					from, fromBlk = p, p>>blockShift
				}
			}
		}
		if from >= 0 {
			learnt[i>>6] |= 1 << (i & 63)
			s.learn(i, from)
			learned2++
		}
	}
	learned3 := s.kernelEndRound()
	msgs := int64(2)
	if pushBack {
		msgs = 3
	}
	s.st.sent += msgs * picks
	s.st.delivered += msgs * picks
	s.st.redundant += withData2 - learned2 + withData3 - learned3
	if learned2+learned3 > 0 {
		s.checkCoverage(s.round)
	}
}

// kernelPush is one round of PUSH.
func (s *Sim) kernelPush() {
	k := s.k
	told, nodes := k.told, s.nodes
	counted := s.cfg.Stop == StopLimit || s.cfg.Stop == StopAll
	coin := s.cfg.Stop == StopCoin
	k.coin.from, k.coin.to = k.coin.from[:0], k.coin.to[:0]
	var sent, lost, redundants int64
	active := 0
	for i := int32(0); i < int32(len(nodes)); i++ {
		nd := &nodes[i]
		if nd.flags&flagActive == 0 {
			continue
		}
		s.pickPeers(i)
		knew := int32(0) // pushes to nodes that already knew: Demers' feedback
		for _, p := range s.picks {
			// Only the send-count rules stop a node in the middle of its
			// tick (feedback arrives after every tick of the round).
			if counted && !s.stillSending(i) {
				break
			}
			sent++
			redundant := false
			if s.loss > 0 && s.rng01() < s.loss { // drawn as dispatch draws it
				lost++
			} else if k.hit(p, nodes, 1) >= cellInf {
				redundant = true
			} else if w, b := p>>6, uint64(1)<<(p&63); told[w]&b == 0 {
				told[w] |= b
				k.teller[p] = i
			} else {
				redundant = true
			}
			if redundant {
				knew++
				if coin {
					k.coin.from = append(k.coin.from, i)
					k.coin.to = append(k.coin.to, p)
				}
			}
			if counted {
				nd.spent++
			}
		}
		if counted {
			s.stillSending(i)
		}
		redundants += int64(knew)
		if s.cfg.Stop == StopFeedback && knew > 0 {
			// The scheduler applies feedback on delivery, after every tick
			// of the round: only the next tick can see it.
			nd.spent += knew
			if nd.spent >= int32(s.cfg.FeedbackK) {
				nd.flags &^= flagActive
			}
		}
		if nd.flags&flagActive != 0 {
			active++
		}
	}
	if coin {
		active -= s.kernelCoin()
	}
	learned := s.kernelEndRound()
	k.active = active + int(learned) // news makes the learners spread
	s.st.sent += sent
	s.st.lost += lost
	s.st.delivered += sent - lost
	s.st.redundant += redundants
	if learned > 0 {
		s.checkCoverage(s.round)
	}
}

// learn is merge for the kernel: node i gets the newest version from node
// from.
func (s *Sim) learn(i, from int32) {
	nd := &s.nodes[i]
	nd.ver0 = s.latest[0]
	nd.missing = 0
	s.news(i, from)
	s.upToDate++
}

// kernelEndRound ends a round: the nodes told by a push or push-back that
// had not learned from an answer learn from their first teller, and
// everyone who learned is up to date for the next round. It returns the
// number of nodes told.
func (s *Sim) kernelEndRound() int64 {
	k := s.k
	var learned int64
	for w := range k.told {
		if k.told[w]|k.learnt[w] == 0 {
			continue
		}
		for t := k.told[w] &^ k.learnt[w]; t != 0; t &= t - 1 {
			i := int32(w<<6 + bits.TrailingZeros64(t))
			s.learn(i, k.teller[i])
			learned++
		}
		for t := k.told[w] | k.learnt[w]; t != 0; t &= t - 1 {
			k.cell[w<<6+bits.TrailingZeros64(t)] |= cellInf
		}
		k.told[w], k.learnt[w] = 0, 0
	}
	return learned
}

// kernelFlush adds the picks counted in the cells to the node records'
// received counts and zeroes the counts. The kernel
// does it when it stops, not every round: a count that reaches 128
// carries into the record by itself (see hit).
func (s *Sim) kernelFlush() {
	for i, c := range s.k.cell {
		s.nodes[i].received += int32(c&^cellInf) * s.k.per
		s.k.cell[i] = c & cellInf
	}
}
