package scenario

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/garagego/garage/checker"
	"github.com/garagego/garage/sim"
)

// TestCommittedScenarios runs every scenario under scenarios/ with its
// default seed: each must pass, and reproduce its recorded trace hash, so
// that a change of behaviour anywhere in the simulated cluster shows here
// (re-record with `go run ./cmd/garage sim run scenarios/NAME.yaml
// --record` once the change is understood).
func TestCommittedScenarios(t *testing.T) {
	files, err := filepath.Glob("../../scenarios/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 12 {
		t.Fatalf("%d scenarios, want at least 12", len(files))
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := Parse(file, data)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			r, verdict, err := sc.Run(0, nil)
			if err != nil {
				t.Errorf("%s: %v", sc.Name, err)
				return
			}
			if !verdict.Pass() {
				t.Errorf("%s: %v\n%s", sc.Name, verdict, r.Summary())
			}
			switch got := HashString(r.TraceHash); {
			case sc.TraceHash == "":
				t.Errorf("%s: no trace_hash recorded (this run gives %s)", sc.Name, got)
			case got != sc.TraceHash:
				t.Errorf("%s: trace hash %s, recorded %s: the run changed; if intended, re-record with go run ./cmd/garage sim run %s --record",
					sc.Name, got, sc.TraceHash, file)
			}
		}()
	}
	wg.Wait()
}

// TestTombstoneCollectionCatchesPlantedBugs: the long-partition scenario
// passes as committed (TestCommittedScenarios), and fails, on the
// no-resurrection property, when the collector skips the confirmation of
// every holder: node 2 keeps the values the others' deletions supersede.
func TestTombstoneCollectionCatchesPlantedBugs(t *testing.T) {
	if testing.Short() {
		t.Skip("several simulated runs")
	}
	data, err := os.ReadFile("../../scenarios/tombstones-across-a-long-partition.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := Parse("tombstones-across-a-long-partition.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	caught := 0
	const seeds = 4
	for seed := uint64(1); seed <= seeds; seed++ {
		o := sc.OptionsFor(seed)
		if err := PlantBug(&o, "gc-skips-confirmation"); err != nil {
			t.Fatal(err)
		}
		r, err := sim.Run(o)
		if err != nil {
			t.Fatal(err)
		}
		if r.Report.Count(checker.Resurrection) > 0 {
			caught++
		}
	}
	if caught < seeds-1 {
		t.Fatalf("gc-skips-confirmation resurrected deleted values on %d of %d seeds", caught, seeds)
	}
}

// TestDurabilityChecksCatchAckBeforePersist: with disks a second slow and
// two replicas crashing at a time, a driver that sends before the records
// are durable loses acknowledged writes. The simulator's own contract
// check names every such send; the history checker, on its own, sees the
// lost writes on most seeds.
func TestDurabilityChecksCatchAckBeforePersist(t *testing.T) {
	if testing.Short() {
		t.Skip("several simulated runs")
	}
	data, err := os.ReadFile("../../scenarios/slow-disks-and-replica-crashes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := Parse("slow-disks-and-replica-crashes.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	const seeds = 6
	lost := 0
	for seed := uint64(1); seed <= seeds; seed++ {
		o := sc.OptionsFor(seed)
		if err := PlantBug(&o, "ack-before-persist"); err != nil {
			t.Fatal(err)
		}
		r, err := sim.Run(o)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Durability) == 0 {
			t.Errorf("seed %d: the contract check saw no early send", seed)
		}
		if r.Report.Count(checker.ReadAfterWrite)+r.Report.Count(checker.Resurrection)+r.Report.Count(checker.Listing) > 0 {
			lost++
		}
	}
	t.Logf("ack-before-persist: lost writes seen by the history checker on %d of %d seeds", lost, seeds)
	if lost < seeds/2 {
		t.Fatalf("the history checker saw lost writes on only %d of %d seeds", lost, seeds)
	}
}

// TestVersionScenarioCatchesPlantedBugs: the versioned scenario passes as
// committed (TestCommittedScenarios) and, with each version bug planted in
// the core, fails on the property the bug breaks, and is judged failed.
func TestVersionScenarioCatchesPlantedBugs(t *testing.T) {
	if testing.Short() {
		t.Skip("several simulated runs")
	}
	data, err := os.ReadFile("../../scenarios/versions-under-partition-and-skew.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := Parse("versions-under-partition-and-skew.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	for bug, property := range map[string]checker.Property{
		"get-version-returns-current":  checker.VersionRead,
		"delete-version-wrong-version": checker.VersionsListed,
		"list-versions-skips-first":    checker.VersionsListed,
	} {
		o := sc.OptionsFor(sc.Seed)
		if err := PlantBug(&o, bug); err != nil {
			t.Fatal(err)
		}
		r, err := sim.Run(o)
		if err != nil {
			t.Fatal(err)
		}
		if r.Report.Count(property) == 0 || sc.Judge(r).Pass() {
			t.Errorf("%s: %d %s violations, verdict %v; want some, and a failed verdict", bug, r.Report.Count(property), property, sc.Judge(r))
		}
	}
}
