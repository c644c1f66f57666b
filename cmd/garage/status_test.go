package main

import (
	"strings"
	"testing"

	"github.com/garagego/garage/node/admin"
)

func TestTimeAgoInWords(t *testing.T) {
	for secs, want := range map[int64]string{0: "now", 1: "1 second ago", 59: "59 seconds ago", 60: "1 minute ago",
		7200: "2 hours ago", 86400 * 3: "3 days ago", 86400 * 14: "2 weeks ago", 86400 * 400: "1 year ago"} {
		if got := timeAgo(secs); got != want {
			t.Errorf("timeAgo(%d) = %q, want %q", secs, got, want)
		}
	}
}

// TestStatusRowsForEveryKindOfNode: a gateway's free space is N/A, a node
// with no role says so (or pending..., or draining metadata...), a down
// draining node brings Garage's skip-dead-nodes advice, and a member of
// the layout this node never heard of is failed and never seen.
func TestStatusRowsForEveryKindOfNode(t *testing.T) {
	id := func(c byte) string { return strings.Repeat(string(c), 64) }
	st := admin.ClusterStatus{Self: id('a'), Nodes: []admin.NodeStatus{
		{ID: id('a'), Hostname: "h1", Addr: "10.0.0.1:3901", Up: true, HasRole: true, Zone: "z1", Capacity: 2e12, Tags: []string{"x", "y"}, DataAvail: 5e11, DataTotal: 1e12},
		{ID: id('b'), Hostname: "h2", Addr: "10.0.0.2:3901", Up: true, HasRole: true, Zone: "z1", Gateway: true},
		{ID: id('c'), Up: true},
		{ID: id('d'), Hostname: "h4", Up: true},
		{ID: id('e'), Hostname: "h5", LastSeenSecs: 125, Draining: true},
		{ID: id('f'), Hostname: "h6", LastSeenSecs: -1}, // down, no role: not failed
	}}
	info := admin.LayoutInfo{
		Roles:  []admin.RoleInfo{{ID: id('a'), Zone: "z1", Capacity: 2e12}, {ID: id('9'), Zone: "z2", Capacity: 1e9, Tags: []string{"t"}}},
		Staged: []admin.StagedRole{{ID: id('d'), Zone: "z3", Capacity: 1e9}},
	}
	var b strings.Builder
	printStatus(&b, st, info)
	out := b.String()
	for _, want := range []string{
		id('a')[:16] + "  h1        10.0.0.1:3901  [x,y]  z1    2.0 TB    500.0 GB (50.0%)",
		id('b')[:16] + "  h2        10.0.0.2:3901  []     z1    gateway   N/A",
		id('c')[:16] + "  ?         N/A                         NO ROLE ASSIGNED",
		id('d')[:16] + "  h4        N/A                         pending...",
		id('e')[:16] + "  h5                    draining metadata...  2 minutes ago",
		id('9')[:16] + "  ??        [t]   z2    1.0 GB                never seen",
		"`garage layout skip-dead-nodes` to force progress",
		"==== STAGED ROLE CHANGES ====",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, id('f')[:16]) {
		t.Errorf("a down node with no role is listed:\n%s", out)
	}
}

// TestClusterFreeformEstimatesTheSpaceLeft: the node with the least free
// space per partition bounds the cluster; a node that does not report its
// space makes the estimate an upper bound.
func TestClusterFreeformEstimatesTheSpaceLeft(t *testing.T) {
	st := admin.ClusterStatus{Nodes: []admin.NodeStatus{
		{ID: "a", Hostname: "h1", DataAvail: 256e9, DataTotal: 512e9, MetaAvail: 512e9, MetaTotal: 512e9},
		{ID: "b", Hostname: "h2", DataAvail: 64e9, DataTotal: 512e9, MetaAvail: 512e9, MetaTotal: 512e9},
	}}
	roles := []admin.RoleInfo{{ID: "a", Zone: "z1", Capacity: 1e9, Partitions: 256}, {ID: "b", Zone: "z2", Capacity: 1e9, Partitions: 128}, {ID: "g", Gateway: true}}
	out := admin.ClusterFreeform(st, roles)
	for _, want := range []string{"  a   h1        z1    1.0 GB    256    256.0 GB/512.0 GB (50.0%)", "data: 128.0 GB\n", "metadata: 512.0 GB\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("cluster statistics lack %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "  g ") {
		t.Errorf("a gateway is listed as a storage node:\n%s", out)
	}
	roles = append(roles, admin.RoleInfo{ID: "c", Zone: "z3", Capacity: 1e9, Partitions: 256})
	if out := admin.ClusterFreeform(st, roles); !strings.Contains(out, "data: < 128.0 GB") || !strings.Contains(out, "information is missing") {
		t.Errorf("an unknown node does not make the estimate a bound:\n%s", out)
	}
}
