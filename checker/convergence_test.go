package checker

import (
	"fmt"
	"strings"
	"testing"
)

func TestConvergenceAcceptsIdenticalReplicas(t *testing.T) {
	replicas := []ReplicaState{
		{Group: "g1", Replica: "n1", Items: []Item{{keyA, "t1"}, {keyB, "t2"}}},
		{Group: "g1", Replica: "n2", Items: []Item{{keyB, "t2"}, {keyA, "t1"}}},
		{Group: "g2", Replica: "n3", Items: []Item{{keyC, "t9"}}},
		{Group: "g2", Replica: "n1", Items: []Item{{keyC, "t9"}}},
		{Group: "g3", Replica: "n1"},
		{Group: "g3", Replica: "n2"},
	}
	expectNone(t, CheckConvergence(replicas))
}

func TestConvergenceRejectsDivergentReplicas(t *testing.T) {
	replicas := []ReplicaState{
		{Group: "g1", Replica: "n3", Items: []Item{{keyA, "t1"}, {keyB, "t2"}}},
		{Group: "g1", Replica: "n1", Items: []Item{{keyA, "t1"}, {keyB, "t3"}}},
		{Group: "g1", Replica: "n2", Items: []Item{{keyA, "t1"}}},
	}
	vs := CheckConvergence(replicas)
	if len(vs) != 1 {
		t.Fatalf("want 1 violation, got %v", vs)
	}
	v := vs[0]
	want := "group g1: replicas disagree on p/b: n1 @t3, n2 missing, n3 @t2"
	if v.Property != Convergence || v.Key != keyB || v.Message != want {
		t.Errorf("got %v\nwant message %q", v, want)
	}
}

func TestConvergenceReportsFirstFewKeysAndCountsTheRest(t *testing.T) {
	var items []Item
	for i := range MaxDivergentKeysPerGroup + 3 {
		items = append(items, Item{Key{"p", fmt.Sprintf("k%02d", i)}, "t1"})
	}
	vs := CheckConvergence([]ReplicaState{
		{Group: "g", Replica: "n1", Items: items},
		{Group: "g", Replica: "n2"},
	})
	if len(vs) != MaxDivergentKeysPerGroup+1 {
		t.Fatalf("want %d violations, got %d: %v", MaxDivergentKeysPerGroup+1, len(vs), vs)
	}
	if vs[0].Key.Sort != "k00" || vs[MaxDivergentKeysPerGroup-1].Key.Sort != "k04" {
		t.Errorf("not the first keys in order: %v", vs)
	}
	if last := vs[len(vs)-1].Message; !strings.Contains(last, "3 more keys differ (8 in all") {
		t.Errorf("summary = %q", last)
	}
}

func TestConvergenceRejectsDuplicates(t *testing.T) {
	vs := CheckConvergence([]ReplicaState{
		{Group: "g", Replica: "n1", Items: []Item{{keyA, "t1"}, {keyA, "t2"}}},
		{Group: "g", Replica: "n1", Items: []Item{{keyA, "t2"}}},
	})
	if len(vs) != 2 {
		t.Fatalf("want 2 violations, got %v", vs)
	}
	if !strings.Contains(vs[0].Message, "holds p/a twice") || !strings.Contains(vs[1].Message, "appears more than once") {
		t.Errorf("got %v", vs)
	}
}

func TestConvergenceOrdersGroups(t *testing.T) {
	vs := CheckConvergence([]ReplicaState{
		{Group: "b", Replica: "n1", Items: []Item{{keyA, "t1"}}},
		{Group: "b", Replica: "n2"},
		{Group: "a", Replica: "n1", Items: []Item{{keyA, "t1"}}},
		{Group: "a", Replica: "n2"},
	})
	if len(vs) != 2 || !strings.HasPrefix(vs[0].Message, "group a:") || !strings.HasPrefix(vs[1].Message, "group b:") {
		t.Errorf("groups out of order: %v", vs)
	}
}
