package checker

import (
	"reflect"
	"slices"
	"testing"

	"github.com/anishathalye/porcupine"
	"pgregory.net/rapid"
)

// Histories from the correct-by-construction reference store must pass
// every check, whatever the interleaving, timeouts and failures.
func TestCheckAcceptsReferenceStoreHistories(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := workload{
			clients:    rapid.IntRange(1, 6).Draw(t, "clients"),
			partitions: rapid.IntRange(1, 3).Draw(t, "partitions"),
			sortKeys:   rapid.IntRange(1, 6).Draw(t, "sort keys"),
			ops:        rapid.IntRange(1, 300).Draw(t, "ops"),
		}
		h := generateHistory(rapid.Uint64().Draw(t, "seed"), w)
		if r := Check(h); !r.Ok() {
			t.Fatalf("reference store history rejected:\n%v", r)
		}
		if !porcupine.CheckOperations(PorcupineModel(), PorcupineOperations(h)) {
			t.Fatal("porcupine rejects a reference store history")
		}
	})
}

func TestCheckAcceptsLargeReferenceHistory(t *testing.T) {
	h := generateHistory(1, benchWorkload)
	r := Check(h)
	if !r.Ok() {
		t.Fatalf("rejected:\n%v", r)
	}
	if got, want := r.String(), "checker: 10000 ops, no violations\n"; got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
	counts := map[Kind]int{}
	for _, op := range h {
		if op.Outcome == OK {
			counts[op.Kind]++
		}
	}
	for _, k := range []Kind{Put, Delete, Get, Range} {
		if counts[k] < 500 {
			t.Errorf("only %d acknowledged %v ops: the benchmark history is not realistic", counts[k], k)
		}
	}
}

// Turning one read of a generated history stale must be caught, and only
// that read.
func TestCheckCatchesStaleReadInReferenceHistory(t *testing.T) {
	h := generateHistory(7, workload{clients: 4, partitions: 2, sortKeys: 3, ops: 2000})
	ix := newIndex(h)
	target := -1
	for i, op := range h {
		if op.Kind == Get && op.Outcome == OK && op.Found && ix.floor(op.Key, op.Call, op.Return) >= 0 {
			target = i
			break
		}
	}
	if target < 0 {
		t.Fatal("no get to corrupt")
	}
	h[target].Found, h[target].Value, h[target].Stamp = false, "", ""
	r := Check(h)
	if r.Count(ReadAfterWrite) != 1 || len(r.Violations) != 1 || r.Violations[0].Ops[0] != h[target].ID {
		t.Fatalf("want exactly one read-after-write violation on op #%d, got:\n%v", h[target].ID, r)
	}
}

// badHistory violates every history property once.
func badHistory() History {
	return history(
		put(0, keyA, "v1", "t1", 1, 2),
		put(0, keyA, "v2", "t0", 3, 4),                          // write-order: after t1 was acknowledged
		get(1, keyA, "v1", "t1", 5, 6),                          // fine: t1 is the floor
		get(1, keyB, "", "", 7, 8),                              // fine
		put(0, keyB, "v3", "", 9, 10),                           // well-formed: acknowledged without a stamp
		get(1, keyC, "v9", "t9", 11, 12),                        // no-phantom
		put(0, keyC, "v4", "t4", 13, 14),                        //
		get(1, keyC, "", "", 15, 16),                            // read-after-write
		scan(1, "p", "", "", 0, 17, 18, Entry{"a", "v1", "t1"}), // listing: misses p/b and p/c
	)
}

func TestCheckReportsEveryProperty(t *testing.T) {
	r := Check(badHistory())
	for _, p := range []Property{WellFormed, ReadAfterWrite, NoPhantom, WriteOrder, Listing} {
		if r.Count(p) == 0 {
			t.Errorf("no %s violation in:\n%v", p, r)
		}
	}
	order := slices.IndexFunc(properties, func(p Property) bool { return p == r.Violations[0].Property })
	for _, v := range r.Violations[1:] {
		next := slices.Index(properties, v.Property)
		if next < order {
			t.Fatalf("violations not grouped by property in report order:\n%v", r)
		}
		order = next
	}
	if got, want := r.Keys(), []Key{keyA, keyB, keyC}; !slices.Equal(got, want) {
		t.Errorf("keys = %v, want %v", got, want)
	}
}

func TestReportStringIsStableSummary(t *testing.T) {
	got := Check(badHistory()).String()
	want := `checker: 9 ops, 6 violations
  well-formed        1
  read-after-write   1
  no-phantom         1
  write-order        1
  listing            2
first 6:
  [well-formed] p/b: put #4 (client 0, seq 9..10): acknowledged without a stamp (ops #4)
  [read-after-write] p/c: get #7 (client 1, seq 15..16) read nothing (never written), older than put #6 (client 0, seq 13..14) of "v4" @t4, which was acknowledged at seq 14 before the get was called at seq 15 (ops #7 #6)
  [no-phantom] p/c: get #5 (client 1, seq 11..12) read "v9" @t9, but no put ever wrote "v9" (ops #5)
  [write-order] p/a: put #1 (client 0, seq 3..4) of "v2" @t0 does not have a larger stamp than put #0 (client 0, seq 1..2) of "v1" @t1, which was acknowledged at seq 2 before it was called at seq 3 (ops #1 #0)
  [listing] p/b: range #8 (client 1, seq 17..18) over ["", end of partition): did not list p/b, whose latest write acknowledged before the range was called is put #4 (client 0, seq 9..10) of "v3" @initial (returned at seq 10), and no delete that could supersede it was called before the range returned (ops #8 #4)
  [listing] p/c: range #8 (client 1, seq 17..18) over ["", end of partition): did not list p/c, whose latest write acknowledged before the range was called is put #6 (client 0, seq 13..14) of "v4" @t4 (returned at seq 14), and no delete that could supersede it was called before the range returned (ops #8 #6)
`
	if got != want {
		t.Errorf("summary changed:\n%s\nwant:\n%s", got, want)
	}
}

func TestCheckIsDeterministic(t *testing.T) {
	h := generateHistory(3, workload{clients: 5, partitions: 3, sortKeys: 4, ops: 3000})
	// Corrupt every tenth acknowledged read so that there is plenty to report.
	for i := range h {
		if h[i].Outcome == OK && h[i].Kind == Get && i%10 == 0 {
			h[i].Stamp += "x"
		}
		if h[i].Outcome == OK && h[i].Kind == Range && i%10 == 0 && len(h[i].Entries) > 0 {
			h[i].Entries = h[i].Entries[1:]
		}
	}
	first, second := Check(h), Check(slices.Clone(h))
	if first.Ok() {
		t.Fatal("corrupted history accepted")
	}
	if !reflect.DeepEqual(first, second) || first.String() != second.String() {
		t.Fatal("two runs over the same history disagree")
	}
}
