package main

import (
	"bytes"
	"testing"

	"pgregory.net/rapid"
)

func genState(t *rapid.T, label string) ItemState {
	replicas := []string{"a", "b", "c"}
	counters := func(name string) map[string]uint64 {
		m := map[string]uint64{}
		for _, r := range replicas {
			if n := rapid.Uint64Range(0, 3).Draw(t, label+name+r); n > 0 {
				m[r] = n
			}
		}
		if len(m) == 0 {
			return nil
		}
		return m
	}
	return ItemState{
		Name:     rapid.SampledFrom([]string{"Milk", "milk", "MILK"}).Draw(t, label+"name"),
		Adds:     counters("adds"),
		Removes:  counters("removes"),
		Qty:      rapid.IntRange(1, 5).Draw(t, label+"qty"),
		QtyStamp: Stamp{Counter: rapid.Uint64Range(0, 3).Draw(t, label+"c"), Replica: rapid.SampledFrom(replicas).Draw(t, label+"r")},
	}
}

// The merge is a join: siblings merge to the same bytes in any order and
// any grouping, and merging a state with itself changes nothing. (Equal
// stamps from different writes cannot happen — a stamp names its
// replica, and a replica never reuses a counter — so the generator's
// equal stamps with different quantities are excluded.)
func TestMergeIsAJoin(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b, c := genState(t, "a"), genState(t, "b"), genState(t, "c")
		for _, p := range [][2]ItemState{{a, b}, {b, c}, {a, c}} {
			if p[0].QtyStamp == p[1].QtyStamp && (p[0].Qty != p[1].Qty || p[0].Name != p[1].Name) {
				t.Skip("one stamp, two writes")
			}
		}
		eq := func(what string, x, y ItemState) {
			if !bytes.Equal(x.encode(), y.encode()) {
				t.Fatalf("%s: %s != %s", what, x.encode(), y.encode())
			}
		}
		eq("commutative", Merge(a, b), Merge(b, a))
		eq("associative", Merge(Merge(a, b), c), Merge(a, Merge(b, c)))
		eq("idempotent", Merge(Merge(a, b), b), Merge(a, b))
	})
}

func TestAddWinsOverAConcurrentRemove(t *testing.T) {
	base := ItemState{}.added("a", "Milk", 1)
	removedByA := base.removed()
	readdedByB := base.added("b", "Milk", 3)
	for _, m := range []ItemState{Merge(removedByA, readdedByB), Merge(readdedByB, removedByA)} {
		if !m.Present() || m.Qty != 3 {
			t.Fatalf("merge %s: want milk present with quantity 3", m.encode())
		}
	}
	// A remove that saw the re-add wins.
	if m := Merge(removedByA, readdedByB).removed(); m.Present() {
		t.Fatalf("a remove after seeing every add left %s", m.encode())
	}
}

func TestConcurrentQuantitiesSettleOnTheLaterStamp(t *testing.T) {
	base := ItemState{}.added("a", "Eggs", 6)
	x, y := base.added("a", "Eggs", 12), base.added("b", "eggs", 10) // both stamp 2: replica b breaks the tie
	for _, m := range []ItemState{Merge(x, y), Merge(y, x)} {
		if m.Qty != 10 || m.Name != "eggs" {
			t.Fatalf("merge %s: want b's 10 eggs", m.encode())
		}
	}
}

func TestMergeValuesSkipsTombstonesAndRejectsGarbage(t *testing.T) {
	s := ItemState{}.added("a", "Tea", 1)
	m, err := mergeValues([][]byte{nil, s.encode()})
	if err != nil || !bytes.Equal(m.encode(), s.encode()) {
		t.Fatalf("got %s, %v", m.encode(), err)
	}
	if _, err := mergeValues([][]byte{[]byte("not json")}); err == nil {
		t.Fatal("garbage merged")
	}
}
