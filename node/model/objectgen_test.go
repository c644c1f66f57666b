package model

import (
	"bytes"
	"testing"

	"github.com/garagego/garage/node/wire"
	"pgregory.net/rapid"
)

// Shared checks for the entries of the object data path.

// entry is what the checks need of a table entry.
type entry[T any] interface {
	Join(T) T
	Encode(*wire.Encoder)
}

func encoded[T interface{ Encode(*wire.Encoder) }](v T) []byte {
	e := wire.NewEncoder(nil)
	v.Encode(e)
	return e.Bytes()
}

func rawEncoded[T any](v T, encode func(T, *wire.Encoder)) []byte {
	e := wire.NewEncoder(nil)
	encode(v, e)
	return e.Bytes()
}

func decodeAll[T any](b []byte, decode func(*wire.Decoder) T) (T, error) {
	d := wire.NewDecoder(b)
	v := decode(d)
	return v, d.Finish()
}

// checkJoinLaws asserts that Join is commutative, associative and idempotent
// and that decoding an encoding gives the value back, comparing canonical
// encodings as the table engine does.
func checkJoinLaws[T entry[T]](t *testing.T, gen *rapid.Generator[T], decode func(*wire.Decoder) T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b, c := gen.Draw(t, "a"), gen.Draw(t, "b"), gen.Draw(t, "c")
		eq := func(what string, x, y T) {
			if !bytes.Equal(encoded(x), encoded(y)) {
				t.Fatalf("%s:\n%x\n%x", what, encoded(x), encoded(y))
			}
		}
		eq("commutative", a.Join(b), b.Join(a))
		eq("associative", a.Join(b).Join(c), a.Join(b.Join(c)))
		eq("idempotent", a.Join(a), a)
		eq("absorbs", a.Join(b).Join(b), a.Join(b))
		back, err := decodeAll(encoded(a), decode)
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		eq("round trip", back, a)
	})
}

// checkOnlyCanonicalDecodes asserts that the decoder accepts an encoding
// written without canonicalizing (lists as the generator built them) exactly
// when it is the canonical encoding: unsorted or repeated lists are refused.
func checkOnlyCanonicalDecodes[T entry[T]](t *testing.T, gen *rapid.Generator[T], decode func(*wire.Decoder) T, encode func(T, *wire.Encoder)) {
	rapid.Check(t, func(t *rapid.T) {
		v := gen.Draw(t, "v")
		raw, canon := rawEncoded(v, encode), encoded(v)
		_, err := decodeAll(raw, decode)
		if same := bytes.Equal(raw, canon); same != (err == nil) {
			t.Fatalf("canonical=%v but decode error=%v for %x", same, err, raw)
		}
	})
}

// checkAccepted asserts what must hold of any input a decoder accepts: the
// value is canonical and survives a round trip. Decoding must not panic.
func checkAccepted[T entry[T]](t rapid.TB, b []byte, decode func(*wire.Decoder) T, canonical func(T) bool) {
	v, err := decodeAll(b, decode)
	if err != nil {
		return
	}
	if canonical != nil && !canonical(v) {
		t.Fatalf("accepted a non-canonical value from %x: %+v", b, v)
	}
	back, err := decodeAll(encoded(v), decode)
	if err != nil || !bytes.Equal(encoded(back), encoded(v)) {
		t.Fatalf("accepted %x, but its re-encoding does not round trip (%v)", b, err)
	}
}

// checkGarbage feeds the decoder damaged encodings and random bytes.
func checkGarbage[T entry[T]](t *testing.T, gen *rapid.Generator[T], decode func(*wire.Decoder) T, canonical func(T) bool) {
	rapid.Check(t, func(t *rapid.T) {
		b := encoded(gen.Draw(t, "v"))
		switch rapid.IntRange(0, 3).Draw(t, "damage") {
		case 0:
			b = b[:rapid.IntRange(0, len(b)).Draw(t, "cut")]
		case 1:
			if len(b) > 0 {
				b[rapid.IntRange(0, len(b)-1).Draw(t, "at")] = rapid.Byte().Draw(t, "byte")
			}
		case 2:
			i := rapid.IntRange(0, len(b)).Draw(t, "at")
			b = append(b[:i:i], append([]byte{rapid.Byte().Draw(t, "byte")}, b[i:]...)...)
		default:
			b = rapid.SliceOfN(rapid.Byte(), 0, 96).Draw(t, "random")
		}
		checkAccepted(t, b, decode, canonical)
	})
}

// fuzzDecoder is a fuzz target over a decoder, seeded with encodings of
// generated values (go test runs the seeds; go test -fuzz explores).
func fuzzDecoder[T entry[T]](f *testing.F, gen *rapid.Generator[T], decode func(*wire.Decoder) T, canonical func(T) bool) {
	for i := range 24 {
		f.Add(encoded(gen.Example(i)))
	}
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{0xff}, 80))
	f.Fuzz(func(t *testing.T, b []byte) { checkAccepted(t, b, decode, canonical) })
}
