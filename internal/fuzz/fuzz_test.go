package fuzz

import (
	"strings"
	"testing"
	"time"

	"github.com/garagego/garage/sim/scenario"
)

const base = `
name: fuzz-base
seed: 1
cluster: {nodes: 5, zones: 3, spares: 1, replication_factor: 3}
workload: {clients: 6, duration: 8s, think: 5ms, objects: 20, keys: {partitions: 4, sort: 10, objects: 20}}
`

func load(t *testing.T, extra string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Parse("fuzz-base.yaml", []byte(base+extra))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// TestFuzzerFindsAndShrinksPlantedBug plants a bug that only shows after a
// fault (no anti-entropy: a replica that missed writes while it was down or
// cut off never catches up), lets the fuzzer find a failing schedule among
// random ones, and checks that it was shrunk to a single fault (with its
// undoing event), and that the scenario written for it replays the
// failure.
func TestFuzzerFindsAndShrinksPlantedBug(t *testing.T) {
	sc := load(t, "bugs: [no-anti-entropy]\n")
	var last Progress
	firstFailure := 0
	f, stats, err := Run(Config{Base: sc, Seeds: 100, Seed: 1, Horizon: 6 * time.Second, ShrinkTime: 10 * time.Second,
		Progress: func(p Progress) {
			if p.Failures == 1 && firstFailure == 0 {
				firstFailure = p.Schedules
			}
			last = p
		}})
	if err != nil {
		t.Fatal(err)
	}
	if f == nil {
		t.Fatalf("no failure in %d schedules", stats.Schedules)
	}
	t.Logf("first failure at schedule %d; %d schedules with shrinking (%v, %.0f virtual s); shrunk to %d events:\n%s", firstFailure, stats.Schedules,
		stats.Elapsed.Round(time.Millisecond), stats.VirtualSeconds, len(f.Events), scenario.TimelineYAML(f.Events))
	if len(f.Events) == 0 || len(f.Events) > 2 {
		t.Errorf("the schedule was shrunk to %d events, want one fault and its undoing", len(f.Events))
	}
	if last.Failures == 0 || !last.Shrinking {
		t.Errorf("progress did not report the failure: %+v", last)
	}
	// The written scenario stands alone: it loads, plants the bug, and
	// fails again, identically.
	replay, err := scenario.Parse("fuzzed.yaml", f.Scenario)
	if err != nil {
		t.Fatalf("%v\n%s", err, f.Scenario)
	}
	r, verdict, err := replay.Run(0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if verdict.Pass() || r.TraceHash != f.Result.TraceHash {
		t.Fatalf("replay: %v, trace %x, want a failure with trace %x\n%s", verdict, r.TraceHash, f.Result.TraceHash, f.Scenario)
	}
	if !strings.Contains(string(f.Scenario), "no-anti-entropy") {
		t.Errorf("the written scenario lost the planted bug:\n%s", f.Scenario)
	}
}

// TestFuzzerPassesCorrectCluster: without a bug, random schedules break
// nothing.
func TestFuzzerPassesCorrectCluster(t *testing.T) {
	sc := load(t, "")
	f, stats, err := Run(Config{Base: sc, Seeds: 12, Seed: 7, Horizon: 6 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if f != nil {
		t.Fatalf("a correct cluster failed %v with seed %d:\n%s", f.Verdict, f.Seed, f.Scenario)
	}
	if stats.Schedules != 12 {
		t.Fatalf("%d schedules, want 12", stats.Schedules)
	}
	t.Logf("%d schedules in %v (%.0f virtual s per real s)", stats.Schedules, stats.Elapsed.Round(time.Millisecond), stats.VirtualSeconds/stats.Elapsed.Seconds())
}
