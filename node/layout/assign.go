package layout

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/garagego/garage/node/cluster"
)

// ErrNoLayout is wrapped by every reason Assign refuses to build a layout.
var ErrNoLayout = errors.New("no layout possible")

// Assign builds layout version number from the members' roles: every
// partition gets rf distinct storage nodes, in distinct zones whenever there
// are enough zones, and each node gets a share of partitions proportional to
// its capacity. It is deterministic: the same members give the same ring.
//
// This is the greedy placement; the capacity-optimal, movement-minimising
// flow algorithm replaces it with the layout-change work.
func Assign(number uint64, members []Member, rf, zoneRedundancy int) (*Version, error) {
	if rf < MinReplication || rf > MaxReplication {
		return nil, fmt.Errorf("%w: replication factor %d out of [%d, %d]", ErrNoLayout, rf, MinReplication, MaxReplication)
	}
	members = slices.Clone(members)
	slices.SortFunc(members, compareMembers)
	if len(members) > 255 {
		return nil, fmt.Errorf("%w: %d nodes, at most 255", ErrNoLayout, len(members))
	}
	var storage []int
	zones := map[string]bool{}
	var total uint64
	for i, m := range members {
		if i > 0 && members[i-1].ID == m.ID {
			return nil, fmt.Errorf("%w: node %s listed twice", ErrNoLayout, m.ID)
		}
		if err := m.Validate(); err != nil {
			return nil, fmt.Errorf("%w: node %s: %v", ErrNoLayout, m.ID, err)
		}
		if !m.Gateway {
			storage = append(storage, i)
			zones[m.Zone] = true
			total += m.Capacity
		}
	}
	if len(storage) < rf {
		return nil, fmt.Errorf("%w: replication factor %d needs %d storage nodes, have %d", ErrNoLayout, rf, rf, len(storage))
	}
	if zoneRedundancy > 0 {
		if zoneRedundancy > rf {
			return nil, fmt.Errorf("%w: zone redundancy %d exceeds replication factor %d", ErrNoLayout, zoneRedundancy, rf)
		}
		if zoneRedundancy > len(zones) {
			return nil, fmt.Errorf("%w: zone redundancy %d needs %d zones, have %d", ErrNoLayout, zoneRedundancy, zoneRedundancy, len(zones))
		}
	}

	// quota[i] is the number of partition copies node i should hold.
	quota := make([]float64, len(members))
	for _, i := range storage {
		quota[i] = float64(cluster.NumPartitions*rf) * float64(members[i].Capacity) / float64(total)
	}
	assigned := make([]int, len(members))
	ring := make([]uint8, 0, cluster.NumPartitions*rf)
	for p := range cluster.NumPartitions {
		var chosen []int
		usedZones := map[string]bool{}
		for range rf {
			best := -1
			for _, i := range storage {
				if slices.Contains(chosen, i) {
					continue
				}
				if len(usedZones) < len(zones) && usedZones[members[i].Zone] {
					continue // another zone is still free for this partition
				}
				if best < 0 || better(p, members, assigned, quota, i, best) {
					best = i
				}
			}
			chosen = append(chosen, best)
			usedZones[members[best].Zone] = true
			assigned[best]++
		}
		for _, i := range chosen {
			ring = append(ring, uint8(i))
		}
	}
	v := &Version{Number: number, ReplicationFactor: rf, ZoneRedundancy: zoneRedundancy, Members: members, ring: ring}
	if err := v.Check(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoLayout, err)
	}
	v.index()
	return v, nil
}

// better reports whether node a is a better next holder for partition p than
// node b: the one furthest below its capacity share wins, and a per-partition
// hash breaks ties so equal nodes share partitions evenly.
func better(p int, members []Member, assigned []int, quota []float64, a, b int) bool {
	fa := float64(assigned[a]+1) / quota[a]
	fb := float64(assigned[b]+1) / quota[b]
	if fa != fb {
		return fa < fb
	}
	return tieBreak(p, members[a].ID) < tieBreak(p, members[b].ID)
}

func tieBreak(p int, id cluster.NodeID) uint64 {
	var buf [33]byte
	buf[0] = byte(p)
	copy(buf[1:], id[:])
	h := cluster.Sum(buf[:])
	return binary.BigEndian.Uint64(h[:8])
}
