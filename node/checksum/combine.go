package checksum

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
)

// The CRCs S3 uses are reflected, with all bits set both before and after
// the division. For such a CRC, the value over A followed by B is
//
//	crc(A‖B) = crc(A)·x^(8·len(B)) mod P  ⊕  crc(B)
//
// because the initial register and the final inversion contribute the same
// term to both sides. Polynomials here are in the reflected representation:
// bit width-1 holds x⁰ and bit 0 holds x^(width-1).

// crcParams are a CRC's width and reflected polynomial.
type crcParams struct {
	width uint
	poly  uint64
}

var (
	crc32Params     = crcParams{32, 0xedb88320}
	crc32cParams    = crcParams{32, 0x82f63b78}
	crc64NVMEParams = crcParams{64, crc64NVMEReflected}
)

func (a Algorithm) crcParams() (crcParams, bool) {
	switch a {
	case CRC32:
		return crc32Params, true
	case CRC32C:
		return crc32cParams, true
	case CRC64NVME:
		return crc64NVMEParams, true
	}
	return crcParams{}, false
}

// one is the polynomial 1 (x⁰) in the reflected representation.
func (p crcParams) one() uint64 { return 1 << (p.width - 1) }

// mulmod is a·b mod P.
func (p crcParams) mulmod(a, b uint64) uint64 {
	var r uint64
	for m := p.one(); m != 0; m >>= 1 {
		if a&m != 0 {
			r ^= b
		}
		// b·x: the highest power falls off the low end and is reduced.
		if b&1 != 0 {
			b = b>>1 ^ p.poly
		} else {
			b >>= 1
		}
	}
	return r
}

// xPow8n is x^(8n) mod P, by squaring: x^8, x^16, x^32, ... for the set
// bits of n.
func (p crcParams) xPow8n(n uint64) uint64 {
	r := p.one()
	sq := p.one() >> 8 // x^8
	for ; n != 0; n >>= 1 {
		if n&1 != 0 {
			r = p.mulmod(r, sq)
		}
		sq = p.mulmod(sq, sq)
	}
	return r
}

// combine is crc(A‖B) from crc(A), crc(B) and len(B).
func (p crcParams) combine(crcA, crcB, lenB uint64) uint64 {
	return p.mulmod(p.xPow8n(lenB), crcA) ^ crcB
}

// Part is one part's checksum (its digest) and length.
type Part struct {
	Sum  []byte
	Size uint64
}

// ErrNotCombinable reports a full object checksum asked of an algorithm
// that is not a CRC, or parts whose digests are not of its size.
var ErrNotCombinable = errors.New("checksums cannot be combined")

// FullObjectOf is the CRC of the concatenation of the parts, from their CRCs and
// lengths: the FULL_OBJECT checksum of a multipart upload.
func FullObjectOf(a Algorithm, parts []Part) ([]byte, error) {
	p, ok := a.crcParams()
	if !ok {
		return nil, fmt.Errorf("%w: %s is not a CRC", ErrNotCombinable, a)
	}
	var acc uint64 // the CRC of nothing is 0 for these CRCs
	for i, part := range parts {
		if len(part.Sum) != a.Size() {
			return nil, fmt.Errorf("%w: part %d has a %d-byte %s", ErrNotCombinable, i+1, len(part.Sum), a)
		}
		acc = p.combine(acc, decodeCRC(part.Sum), part.Size)
	}
	return encodeCRC(acc, a.Size()), nil
}

func decodeCRC(b []byte) uint64 {
	if len(b) == 4 {
		return uint64(binary.BigEndian.Uint32(b))
	}
	return binary.BigEndian.Uint64(b)
}

func encodeCRC(v uint64, size int) []byte {
	b := make([]byte, size)
	if size == 4 {
		binary.BigEndian.PutUint32(b, uint32(v))
	} else {
		binary.BigEndian.PutUint64(b, v)
	}
	return b
}

// CompositeOf is the COMPOSITE checksum of parts' digests: the digest of
// their concatenation, base64, "-", the number of parts.
func CompositeOf(a Algorithm, sums [][]byte) (string, error) {
	h := a.New()
	if h == nil {
		return "", fmt.Errorf("%w: no algorithm", ErrNotCombinable)
	}
	for i, s := range sums {
		if len(s) != a.Size() {
			return "", fmt.Errorf("%w: part %d has a %d-byte %s", ErrNotCombinable, i+1, len(s), a)
		}
		h.Write(s)
	}
	return Encode(h.Sum(nil)) + "-" + strconv.Itoa(len(sums)), nil
}
