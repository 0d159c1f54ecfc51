package observer

import (
	"slices"
	"strconv"
)

// ObserverAlias is the observer's own node name in the stream, in join
// mode.
const ObserverAlias = "observer"

// names gives Alertmanager peers short aliases for the page ("am1",
// "am2", ...): a peer name is a 26-character ULID. Names seen together
// are numbered in byte order, so at the start amK is the peer at HA
// position K-1; peers seen later get the next numbers. An alias is never
// reused. The caller holds the observer's lock.
type names struct {
	alias map[string]string // peer name -> alias
	name  map[string]string // alias -> peer name
	order []string          // aliases in the order given
}

func newNames() *names {
	return &names{alias: map[string]string{}, name: map[string]string{}}
}

// add gives every new name in ns an alias, in byte order, and returns the
// aliases it made.
func (n *names) add(ns ...string) []string {
	var fresh []string
	for _, s := range ns {
		if _, ok := n.alias[s]; !ok && s != "" && !slices.Contains(fresh, s) {
			fresh = append(fresh, s)
		}
	}
	slices.Sort(fresh)
	made := make([]string, 0, len(fresh))
	for _, s := range fresh {
		a := "am" + strconv.Itoa(len(n.order)+1)
		n.alias[s], n.name[a] = a, s
		n.order = append(n.order, a)
		made = append(made, a)
	}
	return made
}

// setSelf names the observer's own member.
func (n *names) setSelf(name string) {
	n.alias[name], n.name[ObserverAlias] = ObserverAlias, name
	n.order = append(n.order, ObserverAlias)
}

// of returns name's alias, or "" if it has none.
func (n *names) of(name string) string { return n.alias[name] }

// list returns the aliases in the order given.
func (n *names) list() []string { return slices.Clone(n.order) }

// table returns alias -> peer name.
func (n *names) table() map[string]any {
	m := make(map[string]any, len(n.name))
	for a, s := range n.name {
		m[a] = s
	}
	return m
}
