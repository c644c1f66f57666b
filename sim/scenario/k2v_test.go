package scenario

import (
	"os"
	"testing"

	"github.com/garagego/garage/checker"
	"github.com/garagego/garage/sim"
)

// TestK2VScenariosCatchPlantedBugs: the K2V scenarios pass as committed
// (TestCommittedScenarios) and, with the bug each one is about planted in
// the K2V core, fail on the property it breaks, and are judged failed.
func TestK2VScenariosCatchPlantedBugs(t *testing.T) {
	if testing.Short() {
		t.Skip("several simulated runs")
	}
	for _, tc := range []struct {
		file, bug string
		property  checker.Property
	}{
		{"k2v-siblings-under-partition.yaml", "k2v-insert-discards-siblings", checker.K2VSiblings},
		{"k2v-siblings-under-partition.yaml", "k2v-insert-ignores-context", checker.K2VSuperseded},
		{"k2v-polls-across-a-crash.yaml", "k2v-poll-times-out-early", checker.K2VPollProperty},
		{"k2v-index-after-a-layout-change.yaml", "k2v-index-counts-from-zero", checker.K2VIndexCounts},
	} {
		data, err := os.ReadFile("../../scenarios/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := Parse(tc.file, data)
		if err != nil {
			t.Fatal(err)
		}
		o := sc.OptionsFor(sc.Seed)
		if err := PlantBug(&o, tc.bug); err != nil {
			t.Fatal(err)
		}
		r, err := sim.Run(o)
		if err != nil {
			t.Fatal(err)
		}
		if r.Report.Count(tc.property) == 0 || sc.Judge(r).Pass() {
			t.Errorf("%s with %s: %d %s violations, verdict %v; want some, and a failed verdict", tc.file, tc.bug, r.Report.Count(tc.property), tc.property, sc.Judge(r))
		}
	}
}
