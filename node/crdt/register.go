package crdt

import (
	"bytes"

	"github.com/garagego/garage/node/wire"
)

// Register is a last-writer-wins register with tombstones: the write with the
// greatest Stamp wins. A deletion is a write too (Deleted set, no value), so
// it orders against puts like any other write and is never resurrected by an
// older put arriving late.
type Register struct {
	Stamp   Stamp
	Deleted bool
	Value   []byte
}

// Put is a register holding value, written at stamp.
func Put(stamp Stamp, value []byte) Register { return Register{Stamp: stamp, Value: value} }

// Tombstone is a register deleted at stamp.
func Tombstone(stamp Stamp) Register { return Register{Stamp: stamp, Deleted: true} }

// Compare totally orders registers: by stamp, then tombstone after value,
// then by value bytes. The last two only matter if one node assigned the same
// stamp to two different writes; ordering them anyway keeps Join a true join.
func (r Register) Compare(o Register) int {
	if c := r.Stamp.Compare(o.Stamp); c != 0 {
		return c
	}
	if r.Deleted != o.Deleted {
		if r.Deleted {
			return 1
		}
		return -1
	}
	return bytes.Compare(r.Value, o.Value)
}

// Join keeps the greater register.
func (r Register) Join(o Register) Register {
	if o.Compare(r) > 0 {
		return o
	}
	return r
}

// Live reports whether the register holds a value (written and not deleted).
func (r Register) Live() bool { return !r.Deleted && !r.Stamp.IsZero() }

// Encode writes r canonically.
func (r Register) Encode(e *wire.Encoder) {
	r.Stamp.Encode(e)
	e.Bool(r.Deleted)
	if !r.Deleted {
		e.BytesField(r.Value)
	}
}

// DecodeRegister reads a Register.
func DecodeRegister(d *wire.Decoder) Register {
	var r Register
	r.Stamp = DecodeStamp(d)
	r.Deleted = d.Bool()
	if !r.Deleted {
		r.Value = d.BytesField()
		if r.Value == nil {
			r.Value = []byte{}
		}
	}
	return r
}
