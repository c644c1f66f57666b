package layout

import (
	"fmt"
	"slices"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/wire"
)

// History is the set of live layout versions, oldest first, with the
// per-node trackers that decide when the oldest can retire. It is a CRDT:
// Merge is how nodes that gossip their histories converge.
type History struct {
	// Versions are the live versions, oldest first; the last is current.
	Versions []*Version
	Trackers Trackers
	// Staging holds the role changes an operator has staged for the next
	// version; Apply turns them into one.
	Staging Staging

	// writeSets indexes WriteSets and nodes Nodes; rebuilt whenever
	// Versions change.
	writeSets [][]WriteSet
	nodes     []cluster.NodeID
	stores    map[cluster.NodeID]*partitionSet
}

// partitionSet marks partitions.
type partitionSet [cluster.NumPartitions]bool

// WriteSet is the node set of one live version for one partition, with
// that version's replication factor (its quorums).
type WriteSet struct {
	Nodes             []cluster.NodeID
	ReplicationFactor int
}

// NewHistory starts a history whose only live version is v.
func NewHistory(v *Version) *History {
	h := &History{Versions: []*Version{v}, Staging: Staging{Base: v.Number}}
	h.index()
	return h
}

// Clone returns a copy that can be changed without affecting h. Versions are
// immutable and shared.
func (h *History) Clone() *History {
	c := &History{Versions: slices.Clone(h.Versions), Trackers: h.Trackers.clone(), Staging: h.Staging, writeSets: h.writeSets, nodes: h.nodes, stores: h.stores}
	return c
}

// Current is the newest live version.
func (h *History) Current() *Version { return h.Versions[len(h.Versions)-1] }

// Oldest is the oldest live version.
func (h *History) Oldest() *Version { return h.Versions[0] }

// WriteSets lists, for partition p, the node set of each live version whose
// set differs from the others. A write is acknowledged only once it reached
// a write quorum in every set, so whichever version reads use, they see it.
//
// The result is shared: callers must not modify it.
func (h *History) WriteSets(p cluster.Partition) []WriteSet {
	if h.writeSets != nil {
		return h.writeSets[p]
	}
	return h.computeWriteSets(p)
}

func (h *History) computeWriteSets(p cluster.Partition) []WriteSet {
	sets := make([]WriteSet, 0, len(h.Versions))
	for _, v := range h.Versions {
		set := WriteSet{Nodes: v.NodesOf(p), ReplicationFactor: v.ReplicationFactor}
		if len(set.Nodes) == 0 {
			continue // version 0
		}
		if !slices.ContainsFunc(sets, func(s WriteSet) bool {
			return s.ReplicationFactor == set.ReplicationFactor && sameSet(s.Nodes, set.Nodes)
		}) {
			sets = append(sets, set)
		}
	}
	return sets
}

// index builds the WriteSets and Nodes indexes.
func (h *History) index() {
	h.writeSets = make([][]WriteSet, cluster.NumPartitions)
	for p := range h.writeSets {
		h.writeSets[p] = h.computeWriteSets(cluster.Partition(p))
	}
	h.nodes = h.computeNodes()
	h.stores = map[cluster.NodeID]*partitionSet{}
	for p, sets := range h.writeSets {
		for _, set := range sets {
			for _, id := range set.Nodes {
				ps := h.stores[id]
				if ps == nil {
					ps = new(partitionSet)
					h.stores[id] = ps
				}
				ps[p] = true
			}
		}
	}
}

// ReadVersion is the version reads go to: the newest live version that
// every node of every live version reports as synced. Until a new version's
// data has been copied everywhere, reads stay on the older one, whose nodes
// still hold everything acknowledged before the change.
func (h *History) ReadVersion() *Version {
	if len(h.Versions) == 1 {
		return h.Versions[0]
	}
	synced := h.Trackers.Sync.minOver(h.Nodes())
	read := h.Versions[0]
	for _, v := range h.Versions[1:] {
		if v.Number <= synced {
			read = v
		}
	}
	return read
}

// ReadSet is the node set reads of partition p go to.
func (h *History) ReadSet(p cluster.Partition) []cluster.NodeID { return h.ReadVersion().NodesOf(p) }

// Nodes lists every member of every live version (gateways included),
// sorted. The slice is shared: callers must not modify it.
func (h *History) Nodes() []cluster.NodeID {
	if h.nodes != nil {
		return h.nodes
	}
	return h.computeNodes()
}

func (h *History) computeNodes() []cluster.NodeID {
	ids := []cluster.NodeID{}
	for _, v := range h.Versions {
		for _, m := range v.Members {
			ids = append(ids, m.ID)
		}
	}
	slices.SortFunc(ids, cluster.NodeID.Compare)
	return slices.Compact(ids)
}

// StoredBy reports, for every partition, whether node stores it in some
// live version.
func (h *History) StoredBy(node cluster.NodeID) (set [cluster.NumPartitions]bool) {
	if h.stores != nil {
		if ps := h.stores[node]; ps != nil {
			set = *ps
		}
		return set
	}
	for p := range set {
		set[p] = h.StoresAny(node, cluster.Partition(p))
	}
	return set
}

// StoresAny reports whether node stores partition p in some live version.
func (h *History) StoresAny(node cluster.NodeID, p cluster.Partition) bool {
	if h.stores != nil {
		ps := h.stores[node]
		return ps != nil && ps[p]
	}
	for _, set := range h.WriteSets(p) {
		if slices.Contains(set.Nodes, node) {
			return true
		}
	}
	return false
}

// Merge joins other into h and reports whether h changed. Versions newer
// than h's current one are appended; if other's oldest live version is newer
// than h's current one, h has missed versions and adopts other's list.
// Trackers join by maximum. Two different versions with one number are an
// operator error (two concurrent applies) and are refused.
func (h *History) Merge(other *History) (bool, error) {
	changed := false
	cur := h.Current().Number
	switch {
	case other.Oldest().Number > cur+1:
		h.Versions = slices.Clone(other.Versions)
		changed = true
	default:
		for _, v := range other.Versions {
			if v.Number <= cur {
				mine := h.version(v.Number)
				if mine != nil && !equalVersions(mine, v) {
					return false, fmt.Errorf("layout: two different versions numbered %d", v.Number)
				}
				continue
			}
			if v.Number != h.Current().Number+1 {
				return changed, fmt.Errorf("layout: version %d does not follow %d", v.Number, h.Current().Number)
			}
			h.Versions = append(h.Versions, v)
			changed = true
		}
	}
	if h.Trackers.merge(other.Trackers) {
		changed = true
	}
	if h.Staging.merge(other.Staging) {
		changed = true
	}
	if h.retire() {
		changed = true
	}
	if changed {
		h.index()
	}
	return changed, nil
}

// Prune retires the live versions no node reads from any more (every
// current node's sync-ack passed them) and reports whether any did.
func (h *History) Prune() bool {
	if h.retire() {
		h.index()
		return true
	}
	return false
}

// retire drops live versions that every current node has seen synced
// everywhere (sync-ack), so no node reads from them any more.
func (h *History) retire() bool {
	if len(h.Versions) == 1 {
		return false
	}
	if h.Versions[0].IsEmpty() {
		// Version 0 holds no data: nothing to sync away from it.
		h.Versions = slices.Clone(h.Versions[1:])
		h.retire()
		return true
	}
	var current []cluster.NodeID
	for _, m := range h.Current().Members {
		current = append(current, m.ID)
	}
	done := h.Trackers.SyncAck.minOver(current)
	i := 0
	for i < len(h.Versions)-1 && h.Versions[i+1].Number <= done {
		i++
	}
	if i == 0 {
		return false
	}
	h.Versions = slices.Clone(h.Versions[i:])
	return true
}

func (h *History) version(n uint64) *Version {
	for _, v := range h.Versions {
		if v.Number == n {
			return v
		}
	}
	return nil
}

// Encode writes h.
func (h *History) Encode(e *wire.Encoder) {
	e.Uvarint(uint64(len(h.Versions)))
	for _, v := range h.Versions {
		v.Encode(e)
	}
	h.Trackers.encode(e)
	h.Staging.encode(e)
}

// DecodeHistory reads a History.
func DecodeHistory(d *wire.Decoder) *History {
	n := d.Len(8)
	if n == 0 {
		d.Failf("layout history without versions")
		return nil
	}
	h := &History{}
	for range n {
		v := DecodeVersion(d)
		if v == nil {
			return nil
		}
		if len(h.Versions) > 0 && v.Number != h.Current().Number+1 {
			d.Failf("layout history versions not consecutive")
			return nil
		}
		h.Versions = append(h.Versions, v)
	}
	h.Trackers = decodeTrackers(d)
	h.Staging = decodeStaging(d)
	if d.Err() != nil {
		return nil
	}
	h.index()
	return h
}

func sameSet(a, b []cluster.NodeID) bool {
	if len(a) != len(b) {
		return false
	}
	for _, id := range a {
		if !slices.Contains(b, id) {
			return false
		}
	}
	return true
}

func equalVersions(a, b *Version) bool {
	ea, eb := wire.NewEncoder(nil), wire.NewEncoder(nil)
	a.Encode(ea)
	b.Encode(eb)
	return string(ea.Bytes()) == string(eb.Bytes())
}
