package wire

import (
	"bytes"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	e := NewEncoder(nil)
	e.Uvarint(300)
	e.Varint(-7)
	e.Uint8(9)
	e.Uint64(1 << 60)
	e.Bool(true)
	e.Float64(2.5)
	e.BytesField([]byte("abc"))
	e.String("héllo")
	e.Raw([]byte{1, 2, 3, 4})

	d := NewDecoder(e.Bytes())
	if got := d.Uvarint(); got != 300 {
		t.Fatalf("uvarint: %d", got)
	}
	if got := d.Varint(); got != -7 {
		t.Fatalf("varint: %d", got)
	}
	if got := d.Uint8(); got != 9 {
		t.Fatalf("uint8: %d", got)
	}
	if got := d.Uint64(); got != 1<<60 {
		t.Fatalf("uint64: %d", got)
	}
	if !d.Bool() {
		t.Fatal("bool")
	}
	if got := d.Float64(); got != 2.5 {
		t.Fatalf("float: %v", got)
	}
	if got := d.BytesField(); !bytes.Equal(got, []byte("abc")) {
		t.Fatalf("bytes: %q", got)
	}
	if got := d.String(); got != "héllo" {
		t.Fatalf("string: %q", got)
	}
	var four [4]byte
	d.Fixed(four[:])
	if four != [4]byte{1, 2, 3, 4} {
		t.Fatalf("fixed: %v", four)
	}
	if err := d.Finish(); err != nil {
		t.Fatal(err)
	}
}

func TestShortAndHostileInput(t *testing.T) {
	// A length prefix claiming far more than the input must fail, not allocate.
	e := NewEncoder(nil)
	e.Uvarint(1 << 40)
	d := NewDecoder(e.Bytes())
	if b := d.BytesField(); b != nil || d.Err() == nil {
		t.Fatalf("want error for oversized length, got %v, %v", b, d.Err())
	}
	// Errors stick: later reads return zero values.
	if d.Uvarint() != 0 || d.String() != "" {
		t.Fatal("reads after an error must return zero values")
	}

	d = NewDecoder([]byte{2})
	if d.Bool(); d.Err() == nil {
		t.Fatal("bool byte 2 must be rejected")
	}
	d = NewDecoder([]byte{1, 2})
	d.Uint8()
	if err := d.Finish(); err == nil {
		t.Fatal("trailing bytes must be reported")
	}
	d = NewDecoder(nil)
	if d.Uint64(); d.Err() == nil {
		t.Fatal("empty input must be short")
	}
}

func FuzzDecoderNeverPanics(f *testing.F) {
	f.Add([]byte{0x05, 'a', 'b'})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		d := NewDecoder(data)
		for i := 0; i < 8 && d.Err() == nil; i++ {
			_ = d.String()
			_ = d.Varint()
			_ = d.Bool()
			_ = d.BytesField()
		}
	})
}
