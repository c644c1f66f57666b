package layout

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"slices"

	"github.com/garagego/garage/node/cluster"
)

// maxMembers is how many members a version can name: the ring stores
// member indexes in one byte.
const maxMembers = 256

// AssignOptimal computes layout version number from members (gateways
// included), the replication factor rf and the zone redundancy (0 means the
// maximum, min(zones with capacity, rf)), as Garage does:
//
//  1. it maximises the partition size, the bytes each partition copy may
//     use: every partition gets rf distinct storage nodes spanning at least
//     the required number of zones, and a node holds at most
//     floor(capacity / size) copies;
//  2. among the assignments reaching that size, it moves as few partition
//     copies away from previous as possible (previous may be nil or empty).
//
// The result depends only on the arguments, not on the order of members.
// Every refusal wraps ErrNoLayout.
func AssignOptimal(number uint64, previous *Version, members []Member, rf, zoneRedundancy int) (*Version, *Report, error) {
	members = slices.Clone(members)
	slices.SortFunc(members, compareMembers)
	pl, storage, err := newPlacement(members, rf, zoneRedundancy)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrNoLayout, err)
	}
	hasPrevious := previous != nil && !previous.IsEmpty()
	if hasPrevious {
		pl.previous = previousHolders(previous, members, storage)
	}

	size, holders, ok := pl.solve()
	if !ok {
		return nil, nil, fmt.Errorf("%w: the storage nodes are too small to hold %d partition copies of even one byte each with zone redundancy %d",
			ErrNoLayout, pl.copies(), pl.zoneRedundancy)
	}

	ring := make([]uint8, 0, pl.copies())
	for _, nodes := range holders {
		for _, k := range nodes { // increasing k is increasing member index
			ring = append(ring, uint8(storage[k]))
		}
	}
	v := &Version{Number: number, ReplicationFactor: rf, ZoneRedundancy: zoneRedundancy, Members: members, ring: ring}
	if err := v.Check(); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrNoLayout, err) // a bug: the flow guarantees these invariants
	}
	v.index()

	r := newReport(v, pl, storage, size)
	if hasPrevious {
		r.Moved = moves(holders, pl.previous)
		r.MinimumMoves = minimumMoves(holders, pl.previous, len(storage))
	}
	r.explain(pl, len(members)-len(storage), hasPrevious)
	return v, r, nil
}

// newPlacement validates the sorted members and parameters and builds the
// placement problem over the storage nodes; storage maps its node indexes
// to member indexes.
func newPlacement(members []Member, rf, zoneRedundancy int) (*placement, []int, error) {
	if rf < MinReplication || rf > MaxReplication {
		return nil, nil, fmt.Errorf("replication factor %d out of [%d, %d]", rf, MinReplication, MaxReplication)
	}
	if len(members) > maxMembers {
		return nil, nil, fmt.Errorf("%d nodes, at most %d", len(members), maxMembers)
	}
	pl := &placement{partitions: cluster.NumPartitions, rf: rf}
	var storage []int
	zoneIndex := map[string]int{}
	var total uint64
	for i, m := range members {
		if i > 0 && members[i-1].ID == m.ID {
			return nil, nil, fmt.Errorf("node %s listed twice", m.ID)
		}
		if err := m.Validate(); err != nil {
			return nil, nil, fmt.Errorf("node %s: %v", m.ID, err)
		}
		if m.Gateway {
			continue
		}
		var carry uint64
		if total, carry = bits.Add64(total, m.Capacity, 0); carry != 0 {
			return nil, nil, fmt.Errorf("total capacity exceeds %d bytes", uint64(math.MaxUint64))
		}
		z, ok := zoneIndex[m.Zone]
		if !ok {
			z = len(zoneIndex)
			zoneIndex[m.Zone] = z
		}
		storage = append(storage, i)
		pl.capacity = append(pl.capacity, m.Capacity)
		pl.zone = append(pl.zone, z)
	}
	pl.zones = len(zoneIndex)
	if total == 0 {
		return nil, nil, fmt.Errorf("no storage capacity: every node is a gateway")
	}
	if len(storage) < rf {
		return nil, nil, fmt.Errorf("replication factor %d needs %d storage nodes, have %d", rf, rf, len(storage))
	}
	switch {
	case zoneRedundancy < 0:
		return nil, nil, fmt.Errorf("zone redundancy %d is negative", zoneRedundancy)
	case zoneRedundancy == 0:
		pl.zoneRedundancy = min(pl.zones, rf)
	case zoneRedundancy > rf:
		return nil, nil, fmt.Errorf("zone redundancy %d exceeds replication factor %d", zoneRedundancy, rf)
	case zoneRedundancy > pl.zones:
		return nil, nil, fmt.Errorf("zone redundancy %d needs %d zones with capacity, have %d", zoneRedundancy, zoneRedundancy, pl.zones)
	default:
		pl.zoneRedundancy = zoneRedundancy
	}
	pl.seed = placementSeed(members, rf, pl.zoneRedundancy)
	return pl, storage, nil
}

// placementSeed derives the shuffling seed from everything that defines the
// problem except the previous assignment, so equal inputs shuffle equally.
func placementSeed(members []Member, rf, zoneRedundancy int) [2]uint64 {
	var buf []byte
	buf = binary.AppendUvarint(buf, uint64(rf))
	buf = binary.AppendUvarint(buf, uint64(zoneRedundancy))
	for _, m := range members {
		buf = append(buf, m.ID[:]...)
		buf = binary.AppendUvarint(buf, uint64(len(m.Zone)))
		buf = append(buf, m.Zone...)
		buf = binary.AppendUvarint(buf, m.Capacity)
	}
	h := cluster.Sum(buf)
	return [2]uint64{binary.LittleEndian.Uint64(h[:8]), binary.LittleEndian.Uint64(h[8:16])}
}

// previousHolders translates previous's ring into storage node indexes of
// the new members; nodes that left or became gateways are dropped.
func previousHolders(previous *Version, members []Member, storage []int) [][]int {
	index := make(map[cluster.NodeID]int, len(storage))
	for k, i := range storage {
		index[members[i].ID] = k
	}
	held := make([][]int, cluster.NumPartitions)
	for p := range held {
		for _, id := range previous.NodesOf(cluster.Partition(p)) {
			if k, ok := index[id]; ok && !slices.Contains(held[p], k) {
				held[p] = append(held[p], k)
			}
		}
	}
	return held
}

// minimumMoves is a cheap lower bound on the transfers of any assignment
// giving the nodes the same copy counts as holders: a node that holds more
// copies than before must receive at least the difference.
func minimumMoves(holders, previous [][]int, nodes int) int {
	gain := make([]int, nodes)
	for _, ks := range holders {
		for _, k := range ks {
			gain[k]++
		}
	}
	for _, ks := range previous {
		for _, k := range ks {
			gain[k]--
		}
	}
	n := 0
	for _, g := range gain {
		n += max(g, 0)
	}
	return n
}
