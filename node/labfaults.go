package node

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// The faults a LabNet injects: a packet (UDP) is lost with probability
// loss, or cut by a partition; a stream (TCP) is refused across a
// partition and never lost, since TCP retransmits.

// SetLoss sets the probability in [0, 1] that a packet is dropped.
// Streams (TCP) are not subject to loss: TCP retransmits.
func (f *LabNet) SetLoss(p float64) error {
	if math.IsNaN(p) || p < 0 || p > 1 {
		return fmt.Errorf("loss %v is not in [0, 1]", p)
	}
	f.update(func(v *netView) { v.loss = p })
	return nil
}

// Loss returns the packet loss probability.
func (f *LabNet) Loss() float64 { return f.view.Load().loss }

// Partition cuts the network: nodes talk only within their group. Nodes in
// no group form one more group together. A node may not be in two groups.
func (f *LabNet) Partition(groups [][]string) error {
	if len(groups) < 1 {
		return fmt.Errorf("partition: no groups")
	}
	g := map[string]int{}
	cp := make([][]string, len(groups))
	for i, grp := range groups {
		if len(grp) == 0 {
			return fmt.Errorf("partition: group %d is empty", i)
		}
		for _, n := range grp {
			if _, dup := g[n]; dup {
				return fmt.Errorf("partition: node %q in two groups", n)
			}
			g[n] = i
		}
		cp[i] = append([]string(nil), grp...)
	}
	f.update(func(v *netView) { v.group, v.groups = g, cp })
	return nil
}

// Heal removes every partition.
func (f *LabNet) Heal() {
	f.update(func(v *netView) { v.group, v.groups = nil, nil })
}

// Groups returns the current partition groups (nil when healed).
func (f *LabNet) Groups() [][]string {
	v := f.view.Load()
	if len(v.groups) == 0 {
		return nil
	}
	out := make([][]string, len(v.groups))
	for i, g := range v.groups {
		out[i] = append([]string(nil), g...)
	}
	return out
}

// Connected reports whether a partition lets from and to talk.
func (f *LabNet) Connected(from, to string) bool {
	if f == nil {
		return true
	}
	return f.view.Load().connected(from, to)
}

func (v *netView) connected(from, to string) bool {
	if v.group == nil {
		return true
	}
	gf, okf := v.group[from]
	gt, okt := v.group[to]
	if !okf {
		gf = -1
	}
	if !okt {
		gt = -1
	}
	return gf == gt
}

// dropPacket decides the fate of one packet from -> to: cut by a partition
// or lost at random.
func (f *LabNet) dropPacket(from, to string) bool {
	if f == nil {
		return false
	}
	v := f.view.Load()
	if !v.connected(from, to) {
		return true
	}
	return v.loss > 0 && rand.Float64() < v.loss // math/rand/v2's global source takes no lock
}
