package scene

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gossipscope/gossipscope/protocol"
)

// Narration says in plain words what is happening at the playhead, for
// people watching from the back of a room: the round, how many know, and
// how many of this round's messages were wasted on nodes that already
// knew; a fault that just happened comes first; the end gets a summary.
func (p *Player) Narration() string {
	if len(p.log.recs) == 0 {
		if p.info.Source == "" {
			return "Waiting for events…"
		}
	}
	c := p.Counters()
	var b strings.Builder
	if f := p.recentFault(); f != "" {
		b.WriteString(f)
		b.WriteString(" ")
	}
	news := "the news"
	if c.Key != "" {
		news = p.keyLabel(p.focus(p.cur))
	}
	// After a newer version, say which one is counted and who still holds
	// an older one: "2 of 100 nodes know version 2 of the news (98 still
	// have version 1)".
	older := ""
	if c.Version >= 2 {
		news = "version " + strconv.Itoa(c.Version) + " of " + news
		switch {
		case c.Older <= 0:
		case c.Version == 2:
			older = " (" + Thousands(c.Older) + " still " + have(c.Older) + " version 1)"
		default:
			older = " (" + Thousands(c.Older) + " still " + have(c.Older) + " an older version)"
		}
	}
	switch {
	case c.FirstNews < 0:
		b.WriteString("Nobody has any news yet.")
	case c.Informed <= 1 && c.Messages == 0:
		holder := p.someHolder()
		if holder == "" {
			holder = "One node"
		}
		if older != "" {
			fmt.Fprintf(&b, "%s has %s; nobody else has it yet%s.", holder, news, older)
		} else {
			fmt.Fprintf(&b, "%s has %s; nobody else knows yet.", holder, news)
		}
		if p.info.Fanout > 0 && p.info.Period > 0 {
			every := "Every " + seconds(p.info.Period)
			if p.info.Period == 1000 {
				every = "Every second"
			}
			fmt.Fprintf(&b, " %s each informed node tells %d peers.", every, p.info.Fanout)
		}
	case c.Informed >= c.Alive && c.Alive > 1:
		fmt.Fprintf(&b, "All %s nodes know %s", Thousands(c.Alive), news)
		if tFull, ok := p.fullSince(); ok && c.FirstNews >= 0 {
			since := p.newsSince()
			if n := p.log.roundsIn(since, tFull); p.hasRounds() && n > 0 {
				// Counted as the panel counts: the rounds that began from
				// when this news appeared until the last node learnt it,
				// so "after 6 rounds" goes with "Round 6" when it starts
				// with the run.
				fmt.Fprintf(&b, " after %d round%s", n, plural(n))
				if p.info.Nodes > 1 && p.info.Fanout > 0 {
					th, _ := TheoryRounds(p.info.Nodes, p.info.Fanout, p.info.Mode)
					fmt.Fprintf(&b, " (theory: %s)", oneDecimal(th))
				}
			} else {
				fmt.Fprintf(&b, " %s", after(tFull-since))
			}
		}
		// A stream with no messages (an observer polling APIs cannot see
		// any) says nothing about them rather than "0 messages". Live, in
		// the panel's words: a silence's name and its origin already take
		// much of the room, and the counts are the stream's, so far.
		switch {
		case c.Messages <= 0:
		case p.hasRounds():
			fmt.Fprintf(&b, ". %s, %s of them to nodes that already knew", many(c.Messages, "message"), Thousands(c.Redundant))
		default:
			fmt.Fprintf(&b, "; %s so far, %s redundant", many(c.Messages, "message"), Thousands(c.Redundant))
		}
		if c.Messages > 0 && c.Lost > 0 {
			fmt.Fprintf(&b, ", %s lost", Thousands(c.Lost))
		}
		b.WriteString(".")
	case c.Done:
		know := "know"
		if c.Version >= 2 {
			know = "know version " + strconv.Itoa(c.Version)
		}
		fmt.Fprintf(&b, "The news stopped spreading: %s of %s %s%s", Thousands(c.Informed), many(c.Alive, "live node"), know, older)
		if c.Groups > 0 {
			b.WriteString(" (the rest are cut off)")
		}
		fmt.Fprintf(&b, ". %s, %s redundant, %s lost.", many(c.Messages, "message"), Thousands(c.Redundant), Thousands(c.Lost))
	case p.hasRounds():
		fmt.Fprintf(&b, "Round %d: %s of %s know %s%s", c.Round, Thousands(c.Informed), many(c.Alive, "node"), news, older)
		if c.RoundMessages > 0 {
			fmt.Fprintf(&b, "; %s of the %s this round went to nodes that already knew", Thousands(c.RoundRedundant), many(c.RoundMessages, "message"))
			if c.RoundLost > 0 {
				fmt.Fprintf(&b, ", %s %s lost", Thousands(c.RoundLost), wasWere(c.RoundLost))
			}
		}
		b.WriteString(".")
	default:
		fmt.Fprintf(&b, "%s: %s of %s hold %s%s; %s so far, %s redundant", seconds(c.T), Thousands(c.Informed), many(c.Alive, "node"), news, older, many(c.Messages, "message"), Thousands(c.Redundant))
		if c.Lost > 0 {
			fmt.Fprintf(&b, ", %s lost", Thousands(c.Lost))
		}
		b.WriteString(".")
	}
	return b.String()
}

// recentFault describes a fault from the last four rounds, or "": long
// enough for a class to read "n1 crashed." and see what follows.
func (p *Player) recentFault() string {
	c := p.cur
	if c.faultKind == faultNone || c.faultT < 0 || p.now-c.faultT > 4*p.period() {
		return ""
	}
	name := ""
	if c.faultNode >= 0 && int(c.faultNode) < len(p.log.nodes.list) {
		name = p.log.nodes.list[c.faultNode]
	}
	by := ""
	if c.faultBy >= 0 && int(c.faultBy) < len(p.log.nodes.list) {
		by = p.log.nodes.list[c.faultBy]
	}
	if p.log.memberlist || p.info.Source != protocol.SourceSim && p.info.Source != "" {
		// Real membership: told as memberlist sees it.
		switch c.faultKind {
		case faultCrash:
			if by != "" {
				return name + " is dead, says " + by + "."
			}
			return name + " is dead."
		case faultLeave:
			return name + " left the cluster."
		case faultSuspect:
			if by != "" {
				return name + " is suspected by " + by + "."
			}
			return name + " is suspected down."
		case faultRestart, faultRefute:
			return name + " is back."
		}
	}
	switch c.faultKind {
	case faultCrash:
		return name + " crashed."
	case faultLeave:
		return name + " left."
	case faultSuspect:
		return name + " is suspected down."
	case faultRestart, faultRefute:
		return name + " restarted."
	case faultJoin:
		if c.faultN > 1 && int(c.faultLast) < len(p.log.nodes.list) {
			return fmt.Sprintf("%s nodes joined (%s … %s).", Thousands(c.faultN), name, p.log.nodes.list[c.faultLast])
		}
		return name + " joined."
	case faultPartition:
		return fmt.Sprintf("The network is cut into %d parts.", c.faultN)
	case faultHeal:
		return "The network healed."
	case faultLoss:
		return fmt.Sprintf("Packet loss is now %s.", percent(c.loss))
	}
	return ""
}

// newsSince is when the newest version of the focused key first
// appeared (the start of the run for the first news).
func (p *Player) newsSince() float64 {
	c := p.cur
	if k := p.focus(c); k >= 0 && k < len(c.newestAt) && c.newestAt[k] >= 0 {
		return c.newestAt[k]
	}
	return math.Max(c.firstNews, 0)
}

// many says "1 message" or "3 messages" (thousands separated).
func many(n int, word string) string {
	return Thousands(n) + " " + word + plural(n)
}

// wasWere is the verb for n things: "1 was lost", "2 were lost".
func wasWere(n int) string {
	if n == 1 {
		return "was"
	}
	return "were"
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// someHolder names a live node holding the focused news at the playhead.
func (p *Player) someHolder() string {
	c := p.cur
	k := p.focus(c)
	if k < 0 || k >= len(c.hold) {
		return ""
	}
	for i, v := range c.hold[k] {
		if v != noVersion && v == c.newest[k] && isUp(c.status[i]) {
			return p.log.nodes.list[i]
		}
	}
	return ""
}

// fullSince returns when everybody alive last came to know the news.
func (p *Player) fullSince() (float64, bool) {
	s := p.series
	lo, hi := 0, len(s)
	for lo < hi {
		m := (lo + hi) / 2
		if s[m].t <= p.now {
			lo = m + 1
		} else {
			hi = m
		}
	}
	i := lo - 1
	if i < 0 || s[i].informed < s[i].alive {
		return 0, false
	}
	for i > 0 && s[i-1].informed >= s[i-1].alive && s[i-1].alive > 1 {
		i--
	}
	return s[i].t, true
}

func (p *Player) hasRounds() bool {
	return p.cur.round > 0 || p.info.Period > 0 && p.info.Source == protocol.SourceSim
}

// Thousands formats n with thousands separators: 12,345.
func Thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

func oneDecimal(v float64) string {
	if math.Abs(v-math.Round(v)) < 0.05 {
		return strconv.Itoa(int(math.Round(v)))
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

func seconds(ms float64) string {
	if ms < 1000 {
		return strconv.Itoa(int(math.Round(ms))) + " ms"
	}
	s := ms / 1000
	if s == math.Trunc(s) {
		return strconv.Itoa(int(s)) + " s"
	}
	return strconv.FormatFloat(s, 'f', 1, 64) + " s"
}

// have agrees with its count: "1 still has", "2 still have".
func have(n int) string {
	if n == 1 {
		return "has"
	}
	return "have"
}

// after says how long the news took to reach everybody; a live lab's
// nodes can all learn within the same millisecond, which is not "after 0 ms".
func after(ms float64) string {
	if math.Round(ms) < 1 {
		return "within 1 ms"
	}
	return "after " + seconds(ms)
}

func percent(f float64) string {
	return strconv.FormatFloat(f*100, 'f', -1, 64) + "%"
}
