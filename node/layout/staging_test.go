package layout

import (
	"errors"
	"testing"

	"github.com/garagego/garage/node/crdt"
	"github.com/garagego/garage/node/wire"
)

func stamp(ts uint64) crdt.Stamp { return crdt.Stamp{TS: ts, Node: nodeID(99)} }

func TestStageApplyFromEmpty(t *testing.T) {
	h := NewHistory(Empty(3))
	if _, err := h.Apply(1); !errors.Is(err, ErrNothingStaged) {
		t.Fatalf("apply with nothing staged: %v", err)
	}
	for i, z := range []string{"a", "b", "c"} {
		if err := h.StageRole(stamp(1), nodeID(i), Role{Zone: z, Capacity: 1 << 30}); err != nil {
			t.Fatal(err)
		}
	}
	if len(h.Staged()) != 3 {
		t.Fatalf("staged %d changes, want 3", len(h.Staged()))
	}
	if _, err := h.Apply(2); err == nil {
		t.Fatal("applying version 2 on top of 0 must be refused")
	}
	v, err := h.Apply(1)
	if err != nil {
		t.Fatal(err)
	}
	if v.Number != 1 || len(h.Versions) != 1 || len(h.Staged()) != 0 {
		t.Fatalf("after apply: version %d, %d live, %d staged", v.Number, len(h.Versions), len(h.Staged()))
	}
	if len(h.WriteSets(0)) != 1 || len(h.WriteSets(0)[0].Nodes) != 3 {
		t.Fatalf("write sets %v", h.WriteSets(0))
	}

	// Remove one node, revert, then stage it again and apply.
	if err := h.StageRemove(stamp(2), nodeID(2)); err != nil {
		t.Fatal(err)
	}
	h.Revert(stamp(3))
	if len(h.Staged()) != 0 {
		t.Fatal("revert left staged changes")
	}
	if err := h.StageRole(stamp(4), nodeID(3), Role{Zone: "c", Capacity: 1 << 30}); err != nil {
		t.Fatal(err)
	}
	if err := h.StageRemove(stamp(4), nodeID(2)); err != nil {
		t.Fatal(err)
	}
	v2, err := h.Apply(2)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := v2.Member(nodeID(2)); ok {
		t.Fatal("removed node still a member")
	}
	if len(h.Versions) != 2 {
		t.Fatalf("v1 must stay live until v2 is synced, have %d live", len(h.Versions))
	}
}

func TestStagingMergesAcrossNodes(t *testing.T) {
	a := NewHistory(Empty(1))
	b := NewHistory(Empty(1))
	a.StageRole(stamp(1), nodeID(0), Role{Zone: "z", Capacity: 1 << 30})
	b.StageRole(stamp(2), nodeID(1), Role{Zone: "z", Capacity: 1 << 30})
	b.StageRole(stamp(3), nodeID(0), Role{Zone: "y", Capacity: 5 << 30}) // later write for node 0 wins
	if _, err := a.Merge(b); err != nil {
		t.Fatal(err)
	}
	staged := a.Staged()
	if len(staged) != 2 || staged[0].Role.Zone+staged[1].Role.Zone == "zz" {
		t.Fatalf("merged staging: %+v", staged)
	}
	// Applying consumes the staging: an older staging arriving later is ignored.
	if _, err := a.Apply(1); err != nil {
		t.Fatal(err)
	}
	if changed, _ := a.Merge(b); len(a.Staged()) != 0 {
		t.Fatalf("stale staging resurrected (changed=%v): %+v", changed, a.Staged())
	}
	// And b catches up with the new version and the empty staging.
	if _, err := b.Merge(a); err != nil || b.Current().Number != 1 || len(b.Staged()) != 0 {
		t.Fatalf("b after merge: v%d, staged %d, %v", b.Current().Number, len(b.Staged()), err)
	}
	e := wire.NewEncoder(nil)
	b.Encode(e)
	d := wire.NewDecoder(e.Bytes())
	if back := DecodeHistory(d); d.Finish() != nil || back.Current().Number != 1 {
		t.Fatalf("round trip: %v", d.Err())
	}
}
