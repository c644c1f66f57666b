package checker

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// Hand-built K2V histories: op i has ID i; sequence numbers double as
// times in seconds (CallAt = Call s).

var (
	ka = K2VKey{"b", "p", "a"}
	kb = K2VKey{"b", "p", "b"}
)

func kval(v string, node, t uint64) K2VValue { return K2VValue{Value: v, Dot: K2VDot{node, t}} }
func ktomb(node, t uint64) K2VValue          { return K2VValue{Tombstone: true, Dot: K2VDot{node, t}} }

// kins is an acknowledged insert; from is the op whose token it carries
// (-1: none).
func kins(client int, key K2VKey, value string, from int, call, ret int64) K2VOp {
	return K2VOp{Client: client, Kind: K2VInsert, Key: key, Value: value, TokenFrom: from, Call: call, Return: ret, Outcome: OK}
}

func kdel(client int, key K2VKey, from int, call, ret int64) K2VOp {
	op := kins(client, key, "", from, call, ret)
	op.Tombstone = true
	return op
}

// kread returns values (and the context they make).
func kread(client int, key K2VKey, call, ret int64, values ...K2VValue) K2VOp {
	return K2VOp{Client: client, Kind: K2VRead, Key: key, Found: len(values) > 0, Values: values, Context: contextOf(values),
		TokenFrom: -1, Call: call, Return: ret, Outcome: OK}
}

// kpoll polls key with the token of op from, for timeout seconds.
func kpoll(client int, key K2VKey, from int, timeout int64, call, ret int64, values ...K2VValue) K2VOp {
	return K2VOp{Client: client, Kind: K2VPoll, Key: key, TokenFrom: from, Timeout: time.Duration(timeout) * time.Second,
		Changed: len(values) > 0, Values: values, Context: contextOf(values), Call: call, Return: ret, Outcome: OK}
}

func final(op K2VOp) K2VOp {
	op.Final = true
	return op
}

func kunknown(op K2VOp) K2VOp {
	op.Outcome, op.Return = Unknown, never
	return op
}

func contextOf(vs []K2VValue) K2VContext {
	var c K2VContext
	for _, v := range vs {
		c = c.merge(K2VContext{v.Dot})
	}
	return c
}

// k2vHistory numbers the ops, sets their times from their sequence
// numbers and gives each insert or poll the context of the op whose token
// it carries.
func k2vHistory(ops ...K2VOp) K2VHistory {
	h := K2VHistory{Ops: slices.Clone(ops), PollMargin: 500 * time.Millisecond, PollGiveUp: 2 * time.Second}
	for i := range h.Ops {
		op := &h.Ops[i]
		op.ID = i
		op.CallAt = op.Call * int64(time.Second)
		op.ReturnAt = op.Return * int64(time.Second)
		if op.Return == never {
			op.ReturnAt = op.CallAt + 1
		}
		if op.TokenFrom >= 0 && op.Token == nil {
			op.Token = h.Ops[op.TokenFrom].Context
		}
	}
	return h
}

func wantK2V(t *testing.T, h K2VHistory, want ...Property) {
	t.Helper()
	got := CheckK2V(h)
	var props []Property
	for _, v := range got {
		props = append(props, v.Property)
	}
	props = slices.Compact(props)
	slices.Sort(want)
	slices.Sort(props)
	if !slices.Equal(props, want) {
		var b strings.Builder
		for _, v := range got {
			b.WriteString("\n  " + v.String())
		}
		t.Fatalf("violated %v, want %v:%s", props, want, b.String())
	}
}

// TestK2VCorrectHistoryPasses: read-modify-write cycles, concurrent blind
// writes kept as siblings, a delete, polls that answer and that time out,
// the converged state and a matching index: nothing to report.
func TestK2VCorrectHistoryPasses(t *testing.T) {
	h := k2vHistory(
		kins(0, ka, "v1", -1, 1, 2),                            // 0
		kread(1, ka, 3, 4, kval("v1", 1, 10)),                  // 1
		kins(1, ka, "v2", 1, 5, 6),                             // 2: supersedes v1
		kins(2, ka, "v3", -1, 5, 7),                            // 3: blind, concurrent with v2
		kread(0, ka, 8, 9, kval("v2", 2, 5), kval("v3", 3, 7)), // 4: siblings
		kpoll(3, ka, 4, 5, 10, 12, kval("v4", 1, 11)),          // 5: answered when v4 came
		kins(1, ka, "v4", 4, 10, 11),                           // 6: supersedes v2 and v3
		kread(2, ka, 13, 14, kval("v4", 1, 11)),                // 7
		kpoll(3, ka, 7, 3, 15, 18),                             // 8: nothing new for 3 s
		kdel(0, kb, -1, 15, 16),                                // 9: a delete of an item never written
		final(kread(0, ka, 20, 21, kval("v4", 1, 11))),         // 10
		final(kread(0, kb, 20, 21, ktomb(2, 9))),               // 11
		K2VOp{Kind: K2VIndex, Key: K2VKey{Bucket: "b"}, Final: true, TokenFrom: -1, Call: 22, Return: 23, Outcome: OK,
			Partitions: []K2VIndexEntry{{Partition: "p", Counts: K2VCounts{Entries: 1, Values: 1, Bytes: 2}}}}, // 12
	)
	h.Ops[10].Counts = K2VCounts{Entries: 1, Values: 1, Bytes: 2}
	wantK2V(t, h)
}

// TestK2VLostValue (a): an acknowledged value missing from the converged
// state, which nothing that saw it superseded, is lost; superseded by a
// write that saw it, or by a delete, it is not.
func TestK2VLostValue(t *testing.T) {
	lost := k2vHistory(
		kins(0, ka, "v1", -1, 1, 2),
		kins(1, ka, "v2", -1, 3, 4),
		final(kread(0, ka, 10, 11, kval("v2", 1, 2))),
	)
	wantK2V(t, lost, K2VLost)

	superseded := k2vHistory(
		kins(0, ka, "v1", -1, 1, 2),
		kread(1, ka, 3, 4, kval("v1", 1, 1)),
		kins(1, ka, "v2", 1, 5, 6),
		final(kread(0, ka, 10, 11, kval("v2", 1, 2))),
	)
	wantK2V(t, superseded)

	// Deleted, the tombstone collected: the item is gone, then written
	// again blind.
	deleted := k2vHistory(
		kins(0, ka, "v1", -1, 1, 2),
		kread(1, ka, 3, 4, kval("v1", 1, 1)),
		kdel(1, ka, 1, 5, 6),
		kins(2, ka, "v2", -1, 50, 51),
		final(kread(0, ka, 60, 61, kval("v2", 1, 9))),
	)
	wantK2V(t, deleted)

	// The successor's write had an unknown outcome: it may have happened.
	unknownSuccessor := k2vHistory(
		kins(0, ka, "v1", -1, 1, 2),
		kread(1, ka, 3, 4, kval("v1", 1, 1)),
		kunknown(kdel(1, ka, 1, 5, 6)),
		final(kread(0, ka, 60, 61)),
	)
	wantK2V(t, unknownSuccessor)
}

// TestK2VSupersededStaysGone (b): once a write carrying a token is
// acknowledged, no read that begins afterwards returns a value whose dot
// the token covered; before the acknowledgement it may, and the same
// value stamped again by a retried write (another dot) may.
func TestK2VSupersededStaysGone(t *testing.T) {
	base := []K2VOp{
		kins(0, ka, "v1", -1, 1, 2),
		kread(1, ka, 3, 4, kval("v1", 1, 1)),
		kins(1, ka, "v2", 1, 5, 8),
	}
	back := k2vHistory(append(base, kread(2, ka, 9, 10, kval("v1", 1, 1), kval("v2", 2, 1)))...)
	wantK2V(t, back, K2VSuperseded)

	inFlight := k2vHistory(append(base, kread(2, ka, 7, 9, kval("v1", 1, 1), kval("v2", 2, 1)))...)
	wantK2V(t, inFlight)

	retried := k2vHistory(append(base, kread(2, ka, 9, 10, kval("v1", 3, 4), kval("v2", 2, 1)))...)
	wantK2V(t, retried)

	// A delete supersedes too.
	deleted := k2vHistory(
		kins(0, ka, "v1", -1, 1, 2),
		kread(1, ka, 3, 4, kval("v1", 1, 1)),
		kdel(1, ka, 1, 5, 6),
		kread(2, ka, 7, 8, kval("v1", 1, 1), ktomb(2, 1)),
	)
	wantK2V(t, deleted, K2VSuperseded)
}

// TestK2VSiblings (c): two acknowledged writes neither of which saw the
// other both stay; a read that keeps only one is last-writer-wins.
func TestK2VSiblings(t *testing.T) {
	lww := k2vHistory(
		kins(0, ka, "v1", -1, 1, 3),
		kins(1, ka, "v2", -1, 2, 4),
		kread(2, ka, 5, 6, kval("v2", 2, 1)),
	)
	wantK2V(t, lww, K2VSiblings)

	// Two read-modify-writes from the same read: concurrent as well.
	rmw := k2vHistory(
		kins(0, ka, "v0", -1, 1, 2),
		kread(1, ka, 3, 4, kval("v0", 1, 1)),
		kins(1, ka, "v1", 1, 5, 7),
		kins(2, ka, "v2", 1, 5, 8),
		kread(3, ka, 9, 10, kval("v1", 1, 2)),
	)
	wantK2V(t, rmw, K2VSiblings)

	kept := k2vHistory(
		kins(0, ka, "v1", -1, 1, 3),
		kins(1, ka, "v2", -1, 2, 4),
		kread(2, ka, 5, 6, kval("v2", 2, 1), kval("v1", 1, 1)),
	)
	wantK2V(t, kept)
}

// TestK2VReadAfterWrite (d): a read that begins after a write was
// acknowledged returns its value or a successor's; reading nothing, or
// what the write superseded, is stale. A read in flight with the write may
// miss it.
func TestK2VReadAfterWrite(t *testing.T) {
	nothing := k2vHistory(
		kins(0, ka, "v1", -1, 1, 2),
		kread(1, ka, 3, 4),
	)
	wantK2V(t, nothing, K2VReadAfterWrite)

	stale := k2vHistory(
		kins(0, ka, "v0", -1, 1, 2),
		kread(1, ka, 3, 4, kval("v0", 1, 1)),
		kins(1, ka, "v1", 1, 5, 6),
		kread(2, ka, 7, 8, kval("v0", 1, 1)),
	)
	// v0 came back (its dot is covered by v1's token) and v1 is missing.
	wantK2V(t, stale, K2VReadAfterWrite, K2VSuperseded)

	concurrent := k2vHistory(
		kins(0, ka, "v1", -1, 1, 4),
		kread(1, ka, 3, 5),
	)
	wantK2V(t, concurrent)

	successor := k2vHistory(
		kins(0, ka, "v1", -1, 1, 2),
		kread(1, ka, 3, 4, kval("v1", 1, 1)),
		kins(1, ka, "v2", 1, 5, 6),
		kread(2, ka, 7, 8, kval("v2", 1, 2)),
		kins(2, ka, "v3", 3, 9, 10), // saw v2, hence v1
		kread(3, ka, 11, 12, kval("v3", 2, 1)),
	)
	wantK2V(t, successor)

	// A range read covers the items of its range it does not return.
	rng := k2vHistory(
		kins(0, ka, "v1", -1, 1, 2),
		K2VOp{Kind: K2VRange, Key: K2VKey{Bucket: "b", Partition: "p"}, TokenFrom: -1, Call: 3, Return: 4, Outcome: OK},
	)
	wantK2V(t, rng, K2VReadAfterWrite)
	cutShort := rng
	cutShort.Ops = slices.Clone(rng.Ops)
	cutShort.Ops[1].Start, cutShort.Ops[1].More, cutShort.Ops[1].Next = "", true, "a"
	wantK2V(t, cutShort) // it covered only [ "", "a" )
}

// TestK2VPolls (e): a poll that answers must return a value its token had
// not seen; one that times out must not have missed a value acknowledged
// well before its deadline, unless a clock jump or the entry node giving
// up explains it.
func TestK2VPolls(t *testing.T) {
	// read #1 -> token; the poll from 3 s for 5 s (deadline 8 s); v2 acked at 4 s.
	ops := func(pollReturn int64) []K2VOp {
		return []K2VOp{
			kins(0, ka, "v1", -1, 0, 1),
			kread(1, ka, 1, 2, kval("v1", 1, 1)),
			kpoll(1, ka, 1, 5, 3, pollReturn),
			kins(2, ka, "v2", -1, 3, 4),
		}
	}
	early := k2vHistory(ops(5)...)
	wantK2V(t, early, K2VPollProperty)

	// The entry node gave up on unreachable storage nodes.
	gaveUp := k2vHistory(ops(10)...)
	wantK2V(t, gaveUp)

	// A clock jumped forward by 5 s during the poll.
	jumped := k2vHistory(ops(5)...)
	jumped.ClockJumps = []K2VClockJump{{At: 4 * int64(time.Second), By: -5 * time.Second}}
	wantK2V(t, jumped)

	// The layout moved during the poll.
	moved := k2vHistory(ops(5)...)
	moved.LayoutMoves = []int64{9 * int64(time.Second), 4 * int64(time.Second)}
	wantK2V(t, moved)
	moved.LayoutMoves = moved.LayoutMoves[:1]
	wantK2V(t, moved, K2VPollProperty)

	// v2 acknowledged within the margin of the deadline.
	late := k2vHistory(ops(8)...)
	late.Ops[3].ReturnAt = 8*int64(time.Second) - int64(100*time.Millisecond)
	wantK2V(t, late)

	// The poll's token had seen v2.
	seen := k2vHistory(
		kins(2, ka, "v2", -1, 0, 1),
		kread(1, ka, 1, 2, kval("v2", 1, 1)),
		kpoll(1, ka, 1, 5, 3, 8),
	)
	wantK2V(t, seen)

	// Changed, but with nothing the token had not seen.
	spurious := k2vHistory(
		kins(0, ka, "v1", -1, 0, 1),
		kread(1, ka, 1, 2, kval("v1", 1, 1)),
		kpoll(1, ka, 1, 5, 3, 4, kval("v1", 1, 1)),
	)
	wantK2V(t, spurious, K2VPollProperty)

	answered := k2vHistory(
		kins(0, ka, "v1", -1, 0, 1),
		kread(1, ka, 1, 2, kval("v1", 1, 1)),
		kpoll(1, ka, 1, 5, 3, 5, kval("v1", 1, 1), kval("v2", 2, 1)),
		kins(2, ka, "v2", -1, 3, 4),
	)
	wantK2V(t, answered)
}

// TestK2VIndex (f): after healing, the index counts of each partition key
// are the sum of its converged items' counts.
func TestK2VIndex(t *testing.T) {
	h := func(reported K2VCounts) K2VHistory {
		x := k2vHistory(
			kins(0, ka, "v1", -1, 1, 2),
			kins(1, ka, "v2", -1, 1, 3),
			kins(1, kb, "v3", -1, 1, 3),
			final(kread(0, ka, 10, 11, kval("v1", 1, 1), kval("v2", 2, 1))),
			final(kread(0, kb, 10, 11, kval("v3", 2, 2))),
			final(kread(1, ka, 12, 13, kval("v1", 1, 1), kval("v2", 2, 1))), // the same state through another node
			K2VOp{Kind: K2VIndex, Key: K2VKey{Bucket: "b"}, Final: true, TokenFrom: -1, Call: 14, Return: 15, Outcome: OK,
				Partitions: []K2VIndexEntry{{Partition: "p", Counts: reported}}},
		)
		x.Ops[3].Counts = K2VCounts{Entries: 1, Conflicts: 1, Values: 2, Bytes: 4}
		x.Ops[4].Counts = K2VCounts{Entries: 1, Values: 1, Bytes: 2}
		x.Ops[5].Counts = x.Ops[3].Counts
		return x
	}
	wantK2V(t, h(K2VCounts{Entries: 2, Conflicts: 1, Values: 3, Bytes: 6}))
	wantK2V(t, h(K2VCounts{Entries: 4, Conflicts: 1, Values: 3, Bytes: 6}), K2VIndexCounts)
	missing := h(K2VCounts{})
	missing.Ops[6].Partitions = nil
	wantK2V(t, missing, K2VIndexCounts)
}

// TestK2VPhantomsAndWellFormed: a value no insert wrote is a phantom; a
// history with a value written twice is refused as a whole.
func TestK2VPhantomsAndWellFormed(t *testing.T) {
	wantK2V(t, k2vHistory(kread(0, ka, 1, 2, kval("ghost", 1, 1))), K2VPhantom)
	wantK2V(t, k2vHistory(kread(0, ka, 1, 2, ktomb(1, 1))), K2VPhantom)
	wantK2V(t, k2vHistory(
		kread(0, ka, 1, 2, kval("v1", 1, 1)),
		kins(0, ka, "v1", -1, 3, 4),
	), K2VPhantom)
	wantK2V(t, k2vHistory(kins(0, ka, "v1", -1, 1, 2), kins(1, kb, "v1", -1, 1, 2)), WellFormed)
	wantK2V(t, k2vHistory(kins(0, ka, "v1", 1, 1, 2), kread(0, ka, 3, 4)), WellFormed) // token from the future
}

// TestK2VCheckIsBounded: a long history of one hot item checks quickly
// (bit sets per read, one pass of reads against writes).
func TestK2VCheckIsBounded(t *testing.T) {
	var ops []K2VOp
	seq := int64(1)
	last := -1
	for i := range 3000 {
		v := "v" + string(rune('a'+i%26)) + strings.Repeat("x", i/26)
		ops = append(ops, kins(i%8, ka, v, last, seq, seq+1))
		ops = append(ops, kread(i%8, ka, seq+2, seq+3, kval(v, 1, uint64(i+1))))
		last = len(ops) - 1
		seq += 4
	}
	start := time.Now()
	if v := CheckK2V(k2vHistory(ops...)); len(v) > 0 {
		t.Fatalf("%d violations, first %v", len(v), v[0])
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("6000 operations took %v", d)
	}
}
