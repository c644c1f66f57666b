package netsim

import (
	"math/rand/v2"
	"testing"
)

func newTestNetwork(zones []int, cfg Config, seed uint64) *Network {
	return New(zones, cfg, rand.New(rand.NewPCG(seed, seed+1)))
}

// sendMany sends count messages from -> to, one every gap nanoseconds
// starting at 0, and returns each message's arrivals.
func sendMany(n *Network, from, to, count int, gap int64) [][]int64 {
	out := make([][]int64, count)
	for i := range out {
		out[i] = n.Send(int64(i)*gap, from, to, 100)
	}
	return out
}

func assertNear(t *testing.T, what string, got, want, tolerance float64) {
	t.Helper()
	if got < want-tolerance || got > want+tolerance {
		t.Errorf("%s = %.4f, want %.4f ± %.4f", what, got, want, tolerance)
	}
}

func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s did not panic", what)
		}
	}()
	f()
}
