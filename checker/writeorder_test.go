package checker

import (
	"slices"
	"testing"
)

func TestWriteOrderAcceptsGoodHistory(t *testing.T) {
	h := history(
		put(0, keyA, "v1", "t1", 1, 2),
		put(0, keyA, "v2", "t2", 3, 4),
		// concurrent writes may take stamps in either order
		put(1, keyA, "v4", "t4", 5, 8),
		del(2, keyA, "t3", 6, 7),
		put(0, keyA, "v5", "t5", 9, 10),
		// other keys have their own order
		put(0, keyB, "v6", "t0", 11, 12),
		// unacknowledged writes are not ordered
		unknown(put(0, keyA, "v7", "", 13, never)),
	)
	expectNone(t, CheckWriteOrder(h))
}

func TestWriteOrderRejectsSmallerStampAfterAck(t *testing.T) {
	h := history(
		put(0, keyA, "v1", "t5", 1, 2),
		put(1, keyA, "v2", "t4", 3, 4),
	)
	v := expectOne(t, CheckWriteOrder(h), WriteOrder, 1, "@t4", "@t5", "acknowledged at seq 2", "called at seq 3")
	if !slices.Equal(v.Ops, []int{1, 0}) {
		t.Errorf("ops = %v, want [1 0]", v.Ops)
	}
}

func TestWriteOrderRejectsEqualStamp(t *testing.T) {
	h := history(
		put(0, keyA, "v1", "t5", 1, 2),
		del(1, keyA, "t5", 3, 4),
	)
	expectOne(t, CheckWriteOrder(h), WriteOrder, 1, "delete #1")
}
