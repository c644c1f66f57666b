package sim

import (
	"testing"

	"github.com/garagego/garage/node/block"
	"github.com/garagego/garage/node/object"
)

// objectSeeds is how many seeds CI runs with the object workload.
func objectSeeds(t *testing.T) int {
	if testing.Short() {
		return 30
	}
	return 200
}

// TestObjectSeedsWithFaults runs the object workload — inline and
// multi-block puts, gets that check every byte, deletes, listings — under
// every network and node fault plus lost, corrupt and wiped blocks, and
// checks after healing that every acknowledged object reads back
// byte-identical, that no block is orphaned on disk and that no referenced
// block is missing.
func TestObjectSeedsWithFaults(t *testing.T) {
	n := objectSeeds(t)
	diskFaults := 0
	for i, r := range runSeeds(t, n, Options{ObjectShare: 100, Ops: 400}) {
		if !r.Ok() {
			t.Errorf("seed %d failed; replay with: garage sim run --objects 100 --ops 400 --seed %d\n%s", i+1, i+1, r.Summary())
		}
		diskFaults += r.Stats.Faults[LoseBlock] + r.Stats.Faults[CorruptBlock] + r.Stats.Faults[WipeDisk]
	}
	if diskFaults < n {
		t.Errorf("only %d disk faults over %d seeds", diskFaults, n)
	}
}

// TestBlockChecksCatchPlantedBug: with garbage collection deleting blocks
// that are still referenced, the block checks (or the reads) must fail.
func TestBlockChecksCatchPlantedBug(t *testing.T) {
	n := objectSeeds(t) / 10
	caught := 0
	for _, r := range runSeeds(t, n, Options{ObjectShare: 100, Ops: 400, Block: block.Config{Bugs: block.Bugs{GCIgnoresReferences: true}}}) {
		if !r.Ok() {
			caught++
		}
	}
	t.Logf("caught on %d of %d seeds", caught, n)
	if caught < n/2 {
		t.Errorf("the planted GC bug was caught on only %d of %d seeds", caught, n)
	}
}

// TestLocalBlockListCheckCatchesPlantedBug: a get serves its node's own
// copy of a plain object's block list only when that copy holds every
// block (model.Version.HoldsPlainObject); serving any copy it has returns
// objects cut short by the blocks a replica missed, which the byte checks
// of reads catch.
func TestLocalBlockListCheckCatchesPlantedBug(t *testing.T) {
	n := objectSeeds(t) / 10
	caught := 0
	for _, r := range runSeeds(t, n, Options{ObjectShare: 100, Ops: 400, ObjectBugs: object.Bugs{LocalBlockListUnchecked: true}}) {
		if !r.Ok() {
			caught++
		}
	}
	t.Logf("caught on %d of %d seeds", caught, n)
	if caught < max(1, n/10) {
		t.Errorf("the planted bug was caught on only %d of %d seeds", caught, n)
	}
}
