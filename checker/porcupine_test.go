package checker

import (
	"math"
	"slices"
	"testing"

	"github.com/anishathalye/porcupine"
	"pgregory.net/rapid"
)

// drawHistory draws a small history on two keys with random interleavings
// (distinct sequence numbers from a permutation), random stamps from a tiny
// alphabet so that stale reads and reordered writes are common, and a mix of
// outcomes.
func drawHistory(t *rapid.T) History {
	n := rapid.IntRange(1, 10).Draw(t, "ops")
	seqs := make([]int64, 2*n)
	for i := range seqs {
		seqs[i] = int64(i + 1)
	}
	times := rapid.Permutation(seqs).Draw(t, "times")
	stamps := []Stamp{"", "a", "b", "c", "d"}
	h := make(History, n)
	for i := range h {
		op := Op{
			ID:      i,
			Client:  rapid.IntRange(0, 2).Draw(t, "client"),
			Kind:    rapid.SampledFrom([]Kind{Put, Delete, Get}).Draw(t, "kind"),
			Key:     rapid.SampledFrom([]Key{keyA, keyB}).Draw(t, "key"),
			Call:    min(times[2*i], times[2*i+1]),
			Return:  max(times[2*i], times[2*i+1]),
			Outcome: rapid.SampledFrom([]Outcome{OK, OK, OK, Unknown, Failed}).Draw(t, "outcome"),
		}
		switch op.Kind {
		case Get:
			op.Stamp = rapid.SampledFrom(stamps).Draw(t, "read stamp")
			op.Found = op.Stamp != "" && rapid.Bool().Draw(t, "found")
		default:
			op.Stamp = rapid.SampledFrom(stamps[1:]).Draw(t, "write stamp")
		}
		if op.Found || op.Kind == Put {
			op.Value = "v" + string(rune('0'+i))
		}
		if op.Outcome == Unknown && rapid.Bool().Draw(t, "no return") {
			op.Return = math.MaxInt64
		}
		h[i] = op
	}
	return h
}

func onlyKey(h History, key Key) History {
	var out History
	for _, op := range h {
		if op.Key == key {
			out = append(out, op)
		}
	}
	return out
}

// The sweep and the exact porcupine model must agree on every history, key
// by key and as a whole (which exercises the model's partitioning).
func TestSweepAgreesWithPorcupine(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		h := drawHistory(t)
		violations := CheckReadAfterWrite(h)
		for _, key := range []Key{keyA, keyB} {
			sweepOk := !slices.ContainsFunc(violations, func(v Violation) bool { return v.Key == key })
			porcupineOk := porcupine.CheckOperations(PorcupineModel(), PorcupineOperations(onlyKey(h, key)))
			if sweepOk != porcupineOk {
				t.Fatalf("key %v: sweep ok=%v, porcupine ok=%v\nhistory: %v\nviolations: %v", key, sweepOk, porcupineOk, h, violations)
			}
		}
		if whole := porcupine.CheckOperations(PorcupineModel(), PorcupineOperations(h)); whole != (len(violations) == 0) {
			t.Fatalf("whole history: porcupine ok=%v, sweep violations %v", whole, violations)
		}
	})
}

// The sweeps must flag exactly the ops a quadratic reading of P1 and P3
// flags.
func TestSweepsMatchBruteForce(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		h := drawHistory(t)
		var staleGets, lateWrites []int
		// explained: a Get of nothing, after a Delete that may have the
		// newest stamp was called, saw its tombstone collected.
		explained := func(r Op, floor Stamp) bool {
			if r.Found || r.Stamp != "" {
				return false
			}
			for _, d := range h {
				if d.Kind == Delete && d.Key == r.Key && d.Outcome != Failed && d.Call < r.Return && (d.Outcome == Unknown || d.Stamp >= floor) {
					return true
				}
			}
			return false
		}
		for _, r := range h {
			if r.Outcome != OK {
				continue
			}
			floor := Stamp("")
			for _, w := range h {
				if w.Outcome == OK && w.Kind.isWrite() && w.Key == r.Key && w.Return < r.Call {
					floor = max(floor, w.Stamp)
				}
			}
			for _, w := range h {
				if w.Outcome != OK || !w.Kind.isWrite() || w.Key != r.Key || w.Return >= r.Call {
					continue
				}
				if r.Kind == Get && r.Stamp < w.Stamp {
					if !explained(r, floor) {
						staleGets = append(staleGets, r.ID)
					}
					break
				}
				if r.Kind.isWrite() && r.Stamp <= w.Stamp {
					lateWrites = append(lateWrites, r.ID)
					break
				}
			}
		}
		if got := firstOps(CheckReadAfterWrite(h)); !slices.Equal(got, staleGets) {
			t.Fatalf("read-after-write flags %v, brute force %v", got, staleGets)
		}
		if got := firstOps(CheckWriteOrder(h)); !slices.Equal(got, lateWrites) {
			t.Fatalf("write-order flags %v, brute force %v", got, lateWrites)
		}
	})
}

// firstOps returns the offending op of each violation, sorted.
func firstOps(vs []Violation) []int {
	var ids []int
	for _, v := range vs {
		ids = append(ids, v.Ops[0])
	}
	slices.Sort(ids)
	return ids
}

func TestPorcupineModelOnKnownHistories(t *testing.T) {
	model := PorcupineModel()
	anomaly := history(
		unknown(put(0, keyA, "v1", "", 1, never)),
		get(1, keyA, "v1", "t1", 2, 3),
		get(2, keyA, "", "", 4, 5),
	)
	if !porcupine.CheckOperations(model, PorcupineOperations(anomaly)) {
		t.Error("monotonic-reads anomaly rejected; it satisfies read-after-write")
	}
	stale := history(
		put(0, keyA, "v1", "t1", 1, 2),
		put(0, keyA, "v2", "t2", 3, 4),
		get(1, keyA, "v1", "t1", 5, 6),
	)
	if porcupine.CheckOperations(model, PorcupineOperations(stale)) {
		t.Error("stale read after an acknowledged write accepted")
	}
	collected := history(
		put(0, keyA, "v1", "t1", 1, 2),
		del(0, keyA, "t2", 3, 4),
		get(1, keyA, "", "", 5, 6),
	)
	if !porcupine.CheckOperations(model, PorcupineOperations(collected)) {
		t.Error("a read after a collected tombstone rejected")
	}
	lost := history(
		put(0, keyA, "v1", "t1", 1, 2),
		get(1, keyA, "", "", 5, 6),
	)
	if porcupine.CheckOperations(model, PorcupineOperations(lost)) {
		t.Error("a read of nothing after an acknowledged put accepted")
	}
}

func TestPorcupineOperationsKeepsOnlyAcknowledgedPointOps(t *testing.T) {
	h := history(
		put(0, keyA, "v1", "t1", 1, 2),
		unknown(put(0, keyA, "v2", "", 3, never)),
		failed(del(0, keyA, "", 4, 5)),
		unknown(get(1, keyA, "", "", 6, never)),
		scan(1, "p", "", "", 0, 7, 8),
		get(1, keyB, "", "", 9, 10),
	)
	ops := PorcupineOperations(h)
	var ids []int
	for _, op := range ops {
		ids = append(ids, op.Metadata.(int))
	}
	if !slices.Equal(ids, []int{0, 5}) {
		t.Errorf("kept ops %v, want [0 5]", ids)
	}
	withUnknownDelete := PorcupineOperations(history(unknown(del(0, keyA, "", 1, 2))))
	if len(withUnknownDelete) != 1 || withUnknownDelete[0].Return != math.MaxInt64 {
		t.Errorf("a delete of unknown outcome: %+v, want kept, returning never", withUnknownDelete)
	}
	partitions := PorcupineModel().Partition(ops)
	if len(partitions) != 2 || partitions[0][0].Input.(modelInput).key != keyA {
		t.Errorf("partitions not one per key in key order: %v", partitions)
	}
}

func TestPorcupineModelDescriptions(t *testing.T) {
	model := PorcupineModel()
	ops := PorcupineOperations(history(
		put(0, keyA, "v1", "t1", 1, 2),
		del(0, keyA, "\x00\x01", 3, 4),
		get(1, keyA, "v1", "t1", 5, 6),
		get(1, keyA, "", "t2", 7, 8),
		get(1, keyB, "", "", 9, 10),
	))
	want := []string{
		"put(p/a)=v1 @t1",
		"delete(p/a) @0x0001",
		"get(p/a) -> v1 @t1",
		"get(p/a) -> deleted @t2",
		"get(p/b) -> never written",
	}
	for i, op := range ops {
		if got := model.DescribeOperation(op.Input, op.Output); got != want[i] {
			t.Errorf("op %d described as %q, want %q", i, got, want[i])
		}
	}
	if got := model.DescribeState(floorState{floor: "t1", floorIsDelete: true}); got != "floor=t1 (a delete)" {
		t.Errorf("state described as %q", got)
	}
	s1, s2 := floorState{floor: "t1"}, floorState{floor: "t2"}
	if model.Hash(s1) != model.Hash(s1) || model.Hash(s1) == model.Hash(s2) || model.Hash(s1) == model.Hash(floorState{floor: "t1", maybeDeleted: true}) {
		t.Error("hash is not a function of the state")
	}
}
