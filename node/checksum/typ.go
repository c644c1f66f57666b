package checksum

import (
	"errors"
	"fmt"
	"strings"
)

// Type is how a multipart object's checksum derives from its parts';
// TypeNone is the absence of a choice. Its numeric value is stored: never
// renumber.
type Type uint8

const (
	TypeNone Type = iota
	// Composite: the checksum of the concatenated part checksums, written
	// "<base64>-<number of parts>".
	Composite
	// FullObject: the checksum of the whole object, as if uploaded in one
	// piece (CRCs only, combined from the parts' CRCs).
	FullObject
)

// ErrBadType reports a checksum type other than COMPOSITE or FULL_OBJECT.
var ErrBadType = errors.New("invalid checksum type")

// ParseType reads COMPOSITE or FULL_OBJECT, in any case; "" is TypeNone.
func ParseType(s string) (Type, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "":
		return TypeNone, nil
	case "COMPOSITE":
		return Composite, nil
	case "FULL_OBJECT":
		return FullObject, nil
	}
	return TypeNone, fmt.Errorf("%w: %q", ErrBadType, s)
}

func (t Type) String() string {
	switch t {
	case TypeNone:
		return ""
	case Composite:
		return "COMPOSITE"
	case FullObject:
		return "FULL_OBJECT"
	}
	return fmt.Sprintf("Type(%d)", uint8(t))
}

// Supports reports whether a multipart upload may combine its parts'
// checksums of algorithm a in type t, as S3 allows: FULL_OBJECT for the
// CRCs, COMPOSITE for all but CRC-64/NVME.
func (a Algorithm) Supports(t Type) bool {
	switch t {
	case FullObject:
		return a.IsCRC()
	case Composite:
		return a.Valid() && a != CRC64NVME
	}
	return false
}

// DefaultType is the type an upload with algorithm a gets when none is
// asked for: FULL_OBJECT for CRC-64/NVME (which has no other), else
// COMPOSITE.
func (a Algorithm) DefaultType() Type {
	if a == CRC64NVME {
		return FullObject
	}
	return Composite
}

// Spec is the checksum a multipart upload was created with: an algorithm
// and a type, or neither (then S3's default applies: see Effective).
type Spec struct {
	Algorithm Algorithm
	Type      Type
}

// Default is what S3 gives an object uploaded without a checksum: a full
// object CRC-64/NVME.
var Default = Spec{Algorithm: CRC64NVME, Type: FullObject}

// Effective is the checksum the parts and the object of an upload created
// with s actually get: s, or Default when s names no algorithm.
func (s Spec) Effective() Spec {
	if !s.Algorithm.Valid() {
		return Default
	}
	if s.Type == TypeNone {
		s.Type = s.Algorithm.DefaultType()
	}
	return s
}
