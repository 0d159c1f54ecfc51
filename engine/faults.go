package engine

import "github.com/gossipscope/gossipscope/protocol"

// applyAction applies the next scheduled action at s.now.
func (s *Sim) applyAction() {
	a := s.acts[s.nextAct]
	s.nextAct++
	switch a.Kind {
	case ActUpdate:
		s.update(int32(a.Node), a.Key)
	case ActCrash:
		i := int32(a.Node)
		if !s.isAlive(i) {
			return
		}
		s.nodes[i].flags &^= flagAlive
		s.alive--
		if s.nodes[i].missing == 0 {
			s.upToDate--
		}
		if s.emit != nil {
			s.emitNode(i, protocol.StatusDead)
		}
		s.checkCoverage(s.round)
	case ActRestart:
		i := int32(a.Node)
		if s.isAlive(i) {
			return
		}
		s.nodes[i].flags |= flagAlive
		s.alive++
		if s.nodes[i].missing == 0 {
			s.upToDate++
		}
		if s.emit != nil {
			s.emitNode(i, protocol.StatusAlive)
		}
		// It forgot whom it told; what it holds is news to tell again.
		s.news(i, -1)
		s.loadVersions(s.in, i)
		if s.held(s.in) == 0 {
			s.nodes[i].flags &^= flagActive
		}
		s.rejoin(i)
	case ActPartition:
		s.partition(a.Groups)
	case ActHeal:
		s.group = nil
		if s.emit != nil {
			s.ev = protocol.Event{Type: protocol.TypeHeal, T: s.now}
			s.emit(&s.ev)
		}
	case ActJoin:
		old := s.n
		s.grow(s.n + a.Count)
		for i := old; i < s.n; i++ {
			if s.emit != nil {
				s.emitNode(int32(i), protocol.StatusAlive)
			}
			if !s.cfg.Async && !s.fast {
				s.push(float64(s.round)*s.cfg.Period, rankTick, int32(i), int32(i))
			} else if s.cfg.Async {
				s.push(s.phase[i], rankTick, int32(i), int32(i))
			}
		}
		for i := old; i < s.n; i++ {
			s.rejoin(int32(i))
		}
	case ActLoss:
		s.loss = a.Loss
		if s.emit != nil {
			s.ev = protocol.Event{Type: protocol.TypeParam, T: s.now, Params: map[string]any{"loss": a.Loss}}
			s.emit(&s.ev)
		}
	}
}

// update makes node i write a newer version of key k.
func (s *Sim) update(i int32, k int) {
	wasUp := s.nodes[i].missing == 0 && s.isAlive(i)
	old := s.latest[k]
	s.latest[k]++
	for j := int32(0); j < int32(s.n); j++ {
		if j != i && s.version(j, k) == old {
			nd := &s.nodes[j]
			if nd.missing == 0 && nd.flags&flagAlive != 0 {
				s.upToDate--
			}
			nd.missing++
		}
	}
	nd := &s.nodes[i]
	if s.version(i, k) < old {
		nd.missing-- // it skips straight to the newest
	}
	s.setVersion(i, k, s.latest[k])
	nd.lastKey = uint8(k)
	if isUp := nd.missing == 0 && s.isAlive(i); isUp != wasUp {
		if isUp {
			s.upToDate++
		} else {
			s.upToDate--
		}
	}
	if s.emit != nil {
		s.emitState(i, k)
	}
	s.news(i, -1)
	s.st.t99, s.st.t100, s.st.r99, s.st.r100 = -1, -1, -1, -1
	s.checkCoverage(s.round)
}

// rejoin is memberlist's Join: node i makes one push-pull exchange with a
// random alive node, whatever the mode.
func (s *Sim) rejoin(i int32) {
	others := s.alive - 1
	if !s.isAlive(i) || others < 1 {
		return
	}
	// Rejection sampling is fast while most nodes are alive; fall back to
	// the n-th alive node otherwise.
	p := int32(-1)
	for try := 0; try < 32; try++ {
		q := int32(s.intN(uint64(s.n)))
		if q != i && s.isAlive(q) {
			p = q
			break
		}
	}
	if p < 0 {
		nth := int(s.intN(uint64(others)))
		for q := int32(0); q < int32(s.n); q++ {
			if q != i && s.isAlive(q) {
				if nth == 0 {
					p = q
					break
				}
				nth--
			}
		}
	}
	round := int32(s.round)
	if s.cfg.Async {
		round = s.tickCount[i]
	}
	s.loadVersions(s.out(i, p, kindPullReq, round, msgSync), i)
	s.dispatch(s.now)
}

// partition cuts the network: group g+1 for the nodes of groups[g], group 0
// for everyone else.
func (s *Sim) partition(groups [][]int) {
	if s.group == nil {
		s.group = make([]int32, s.n)
	} else {
		clear(s.group)
	}
	for g, members := range groups {
		for _, i := range members {
			s.group[i] = int32(g + 1)
		}
	}
	if s.emit == nil {
		return
	}
	var names [][]string
	var rest []string
	for i := 0; i < s.n; i++ {
		if s.group[i] == 0 {
			rest = append(rest, s.name(int32(i)))
		}
	}
	for _, members := range groups {
		g := make([]string, len(members))
		for j, i := range members {
			g[j] = s.name(int32(i))
		}
		names = append(names, g)
	}
	if len(rest) > 0 {
		names = append(names, rest)
	}
	if len(names) < 2 {
		s.ev = protocol.Event{Type: protocol.TypeNote, T: s.now, Text: "partition with a single group: nothing is cut"}
	} else {
		s.ev = protocol.Event{Type: protocol.TypePartition, T: s.now, Groups: names}
	}
	s.emit(&s.ev)
}
