package netsim

import (
	"cmp"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
)

// Describe summarises the injected faults on one line, in a deterministic
// order, for logs and failure reports, e.g.
//
//	partition {0 1} {2 3} isolated {4}; cut 0->2; down 1; link 0->1 [latency=200ms loss=0.5]
//
// A network without faults is described as "healthy".
func (n *Network) Describe() string {
	var parts []string
	if n.group != nil {
		parts = append(parts, n.describePartition())
	}
	if len(n.cuts) > 0 {
		var cuts []string
		for _, l := range sortedLinks(maps.Keys(n.cuts)) {
			cuts = append(cuts, l.String())
		}
		parts = append(parts, "cut "+strings.Join(cuts, " "))
	}
	var down []int
	for node, d := range n.down {
		if d {
			down = append(down, node)
		}
	}
	if len(down) > 0 {
		parts = append(parts, "down "+joinInts(down))
	}
	for _, l := range sortedLinks(maps.Keys(n.overrides)) {
		parts = append(parts, fmt.Sprintf("link %v [%v]", l, n.overrides[l]))
	}
	if len(parts) == 0 {
		return "healthy"
	}
	return strings.Join(parts, "; ")
}

// describePartition lists groups ordered by their lowest node, since that is
// canonical whatever order Partition was given them in.
func (n *Network) describePartition() string {
	var order []int
	members := make(map[int][]int)
	var alone []int
	for node, g := range n.group {
		if g == isolated {
			alone = append(alone, node)
			continue
		}
		if _, seen := members[g]; !seen {
			order = append(order, g)
		}
		members[g] = append(members[g], node)
	}
	var b strings.Builder
	b.WriteString("partition")
	for _, g := range order {
		fmt.Fprintf(&b, " {%s}", joinInts(members[g]))
	}
	if len(alone) > 0 {
		fmt.Fprintf(&b, " isolated {%s}", joinInts(alone))
	}
	return b.String()
}

func (l link) String() string { return fmt.Sprintf("%d->%d", l.from, l.to) }

func sortedLinks(keys iter.Seq[link]) []link {
	return slices.SortedFunc(keys, func(a, b link) int {
		return cmp.Or(cmp.Compare(a.from, b.from), cmp.Compare(a.to, b.to))
	})
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, " ")
}
