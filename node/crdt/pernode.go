package crdt

import (
	"slices"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/wire"
)

// PerNode holds counts that several nodes keep of the same thing, each of
// what it stores itself: per node, its latest counts and the stamp it gave
// them (a counter of its own, raised with every change it counts). Join
// keeps, per node, the counts with the greater stamp, so a node's older
// report never overwrites a newer one whatever order they arrive in.
//
// The counts of nodes holding the same data agree once they are in sync; a
// reader takes, per count, the greatest among the nodes it trusts (Read):
// a node that lags has counted fewer changes, and a node that no longer
// holds the data is left out.
type PerNode struct {
	nodes []NodeCounts // sorted by node, each once
}

// NodeCounts is one node's counts as of Stamp.
type NodeCounts struct {
	Node   cluster.NodeID
	Stamp  uint64
	Counts []int64
}

// Set returns p with node's counts at stamp (kept only if newer than what p
// holds for node).
func (p PerNode) Set(node cluster.NodeID, stamp uint64, counts []int64) PerNode {
	return p.Join(PerNode{nodes: []NodeCounts{{Node: node, Stamp: stamp, Counts: slices.Clone(counts)}}})
}

// Join keeps, per node, the counts with the greater stamp; for one stamp
// (which only a node reusing a stamp makes differ), the greater counts.
func (p PerNode) Join(o PerNode) PerNode {
	all := slices.Concat(p.nodes, o.nodes)
	slices.SortStableFunc(all, func(a, b NodeCounts) int {
		if c := a.Node.Compare(b.Node); c != 0 {
			return c
		}
		if a.Stamp != b.Stamp {
			if a.Stamp > b.Stamp {
				return -1
			}
			return 1
		}
		return -slices.Compare(a.Counts, b.Counts)
	})
	all = slices.CompactFunc(all, func(a, b NodeCounts) bool { return a.Node == b.Node })
	if len(all) == 0 {
		all = nil
	}
	return PerNode{nodes: all}
}

// Nodes lists every node's counts, sorted by node.
func (p PerNode) Nodes() []NodeCounts { return slices.Clone(p.nodes) }

// Read is the counts as the nodes in holders report them: each count the
// greatest any of them reports (zero where none reports). The result has
// the length of the longest report.
func (p PerNode) Read(holders []cluster.NodeID) []int64 {
	var out []int64
	for _, n := range p.nodes {
		if !slices.Contains(holders, n.Node) {
			continue
		}
		for i, v := range n.Counts {
			if i == len(out) {
				out = append(out, v)
				continue
			}
			out[i] = max(out[i], v)
		}
	}
	return out
}

// Encode writes p canonically.
func (p PerNode) Encode(e *wire.Encoder) {
	p = p.Join(PerNode{})
	e.Uvarint(uint64(len(p.nodes)))
	for _, n := range p.nodes {
		e.Raw(n.Node[:])
		e.Uvarint(n.Stamp)
		e.Uvarint(uint64(len(n.Counts)))
		for _, v := range n.Counts {
			e.Varint(v)
		}
	}
}

// DecodePerNode reads a PerNode, refusing nodes out of order or repeated,
// so that a decoded value is canonical.
func DecodePerNode(d *wire.Decoder) PerNode {
	var p PerNode
	n := d.Len(34)
	for range n {
		var nc NodeCounts
		d.Fixed(nc.Node[:])
		nc.Stamp = d.Uvarint()
		k := d.Len(1)
		for range k {
			nc.Counts = append(nc.Counts, d.Varint())
		}
		if m := len(p.nodes); m > 0 && p.nodes[m-1].Node.Compare(nc.Node) >= 0 {
			d.Failf("per-node counts not strictly sorted")
			return PerNode{}
		}
		p.nodes = append(p.nodes, nc)
	}
	return p
}
