package crdt

import (
	"bytes"
	"testing"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/wire"
	"pgregory.net/rapid"
)

// lattice is what the law checks need of a CRDT type.
type lattice[T any] interface {
	Join(T) T
	Encode(*wire.Encoder)
}

func encode[T lattice[T]](v T) []byte {
	e := wire.NewEncoder(nil)
	v.Encode(e)
	return e.Bytes()
}

// checkJoinLaws asserts that Join is commutative, associative and idempotent,
// comparing canonical encodings, and that decoding an encoding gives the
// value back.
func checkJoinLaws[T lattice[T]](t *testing.T, gen *rapid.Generator[T], decode func(*wire.Decoder) T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b, c := gen.Draw(t, "a"), gen.Draw(t, "b"), gen.Draw(t, "c")
		eq := func(what string, x, y T) {
			if !bytes.Equal(encode(x), encode(y)) {
				t.Fatalf("%s: %x != %x", what, encode(x), encode(y))
			}
		}
		eq("commutative", a.Join(b), b.Join(a))
		eq("associative", a.Join(b).Join(c), a.Join(b.Join(c)))
		eq("idempotent", a.Join(a), a)
		eq("absorbs", a.Join(b).Join(b), a.Join(b))

		d := wire.NewDecoder(encode(a))
		back := decode(d)
		if err := d.Finish(); err != nil {
			t.Fatalf("decode: %v", err)
		}
		eq("round trip", back, a)
	})
}

// Few distinct nodes and timestamps, so that ties actually happen.
var (
	genNode = rapid.Custom(func(t *rapid.T) cluster.NodeID {
		var id cluster.NodeID
		id[0] = rapid.ByteRange(0, 3).Draw(t, "node")
		return id
	})
	genStamp = rapid.Custom(func(t *rapid.T) Stamp {
		return Stamp{TS: rapid.Uint64Range(0, 4).Draw(t, "ts"), Node: genNode.Draw(t, "node")}
	})
	genRegister = rapid.Custom(func(t *rapid.T) Register {
		s := genStamp.Draw(t, "stamp")
		if rapid.Bool().Draw(t, "deleted") {
			return Tombstone(s)
		}
		return Put(s, rapid.SliceOfN(rapid.ByteRange('a', 'c'), 0, 2).Draw(t, "value"))
	})
)

func TestRegisterLaws(t *testing.T) { checkJoinLaws(t, genRegister, DecodeRegister) }

func TestMaxLaws(t *testing.T) {
	gen := rapid.Custom(func(t *rapid.T) maxBox { return maxBox{Max(rapid.Uint64Range(0, 5).Draw(t, "v"))} })
	checkJoinLaws(t, gen, func(d *wire.Decoder) maxBox { return maxBox{Max(d.Uvarint())} })
}

// maxBox gives Max an encoding for the law checks.
type maxBox struct{ Max }

func (m maxBox) Join(o maxBox) maxBox   { return maxBox{m.Max.Join(o.Max)} }
func (m maxBox) Encode(e *wire.Encoder) { e.Uvarint(uint64(m.Max)) }

func TestCounterLaws(t *testing.T) {
	gen := rapid.Custom(func(t *rapid.T) Counter {
		var c Counter
		for range rapid.IntRange(0, 4).Draw(t, "n") {
			c = c.Add(genNode.Draw(t, "node"), rapid.Uint64Range(1, 3).Draw(t, "delta"))
		}
		return c
	})
	checkJoinLaws(t, gen, DecodeCounter)
}

func TestMapLaws(t *testing.T) {
	gen := rapid.Custom(func(t *rapid.T) Map {
		var m Map
		for range rapid.IntRange(0, 4).Draw(t, "n") {
			m = m.Set(rapid.SampledFrom([]string{"a", "b", "c"}).Draw(t, "key"), genRegister.Draw(t, "reg"))
		}
		return m
	})
	checkJoinLaws(t, gen, DecodeMap)
}

func TestRegisterTombstoneBeatsOlderPut(t *testing.T) {
	old := Put(Stamp{TS: 5}, []byte("v"))
	del := Tombstone(Stamp{TS: 6})
	if got := old.Join(del); got.Live() {
		t.Fatalf("older put must not resurrect a deleted register: %+v", got)
	}
	if got := del.Join(Put(Stamp{TS: 7}, []byte("w"))); !got.Live() || string(got.Value) != "w" {
		t.Fatalf("newer put must win over tombstone: %+v", got)
	}
}

func TestNextTSOrdersAfterSkewedWrite(t *testing.T) {
	// A write stamped by a node whose clock runs 10 s ahead...
	seen := Stamp{TS: 110_000}
	// ...must still be overtaken by a later write from a node at 100 s.
	if ts := NextTS(100_000, seen); ts <= seen.TS {
		t.Fatalf("NextTS(%d, %d) = %d, want > %d", 100_000, seen.TS, ts, seen.TS)
	}
	if ts := NextTS(200_000, seen); ts != 200_000 {
		t.Fatalf("a clock ahead of every write is used as is, got %d", ts)
	}
}

func TestCounterTotal(t *testing.T) {
	var a, b cluster.NodeID
	b[0] = 1
	c := Counter{}.Add(a, 2).Add(b, 3).Add(a, 1)
	if c.Total() != 6 {
		t.Fatalf("total %d", c.Total())
	}
	// Joining a stale copy must not double-count.
	if got := c.Join(Counter{}.Add(a, 2)).Total(); got != 6 {
		t.Fatalf("join with stale copy: %d", got)
	}
}

func TestDecodeRejectsNonCanonical(t *testing.T) {
	e := wire.NewEncoder(nil)
	e.Uvarint(2)
	e.String("b")
	Put(Stamp{TS: 1}, nil).Encode(e)
	e.String("a")
	Put(Stamp{TS: 1}, nil).Encode(e)
	d := wire.NewDecoder(e.Bytes())
	DecodeMap(d)
	if d.Err() == nil {
		t.Fatal("unsorted map keys must be rejected")
	}
}
