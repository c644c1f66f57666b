package blockstore

import (
	"math"
	"testing"
)

func sliceCounts(primary [numSlices]int, dirs int) []int {
	counts := make([]int, dirs)
	for _, d := range primary {
		counts[d]++
	}
	return counts
}

func TestAssignSlicesFollowsCapacities(t *testing.T) {
	cases := []struct {
		capacities []uint64
		want       []int
	}{
		{[]uint64{1}, []int{1024}},
		{[]uint64{1, 3}, []int{256, 768}},
		{[]uint64{1, 1, 1}, []int{342, 341, 341}}, // remainder ties go to the first
		{[]uint64{0, 5, 0, 5}, []int{0, 512, 0, 512}},
		{[]uint64{2, 0, 1}, []int{683, 0, 341}},
		// Capacities in bytes of large disks must not overflow.
		{[]uint64{math.MaxUint64 / 4, math.MaxUint64 / 4 * 3}, []int{256, 768}},
	}
	for _, c := range cases {
		got := sliceCounts(assignSlices(c.capacities), len(c.capacities))
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("capacities %v: slices %v, want %v", c.capacities, got, c.want)
				break
			}
		}
	}
}

func TestAssignSlicesIsDeterministic(t *testing.T) {
	caps := []uint64{7e12, 3e12, 0, 11e12}
	if assignSlices(caps) != assignSlices(caps) {
		t.Fatal("two assignments of the same capacities differ")
	}
}

func TestSliceOfUsesBytesTwoAndThree(t *testing.T) {
	var h [32]byte
	h[0], h[1] = 0xff, 0xff
	h[2], h[3] = 0x07, 0x05 // 0x0705 = 1797 → 1797 mod 1024 = 773
	if got := sliceOf(h); got != 773 {
		t.Fatalf("sliceOf = %d, want 773", got)
	}
}
