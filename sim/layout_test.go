package sim

import (
	"testing"
	"time"

	"github.com/garagego/garage/checker"
	"github.com/garagego/garage/node/table"
)

// layoutSeeds is how many seeds CI runs with layout changes.
func layoutSeeds(t *testing.T) int {
	if testing.Short() {
		return 20
	}
	return 100
}

// TestLayoutChangesWithFaults: nodes join and leave, change zone and
// capacity, and the replication factor changes, each staged and applied by
// the simulated operator under load (registers and objects) with
// partitions, crashes, clock skew and disk faults. Every seed must keep
// read-after-write across every change, and once healed every node must
// hold only the newest version, with nothing left on nodes that no longer
// store it.
func TestLayoutChangesWithFaults(t *testing.T) {
	n := layoutSeeds(t)
	total := map[ChangeKind]int{}
	for i, r := range runSeeds(t, n, Options{LayoutChanges: true, ObjectShare: 50, Ops: 600}) {
		if !r.Ok() {
			t.Errorf("seed %d failed; replay with: garage sim run --layout-changes --objects 50 --ops 600 --seed %d\n%s", i+1, i+1, r.Summary())
		}
		for k, c := range r.Stats.Changes {
			total[k] += c
		}
	}
	t.Logf("changes applied: %v", total)
	for k := AddNode; k <= ChangeRF; k++ {
		if total[k] < n/10 {
			t.Errorf("only %d %v changes over %d seeds", total[k], k, n)
		}
	}
}

// layoutBugSeeds focuses on layout changes: one every 2 s, with
// partitions and crashes but no skew, slow links or disk faults.
func layoutBugOptions(bugs table.Bugs) Options {
	never := time.Hour
	return Options{LayoutChanges: true, Ops: 1500, ThinkTime: 5 * time.Millisecond, Bugs: bugs,
		Faults: FaultRates{LayoutChangeEvery: 2 * time.Second, PartitionEvery: 5 * time.Second, CrashEvery: 10 * time.Second,
			CutEvery: never, SkewEvery: never, SlowLinkEvery: never, FaultDuration: time.Second, MaxSkew: time.Millisecond}}
}

// TestLayoutChecksCatchPlantedBugs proves the checks see what goes wrong
// when live versions are mishandled: reading from the newest version
// before its data was synced, or writing to the newest version only (as if
// the old one retired the moment the new one was applied). The same
// options pass without the bugs.
func TestLayoutChecksCatchPlantedBugs(t *testing.T) {
	n := layoutSeeds(t) / 5
	t.Run("no bug", func(t *testing.T) {
		for i, r := range runSeeds(t, n, layoutBugOptions(table.Bugs{})) {
			if !r.Ok() {
				t.Errorf("seed %d failed without a planted bug\n%s", i+1, r.Summary())
			}
		}
	})
	for _, tc := range []struct {
		name    string
		bugs    table.Bugs
		atLeast int // of n seeds
	}{
		{"read newest layout", table.Bugs{ReadNewestLayout: true}, n / 4},
		{"write newest only", table.Bugs{WriteNewestOnly: true}, n / 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			caught := 0
			for _, r := range runSeeds(t, n, layoutBugOptions(tc.bugs)) {
				if r.Ok() {
					continue
				}
				caught++
				stale := r.Report.Count(checker.ReadAfterWrite) + r.Report.Count(checker.Listing) + r.Report.Count(checker.WriteOrder)
				if stale == 0 {
					t.Errorf("seed %d failed, but not on read-after-write:\n%s", r.Options.Seed, r.Summary())
				}
			}
			t.Logf("%s: caught on %d of %d seeds", tc.name, caught, n)
			if caught < tc.atLeast {
				t.Errorf("%s: caught on only %d of %d seeds", tc.name, caught, n)
			}
		})
	}
}

// TestLayoutCheckSeesUnfinishedChange: right after a node joined, before
// any sync round, the cluster has two live versions; the layout check must
// say so (it is not vacuous).
func TestLayoutCheckSeesUnfinishedChange(t *testing.T) {
	s, err := New(Options{Seed: 1, NoFaults: true, Spares: 1, Ops: 200, Clients: 4})
	if err != nil {
		t.Fatal(err)
	}
	step := func(until func() bool) {
		if err := s.runUntil(until); err != nil {
			t.Fatal(err)
		}
	}
	step(func() bool { return s.now-epoch > int64(time.Second) })
	s.changeLayout(LayoutChange{Kind: AddNode, Node: 5, Zone: 0, Capacity: 4 << 40})
	step(func() bool { return s.stats.LayoutApplied == 1 })
	problems := s.checkLayout()
	if len(problems) == 0 {
		t.Fatal("a change applied a moment ago passed the layout check")
	}
	t.Log(problems[0])
	step(func() bool { return len(s.checkLayout()) == 0 })
	t.Logf("finished after %v", time.Duration(s.now-epoch))
}

// TestLayoutChangeHealthy: on a healthy network, a node joins and the
// replication factor changes while clients work, and every operation
// succeeds, but for copies of keys not written yet and multipart uploads
// a newer write of their key superseded.
func TestLayoutChangeHealthy(t *testing.T) {
	r := run(t, Options{Seed: 2, NoFaults: true, Spares: 1, ObjectShare: 50, Schedule: []Fault{
		{At: 2 * time.Second, Kind: ChangeLayout, Change: LayoutChange{Kind: AddNode, Node: 5, Zone: 1, Capacity: 2 << 40}},
		{At: 8 * time.Second, Kind: ChangeLayout, Change: LayoutChange{Kind: ChangeRF, RF: 2}},
		{At: 14 * time.Second, Kind: ChangeLayout, Change: LayoutChange{Kind: RemoveNode, Node: 0}},
	}})
	expected := r.Stats.CopiesOfNothing + r.Stats.UploadsSuperseded
	if !r.Ok() || r.Stats.OpsFailed != expected || r.Stats.OpsUnknown != 0 || r.Stats.LayoutApplied != 3 {
		t.Fatalf("%d failed (%d copies of nothing, %d uploads superseded), %d unknown, %d changes applied\n%s", r.Stats.OpsFailed,
			r.Stats.CopiesOfNothing, r.Stats.UploadsSuperseded, r.Stats.OpsUnknown, r.Stats.LayoutApplied, r.Summary())
	}
}
