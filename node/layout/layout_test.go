package layout

import (
	"errors"
	"fmt"
	"testing"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/wire"
	"pgregory.net/rapid"
)

func nodeID(i int) cluster.NodeID {
	return cluster.NodeID(cluster.SumString(fmt.Sprintf("node-%d", i)))
}

func members(zones []string, capacity uint64) []Member {
	var ms []Member
	for i, z := range zones {
		ms = append(ms, Member{ID: nodeID(i), Role: Role{Zone: z, Capacity: capacity}})
	}
	return ms
}

func TestAssignSpreadsZonesAndCapacity(t *testing.T) {
	v, err := Assign(1, members([]string{"a", "a", "b", "b", "c"}, 100), 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	for p := range cluster.NumPartitions {
		zones := map[string]bool{}
		for _, id := range v.NodesOf(cluster.Partition(p)) {
			m, _ := v.Member(id)
			zones[m.Zone] = true
		}
		if len(zones) != 3 {
			t.Fatalf("partition %d spans %d zones, want 3", p, len(zones))
		}
	}
	// Zone c has a single node, so it must hold every partition; the other
	// 512 copies split evenly between the four nodes of zones a and b.
	counts := v.PartitionCount()
	for i, m := range v.Members {
		want := 128
		if m.Zone == "c" {
			want = 256
		}
		if counts[i] != want {
			t.Errorf("node %d (zone %s) holds %d partitions, want %d", i, m.Zone, counts[i], want)
		}
	}
}

func TestAssignIsDeterministic(t *testing.T) {
	ms := members([]string{"a", "b", "c", "a", "b"}, 10)
	v1, _ := Assign(1, ms, 3, 0)
	// Member order must not matter.
	ms[0], ms[4] = ms[4], ms[0]
	v2, _ := Assign(1, ms, 3, 0)
	if !equalVersions(v1, v2) {
		t.Fatal("same members in another order gave another layout")
	}
}

func TestAssignRefuses(t *testing.T) {
	cases := map[string]struct {
		ms     []Member
		rf, zr int
	}{
		"too few nodes":        {members([]string{"a", "b"}, 1), 3, 0},
		"too few zones":        {members([]string{"a", "a", "a"}, 1), 3, 2},
		"bad replication":      {members([]string{"a"}, 1), 8, 0},
		"storage without size": {[]Member{{ID: nodeID(0), Role: Role{Zone: "a"}}}, 1, 0},
		"no zone":              {[]Member{{ID: nodeID(0), Role: Role{Capacity: 1}}}, 1, 0},
	}
	for name, c := range cases {
		if _, err := Assign(1, c.ms, c.rf, c.zr); !errors.Is(err, ErrNoLayout) {
			t.Errorf("%s: got %v, want ErrNoLayout", name, err)
		}
	}
}

func TestGatewaysStoreNothing(t *testing.T) {
	ms := members([]string{"a", "b", "c"}, 5)
	ms = append(ms, Member{ID: nodeID(9), Role: Role{Zone: "a", Gateway: true}})
	v, err := Assign(1, ms, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	for p := range cluster.NumPartitions {
		if v.Stores(nodeID(9), cluster.Partition(p)) {
			t.Fatalf("gateway stores partition %d", p)
		}
	}
}

// Property: any valid set of members gives a layout where every partition
// has rf distinct storage nodes spanning min(zones, rf) zones, and the
// encoding round-trips.
func TestAssignProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 9).Draw(t, "nodes")
		var ms []Member
		for i := range n {
			ms = append(ms, Member{ID: nodeID(i), Role: Role{
				Zone:     rapid.SampledFrom([]string{"z1", "z2", "z3", "z4"}).Draw(t, "zone"),
				Capacity: rapid.Uint64Range(1, 1000).Draw(t, "capacity"),
			}})
		}
		rf := rapid.IntRange(1, min(n, MaxReplication)).Draw(t, "rf")
		v, err := Assign(7, ms, rf, 0)
		if err != nil {
			t.Fatalf("assign: %v", err)
		}
		if err := v.Check(); err != nil {
			t.Fatal(err)
		}
		e := wire.NewEncoder(nil)
		v.Encode(e)
		d := wire.NewDecoder(e.Bytes())
		back := DecodeVersion(d)
		if err := d.Finish(); err != nil || !equalVersions(back, v) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func TestHistoryTwoLiveVersions(t *testing.T) {
	v1, _ := Assign(1, members([]string{"a", "b", "c"}, 1), 3, 0)
	v2, _ := Assign(2, members([]string{"a", "b", "c", "a", "b", "c"}, 1), 3, 0)
	h := NewHistory(v1)
	if _, err := h.Merge(NewHistory(v2)); err != nil {
		t.Fatal(err)
	}
	if len(h.Versions) != 2 || h.Current().Number != 2 {
		t.Fatalf("want 2 live versions, got %d", len(h.Versions))
	}
	// Until everyone synced v2, reads stay on v1 and writes go to both.
	if h.ReadVersion().Number != 1 {
		t.Fatalf("read version %d before sync, want 1", h.ReadVersion().Number)
	}
	moved := false
	for p := range cluster.NumPartitions {
		if len(h.WriteSets(cluster.Partition(p))) == 2 {
			moved = true
		}
	}
	if !moved {
		t.Fatal("no partition has two write sets although nodes were added")
	}
	for _, id := range h.Nodes() {
		h.Trackers.Sync.Raise(id, 2)
	}
	if h.ReadVersion().Number != 2 {
		t.Fatalf("read version %d after sync, want 2", h.ReadVersion().Number)
	}
	// Once every current node saw everyone synced, v1 retires.
	other := &History{Versions: h.Versions}
	for _, id := range h.Nodes() {
		other.Trackers.SyncAck.Raise(id, 2)
	}
	if _, err := h.Merge(other); err != nil {
		t.Fatal(err)
	}
	if len(h.Versions) != 1 || h.Oldest().Number != 2 {
		t.Fatalf("v1 did not retire: %d live", len(h.Versions))
	}

	e := wire.NewEncoder(nil)
	h.Encode(e)
	d := wire.NewDecoder(e.Bytes())
	if back := DecodeHistory(d); d.Finish() != nil || back.Current().Number != 2 {
		t.Fatalf("history round trip: %v", d.Err())
	}
}

func TestHistoryRefusesConflictingVersions(t *testing.T) {
	a, _ := Assign(1, members([]string{"a", "b", "c"}, 1), 3, 0)
	b, _ := Assign(1, members([]string{"a", "b", "c", "c"}, 1), 3, 0)
	if _, err := NewHistory(a).Merge(NewHistory(b)); err == nil {
		t.Fatal("two different versions 1 must be refused")
	}
}
