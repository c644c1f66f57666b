package netsim

import (
	"strings"
	"testing"
	"time"
)

func TestDescribeHealthy(t *testing.T) {
	if got := newTestNetwork([]int{0, 1}, DefaultConfig(), 1).Describe(); got != "healthy" {
		t.Errorf("Describe() = %q, want healthy", got)
	}
}

func TestDescribeIsCanonical(t *testing.T) {
	lossy := LinkProfile{Latency: 200 * time.Millisecond, Loss: 0.5}
	want := "partition {0 1} {2 3} isolated {4 5}; cut 0->2 3->1; down 1 5; link 0->1 [latency=200ms loss=0.5]; link 4->0 [ideal]"

	a := newTestNetwork([]int{0, 0, 1, 1, 2, 2}, DefaultConfig(), 1)
	a.Partition([]int{0, 1}, []int{2, 3})
	a.Cut(0, 2)
	a.Cut(3, 1)
	a.Crash(1)
	a.Crash(5)
	a.SetLink(0, 1, lossy)
	a.SetLink(4, 0, LinkProfile{})

	// The same faults injected in another order.
	b := newTestNetwork([]int{0, 0, 1, 1, 2, 2}, DefaultConfig(), 1)
	b.SetLink(4, 0, LinkProfile{})
	b.SetLink(0, 1, lossy)
	b.Crash(5)
	b.Crash(1)
	b.Cut(3, 1)
	b.Cut(0, 2)
	b.Partition([]int{3, 2}, []int{1, 0})

	for name, n := range map[string]*Network{"a": a, "b": b} {
		if got := n.Describe(); got != want {
			t.Errorf("%s: Describe() =\n%q\nwant\n%q", name, got, want)
		}
	}
}

func TestStatsString(t *testing.T) {
	n := newTestNetwork([]int{0, 1}, DefaultConfig(), 1)
	n.Send(0, 0, 1, 42)
	got := n.Stats().String()
	for _, want := range []string{"sent=1", "bytes=42", "scheduled=1"} {
		if !strings.Contains(got, want) {
			t.Errorf("Stats().String() = %q, missing %q", got, want)
		}
	}
}
