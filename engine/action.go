package engine

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Action is one scheduled fault or news. Which fields matter depends on
// Kind (see the constants). Its text form, used in URLs and on the command
// line, is KIND@AT[:ARGS], e.g. "crash@1500:3", "partition@2000:0-4/5-9",
// "heal@6000", "update@3000:7:1", "join@4000:5", "loss@1000:0.25".
type Action struct {
	At     float64 `json:"at"` // ms of virtual time
	Kind   string  `json:"kind"`
	Node   int     `json:"node,omitempty"`
	Key    int     `json:"key,omitempty"`
	Groups [][]int `json:"groups,omitempty"`
	Count  int     `json:"count,omitempty"`
	Loss   float64 `json:"loss,omitempty"`
}

// Action kinds.
const (
	// ActUpdate: Node writes a newer version of Key (one more than the
	// newest anywhere) and starts spreading it. Text: update@T:NODE[:KEY].
	ActUpdate = "update"
	// ActCrash: Node stops; messages to it are lost. It keeps its items (as
	// Alertmanager keeps its snapshot on disk). Text: crash@T:NODE.
	ActCrash = "crash"
	// ActRestart: a crashed Node comes back and, as memberlist's Join does,
	// makes one push-pull exchange with a random alive node.
	// Text: restart@T:NODE.
	ActRestart = "restart"
	// ActPartition: only nodes in the same group can talk; nodes listed in
	// no group form one more group. Text: partition@T:0-4,9/5-8.
	ActPartition = "partition"
	// ActHeal: every partition heals. Text: heal@T.
	ActHeal = "heal"
	// ActJoin: Count new empty nodes join (named after the last one) and
	// each makes one push-pull exchange with a random alive node.
	// Text: join@T[:COUNT].
	ActJoin = "join"
	// ActLoss: the loss probability becomes Loss. Text: loss@T:P.
	ActLoss = "loss"
)

// String is the action's text form; ParseAction reads it back exactly.
func (a Action) String() string {
	var b strings.Builder
	b.WriteString(a.Kind)
	b.WriteByte('@')
	b.WriteString(fmtFloat(a.At))
	switch a.Kind {
	case ActUpdate:
		fmt.Fprintf(&b, ":%d", a.Node)
		if a.Key != 0 {
			fmt.Fprintf(&b, ":%d", a.Key)
		}
	case ActCrash, ActRestart:
		fmt.Fprintf(&b, ":%d", a.Node)
	case ActPartition:
		b.WriteByte(':')
		for i, g := range a.Groups {
			if i > 0 {
				b.WriteByte('/')
			}
			b.WriteString(fmtGroup(g))
		}
	case ActJoin:
		fmt.Fprintf(&b, ":%d", a.Count)
	case ActLoss:
		b.WriteByte(':')
		b.WriteString(fmtFloat(a.Loss))
	}
	return b.String()
}

func fmtFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// fmtGroup writes a group compactly: consecutive runs as ranges "a-b".
func fmtGroup(g []int) string {
	var b strings.Builder
	for i := 0; i < len(g); {
		j := i
		for j+1 < len(g) && g[j+1] == g[j]+1 {
			j++
		}
		if i > 0 {
			b.WriteByte(',')
		}
		if j-i >= 2 {
			fmt.Fprintf(&b, "%d-%d", g[i], g[j])
			i = j + 1
		} else {
			b.WriteString(strconv.Itoa(g[i]))
			i++
		}
	}
	return b.String()
}

// ParseAction reads an action's text form (see Action). Node numbers may be
// written with or without their "n" prefix.
func ParseAction(s string) (Action, error) {
	var a Action
	kind, rest, ok := strings.Cut(strings.TrimSpace(s), "@")
	if !ok {
		return a, fmt.Errorf("action %q: want KIND@TIME[:ARGS], e.g. crash@1500:3", s)
	}
	a.Kind = kind
	at, args, hasArgs := strings.Cut(rest, ":")
	t, err := strconv.ParseFloat(at, 64)
	if err != nil || !finite(t) || t < 0 {
		return a, fmt.Errorf("action %q: time %q is not a number of ms >= 0", s, at)
	}
	a.At = t
	parts := strings.Split(args, ":")
	if !hasArgs {
		parts = nil
	}
	want := func(min, max int) error {
		if len(parts) < min || len(parts) > max {
			return fmt.Errorf("action %q: %s takes %d..%d arguments after the time, got %d", s, kind, min, max, len(parts))
		}
		return nil
	}
	switch kind {
	case ActUpdate:
		if err := want(1, 2); err != nil {
			return a, err
		}
		if a.Node, err = parseNode(parts[0]); err != nil {
			return a, fmt.Errorf("action %q: %v", s, err)
		}
		if len(parts) == 2 {
			if a.Key, err = strconv.Atoi(strings.TrimPrefix(parts[1], "k")); err != nil {
				return a, fmt.Errorf("action %q: key %q is not a number", s, parts[1])
			}
		}
	case ActCrash, ActRestart:
		if err := want(1, 1); err != nil {
			return a, err
		}
		if a.Node, err = parseNode(parts[0]); err != nil {
			return a, fmt.Errorf("action %q: %v", s, err)
		}
	case ActPartition:
		if err := want(1, 1); err != nil {
			return a, err
		}
		for _, gs := range strings.Split(parts[0], "/") {
			g, err := parseGroup(gs)
			if err != nil {
				return a, fmt.Errorf("action %q: %v", s, err)
			}
			a.Groups = append(a.Groups, g)
		}
	case ActHeal:
		if err := want(0, 0); err != nil {
			return a, err
		}
	case ActJoin:
		if err := want(0, 1); err != nil {
			return a, err
		}
		a.Count = 1
		if len(parts) == 1 {
			if a.Count, err = strconv.Atoi(parts[0]); err != nil {
				return a, fmt.Errorf("action %q: count %q is not a number", s, parts[0])
			}
		}
	case ActLoss:
		if err := want(1, 1); err != nil {
			return a, err
		}
		if a.Loss, err = strconv.ParseFloat(parts[0], 64); err != nil {
			return a, fmt.Errorf("action %q: loss %q is not a number", s, parts[0])
		}
	default:
		return a, fmt.Errorf("action %q: unknown kind %q (update, crash, restart, partition, heal, join, loss)", s, kind)
	}
	return a, a.validate(MaxNodes, MaxKeys)
}

func parseNode(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(s, "n"))
	if err != nil {
		return 0, fmt.Errorf("node %q is not a node number", s)
	}
	return n, nil
}

// parseGroup reads "0-4,9,n12": node numbers and inclusive ranges.
func parseGroup(s string) ([]int, error) {
	var g []int
	for _, item := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(item, "-")
		a, err := parseNode(lo)
		if err != nil {
			return nil, err
		}
		b := a
		if isRange {
			if b, err = parseNode(hi); err != nil {
				return nil, err
			}
			if b < a || b-a > MaxNodes {
				return nil, fmt.Errorf("range %q is empty or too long", item)
			}
		}
		for n := a; n <= b; n++ {
			g = append(g, n)
		}
	}
	return g, nil
}

// validate checks a against n addressable nodes and the number of keys.
func (a Action) validate(n, keys int) error {
	if !finite(a.At) || a.At < 0 {
		return fmt.Errorf("time %v is not >= 0", a.At)
	}
	node := func() error {
		if a.Node < 0 || a.Node >= n {
			return fmt.Errorf("node %d does not exist (nodes 0..%d)", a.Node, n-1)
		}
		return nil
	}
	switch a.Kind {
	case ActUpdate:
		if a.Key < 0 || a.Key >= keys {
			return fmt.Errorf("key %d does not exist (keys 0..%d)", a.Key, keys-1)
		}
		return node()
	case ActCrash, ActRestart:
		return node()
	case ActPartition:
		if len(a.Groups) < 1 {
			return fmt.Errorf("partition needs at least one group")
		}
		seen := map[int]bool{}
		for _, g := range a.Groups {
			if len(g) == 0 {
				return fmt.Errorf("empty group")
			}
			for _, v := range g {
				if v < 0 || v >= n {
					return fmt.Errorf("node %d does not exist (nodes 0..%d)", v, n-1)
				}
				if seen[v] {
					return fmt.Errorf("node %d is in two groups", v)
				}
				seen[v] = true
			}
		}
	case ActHeal:
	case ActJoin:
		if a.Count < 1 || a.Count > MaxNodes {
			return fmt.Errorf("count %d is not in 1..%d", a.Count, MaxNodes)
		}
	case ActLoss:
		if !finite(a.Loss) || a.Loss < 0 || a.Loss > 1 {
			return fmt.Errorf("loss %v is not in [0, 1]", a.Loss)
		}
	default:
		return fmt.Errorf("unknown kind %q (update, crash, restart, partition, heal, join, loss)", a.Kind)
	}
	return nil
}

// scheduleOrder returns the indices of s in the order they apply: by time,
// then by position.
func scheduleOrder(s []Action) []int {
	idx := make([]int, len(s))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(i, j int) int {
		switch {
		case s[i].At < s[j].At:
			return -1
		case s[i].At > s[j].At:
			return 1
		}
		return 0
	})
	return idx
}
