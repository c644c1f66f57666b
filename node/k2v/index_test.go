package k2v

import (
	"bytes"
	"testing"

	"github.com/garagego/garage/node/wire"
	"pgregory.net/rapid"
)

func encodeIndex(x Index) []byte {
	e := wire.NewEncoder(nil)
	x.Encode(e)
	return e.Bytes()
}

var genIndex = rapid.Custom(func(t *rapid.T) Index {
	var x Index
	for range rapid.IntRange(0, 4).Draw(t, "n") {
		x.Nodes = append(x.Nodes, NodeCounts{Node: NodeID(rapid.IntRange(1, 3).Draw(t, "node")), Stamp: rapid.Uint64Range(0, 3).Draw(t, "stamp"),
			Counts: Counts{Entries: rapid.Int64Range(0, 2).Draw(t, "entries"), Bytes: rapid.Int64Range(0, 9).Draw(t, "bytes")}})
	}
	return x
})

func TestIndexJoinLaws(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b, c := genIndex.Draw(t, "a"), genIndex.Draw(t, "b"), genIndex.Draw(t, "c")
		eq := func(what string, x, y Index) {
			if !bytes.Equal(encodeIndex(x), encodeIndex(y)) {
				t.Fatalf("%s: %+v vs %+v", what, x, y)
			}
		}
		eq("commutative", a.Join(b), b.Join(a))
		eq("associative", a.Join(b).Join(c), a.Join(b.Join(c)))
		eq("idempotent", a.Join(a), a.Join(Index{}))
		d := wire.NewDecoder(encodeIndex(a))
		back := DecodeIndex(d)
		if err := d.Finish(); err != nil {
			t.Fatalf("decode: %v", err)
		}
		eq("round trip", back, a)
	})
}

// An item's counts follow its values; a node's newer counts replace its
// older ones; a reader takes the greatest of the holders' counts and
// ignores a node that no longer holds the partition.
func TestCounts(t *testing.T) {
	var it Item
	it, _ = it.Insert(1, nil, Value{Data: []byte("abc")}, 0)
	if c := it.Counts(); c != (Counts{Entries: 1, Values: 1, Bytes: 3}) {
		t.Fatalf("one value: %+v", c)
	}
	it, _ = it.Insert(2, nil, Value{Data: []byte("de")}, 0)
	if c := it.Counts(); c != (Counts{Entries: 1, Conflicts: 1, Values: 2, Bytes: 5}) {
		t.Fatalf("two siblings: %+v", c)
	}
	ctx := it.Context()
	it, _ = it.Insert(1, &ctx, Value{Deleted: true}, 0)
	if c := it.Counts(); c != (Counts{}) {
		t.Fatalf("deleted: %+v", c)
	}

	var x Index
	x = x.Set(1, 5, Counts{Entries: 3, Bytes: 30}).Set(1, 4, Counts{Entries: 9}) // the older is ignored
	x = x.Set(2, 1, Counts{Entries: 2, Bytes: 40}).Set(3, 7, Counts{Entries: 100})
	if got := x.Read([]NodeID{1, 2}); got != (Counts{Entries: 3, Bytes: 40}) {
		t.Fatalf("read %+v", got)
	}
}

func FuzzDecodeIndex(f *testing.F) {
	f.Add(encodeIndex(Index{}.Set(1, 2, Counts{Entries: 1, Bytes: 5}).Set(9, 1, Counts{Values: 2})))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		d := wire.NewDecoder(b)
		x := DecodeIndex(d)
		if d.Finish() != nil {
			return
		}
		d = wire.NewDecoder(encodeIndex(x))
		back := DecodeIndex(d)
		if d.Finish() != nil || !bytes.Equal(encodeIndex(back), encodeIndex(x)) {
			t.Fatalf("%x: re-encoding does not round trip", b)
		}
	})
}
