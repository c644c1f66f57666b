package layout

import (
	"fmt"
	"slices"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/wire"
)

// Replication factor bounds, as in Garage.
const (
	MinReplication     = 1
	MaxReplication     = 7
	DefaultReplication = 3
)

// Version is one numbered layout: the members and, for each partition, the
// ReplicationFactor members that store it.
type Version struct {
	Number            uint64
	ReplicationFactor int
	// ZoneRedundancy is how many distinct zones each partition must span;
	// 0 means "as many as possible" (Garage's "maximum").
	ZoneRedundancy int
	// Members are sorted by id; gateways included.
	Members []Member
	// ring holds, for partition p, the member indexes at
	// ring[p*ReplicationFactor : (p+1)*ReplicationFactor].
	ring []uint8
	// nodes indexes NodesOf (every request looks it up); built by Assign
	// and DecodeVersion, after which a Version is never modified.
	nodes [][]cluster.NodeID
}

// Empty is version 0: the layout of a cluster nobody has configured yet,
// with no members and no partition assigned. rf is the cluster's
// replication factor, which the first real version will use.
func Empty(rf int) *Version {
	v := &Version{ReplicationFactor: rf}
	v.index()
	return v
}

// IsEmpty reports whether v assigns no partition (version 0).
func (v *Version) IsEmpty() bool { return len(v.ring) == 0 }

// NodesOf returns the nodes storing partition p, in ring order. The slice
// is shared: callers must not modify it.
func (v *Version) NodesOf(p cluster.Partition) []cluster.NodeID {
	if v.nodes != nil {
		return v.nodes[p]
	}
	return v.lookup(p)
}

func (v *Version) lookup(p cluster.Partition) []cluster.NodeID {
	if v.IsEmpty() {
		return nil
	}
	rf := v.ReplicationFactor
	out := make([]cluster.NodeID, rf)
	for i, m := range v.ring[int(p)*rf : (int(p)+1)*rf] {
		out[i] = v.Members[m].ID
	}
	return out
}

// index builds the NodesOf index.
func (v *Version) index() {
	v.nodes = make([][]cluster.NodeID, cluster.NumPartitions)
	for p := range v.nodes {
		v.nodes[p] = v.lookup(cluster.Partition(p))
	}
}

// Stores reports whether node stores partition p in this version.
func (v *Version) Stores(node cluster.NodeID, p cluster.Partition) bool {
	for _, id := range v.NodesOf(p) {
		if id == node {
			return true
		}
	}
	return false
}

// Member finds a member by id.
func (v *Version) Member(id cluster.NodeID) (Member, bool) {
	i, ok := slices.BinarySearchFunc(v.Members, Member{ID: id}, compareMembers)
	if !ok {
		return Member{}, false
	}
	return v.Members[i], true
}

// PartitionCount is how many partitions each member stores, indexed like
// Members.
func (v *Version) PartitionCount() []int {
	counts := make([]int, len(v.Members))
	for _, m := range v.ring {
		counts[m]++
	}
	return counts
}

// Check verifies the structural invariants every version must hold: each
// partition has ReplicationFactor distinct storage members, and spans at
// least the required number of zones.
func (v *Version) Check() error {
	if v.ReplicationFactor < MinReplication || v.ReplicationFactor > MaxReplication {
		return fmt.Errorf("layout v%d: replication factor %d out of [%d, %d]", v.Number, v.ReplicationFactor, MinReplication, MaxReplication)
	}
	if !slices.IsSortedFunc(v.Members, compareMembers) {
		return fmt.Errorf("layout v%d: members not sorted", v.Number)
	}
	if v.Number == 0 {
		if len(v.Members) != 0 || len(v.ring) != 0 {
			return fmt.Errorf("layout v0 must be empty")
		}
		return nil
	}
	if len(v.ring) != cluster.NumPartitions*v.ReplicationFactor {
		return fmt.Errorf("layout v%d: ring has %d slots, want %d", v.Number, len(v.ring), cluster.NumPartitions*v.ReplicationFactor)
	}
	want := v.requiredZones()
	for p := range cluster.NumPartitions {
		idx := v.ring[p*v.ReplicationFactor : (p+1)*v.ReplicationFactor]
		zones := map[string]bool{}
		for i, m := range idx {
			if int(m) >= len(v.Members) {
				return fmt.Errorf("layout v%d: partition %d: member index %d out of range", v.Number, p, m)
			}
			if v.Members[m].Gateway {
				return fmt.Errorf("layout v%d: partition %d assigned to gateway %s", v.Number, p, v.Members[m].ID)
			}
			if slices.Contains(idx[:i], m) {
				return fmt.Errorf("layout v%d: partition %d holds node %s twice", v.Number, p, v.Members[m].ID)
			}
			zones[v.Members[m].Zone] = true
		}
		if len(zones) < want {
			return fmt.Errorf("layout v%d: partition %d spans %d zones, want %d", v.Number, p, len(zones), want)
		}
	}
	return nil
}

// requiredZones is the zone redundancy this version must reach.
func (v *Version) requiredZones() int {
	zones := map[string]bool{}
	for _, m := range v.Members {
		if !m.Gateway {
			zones[m.Zone] = true
		}
	}
	if v.ZoneRedundancy > 0 {
		return v.ZoneRedundancy
	}
	return min(len(zones), v.ReplicationFactor)
}

// Encode writes v.
func (v *Version) Encode(e *wire.Encoder) {
	e.Uvarint(v.Number)
	e.Uvarint(uint64(v.ReplicationFactor))
	e.Uvarint(uint64(v.ZoneRedundancy))
	e.Uvarint(uint64(len(v.Members)))
	for _, m := range v.Members {
		m.encode(e)
	}
	e.BytesField(v.ring)
}

// DecodeVersion reads a Version and checks its invariants.
func DecodeVersion(d *wire.Decoder) *Version {
	v := &Version{}
	v.Number = d.Uvarint()
	v.ReplicationFactor = int(d.Uvarint())
	v.ZoneRedundancy = int(d.Uvarint())
	n := d.Len(34)
	for range n {
		v.Members = append(v.Members, decodeMember(d))
	}
	v.ring = d.BytesField()
	if d.Err() != nil {
		return nil
	}
	if err := v.Check(); err != nil {
		d.Fail(err)
		return nil
	}
	v.index()
	return v
}
