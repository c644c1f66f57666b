package sim

import (
	"testing"
)

// BenchmarkSimulator measures simulated client operations per real second
// for a 5-node, 3-zone cluster with faults (partitions, crashes, loss,
// skew), checking included. Run on one core: go test -bench Simulator -cpu 1.
func BenchmarkSimulator(b *testing.B) {
	ops := 0
	seed := uint64(0)
	for b.Loop() {
		seed++
		r, err := Run(Options{Seed: seed, Ops: 2000})
		if err != nil {
			b.Fatal(err)
		}
		if !r.Ok() {
			b.Fatalf("seed %d failed:\n%s", seed, r.Summary())
		}
		ops += len(r.History)
	}
	b.ReportMetric(float64(ops)/b.Elapsed().Seconds(), "ops/s")
}
