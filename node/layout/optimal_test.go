package layout

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/garagego/garage/node/cluster"
	"pgregory.net/rapid"
)

const gigabyte = 1_000_000_000

func storageNode(i int, zone string, capacity uint64) Member {
	return Member{ID: nodeID(i), Role: Role{Zone: zone, Capacity: capacity}}
}

func gatewayNode(i int, zone string) Member {
	return Member{ID: nodeID(i), Role: Role{Zone: zone, Gateway: true}}
}

// drawMembers draws 1–9 members in 1–4 zones, a few of them gateways, with
// capacities 1..1000 units; it returns them with a valid rf and zone
// redundancy.
func drawMembers(t *rapid.T, unit uint64) (ms []Member, rf, zr int) {
	n := rapid.IntRange(1, 9).Draw(t, "nodes")
	zones := rapid.IntRange(1, 4).Draw(t, "zones")
	storage, storageZones := 0, map[string]bool{}
	for i := range n {
		zone := fmt.Sprintf("z%d", rapid.IntRange(0, zones-1).Draw(t, "zone"))
		if i > 0 && rapid.IntRange(0, 5).Draw(t, "gateway") == 0 {
			ms = append(ms, gatewayNode(i, zone))
			continue
		}
		capacity := uint64(rapid.IntRange(1, 1000).Draw(t, "capacity")) * unit
		ms = append(ms, storageNode(i, zone, capacity))
		storage++
		storageZones[zone] = true
	}
	rf = rapid.IntRange(1, min(storage, MaxReplication)).Draw(t, "rf")
	zr = rapid.IntRange(0, min(len(storageZones), rf)).Draw(t, "zoneRedundancy")
	return ms, rf, zr
}

// checkLayout checks everything AssignOptimal promises about v and r.
func checkLayout(t *rapid.T, number uint64, ms []Member, rf, zr int, v *Version, r *Report) {
	if err := v.Check(); err != nil {
		t.Fatal(err)
	}
	if v.nodes == nil {
		t.Fatal("index not built")
	}
	if v.Number != number || v.ReplicationFactor != rf || v.ZoneRedundancy != zr || len(v.Members) != len(ms) {
		t.Fatalf("header %d/%d/%d with %d members, want %d/%d/%d with %d",
			v.Number, v.ReplicationFactor, v.ZoneRedundancy, len(v.Members), number, rf, zr, len(ms))
	}
	zones := map[string]bool{}
	for _, m := range ms {
		if !m.Gateway {
			zones[m.Zone] = true
		}
	}
	wantZones := zr
	if zr == 0 {
		wantZones = min(len(zones), rf)
	}
	s := r.PartitionSize
	counts := map[cluster.NodeID]int{}
	for p := range cluster.NumPartitions {
		nodes := v.NodesOf(cluster.Partition(p))
		spanned := map[string]bool{}
		for i, id := range nodes {
			m, ok := v.Member(id)
			if !ok || m.Gateway || slices.Contains(nodes[:i], id) {
				t.Fatalf("partition %d on %v: unknown, gateway or repeated node", p, nodes)
			}
			spanned[m.Zone] = true
			counts[id]++
		}
		if len(nodes) != rf || len(spanned) < wantZones {
			t.Fatalf("partition %d: %d nodes in %d zones, want %d in ≥ %d", p, len(nodes), len(spanned), rf, wantZones)
		}
	}
	if s == 0 || r.UsableCapacity != s*cluster.NumPartitions {
		t.Fatalf("partition size %d, usable capacity %d", s, r.UsableCapacity)
	}
	total := 0
	for _, n := range r.Nodes {
		m, _ := v.Member(n.ID)
		if n.Partitions != counts[n.ID] || n.Capacity != m.Capacity || n.Used != uint64(n.Partitions)*s {
			t.Fatalf("report for %s: %+v, holds %d", n.ID, n, counts[n.ID])
		}
		if uint64(n.Partitions) > m.Capacity/s {
			t.Fatalf("node %s holds %d copies of %d bytes, capacity %d", n.ID, n.Partitions, s, m.Capacity)
		}
		total += n.Partitions
	}
	if total != cluster.NumPartitions*rf || len(r.Zones) != len(zones) {
		t.Fatalf("report counts %d copies in %d zones", total, len(r.Zones))
	}
}

func TestAssignOptimalProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		unit := rapid.SampledFrom([]uint64{1, gigabyte}).Draw(t, "unit")
		ms, rf, zr := drawMembers(t, unit)
		v, r, err := AssignOptimal(1, nil, ms, rf, zr)
		if err != nil {
			// Only capacities below one byte per partition can make a valid
			// configuration infeasible: with every node able to take a copy
			// of every partition, rf nodes over zr zones always fit.
			tiny := slices.ContainsFunc(ms, func(m Member) bool { return !m.Gateway && m.Capacity < cluster.NumPartitions })
			if !errors.Is(err, ErrNoLayout) || !tiny {
				t.Fatalf("refused a valid configuration: %v", err)
			}
			return
		}
		checkLayout(t, 1, ms, rf, zr, v, r)
		if r.Moved != 0 || r.MinimumMoves != 0 {
			t.Fatalf("moved %d (min %d) without a previous version", r.Moved, r.MinimumMoves)
		}

		// The order of members does not matter.
		shuffled := rapid.Permutation(ms).Draw(t, "shuffled")
		v2, r2, err := AssignOptimal(1, nil, shuffled, rf, zr)
		if err != nil || !equalVersions(v, v2) || r2.String() != r.String() {
			t.Fatalf("shuffled members gave another layout (%v)", err)
		}

		// Nothing changed: nothing moves, and the ring is the same.
		v3, r3, err := AssignOptimal(2, v, ms, rf, zr)
		if err != nil || r3.Moved != 0 || !slices.Equal(v3.ring, v.ring) || r3.PartitionSize != r.PartitionSize {
			t.Fatalf("rerun moved %d copies (%v)", r3.Moved, err)
		}
	})
}

// A changed membership still yields a valid layout, and the moves reported
// are consistent: at least the lower bound, at most every copy, and exactly
// the copies on nodes that did not hold them.
func TestAssignOptimalAfterChange(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ms, rf, zr := drawMembers(t, gigabyte)
		v, _, err := AssignOptimal(1, nil, ms, rf, zr)
		if err != nil {
			t.Fatal(err)
		}
		changed := slices.Clone(ms)
		switch rapid.IntRange(0, 2).Draw(t, "change") {
		case 0:
			zone := fmt.Sprintf("z%d", rapid.IntRange(0, 4).Draw(t, "newZone"))
			changed = append(changed, storageNode(100, zone, uint64(rapid.IntRange(1, 1000).Draw(t, "newCapacity"))*gigabyte))
		case 1:
			i := rapid.IntRange(0, len(changed)-1).Draw(t, "resized")
			if !changed[i].Gateway {
				changed[i].Capacity = uint64(rapid.IntRange(1, 1000).Draw(t, "capacity")) * gigabyte
			}
		case 2:
			i := rapid.IntRange(0, len(changed)-1).Draw(t, "removed")
			changed = slices.Delete(changed, i, i+1)
		}
		v2, r2, err := AssignOptimal(2, v, changed, rf, zr)
		if err != nil {
			if !errors.Is(err, ErrNoLayout) {
				t.Fatal(err)
			}
			return // removing a node can leave too few nodes or zones
		}
		checkLayout(t, 2, changed, rf, zr, v2, r2)
		moved := 0
		for p := range cluster.NumPartitions {
			for _, id := range v2.NodesOf(cluster.Partition(p)) {
				if !v.Stores(id, cluster.Partition(p)) {
					moved++
				}
			}
		}
		if r2.Moved != moved || r2.Moved < r2.MinimumMoves || r2.Moved > cluster.NumPartitions*rf {
			t.Fatalf("reported %d moves (min %d), counted %d", r2.Moved, r2.MinimumMoves, moved)
		}
	})
}

func TestAssignOptimalSplitsEqualNodesEvenly(t *testing.T) {
	var ms []Member
	for i, zone := range []string{"a", "a", "b", "b", "c", "c"} {
		ms = append(ms, storageNode(i, zone, 1<<30))
	}
	v, r, err := AssignOptimal(1, nil, ms, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range v.PartitionCount() {
		if c != 128 {
			t.Errorf("node %d holds %d copies, want 128", i, c)
		}
	}
	if r.PartitionSize != 1<<30/128 || r.UsableCapacity != 2<<30 {
		t.Errorf("partition size %d, usable %d", r.PartitionSize, r.UsableCapacity)
	}
}

// The example of Garage's documentation: capacity is a weight constrained by
// zones. Zone c alone must hold a copy of everything, so it sets the size.
func TestAssignOptimalZoneBottleneck(t *testing.T) {
	ms := []Member{
		storageNode(0, "a", 1000*gigabyte),
		storageNode(1, "a", 1000*gigabyte),
		storageNode(2, "b", 1000*gigabyte),
		storageNode(3, "c", 256*gigabyte),
	}
	v, r, err := AssignOptimal(1, nil, ms, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.PartitionSize != gigabyte {
		t.Errorf("partition size %d, want 1 GB", r.PartitionSize)
	}
	// A node added to zone a raises nothing: zone c still limits the size,
	// so keeping every copy in place is optimal and the newcomer gets none.
	ms = append(ms, storageNode(4, "a", 1000*gigabyte))
	v2, r2, err := AssignOptimal(2, v, ms, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	if r2.PartitionSize != gigabyte || r2.Moved != 0 || !slices.Equal(v2.NodesOf(7), v.NodesOf(7)) {
		t.Errorf("size %d, moved %d", r2.PartitionSize, r2.Moved)
	}
	if c, _ := nodeUsage(r2, nodeID(4)); c != 0 {
		t.Errorf("newcomer holds %d copies, want 0", c)
	}
	// The report says so, so the operator is not left wondering.
	if !strings.Contains(r2.String(), "WARNING: node "+nodeID(4).String()+" gets no partitions") {
		t.Errorf("no warning about the idle newcomer:\n%s", r2)
	}
	if strings.Contains(r.String(), "gets no partitions") {
		t.Errorf("a warning where every node has partitions:\n%s", r)
	}
}

func nodeUsage(r *Report, id cluster.NodeID) (int, bool) {
	for _, n := range r.Nodes {
		if n.ID == id {
			return n.Partitions, true
		}
	}
	return 0, false
}

// A joining node takes only what it must: with zone-balanced capacities,
// the transfers equal the copies the newcomer receives.
func TestAssignOptimalJoinMovesOnlyToNewcomer(t *testing.T) {
	ms, joined := joinCluster()
	v, _, err := AssignOptimal(1, nil, ms, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, r, err := AssignOptimal(2, v, append(ms, joined), 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := nodeUsage(r, joined.ID)
	if got == 0 || r.Moved != got || r.MinimumMoves != got {
		t.Fatalf("newcomer holds %d, moved %d, bound %d", got, r.Moved, r.MinimumMoves)
	}
	if !strings.Contains(r.String(), fmt.Sprintf("A total of %d partition copies", got)) {
		t.Errorf("report does not tell the moves:\n%s", r)
	}
}

// joinCluster is 10 nodes in 4 zones of unequal sizes, and an 11th node.
func joinCluster() ([]Member, Member) {
	var ms []Member
	for i, zone := range []string{"a", "a", "a", "b", "b", "b", "c", "c", "d", "d"} {
		ms = append(ms, storageNode(i, zone, uint64(2+i%3)*1000*gigabyte))
	}
	return ms, storageNode(10, "c", 3000*gigabyte)
}

func TestAssignOptimalRefuses(t *testing.T) {
	three := []Member{storageNode(0, "a", gigabyte), storageNode(1, "b", gigabyte), storageNode(2, "b", gigabyte)}
	cases := map[string]struct {
		ms     []Member
		rf, zr int
	}{
		"replication 0":                  {three, 0, 0},
		"replication 8":                  {three, 8, 0},
		"fewer storage nodes than rf":    {append(slices.Clone(three[:2]), gatewayNode(3, "c")), 3, 0},
		"zone redundancy above zones":    {three, 3, 3},
		"zone redundancy above rf":       {three, 1, 2},
		"negative zone redundancy":       {three, 2, -1},
		"no capacity":                    {[]Member{gatewayNode(0, "a"), gatewayNode(1, "b")}, 1, 0},
		"node listed twice":              {append(slices.Clone(three), storageNode(1, "c", gigabyte)), 2, 0},
		"empty zone":                     {append(slices.Clone(three), storageNode(3, "", gigabyte)), 2, 0},
		"storage without capacity":       {append(slices.Clone(three), Member{ID: nodeID(3), Role: Role{Zone: "a"}}), 2, 0},
		"gateway with capacity":          {append(slices.Clone(three), Member{ID: nodeID(3), Role: Role{Zone: "a", Gateway: true, Capacity: 1}}), 2, 0},
		"capacity under a byte a copy":   {[]Member{storageNode(0, "a", 255)}, 1, 0},
		"total capacity overflows":       {[]Member{storageNode(0, "a", math.MaxUint64), storageNode(1, "a", 1)}, 1, 0},
		"more members than ring indexes": {manyMembers(maxMembers + 1), 1, 0},
	}
	for name, c := range cases {
		if _, _, err := AssignOptimal(1, nil, c.ms, c.rf, c.zr); !errors.Is(err, ErrNoLayout) {
			t.Errorf("%s: got %v, want ErrNoLayout", name, err)
		}
	}
}

func manyMembers(n int) []Member {
	ms := make([]Member, n)
	for i := range ms {
		ms[i] = storageNode(i, "a", gigabyte)
	}
	return ms
}

// Huge capacities must not overflow anywhere.
func TestAssignOptimalPetabytes(t *testing.T) {
	const petabyte = 1_000_000 * gigabyte
	var ms []Member
	for i := range 12 {
		ms = append(ms, storageNode(i, fmt.Sprintf("z%d", i%4), uint64(100+i)*petabyte))
	}
	v, r, err := AssignOptimal(1, nil, ms, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Check(); err != nil {
		t.Fatal(err)
	}
	for _, n := range r.Nodes {
		if n.Used > n.Capacity || n.Usage > 100 {
			t.Fatalf("node %s uses %d of %d", n.ID, n.Used, n.Capacity)
		}
	}
	if r.UsableCapacity*3 > r.TotalCapacity || r.UsableCapacity*3 < r.TotalCapacity/10*9 {
		t.Fatalf("usable %d of total %d", r.UsableCapacity, r.TotalCapacity)
	}
}

func TestAssignOptimalSmallSizeWarns(t *testing.T) {
	_, r, err := AssignOptimal(1, nil, []Member{storageNode(0, "a", 1000)}, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.PartitionSize != 3 || !strings.Contains(r.String(), "WARNING") {
		t.Fatalf("size %d, report:\n%s", r.PartitionSize, r)
	}
}

func BenchmarkAssign100Nodes10Zones(b *testing.B) {
	var ms []Member
	for i := range 100 {
		ms = append(ms, storageNode(i, fmt.Sprintf("zone-%d", i%10), uint64(1+i%7)*1000*gigabyte))
	}
	for b.Loop() {
		if _, _, err := AssignOptimal(1, nil, ms, 3, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMovesOneJoin reports the copies moved when an 11th node joins,
// next to the copies the newcomer must receive (a lower bound on moves).
func BenchmarkMovesOneJoin(b *testing.B) {
	ms, joined := joinCluster()
	v, _, err := AssignOptimal(1, nil, ms, 3, 0)
	if err != nil {
		b.Fatal(err)
	}
	var r *Report
	for b.Loop() {
		if _, r, err = AssignOptimal(2, v, append(ms, joined), 3, 0); err != nil {
			b.Fatal(err)
		}
	}
	received, _ := nodeUsage(r, joined.ID)
	b.ReportMetric(float64(r.Moved), "moved")
	b.ReportMetric(float64(received), "min-moves")
}
