package model

import (
	"bytes"
	"cmp"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/table"
	"github.com/garagego/garage/node/wire"
)

// VersionID identifies an object version, drawn at random by the runtime. A
// multipart upload's id is the id of the version it completes into.
type VersionID [16]byte

func (id VersionID) String() string { return hex.EncodeToString(id[:]) }

// Compare orders version ids byte-wise.
func (id VersionID) Compare(o VersionID) int { return bytes.Compare(id[:], o[:]) }

// ParseVersionID reads a 32-hex-digit version id.
func ParseVersionID(s string) (VersionID, error) {
	var id VersionID
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(id) {
		return id, fmt.Errorf("version id %q: want 32 hex digits", s)
	}
	copy(id[:], b)
	return id, nil
}

// VersionKey addresses a version entry: one per partition key, so versions
// spread over the ring.
func VersionKey(id VersionID) table.Key { return table.Key{Partition: id.String()} }

// Version is the entry of the versions table: the block list of one object
// version (or of a multipart upload, which shares the version's id). It is
// written block by block while the data is uploaded.
type Version struct {
	ID VersionID
	// Deleted is final: it wins every join and drops the blocks, which the
	// table hook then unreferences.
	Deleted bool
	// Back-link to the object, for repairs that look for orphans.
	Bucket BucketID
	Key    string
	// Blocks sorted by (Part, Offset), each position once.
	Blocks []VersionBlock
	// PartETags of a multipart upload, sorted by Part, each part once.
	PartETags []PartETag
}

// VersionBlock is one block of a version: Offset is where it starts within
// its part (the whole object for a plain PUT, which is part 1).
type VersionBlock struct {
	Part   uint32
	Offset uint64
	Hash   cluster.Hash
	Size   uint64
}

// PartETag is the ETag of one part of a multipart upload, with its
// checksum (base64, in the upload's algorithm) so that a read of the part
// can return it.
type PartETag struct {
	Part     uint32
	ETag     string
	Checksum string
}

// Join merges two states of one version. Blocks union by (Part, Offset) and
// part ETags by Part; where both sides hold different values for one
// position, the greater one wins (by hash then size; by ETag), which only a
// buggy writer can cause but every replica resolves alike. The back-link is
// the greater (Bucket, Key) pair, so an empty one never beats a real one.
func (v Version) Join(o Version) Version {
	out := Version{ID: v.ID, Deleted: v.Deleted || o.Deleted}
	out.Bucket, out.Key = maxBacklink(v.Bucket, v.Key, o.Bucket, o.Key)
	if out.Deleted {
		return out
	}
	out.Blocks = unionByKey(concat(v.Blocks, o.Blocks), compareBlocks, compareBlockPositions)
	out.PartETags = unionByKey(concat(v.PartETags, o.PartETags), comparePartETags, comparePartNumbers)
	return out
}

func maxBacklink(b1 BucketID, k1 string, b2 BucketID, k2 string) (BucketID, string) {
	if c := bytes.Compare(b1[:], b2[:]); c < 0 || c == 0 && k1 < k2 {
		return b2, k2
	}
	return b1, k1
}

func compareBlockPositions(a, b VersionBlock) int {
	if c := cmp.Compare(a.Part, b.Part); c != 0 {
		return c
	}
	return cmp.Compare(a.Offset, b.Offset)
}

func compareBlocks(a, b VersionBlock) int {
	if c := compareBlockPositions(a, b); c != 0 {
		return c
	}
	if c := bytes.Compare(a.Hash[:], b.Hash[:]); c != 0 {
		return c
	}
	return cmp.Compare(a.Size, b.Size)
}

func comparePartNumbers(a, b PartETag) int { return cmp.Compare(a.Part, b.Part) }

func comparePartETags(a, b PartETag) int {
	if c := comparePartNumbers(a, b); c != 0 {
		return c
	}
	if c := strings.Compare(a.ETag, b.ETag); c != 0 {
		return c
	}
	return strings.Compare(a.Checksum, b.Checksum)
}

// concat returns a new slice holding a then b.
func concat[T any](a, b []T) []T {
	return append(append(make([]T, 0, len(a)+len(b)), a...), b...)
}

// unionByKey sorts items (which it owns) by full, an order that refines key,
// and keeps the greatest item of each key: a join of lists of registers.
func unionByKey[T any](items []T, full, key func(a, b T) int) []T {
	slices.SortFunc(items, full)
	out := items[:0]
	for _, it := range items {
		if n := len(out); n > 0 && key(out[n-1], it) == 0 {
			out[n-1] = it
			continue
		}
		out = append(out, it)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// strictlySorted reports whether items are sorted by key without repeats.
func strictlySorted[T any](items []T, key func(a, b T) int) bool {
	for i := 1; i < len(items); i++ {
		if key(items[i-1], items[i]) >= 0 {
			return false
		}
	}
	return true
}

func (v Version) canonical() bool {
	if v.Deleted {
		return len(v.Blocks) == 0 && len(v.PartETags) == 0
	}
	return strictlySorted(v.Blocks, compareBlockPositions) && strictlySorted(v.PartETags, comparePartNumbers)
}

// Encode writes the canonical form of v.
func (v Version) Encode(e *wire.Encoder) {
	if !v.canonical() {
		v = v.Join(Version{ID: v.ID})
	}
	v.encode(e)
}

// encode writes v as it is; a deleted version has no lists.
func (v Version) encode(e *wire.Encoder) {
	e.Raw(v.ID[:])
	e.Bool(v.Deleted)
	e.Raw(v.Bucket[:])
	e.String(v.Key)
	if v.Deleted {
		return
	}
	e.Uvarint(uint64(len(v.Blocks)))
	for _, b := range v.Blocks {
		e.Uvarint(uint64(b.Part))
		e.Uvarint(b.Offset)
		e.Raw(b.Hash[:])
		e.Uvarint(b.Size)
	}
	e.Uvarint(uint64(len(v.PartETags)))
	for _, p := range v.PartETags {
		e.Uvarint(uint64(p.Part))
		e.String(p.ETag)
		e.String(p.Checksum)
	}
}

// DecodeVersion reads a Version, rejecting blocks or part ETags out of order
// or repeated.
func DecodeVersion(d *wire.Decoder) Version {
	var v Version
	d.Fixed(v.ID[:])
	v.Deleted = d.Bool()
	d.Fixed(v.Bucket[:])
	v.Key = d.String()
	if v.Deleted {
		return v
	}
	n := d.Len(3 + len(cluster.Hash{}))
	for range n {
		b := VersionBlock{Part: decodePartNumber(d), Offset: d.Uvarint()}
		d.Fixed(b.Hash[:])
		b.Size = d.Uvarint()
		if len(v.Blocks) > 0 && compareBlockPositions(v.Blocks[len(v.Blocks)-1], b) >= 0 {
			d.Failf("version blocks not strictly sorted")
			return Version{}
		}
		v.Blocks = append(v.Blocks, b)
	}
	n = d.Len(2)
	for range n {
		p := PartETag{Part: decodePartNumber(d), ETag: d.String(), Checksum: d.String()}
		if len(v.PartETags) > 0 && comparePartNumbers(v.PartETags[len(v.PartETags)-1], p) >= 0 {
			d.Failf("version part etags not strictly sorted")
			return Version{}
		}
		v.PartETags = append(v.PartETags, p)
	}
	return v
}

func decodePartNumber(d *wire.Decoder) uint32 {
	n := d.Uvarint()
	if n > math.MaxUint32 {
		d.Failf("part number %d out of range", n)
		return 0
	}
	return uint32(n)
}

// BlocksInOrder lists the blocks in the order of the data: by part, then
// offset. A deleted version has none.
func (v Version) BlocksInOrder() []VersionBlock {
	if v.Deleted {
		return nil
	}
	if strictlySorted(v.Blocks, compareBlockPositions) {
		return v.Blocks
	}
	return unionByKey(slices.Clone(v.Blocks), compareBlocks, compareBlockPositions)
}

// HoldsPlainObject reports whether v is the complete block list of a plain
// (not multipart) object of size bytes: live, part 1's blocks only, end to
// end from offset 0 to size. A replica's copy, written block by block while
// the data was uploaded, may lack some; one that passes lacks none.
func (v Version) HoldsPlainObject(size uint64) bool {
	if v.Deleted || len(v.PartETags) > 0 || size == 0 {
		return false
	}
	var next uint64
	for _, b := range v.BlocksInOrder() {
		if b.Part != 1 || b.Offset != next || b.Size == 0 {
			return false
		}
		next += b.Size
	}
	return next == size
}

// Size is the number of bytes the blocks hold.
func (v Version) Size() uint64 {
	var n uint64
	for _, b := range v.BlocksInOrder() {
		n += b.Size
	}
	return n
}
