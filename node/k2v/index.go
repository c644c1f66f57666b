package k2v

import (
	"cmp"
	"slices"

	"github.com/garagego/garage/node/wire"
)

// Counts are what ReadIndex reports of one partition key: its items that
// hold a value (entries), those with siblings (conflicts), their values
// and the values' bytes.
type Counts struct {
	Entries, Conflicts, Values, Bytes int64
}

// Counts is what the item adds to its partition key's counts.
func (it Item) Counts() Counts {
	var c Counts
	vs := it.Values()
	if !it.IsTombstone() {
		c.Entries = 1
	}
	if len(vs) > 1 {
		c.Conflicts = 1
	}
	for _, v := range vs {
		if !v.Deleted {
			c.Values++
			c.Bytes += int64(len(v.Data))
		}
	}
	return c
}

// Add returns c + o.
func (c Counts) Add(o Counts) Counts {
	return Counts{c.Entries + o.Entries, c.Conflicts + o.Conflicts, c.Values + o.Values, c.Bytes + o.Bytes}
}

// Sub returns c - o.
func (c Counts) Sub(o Counts) Counts {
	return Counts{c.Entries - o.Entries, c.Conflicts - o.Conflicts, c.Values - o.Values, c.Bytes - o.Bytes}
}

// NodeCounts is one storage node's counts of a partition key, as of Stamp
// (a counter of its own, raised with every change it counts).
type NodeCounts struct {
	Node   NodeID
	Stamp  uint64
	Counts Counts
}

// Index is the index entry of one partition key: every storage node's
// latest counts. Each node counts the items it holds, so the counts of
// the nodes that hold the partition agree once they are in sync; a reader
// takes the greatest of those of the nodes it trusts (see Read).
type Index struct{ Nodes []NodeCounts } // sorted by node, each once

// Set returns the index with node's counts at stamp (kept only if newer
// than what the index holds for node).
func (x Index) Set(node NodeID, stamp uint64, c Counts) Index {
	return x.Join(Index{Nodes: []NodeCounts{{Node: node, Stamp: stamp, Counts: c}}})
}

// Join keeps, per node, the counts with the greater stamp (for one stamp,
// the greater counts, which only a node reusing a stamp makes differ).
func (x Index) Join(o Index) Index {
	all := slices.Concat(x.Nodes, o.Nodes)
	slices.SortFunc(all, func(a, b NodeCounts) int {
		if c := cmp.Compare(a.Node, b.Node); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Stamp, a.Stamp); c != 0 {
			return c
		}
		return -compareCounts(a.Counts, b.Counts)
	})
	all = slices.CompactFunc(all, func(a, b NodeCounts) bool { return a.Node == b.Node })
	if len(all) == 0 {
		all = nil
	}
	return Index{Nodes: all}
}

func compareCounts(a, b Counts) int {
	for _, p := range [][2]int64{{a.Entries, b.Entries}, {a.Conflicts, b.Conflicts}, {a.Values, b.Values}, {a.Bytes, b.Bytes}} {
		if c := cmp.Compare(p[0], p[1]); c != 0 {
			return c
		}
	}
	return 0
}

// Read is the partition key's counts as the nodes in holders report them:
// each count the greatest any of them reports (a node that lags has seen
// fewer changes; a node no longer holding the partition is left out).
func (x Index) Read(holders []NodeID) Counts {
	var out Counts
	for _, n := range x.Nodes {
		if !slices.Contains(holders, n.Node) {
			continue
		}
		c := n.Counts
		out = Counts{max(out.Entries, c.Entries), max(out.Conflicts, c.Conflicts), max(out.Values, c.Values), max(out.Bytes, c.Bytes)}
	}
	return out
}

// Encode writes the index canonically.
func (x Index) Encode(e *wire.Encoder) {
	x = x.Join(Index{})
	e.Uvarint(uint64(len(x.Nodes)))
	for _, n := range x.Nodes {
		e.Uint64(uint64(n.Node))
		e.Uvarint(n.Stamp)
		for _, v := range []int64{n.Counts.Entries, n.Counts.Conflicts, n.Counts.Values, n.Counts.Bytes} {
			e.Varint(v)
		}
	}
}

// DecodeIndex reads an index, refusing nodes out of order or repeated.
func DecodeIndex(d *wire.Decoder) Index {
	var x Index
	n := d.Len(13)
	for range n {
		nc := NodeCounts{Node: NodeID(d.Uint64()), Stamp: d.Uvarint()}
		nc.Counts = Counts{d.Varint(), d.Varint(), d.Varint(), d.Varint()}
		if k := len(x.Nodes); k > 0 && x.Nodes[k-1].Node >= nc.Node {
			d.Failf("k2v index nodes not strictly sorted")
			return Index{}
		}
		x.Nodes = append(x.Nodes, nc)
	}
	return x
}
