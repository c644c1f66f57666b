package sim

import "testing"

// TestPreloadedObjectsSurviveLayoutChanges: objects written before faults
// and layout changes begin must all read back at the end.
func TestPreloadedObjectsSurviveLayoutChanges(t *testing.T) {
	for i, r := range runSeeds(t, layoutSeeds(t)/5, Options{Preload: 300, PreloadSize: 4000, LayoutChanges: true, ObjectShare: 50, Ops: 300}) {
		if !r.Ok() {
			t.Errorf("seed %d failed\n%s", i+1, r.Summary())
		}
		if r.Stats.OpsOK < 300 {
			t.Errorf("seed %d: only %d operations succeeded", i+1, r.Stats.OpsOK)
		}
	}
}
