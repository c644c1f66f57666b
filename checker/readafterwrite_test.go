package checker

import (
	"slices"
	"testing"
)

func TestReadAfterWriteAcceptsGoodHistory(t *testing.T) {
	h := history(
		put(0, keyA, "v1", "t1", 1, 2),
		get(1, keyA, "v1", "t1", 3, 4),
		put(0, keyA, "v2", "t2", 5, 8), // in flight during the next get
		get(1, keyA, "v1", "t1", 6, 7), // so the old value is still allowed
		get(1, keyA, "v2", "t2", 9, 10),
		del(0, keyA, "t3", 11, 12),
		get(1, keyA, "", "t3", 13, 14),
		get(1, keyB, "", "", 15, 16), // never written
	)
	expectNone(t, CheckReadAfterWrite(h))
}

func TestReadAfterWriteRejectsStaleRead(t *testing.T) {
	h := history(
		put(0, keyA, "v1", "t1", 1, 2),
		put(0, keyA, "v2", "t2", 3, 4),
		get(1, keyA, "v1", "t1", 5, 6),
	)
	v := expectOne(t, CheckReadAfterWrite(h), ReadAfterWrite, 2,
		`read "v1" @t1`, `put #1 (client 0, seq 3..4) of "v2" @t2`, "acknowledged at seq 4", "called at seq 5")
	if !slices.Equal(v.Ops, []int{2, 1}) || v.Key != keyA {
		t.Errorf("violation = %+v, want ops [2 1] on %v", v, keyA)
	}
}

func TestReadAfterWriteRejectsReadMissingDelete(t *testing.T) {
	h := history(
		put(0, keyA, "v1", "t1", 1, 2),
		del(0, keyA, "t2", 3, 4),
		get(1, keyA, "v1", "t1", 5, 6),
	)
	expectOne(t, CheckReadAfterWrite(h), Resurrection, 2, "delete #1")
}

// A read of nothing after a delete: the tombstone may have been collected.
// After a put, with no delete that could explain it, it is a lost write.
func TestReadAfterWriteAcceptsCollectedTombstones(t *testing.T) {
	ok := history(
		put(0, keyA, "v1", "t1", 1, 2),
		del(0, keyA, "t2", 3, 4),
		get(1, keyA, "", "", 5, 6),
	)
	if v := CheckReadAfterWrite(ok); len(v) != 0 {
		t.Errorf("collected tombstone: %v", v)
	}
	unknownDelete := history(
		put(0, keyA, "v1", "t1", 1, 2),
		unknown(del(0, keyA, "", 3, never)),
		get(1, keyA, "", "", 5, 6),
	)
	if v := CheckReadAfterWrite(unknownDelete); len(v) != 0 {
		t.Errorf("a delete of unknown outcome may explain it: %v", v)
	}
	olderDelete := history(
		del(0, keyA, "t1", 1, 2),
		put(0, keyA, "v2", "t2", 3, 4),
		get(1, keyA, "", "", 5, 6),
	)
	expectOne(t, CheckReadAfterWrite(olderDelete), ReadAfterWrite, 2, "read nothing")
	if v := CheckMonotonicReads(history(
		put(0, keyA, "v1", "t1", 1, 2),
		get(1, keyA, "v1", "t1", 3, 4),
		del(0, keyA, "t2", 5, 6),
		get(1, keyA, "", "", 7, 8),
	)); len(v) != 0 {
		t.Errorf("monotonic reads across a collected tombstone: %v", v)
	}
}

func TestReadAfterWriteRejectsInitialAfterAckedWrite(t *testing.T) {
	h := history(
		put(0, keyA, "v1", "t1", 1, 2),
		get(1, keyA, "", "", 3, 4),
	)
	expectOne(t, CheckReadAfterWrite(h), ReadAfterWrite, 1, "read nothing")
}

func TestReadAfterWriteUsesLargestStampNotLatestReturn(t *testing.T) {
	// t5 was acknowledged first but is the floor: reading t3 is stale even
	// though t3's write returned last.
	h := history(
		put(0, keyA, "v5", "t5", 1, 2),
		put(1, keyA, "v3", "t3", 3, 4),
		get(2, keyA, "v3", "t3", 5, 6),
	)
	expectOne(t, CheckReadAfterWrite(h), ReadAfterWrite, 2, "put #0")
}

func TestReadAfterWriteIgnoresUnacknowledgedOps(t *testing.T) {
	h := history(
		unknown(put(0, keyA, "v1", "", 1, never)),
		failed(put(0, keyA, "v2", "", 2, 3)),
		get(1, keyA, "", "", 4, 5),
		unknown(get(1, keyA, "", "", 6, never)),
	)
	expectNone(t, CheckReadAfterWrite(h))
}

// The monotonic-reads anomaly of quorum reads with asynchronous repair: a
// read sees an in-flight write, a later read does not. Not linearizable, but
// read-after-write holds because the write was never acknowledged.
func TestReadAfterWriteAcceptsMonotonicReadsAnomaly(t *testing.T) {
	h := history(
		unknown(put(0, keyA, "v1", "", 1, never)),
		get(1, keyA, "v1", "t1", 2, 3),
		get(2, keyA, "", "", 4, 5),
	)
	expectNone(t, CheckReadAfterWrite(h))
}
