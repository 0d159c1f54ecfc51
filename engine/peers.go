package engine

import "math/bits"

// Peer choice. The basic rule of docs/gossip-rules.md ("each time it picks peers it has not sent
// to yet") needs a set of contacted peers per node; a million nodes cannot
// each keep one. Instead each node walks its own pseudo-random permutation
// of the nodes (a keyed bijection on [0, 2^b), values >= the domain
// skipped): the peers it has contacted are exactly the permutation's
// prefix, so 16 bytes per node replace the set. Learning news starts a new
// permutation (the news is new to everyone); so does running out of peers,
// unless the stop rule is StopAll. A node learns of nodes that joined
// after it started over the next time it starts over.

// pickPeers fills s.picks with node i's Fanout peers: distinct by the
// seed's rules, drawn independently (with replacement) for PeersRandom.
func (s *Sim) pickPeers(i int32) {
	s.picks = s.picks[:0]
	k := s.cfg.Fanout
	if s.cfg.Peers == PeersRandom {
		// The classic model: each pick uniform among the others, with
		// replacement (a node may pick a peer twice in a round).
		others := uint64(s.n - 1)
		if others == 0 {
			return
		}
		for range k {
			p := int32(s.intN(others))
			if p >= i {
				p++
			}
			s.picks = append(s.picks, p)
		}
		return
	}
	s.pickSeed(i, k)
}

// pickSeed fills s.picks with node i's next k peers by the basic rule (PeersSeed).
// The common case, a permutation with peers left, is one loop with
// permute written out (it is too big for the compiler to inline);
// running out goes on in pickSeedSlow.
func (s *Sim) pickSeed(i int32, k int) {
	ps := s.picks[:0]
	if d := s.domain[i]; d > 1 {
		b := uint(bits.Len32(d - 1))
		size := uint32(1) << b
		key, h := s.permKey[i], s.nodes[i].heard
		mask, sh := uint64(size-1), (b+1)/2
		m1, a1, m2, a2, m3 := key|1, key>>32, key>>16|1, key>>40, key>>24|1
		c := s.cursor[i]
		for len(ps) < k && c < size {
			v := (uint64(c)*m1 + a1) & mask // permute(c, key, b)
			v ^= v >> sh
			v = (v*m2 + a2) & mask
			v ^= v >> sh
			v = (v * m3) & mask
			v ^= v >> sh
			c++
			if x := int32(v); uint32(x) < d && x != i && x != h {
				ps = append(ps, x) // distinct: a permutation's prefix
			}
		}
		s.cursor[i] = c
	}
	s.picks = ps
	if len(ps) < k {
		s.pickSeedSlow(i, k)
	}
}

// pickSeedSlow goes on picking for node i once its permutation is spent:
// stop (StopAll in push mode) or start over, once per tick.
func (s *Sim) pickSeedSlow(i int32, k int) {
	restarted := false
	for len(s.picks) < k {
		p := s.nextSeedPeer(i)
		if p < 0 {
			if s.cfg.Mode == Push && s.cfg.Stop == StopAll {
				// It has sent to every peer once these picks go out; with
				// none left it stops. (Stopping with picks in hand lost the
				// last peers whenever fan-out >= N-1.)
				if len(s.picks) == 0 {
					s.nodes[i].flags &^= flagActive
				}
				return
			}
			if restarted || s.eligible(i) == 0 {
				return
			}
			s.startOver(i)
			restarted = true
			continue
		}
		if !picked(s.picks, p) { // a start-over this tick may offer a peer again
			s.picks = append(s.picks, p)
		}
	}
}

func picked(ps []int32, p int32) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}

// startOver gives node i a fresh permutation over the current nodes.
func (s *Sim) startOver(i int32) {
	s.permKey[i] = mix64(s.permKey[i] + 0x9e3779b97f4a7c15)
	s.cursor[i] = 0
	s.domain[i] = uint32(s.n)
}

// eligible counts the peers node i may pick in a fresh permutation.
func (s *Sim) eligible(i int32) int {
	e := s.n - 1
	if h := s.nodes[i].heard; h >= 0 && h != i {
		e--
	}
	return e
}

// nextSeedPeer returns node i's next peer in its permutation, skipping
// itself and the node it heard from, or -1 when the permutation is spent.
func (s *Sim) nextSeedPeer(i int32) int32 {
	d := s.domain[i]
	if d <= 1 {
		return -1
	}
	b := uint(bits.Len32(d - 1))
	size := uint32(1) << b
	key, h := s.permKey[i], s.nodes[i].heard
	for c := s.cursor[i]; c < size; c++ {
		x := int32(permute(c, key, b))
		if uint32(x) < d && x != i && x != h {
			s.cursor[i] = c + 1
			return x
		}
	}
	s.cursor[i] = size
	return -1
}

// permute is a keyed bijection on [0, 2^b): rounds of odd multiply-add
// (a bijection mod 2^b) and xorshift (a bijection on b bits).
func permute(x uint32, key uint64, b uint) uint32 {
	mask := uint64(1)<<b - 1
	sh := (b + 1) / 2
	v := uint64(x)
	v = (v*(key|1) + key>>32) & mask
	v ^= v >> sh
	v = (v*(key>>16|1) + key>>40) & mask
	v ^= v >> sh
	v = (v * (key>>24 | 1)) & mask
	v ^= v >> sh
	return uint32(v)
}

// mix64 is splitmix64's finalizer: a fast, well-mixed 64-bit hash.
func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

func mul64(a, b uint64) (hi, lo uint64) { return bits.Mul64(a, b) }
