package checker

import (
	"testing"

	"github.com/anishathalye/porcupine"
)

// BenchmarkCheck10k runs every history check over 10,000 ops: 8 clients,
// 100 keys in 10 partitions, puts, deletes, gets and ranges, with timeouts
// and failures.
func BenchmarkCheck10k(b *testing.B) {
	h := generateHistory(1, benchWorkload)
	for b.Loop() {
		if r := Check(h); !r.Ok() {
			b.Fatal(r)
		}
	}
}

// BenchmarkPorcupine10k decides P1 on the same history with the floor model.
func BenchmarkPorcupine10k(b *testing.B) {
	h := generateHistory(1, benchWorkload)
	model := PorcupineModel()
	for b.Loop() {
		if !porcupine.CheckOperations(model, PorcupineOperations(h)) {
			b.Fatal("porcupine rejects the benchmark history")
		}
	}
}

// BenchmarkReadAfterWrite10k is the sweep alone, to compare with porcupine.
func BenchmarkReadAfterWrite10k(b *testing.B) {
	h := generateHistory(1, benchWorkload)
	for b.Loop() {
		if vs := CheckReadAfterWrite(h); len(vs) > 0 {
			b.Fatal(vs)
		}
	}
}
