package sim

import (
	"flag"
	"reflect"
	"testing"

	"github.com/garagego/garage/checker"
	"github.com/garagego/garage/node/k2v"
)

// k2vOpts is the K2V workload the tests below run: most operations on
// K2V items, under the random faults.
func k2vOpts() Options { return Options{K2VShare: 60, Ops: 600} }

var k2vManySeeds = flag.Int("k2v.seeds", 0, "seeds TestK2VSeedsWithFaults runs (default 12, 6 with -short)")

// k2vSeeds is how many seeds the K2V tests run (more without -short, and
// as many as -k2v.seeds asks).
func k2vSeeds(t *testing.T) int {
	if *k2vManySeeds > 0 {
		return *k2vManySeeds
	}
	if testing.Short() {
		return 6
	}
	return 12
}

// TestK2VSeedsWithFaults: the K2V workload under partitions, cuts,
// crashes, clock skew and (on a third of the seeds) layout changes keeps
// every K2V promise, and the workload does strike: writes are
// acknowledged, siblings are read, polls both answer and time out.
func TestK2VSeedsWithFaults(t *testing.T) {
	n := k2vSeeds(t)
	layout := k2vOpts()
	layout.LayoutChanges = true
	results := append(runSeeds(t, n-n/3, k2vOpts()), runSeeds(t, n/3, layout)...)
	var st K2VStats
	for _, r := range results {
		if !r.Ok() {
			t.Errorf("seed %d failed; replay with: garage sim run --seed %d --k2v 60 --ops 600%s\n%s", r.Options.Seed, r.Options.Seed,
				map[bool]string{true: " --layout-changes"}[r.Options.LayoutChanges], r.Summary())
		}
		st.Inserts += r.Stats.K2V.Inserts
		st.Siblings += r.Stats.K2V.Siblings
		st.PollsChanged += r.Stats.K2V.PollsChanged
		st.PollsTimedOut += r.Stats.K2V.PollsTimedOut
	}
	t.Logf("%d seeds: %+v", len(results), st)
	if st.Inserts < 50*n || st.Siblings < 20*n || st.PollsChanged < 5*n || st.PollsTimedOut < 5*n {
		t.Errorf("the K2V workload did not strike enough: %+v over %d seeds", st, n)
	}
}

// TestK2VChecksCatchPlantedBugs proves each K2V property can fail: with
// each bug planted in the K2V core, the property it breaks is violated on
// most of the seeds that pass above.
func TestK2VChecksCatchPlantedBugs(t *testing.T) {
	n := 6
	for _, tc := range []struct {
		name     string
		bugs     k2v.Bugs
		property checker.Property
		atLeast  int
	}{
		// Last-writer-wins: a write drops the siblings its token did not see.
		{"insert-discards-siblings", k2v.Bugs{InsertDiscardsSiblings: true}, checker.K2VSiblings, n - 1},
		// A write discards nothing: superseded values are read again.
		{"insert-ignores-context", k2v.Bugs{InsertIgnoresContext: true}, checker.K2VSuperseded, n - 1},
		// A read answers with the entry node's own copy: stale or empty.
		{"read-local-only", k2v.Bugs{ReadLocalOnly: true}, checker.K2VReadAfterWrite, n - 1},
		// A poll ends after half its timeout: it misses later writes.
		{"poll-times-out-early", k2v.Bugs{PollTimesOutEarly: true}, checker.K2VPollProperty, n / 2},
		// Index counts drift: every change counted as a new item.
		{"index-counts-from-zero", k2v.Bugs{IndexCountsFromZero: true}, checker.K2VIndexCounts, n - 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := k2vOpts()
			o.K2VBugs = tc.bugs
			caught := 0
			for _, r := range runSeeds(t, n, o) {
				if r.Report.Count(tc.property) > 0 {
					caught++
				}
			}
			t.Logf("%s: %s caught on %d of %d seeds", tc.name, tc.property, caught, n)
			if caught < tc.atLeast {
				t.Errorf("%s: %s caught on only %d of %d seeds, want %d", tc.name, tc.property, caught, n, tc.atLeast)
			}
		})
	}
}

// TestK2VLostValueCaught: the final phase's converged state is checked
// too — a bug that drops siblings loses acknowledged values for good.
func TestK2VLostValueCaught(t *testing.T) {
	o := k2vOpts()
	o.Seed, o.K2VBugs = 1, k2v.Bugs{InsertDiscardsSiblings: true}
	if r := run(t, o); r.Report.Count(checker.K2VLost) == 0 {
		t.Fatalf("no lost value reported:\n%s", r.Summary())
	}
}

// TestK2VSameSeedSameRun: the K2V workload is deterministic — one seed,
// one trace hash, one K2V history.
func TestK2VSameSeedSameRun(t *testing.T) {
	o := k2vOpts()
	o.Seed, o.LayoutChanges = 3, true
	a, b := run(t, o), run(t, o)
	if a.TraceHash != b.TraceHash || !reflect.DeepEqual(a.K2V, b.K2V) {
		t.Fatalf("seed 3 gave trace hashes %016x and %016x (histories equal: %v)", a.TraceHash, b.TraceHash, reflect.DeepEqual(a.K2V, b.K2V))
	}
	if len(a.K2V.Ops) < 300 {
		t.Fatalf("only %d K2V operations", len(a.K2V.Ops))
	}
}
