// Package wire is the compact binary encoding of everything a node sends or
// persists: RPC bodies, CRDT values, metadata records.
//
// The encoding is canonical (one value, one byte string), which the Merkle
// trees rely on: two replicas holding equal values hash them equally.
// Decoding never panics: a short or malformed input sets a sticky error that
// the caller checks once with Err, so a peer that speaks garbage gets a clean
// refusal.
package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// MaxLen bounds any length prefix, so a corrupt or hostile input cannot make
// a decoder allocate unbounded memory.
const MaxLen = 64 << 20

// ErrShort reports input that ended before the value did.
var ErrShort = errors.New("wire: input too short")

// Encoder appends encoded values to a buffer.
type Encoder struct{ buf []byte }

// NewEncoder starts an encoding that appends to buf (which may be nil).
func NewEncoder(buf []byte) *Encoder { return &Encoder{buf: buf} }

// Bytes returns the encoded bytes.
func (e *Encoder) Bytes() []byte { return e.buf }

// Len is the number of bytes encoded so far.
func (e *Encoder) Len() int { return len(e.buf) }

// Uvarint appends an unsigned varint.
func (e *Encoder) Uvarint(v uint64) { e.buf = binary.AppendUvarint(e.buf, v) }

// Varint appends a signed varint.
func (e *Encoder) Varint(v int64) { e.buf = binary.AppendVarint(e.buf, v) }

// Uint8 appends one byte.
func (e *Encoder) Uint8(v uint8) { e.buf = append(e.buf, v) }

// Uint64 appends a fixed 8-byte big-endian integer (used where byte order
// must match numeric order, as in sort keys).
func (e *Encoder) Uint64(v uint64) { e.buf = binary.BigEndian.AppendUint64(e.buf, v) }

// Bool appends a boolean as one byte.
func (e *Encoder) Bool(v bool) {
	if v {
		e.buf = append(e.buf, 1)
	} else {
		e.buf = append(e.buf, 0)
	}
}

// Float64 appends an IEEE 754 double.
func (e *Encoder) Float64(v float64) { e.Uint64(math.Float64bits(v)) }

// Bytes appends a length-prefixed byte string.
func (e *Encoder) BytesField(b []byte) {
	e.Uvarint(uint64(len(b)))
	e.buf = append(e.buf, b...)
}

// String appends a length-prefixed string.
func (e *Encoder) String(s string) {
	e.Uvarint(uint64(len(s)))
	e.buf = append(e.buf, s...)
}

// Raw appends b with no length prefix (fixed-size fields such as hashes).
func (e *Encoder) Raw(b []byte) { e.buf = append(e.buf, b...) }

// Decoder reads values written by an Encoder. The first error sticks: later
// reads return zero values, and Err reports it.
type Decoder struct {
	buf []byte
	err error
}

// NewDecoder reads from buf.
func NewDecoder(buf []byte) *Decoder { return &Decoder{buf: buf} }

// Err is the first decoding error, if any.
func (d *Decoder) Err() error { return d.err }

// Remaining is the number of unread bytes.
func (d *Decoder) Remaining() int { return len(d.buf) }

// Fail records err unless an earlier error is already recorded; decoders of
// composite values use it to report semantic errors (bad enum values).
func (d *Decoder) Fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

// Failf is Fail with formatting.
func (d *Decoder) Failf(format string, args ...any) { d.Fail(fmt.Errorf("wire: "+format, args...)) }

// Finish reports an error if bytes are left over or decoding failed.
func (d *Decoder) Finish() error {
	if d.err == nil && len(d.buf) != 0 {
		d.err = fmt.Errorf("wire: %d trailing bytes", len(d.buf))
	}
	return d.err
}

// Uvarint reads an unsigned varint.
func (d *Decoder) Uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.buf)
	if n <= 0 {
		d.Fail(errors.New("wire: bad uvarint"))
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

// Varint reads a signed varint.
func (d *Decoder) Varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.buf)
	if n <= 0 {
		d.Fail(errors.New("wire: bad varint"))
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

// Uint8 reads one byte.
func (d *Decoder) Uint8() uint8 {
	if d.err != nil {
		return 0
	}
	if len(d.buf) < 1 {
		d.Fail(ErrShort)
		return 0
	}
	v := d.buf[0]
	d.buf = d.buf[1:]
	return v
}

// Uint64 reads a fixed 8-byte big-endian integer.
func (d *Decoder) Uint64() uint64 {
	b := d.Raw(8)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// Bool reads a boolean; any byte other than 0 or 1 is an error.
func (d *Decoder) Bool() bool {
	switch d.Uint8() {
	case 0:
		return false
	case 1:
		return true
	default:
		d.Fail(errors.New("wire: bad bool"))
		return false
	}
}

// Float64 reads an IEEE 754 double.
func (d *Decoder) Float64() float64 { return math.Float64frombits(d.Uint64()) }

// Len reads a length prefix and checks it against both MaxLen and the
// remaining input (each element takes at least minElem bytes).
func (d *Decoder) Len(minElem int) int {
	n := d.Uvarint()
	if d.err != nil {
		return 0
	}
	if minElem < 1 {
		minElem = 1
	}
	if n > MaxLen || n*uint64(minElem) > uint64(len(d.buf)) {
		d.Fail(fmt.Errorf("wire: length %d exceeds input", n))
		return 0
	}
	return int(n)
}

// BytesField reads a length-prefixed byte string. The result is a copy, so
// it stays valid after the input buffer is reused.
func (d *Decoder) BytesField() []byte {
	n := d.Len(1)
	b := d.Raw(n)
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}

// String reads a length-prefixed string.
func (d *Decoder) String() string {
	n := d.Len(1)
	return string(d.Raw(n))
}

// Raw reads n bytes without copying them. It returns nil on error; for n==0
// it returns an empty, non-nil slice.
func (d *Decoder) Raw(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || len(d.buf) < n {
		d.Fail(ErrShort)
		return nil
	}
	b := d.buf[:n:n]
	d.buf = d.buf[n:]
	return b
}

// Fixed copies len(dst) bytes into dst.
func (d *Decoder) Fixed(dst []byte) {
	if b := d.Raw(len(dst)); b != nil {
		copy(dst, b)
	}
}
