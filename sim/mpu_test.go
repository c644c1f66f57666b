package sim

import "testing"

// TestMultipartSeedsWithFaults: half the object puts are multipart
// uploads, under every fault; acknowledged ones read back byte for byte,
// abandoned ones leave no block behind.
func TestMultipartSeedsWithFaults(t *testing.T) {
	n := objectSeeds(t) / 4
	completed := 0
	for i, r := range runSeeds(t, n, Options{ObjectShare: 100, MultipartShare: 50, Ops: 400}) {
		if !r.Ok() {
			t.Errorf("seed %d failed; replay with: garage sim run --objects 100 --multipart 50 --ops 400 --seed %d\n%s", i+1, i+1, r.Summary())
		}
		completed += r.Stats.MultipartCompleted
	}
	if completed < n*10 {
		t.Errorf("only %d multipart uploads completed over %d seeds", completed, n)
	}
}
