package engine

import (
	"math"
	"math/bits"
	"sort"
)

// Skipping in the bitset kernel. Early in a run almost every uninformed
// node's pull asks an uninformed peer, and late almost every informed
// node's push lands on an informed one: picks that change nothing. A side
// whose picks matter with probability p < skipBelow draws only the ones
// that do: the gaps between them are geometric (inversion: one log per
// pick that matters), so the side costs its successes, not its picks.
//
//   - Askers (uninformed nodes, PULL and PUSH-PULL): the block's asks are
//     numbered in node order; a success at ask s teaches the (s/K)th
//     uninformed node of the block. Which informed node answered does not
//     matter in the classic model.
//   - Senders (informed nodes, PUSH and PUSH-PULL): a success reaches a
//     uniform uninformed node, found by its rank among them (cum: the
//     uninformed nodes before each word, built once a round).
//
// Each pick is independent and uniform, so this is the same distribution
// as drawing every pick; only the draws differ. Lossy runs draw every
// message (blockLossy), since which messages were lost counts too.

// skipBelow is the probability under which a side skips: a skip costs a
// log, some 5 picks' worth.
const skipBelow = 0.1

// planRound decides, once a round begins, which sides skip.
func (k *classic) planRound(informed int) {
	k.skipAsk, k.skipSend = false, false
	if k.lossy {
		return
	}
	others := float64(k.n - 1)
	pAsk := float64(informed) / others      // an ask reaches an informed node
	pSend := float64(k.n-informed) / others // a push reaches an uninformed node
	k.uninformed = uint64(k.n - informed)
	if pAsk < skipBelow {
		k.skipAsk, k.lqAsk = true, math.Log1p(-pAsk)
	}
	if pSend < skipBelow && k.uninformed > 0 {
		k.skipSend, k.lqSend = true, math.Log1p(-pSend)
		words := len(k.inf)
		if len(k.cum) < words+1 {
			k.cum = make([]uint32, words+1)
		}
		c := uint32(0)
		for w := 0; w < words; w++ {
			k.cum[w] = c
			c += uint32(bits.OnesCount64(k.uninformedIn(w)))
		}
		k.cum[words] = c
	}
}

// uninformedIn is word w's uninformed nodes (no bits past the last node).
func (k *classic) uninformedIn(w int) uint64 {
	un := ^k.inf[w]
	if rest := k.n - w<<6; rest < 64 {
		un &= 1<<rest - 1
	}
	return un
}

// gap draws how many picks fail before the next success: geometric, with
// lq = log(1-p).
func gap(rng *wyrand, lq float64) int64 {
	u := (float64(rng.next()>>11) + 0.5) * 0x1p-53
	return int64(math.Log(u) / lq)
}

// senders runs the informed nodes of block [lo, hi): each sends Fanout
// pushes or push-backs (fewer as its limit runs out). It returns the
// picks, those that reached an uninformed node, and the nodes still
// spreading afterwards (PUSH).
func (k *classic) senders(lo, hi int, rng *wyrand, told []uint64) (picks, data, active int64) {
	inf := k.inf
	fan := int32(k.cfg.Fanout)
	pk := k.picker(rng)
	for w := lo >> 6; w < (hi+63)>>6; w++ {
		for word := inf[w]; word != 0; word &= word - 1 {
			i := w<<6 + bits.TrailingZeros64(word)
			sends := fan
			if k.spent != nil {
				sends = min(fan, k.limit-k.spent[i])
				k.spent[i] += sends
				if k.spent[i] < k.limit {
					active++
				}
			} else {
				active++
			}
			picks += int64(sends)
			if k.skipSend {
				continue
			}
			for j := int32(0); j < sends; j++ {
				p := pk.pick(uint64(i))
				data += int64(1 ^ inf[p>>6]>>(p&63)&1)
				told[p>>6] |= 1 << (p & 63)
			}
		}
	}
	if k.skipSend {
		for s := gap(rng, k.lqSend); s < picks; s += 1 + gap(rng, k.lqSend) {
			p := k.uninformedAt(rng.intN(k.uninformed))
			told[p>>6] |= 1 << (p & 63)
			data++
		}
	}
	return picks, data, active
}

// askers runs the uninformed nodes of block [lo, hi): each asks Fanout
// peers and learns if one was informed. It returns the answers that
// carried the news.
func (k *classic) askers(lo, hi int, rng *wyrand) (data int64) {
	fan := int64(k.cfg.Fanout)
	learnt := k.learnt
	first, last := lo>>6, (hi+63)>>6
	if !k.skipAsk {
		inf := k.inf
		pk := k.picker(rng)
		for w := first; w < last; w++ {
			var pulled uint64
			for un := k.uninformedIn(w); un != 0; un &= un - 1 {
				bit := bits.TrailingZeros64(un)
				i := uint64(w<<6 + bit)
				var y uint64
				for j := int64(0); j < fan; j++ {
					p := pk.pick(i)
					yb := inf[p>>6] >> (p & 63) & 1
					y |= yb
					data += int64(yb)
				}
				pulled |= y << bit
			}
			learnt[w] = pulled
		}
		return data
	}
	var total int64
	for w := first; w < last; w++ {
		total += int64(bits.OnesCount64(k.uninformedIn(w)))
	}
	total *= fan
	w, before := first, int64(0) // uninformed nodes in the block's words before w
	for s := gap(rng, k.lqAsk); s < total; s += 1 + gap(rng, k.lqAsk) {
		idx := s / fan
		un := k.uninformedIn(w)
		for c := int64(bits.OnesCount64(un)); before+c <= idx; c = int64(bits.OnesCount64(un)) {
			before += c
			w++
			un = k.uninformedIn(w)
		}
		learnt[w] |= 1 << select64(un, int(idx-before))
		data++
	}
	return data
}

// uninformedAt is the node of rank r among the uninformed (planRound's
// cum).
func (k *classic) uninformedAt(r uint64) uint64 {
	words := len(k.inf)
	w := sort.Search(words, func(w int) bool { return uint64(k.cum[w+1]) > r })
	return uint64(w<<6 + select64(k.uninformedIn(w), int(r-uint64(k.cum[w]))))
}

// select64 is the position of the jth (from 0) set bit of x.
func select64(x uint64, j int) int {
	pos := 0
	for _, width := range [...]int{32, 16, 8} {
		if c := bits.OnesCount64(x & (1<<width - 1)); j >= c {
			j -= c
			x >>= width
			pos += width
		}
	}
	for ; ; x >>= 1 {
		if x&1 != 0 {
			if j == 0 {
				return pos
			}
			j--
		}
		pos++
	}
}

// intN is a uniform draw in [0, n), n > 0 (Lemire's multiply-shift with
// rejection).
func (s *wyrand) intN(n uint64) uint64 {
	hi, lo := bits.Mul64(s.next(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(s.next(), n)
		}
	}
	return hi
}
