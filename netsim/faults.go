package netsim

import "fmt"

// Partition splits the network into groups that cannot reach one another;
// nodes listed in no group are isolated from every other node. It replaces
// any previous partition but keeps cuts. Loopback is never partitioned.
// Partition() with no groups therefore isolates every node. It panics if a
// node appears in two groups.
func (n *Network) Partition(groups ...[]int) {
	group := make([]int, len(n.zones))
	for i := range group {
		group[i] = isolated
	}
	for g, members := range groups {
		for _, node := range members {
			n.checkNode(node)
			if group[node] != isolated && group[node] != g {
				panic(fmt.Sprintf("netsim: node %d is in partition groups %d and %d", node, group[node], g))
			}
			group[node] = g
		}
	}
	n.group = group
}

// Cut blocks messages from one node to another while leaving the reverse
// direction working, as an asymmetric firewall rule or a broken route does.
// It panics if from == to, as loopback cannot be cut.
func (n *Network) Cut(from, to int) {
	n.checkNode(from)
	n.checkNode(to)
	if from == to {
		panic(fmt.Sprintf("netsim: cannot cut loopback of node %d", from))
	}
	n.cuts[link{from, to}] = struct{}{}
}

// Uncut removes a cut made by Cut, if any.
func (n *Network) Uncut(from, to int) {
	n.checkNode(from)
	n.checkNode(to)
	delete(n.cuts, link{from, to})
}

// Heal removes the partition and every cut. Crashed nodes stay down and
// link overrides stay in force: they are separate kinds of fault.
func (n *Network) Heal() {
	n.group = nil
	clear(n.cuts)
}

// SetLink overrides the profile of the directed link from -> to, for
// example to make one link slow or lossy. It panics if p is invalid.
func (n *Network) SetLink(from, to int, p LinkProfile) {
	n.checkNode(from)
	n.checkNode(to)
	if err := p.Validate(); err != nil {
		panic(fmt.Sprintf("netsim: invalid profile for link %d->%d: %v", from, to, err))
	}
	n.overrides[link{from, to}] = p
}

// ClearLink restores the zone default profile of the directed link.
func (n *Network) ClearLink(from, to int) {
	n.checkNode(from)
	n.checkNode(to)
	delete(n.overrides, link{from, to})
}

// blocked reports whether a partition or cut currently stops from -> to.
func (n *Network) blocked(from, to int) bool {
	if from == to {
		return false
	}
	if n.group != nil {
		g := n.group[from]
		if g == isolated || g != n.group[to] {
			return true
		}
	}
	if len(n.cuts) > 0 {
		if _, ok := n.cuts[link{from, to}]; ok {
			return true
		}
	}
	return false
}
