package sim

import (
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/garagego/garage/checker"
	"github.com/garagego/garage/node/table"
)

func run(t *testing.T, opts Options) *Result {
	t.Helper()
	r, err := Run(opts)
	if err != nil {
		t.Fatalf("seed %d: %v", opts.Seed, err)
	}
	return r
}

func TestSameSeedSameRun(t *testing.T) {
	for _, encode := range []bool{false, true} {
		a := run(t, Options{Seed: 7, EncodeMessages: encode})
		b := run(t, Options{Seed: 7, EncodeMessages: encode})
		if a.TraceHash != b.TraceHash {
			t.Fatalf("encode=%v: seed 7 gave trace hashes %016x and %016x", encode, a.TraceHash, b.TraceHash)
		}
		if !reflect.DeepEqual(a.History, b.History) {
			t.Fatalf("encode=%v: seed 7 gave two different histories", encode)
		}
		if c := run(t, Options{Seed: 8, EncodeMessages: encode}); c.TraceHash == a.TraceHash {
			t.Fatalf("encode=%v: seeds 7 and 8 gave the same trace hash", encode)
		}
	}
}

// seeds is how many seeds CI runs with faults; -short runs fewer.
func seeds(t *testing.T) int {
	if testing.Short() {
		return 40
	}
	return 300
}

// runSeeds runs seeds 1..n in parallel and returns their results in order.
func runSeeds(t *testing.T, n int, opts Options) []*Result {
	results := make([]*Result, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			o := opts
			o.Seed = uint64(i + 1)
			o.EncodeMessages = i%4 == 0
			results[i], errs[i] = Run(o)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("seed %d: %v", i+1, err)
		}
	}
	return results
}

// TestSeedsWithFaults is the main safety net: hundreds of seeds, each with
// its own mix of partitions, one-way cuts, crashes that lose unsynced
// writes, message loss, duplication and reordering, slow links and clock
// skew, must satisfy every property.
func TestSeedsWithFaults(t *testing.T) {
	crashes, partitions := 0, 0
	for i, r := range runSeeds(t, seeds(t), Options{}) {
		if !r.Ok() {
			t.Errorf("seed %d failed; replay with: garage sim run --seed %d\n%s", i+1, i+1, r.Summary())
		}
		crashes += r.Stats.Crashes
		partitions += r.Stats.Faults[Partition]
	}
	// The schedule must actually strike, or passing proves nothing.
	if crashes < seeds(t) || partitions < seeds(t) {
		t.Errorf("too few faults: %d crashes and %d partitions over %d seeds", crashes, partitions, seeds(t))
	}
}

// TestCheckerCatchesPlantedBugs proves the checker can fail: with each
// quorum bug planted, the same seeds that pass above must be caught.
func TestCheckerCatchesPlantedBugs(t *testing.T) {
	n := seeds(t) / 10
	bugs := map[string]table.Bugs{
		"write quorum 1": {WriteQuorumOne: true},
		"read quorum 1":  {ReadQuorumOne: true},
		"skip read join": {SkipReadJoin: true},
	}
	for _, name := range []string{"write quorum 1", "read quorum 1", "skip read join"} {
		t.Run(name, func(t *testing.T) {
			caught := 0
			for _, r := range runSeeds(t, n, Options{Bugs: bugs[name]}) {
				if !r.Ok() {
					caught++
					// A lost quorum shows as a stale read, a stale listing,
					// or a write stamped from a stale read (write order).
					quorumViolations := r.Report.Count(checker.ReadAfterWrite) + r.Report.Count(checker.Listing) + r.Report.Count(checker.WriteOrder)
					if quorumViolations == 0 && len(r.Diverged) == 0 {
						t.Errorf("seed %d failed, but not on a quorum property:\n%s", r.Options.Seed, r.Summary())
					}
				}
			}
			t.Logf("%s: caught on %d of %d seeds", name, caught, n)
			if caught < n/2 {
				t.Errorf("%s: caught on only %d of %d seeds", name, caught, n)
			}
		})
	}
}

// TestNoFaultsNoFailures: on a healthy network every operation succeeds.
func TestNoFaultsNoFailures(t *testing.T) {
	r := run(t, Options{Seed: 3, NoFaults: true})
	if !r.Ok() || r.Stats.OpsFailed != 0 || r.Stats.OpsUnknown != 0 {
		t.Fatalf("healthy run: %d failed, %d unknown\n%s", r.Stats.OpsFailed, r.Stats.OpsUnknown, r.Summary())
	}
}

func ExampleResult_Summary() {
	r, _ := Run(Options{Seed: 1, NoFaults: true, Ops: 50, Clients: 2})
	fmt.Println(r.Ok(), r.Stats.OpsOK)
	// Output: true 155
}

// TestTombstoneChecksCatchDelayBug: collecting a tombstone as soon as its
// holders confirm it, without the delay, lets a node whose clock lags
// stamp a later write before the forgotten deletion (write order), and a
// write in flight land after it (no-resurrection).
func TestTombstoneChecksCatchDelayBug(t *testing.T) {
	n := max(seeds(t)/15, 8)
	caught := 0
	for _, r := range runSeeds(t, n, Options{Bugs: table.Bugs{GCIgnoresDelay: true}}) {
		if r.Report.Count(checker.WriteOrder)+r.Report.Count(checker.Resurrection)+r.Report.Count(checker.Listing) > 0 {
			caught++
		}
	}
	t.Logf("gc-ignores-delay: caught on %d of %d seeds", caught, n)
	if caught < n/5 {
		t.Errorf("gc-ignores-delay: caught on only %d of %d seeds", caught, n)
	}
}

// TestTombstonesAreCollected: after an object workload that deletes and
// overwrites (each overwrite deletes a version, its block list and its
// references), a quiet period with every node up leaves no tombstone past
// its time, and collection did happen.
func TestTombstonesAreCollected(t *testing.T) {
	r := run(t, Options{Seed: 11, ObjectShare: 60, Ops: 600})
	if !r.Ok() {
		t.Fatalf("run failed:\n%s", r.Summary())
	}
	if r.Stats.TombstonesCollected < 100 || r.Stats.TombstonesLeft > r.Stats.TombstonesCollected/20 {
		t.Fatalf("%d tombstones collected, %d left: want many collected and next to none left", r.Stats.TombstonesCollected, r.Stats.TombstonesLeft)
	}
}

// TestWorkloadModesCatchTieAndRangeBugs: two bugs once found on 2 seeds
// of 300 — a read join breaking stamp ties unlike Join and anti-entropy,
// and a range read returning one entry past what a quorum covered — are
// caught by a 50-seed run once the workload forces their conditions:
// writers in lockstep on one key through one node (equal stamps), and
// range reads right after writes that reached only some replicas. The
// same seeds pass without the bugs.
func TestWorkloadModesCatchTieAndRangeBugs(t *testing.T) {
	n := 50
	if testing.Short() {
		n = 10
	}
	opts := Options{TieWriters: 4, RangeAfterWrite: 60, SortKeys: 20}
	for _, tc := range []struct {
		name     string
		bugs     table.Bugs
		property checker.Property
		atLeast  int
	}{
		{"none", table.Bugs{}, "", 0},
		{"read-join-ties", table.Bugs{ReadJoinTies: true}, checker.ReadAfterWrite, n / 25},
		{"range-one-too-many", table.Bugs{RangeOneTooMany: true}, checker.Listing, n / 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := opts
			o.Bugs = tc.bugs
			caught := 0
			for _, r := range runSeeds(t, n, o) {
				switch {
				case tc.property == "" && !r.Ok():
					t.Errorf("seed %d failed with no bug planted:\n%s", r.Options.Seed, r.Summary())
				case tc.property != "" && r.Report.Count(tc.property)+r.Report.Count(checker.WriteOrder)+r.Report.Count(checker.Resurrection) > 0:
					caught++ // a stale read, or a write stamped from one
				}
			}
			t.Logf("%s: caught on %d of %d seeds", tc.name, caught, n)
			if caught < tc.atLeast {
				t.Errorf("%s: caught on %d of %d seeds, want at least %d", tc.name, caught, n, tc.atLeast)
			}
		})
	}
}
