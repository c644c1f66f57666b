package layout

import (
	"slices"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/wire"
)

// Trackers record, per node, how far it has come through layout changes.
// Each is a map node -> version number whose entries only grow.
type Trackers struct {
	// Ack: the node has no write in flight that ignores this version.
	Ack Tracker
	// Sync: the node has copied to their new holders all data of the
	// partitions it stored, as of this version.
	Sync Tracker
	// SyncAck: the node has seen every node synced to this version, so it
	// no longer reads from older ones.
	SyncAck Tracker
}

func (t Trackers) clone() Trackers {
	return Trackers{Ack: Tracker{slices.Clone(t.Ack.entries)}, Sync: Tracker{slices.Clone(t.Sync.entries)}, SyncAck: Tracker{slices.Clone(t.SyncAck.entries)}}
}

func (t *Trackers) merge(o Trackers) bool {
	a := t.Ack.merge(o.Ack)
	s := t.Sync.merge(o.Sync)
	sa := t.SyncAck.merge(o.SyncAck)
	return a || s || sa
}

func (t Trackers) encode(e *wire.Encoder) {
	t.Ack.encode(e)
	t.Sync.encode(e)
	t.SyncAck.encode(e)
}

func decodeTrackers(d *wire.Decoder) Trackers {
	return Trackers{Ack: decodeTracker(d), Sync: decodeTracker(d), SyncAck: decodeTracker(d)}
}

// Tracker is a grow-only map node -> version, sorted by node id.
type Tracker struct {
	entries []trackerEntry
}

type trackerEntry struct {
	Node    cluster.NodeID
	Version uint64
}

// Get returns node's entry (0 if absent).
func (t Tracker) Get(node cluster.NodeID) uint64 {
	if i, ok := t.find(node); ok {
		return t.entries[i].Version
	}
	return 0
}

// Raise sets node's entry to v if v is larger, and reports whether it did.
func (t *Tracker) Raise(node cluster.NodeID, v uint64) bool {
	i, ok := t.find(node)
	if ok {
		if t.entries[i].Version >= v {
			return false
		}
		t.entries[i].Version = v
		return true
	}
	t.entries = slices.Insert(t.entries, i, trackerEntry{Node: node, Version: v})
	return true
}

func (t *Tracker) merge(o Tracker) bool {
	changed := false
	for _, e := range o.entries {
		if t.Raise(e.Node, e.Version) {
			changed = true
		}
	}
	return changed
}

// MinOver is the smallest entry among nodes (absent nodes count as 0).
func (t Tracker) MinOver(nodes []cluster.NodeID) uint64 { return t.minOver(nodes) }

func (t Tracker) minOver(nodes []cluster.NodeID) uint64 {
	if len(nodes) == 0 {
		return 0
	}
	lowest := t.Get(nodes[0])
	for _, n := range nodes[1:] {
		lowest = min(lowest, t.Get(n))
	}
	return lowest
}

func (t Tracker) find(node cluster.NodeID) (int, bool) {
	return slices.BinarySearchFunc(t.entries, node, func(e trackerEntry, n cluster.NodeID) int { return e.Node.Compare(n) })
}

func (t Tracker) encode(e *wire.Encoder) {
	e.Uvarint(uint64(len(t.entries)))
	for _, en := range t.entries {
		e.Raw(en.Node[:])
		e.Uvarint(en.Version)
	}
}

func decodeTracker(d *wire.Decoder) Tracker {
	n := d.Len(33)
	var t Tracker
	for range n {
		var en trackerEntry
		d.Fixed(en.Node[:])
		en.Version = d.Uvarint()
		if len(t.entries) > 0 && t.entries[len(t.entries)-1].Node.Compare(en.Node) >= 0 {
			d.Failf("tracker entries not strictly sorted")
			return Tracker{}
		}
		t.entries = append(t.entries, en)
	}
	return t
}
