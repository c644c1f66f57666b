package k2v

import (
	"bytes"
	"slices"
	"testing"

	"github.com/garagego/garage/node/wire"
	"pgregory.net/rapid"
)

func encode(it Item) []byte {
	e := wire.NewEncoder(nil)
	it.Encode(e)
	return e.Bytes()
}

func decode(b []byte) (Item, error) {
	d := wire.NewDecoder(b)
	it := DecodeItem(d)
	return it, d.Finish()
}

var (
	genValue = rapid.Custom(func(t *rapid.T) Value {
		if rapid.Bool().Draw(t, "deleted") {
			return Value{Deleted: true}
		}
		return Value{Data: []byte(rapid.SampledFrom([]string{"a", "b", "c"}).Draw(t, "data"))}
	})
	genEntry = rapid.Custom(func(t *rapid.T) Entry {
		e := Entry{Node: NodeID(rapid.IntRange(1, 3).Draw(t, "node")), Discard: rapid.Uint64Range(0, 3).Draw(t, "discard")}
		for _, tm := range rapid.SliceOfNDistinct(rapid.Uint64Range(1, 6), 0, 3, func(x uint64) uint64 { return x }).Draw(t, "times") {
			e.Values = append(e.Values, Stamped{Time: tm, Value: genValue.Draw(t, "value")})
		}
		return e
	})
	// genItem builds items as a writer might: entries in any order, a node
	// twice, values at or below their discard time.
	genItem = rapid.Custom(func(t *rapid.T) Item {
		return Item{Entries: rapid.SliceOfN(genEntry, 0, 3).Draw(t, "entries")}
	})
)

func TestItemJoinLaws(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b, c := genItem.Draw(t, "a"), genItem.Draw(t, "b"), genItem.Draw(t, "c")
		eq := func(what string, x, y Item) {
			if !bytes.Equal(encode(x), encode(y)) {
				t.Fatalf("%s:\n%+v\n%+v", what, x, y)
			}
		}
		eq("commutative", a.Join(b), b.Join(a))
		eq("associative", a.Join(b).Join(c), a.Join(b.Join(c)))
		eq("idempotent", a.Join(a), a.Join(Item{}))
		back, err := decode(encode(a))
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		eq("round trip", back, a)
	})
}

// Reads, then writes carrying the read's token, supersede exactly what was
// read: a value written concurrently (not in the token) stays as a
// sibling, on every replica whatever order the writes reach it in.
func TestInsertDiscardsWhatTheTokenSaw(t *testing.T) {
	var it Item
	it, _ = it.Insert(1, nil, Value{Data: []byte("a")}, 100)
	seen := it.Context()
	// Concurrently, through node 2, without a token: a sibling.
	it2, _ := it.Insert(2, nil, Value{Data: []byte("b")}, 100)
	// Through node 1, with the token of the first read: replaces "a" only.
	it1, t1 := it.Insert(1, &seen, Value{Data: []byte("c")}, 100)
	if t1 != 102 {
		t.Fatalf("stamp %d, want after the floor and the previous stamp (102)", t1)
	}
	for _, j := range []Item{it1.Join(it2), it2.Join(it1)} {
		if got := j.Values(); !slices.EqualFunc(got, []Value{{Data: []byte("c")}, {Data: []byte("b")}}, Value.equal) {
			t.Fatalf("values %+v, want c and b", got)
		}
	}
	// A delete with the merged token leaves a single tombstone.
	merged := it1.Join(it2)
	ctx := merged.Context()
	del, _ := merged.Insert(2, &ctx, Value{Deleted: true}, 0)
	if !del.IsTombstone() || len(del.Values()) != 1 {
		t.Fatalf("after a delete with the full token: %+v", del.Values())
	}
	// An old replica joining the delete brings nothing back.
	if back := it.Join(del); !back.IsTombstone() {
		t.Fatalf("a superseded value came back: %+v", back.Values())
	}
}

// Garage's own example: a token round trips, and Garage's encoding of it
// (checksum first, big-endian pairs sorted by node) is what Token writes.
func TestTokenRoundTrip(t *testing.T) {
	c := Context{Dots: []Dot{{4, 42}, {1928131023, 76}, {0xefc0c1c47f9de433, 2}}}
	tok := c.Token()
	back, err := ParseToken(tok)
	if err != nil || !slices.Equal(back.Dots, c.Dots) {
		t.Fatalf("%q parsed as %+v, %v", tok, back, err)
	}
	if (Context{}).Token() != "AAAAAAAAAAA" {
		t.Fatalf("empty token %q", (Context{}).Token())
	}
	for _, bad := range []string{"", "!!", "AAAAAAAAAAE", tok[:len(tok)-2], tok + "AA"} {
		if _, err := ParseToken(bad); err == nil {
			t.Errorf("token %q accepted", bad)
		}
	}
	if !c.NewerThan(Context{Dots: []Dot{{4, 42}}}) || (Context{Dots: []Dot{{4, 42}}}).NewerThan(c) {
		t.Fatal("NewerThan")
	}
}

func FuzzParseToken(f *testing.F) {
	f.Add("AAAAAAAAAAA")
	f.Add(Context{Dots: []Dot{{4, 42}, {9, 1}}}.Token())
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseToken(s)
		if err != nil {
			return
		}
		back, err := ParseToken(c.Token())
		if err != nil || !slices.Equal(back.Dots, c.Dots) {
			t.Fatalf("%q: re-encoding does not round trip", s)
		}
	})
}

func FuzzDecodeItem(f *testing.F) {
	var it Item
	it, _ = it.Insert(1, nil, Value{Data: []byte("x")}, 5)
	it, _ = it.Insert(2, nil, Value{Deleted: true}, 5)
	f.Add(encode(it))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		it, err := decode(b)
		if err != nil {
			return
		}
		// Accepted means canonical: joining changes nothing, and the
		// re-encoding reads back the same.
		if !bytes.Equal(encode(it), encode(it.Join(Item{}))) || !slices.EqualFunc(it.Entries, it.Join(Item{}).Entries, func(a, b Entry) bool {
			return a.Node == b.Node && a.Discard == b.Discard && len(a.Values) == len(b.Values)
		}) {
			t.Fatalf("accepted a non-canonical item from %x: %+v", b, it)
		}
		back, err := decode(encode(it))
		if err != nil || !bytes.Equal(encode(back), encode(it)) {
			t.Fatalf("%x: re-encoding does not round trip (%v)", b, err)
		}
	})
}
