package checker

import (
	"slices"
	"testing"
)

// The seed talk's anomaly: a write still in flight reached one replica; a
// read that met it returns the new value, a later read from the others the
// old one. Read-after-write holds (the write was never acknowledged
// before), monotonic reads do not.
func TestMonotonicReadsRejectsTheSeedTalkAnomaly(t *testing.T) {
	h := history(
		put(0, keyA, "v1", "t1", 1, 2),
		put(0, keyA, "v2", "t2", 3, 20), // in flight throughout
		get(1, keyA, "v2", "t2", 4, 5),
		get(2, keyA, "v1", "t1", 6, 7),
	)
	expectNone(t, CheckReadAfterWrite(h))
	v := expectOne(t, CheckMonotonicReads(h), MonotonicReads, 3, `read "v1" @t1`, `get #2`, "returned at seq 5", "called at seq 6")
	if !slices.Equal(v.Ops, []int{3, 2}) {
		t.Errorf("ops = %v, want [3 2]", v.Ops)
	}
	if Check(h).Count(MonotonicReads) != 0 {
		t.Error("Check includes monotonic reads; the simulator asks for them only with repair-on-read")
	}
}

func TestMonotonicReadsAcceptsOverlappingAndOrderedReads(t *testing.T) {
	h := history(
		put(0, keyA, "v1", "t1", 1, 2),
		put(0, keyA, "v2", "t2", 3, 20),
		get(1, keyA, "v2", "t2", 4, 8),
		get(2, keyA, "v1", "t1", 5, 9), // overlaps the first read: allowed
		get(2, keyA, "v2", "t2", 10, 11),
		get(1, keyB, "", "", 12, 13), // other key, never written
		del(0, keyA, "t3", 14, 15),
		get(1, keyA, "", "t3", 16, 17),
	)
	expectNone(t, CheckMonotonicReads(h))
}

func TestMonotonicReadsIgnoresFailedReads(t *testing.T) {
	stale := get(2, keyA, "v1", "t1", 6, 7)
	stale.Outcome = Failed
	h := history(
		put(0, keyA, "v1", "t1", 1, 2),
		put(0, keyA, "v2", "t2", 3, 20),
		get(1, keyA, "v2", "t2", 4, 5),
		stale,
	)
	expectNone(t, CheckMonotonicReads(h))
}
