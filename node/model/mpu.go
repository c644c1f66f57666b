package model

import (
	"cmp"
	"strings"

	"github.com/garagego/garage/node/checksum"
	"github.com/garagego/garage/node/table"
	"github.com/garagego/garage/node/wire"
)

// UploadKey addresses a multipart upload; its id is the id of the object
// version it completes into.
func UploadKey(id VersionID) table.Key { return table.Key{Partition: id.String()} }

// MultipartUpload is the entry of the multipart uploads table: the parts
// uploaded so far.
type MultipartUpload struct {
	UploadID  VersionID
	Timestamp uint64 // the version's timestamp, in milliseconds
	// Deleted is final (the upload completed or was aborted): it wins every
	// join and drops the parts.
	Deleted bool
	Bucket  BucketID
	Key     string
	// Checksum is the one the upload was created with (its algorithm and
	// type, or neither); set once, at creation.
	Checksum checksum.Spec
	// Parts sorted by (Number, Timestamp, Version), each once. A part number
	// uploaded twice has an entry per upload, told apart by timestamp.
	Parts []MPUPart
}

// MPUPart is one upload of one part. Its data is the version Version (each
// part upload writes its own version entry). It is recorded without an ETag
// when the part upload starts, then with the ETag, size, checksum and the
// moment it finished once it is done.
type MPUPart struct {
	Number    uint32
	Timestamp uint64 // when the part upload began: with Version, its identity
	Version   VersionID
	ETag      string
	Size      uint64
	// Finished orders the finished uploads of one part number: the one that
	// finished last counts (milliseconds, after every finish it saw).
	Finished uint64
	// Checksum is the part's checksum in the upload's algorithm (its
	// checksum.Spec.Effective one), base64.
	Checksum string
}

// Join merges two states of one upload. Parts union by (Number, Timestamp,
// Version); for one such key the greater (ETag, Size, Finished, Checksum)
// wins, so a finished part upload beats its unfinished record. The
// timestamp, the checksum spec and the back-link are the greater ones, so a
// tombstone written without them never erases them.
func (u MultipartUpload) Join(o MultipartUpload) MultipartUpload {
	out := MultipartUpload{UploadID: u.UploadID, Timestamp: max(u.Timestamp, o.Timestamp), Deleted: u.Deleted || o.Deleted,
		Checksum: maxSpec(u.Checksum, o.Checksum)}
	out.Bucket, out.Key = maxBacklink(u.Bucket, u.Key, o.Bucket, o.Key)
	if !out.Deleted {
		out.Parts = unionByKey(concat(u.Parts, o.Parts), compareParts, comparePartUploads)
	}
	return out
}

func maxSpec(a, b checksum.Spec) checksum.Spec {
	if b.Algorithm > a.Algorithm || b.Algorithm == a.Algorithm && b.Type > a.Type {
		return b
	}
	return a
}

// comparePartUploads orders parts by their identity.
func comparePartUploads(a, b MPUPart) int {
	if c := cmp.Compare(a.Number, b.Number); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Timestamp, b.Timestamp); c != 0 {
		return c
	}
	return a.Version.Compare(b.Version)
}

func compareParts(a, b MPUPart) int {
	if c := comparePartUploads(a, b); c != 0 {
		return c
	}
	if c := strings.Compare(a.ETag, b.ETag); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Size, b.Size); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Finished, b.Finished); c != 0 {
		return c
	}
	return strings.Compare(a.Checksum, b.Checksum)
}

func (u MultipartUpload) canonical() bool {
	if u.Deleted {
		return len(u.Parts) == 0
	}
	return strictlySorted(u.Parts, comparePartUploads)
}

// Encode writes the canonical form of u.
func (u MultipartUpload) Encode(e *wire.Encoder) {
	if !u.canonical() {
		u = u.Join(MultipartUpload{UploadID: u.UploadID})
	}
	u.encode(e)
}

// encode writes u as it is; a deleted upload has no parts.
func (u MultipartUpload) encode(e *wire.Encoder) {
	e.Raw(u.UploadID[:])
	e.Uvarint(u.Timestamp)
	e.Bool(u.Deleted)
	e.Raw(u.Bucket[:])
	e.String(u.Key)
	e.Uint8(uint8(u.Checksum.Algorithm))
	e.Uint8(uint8(u.Checksum.Type))
	if u.Deleted {
		return
	}
	e.Uvarint(uint64(len(u.Parts)))
	for _, p := range u.Parts {
		e.Uvarint(uint64(p.Number))
		e.Uvarint(p.Timestamp)
		e.Raw(p.Version[:])
		e.String(p.ETag)
		e.Uvarint(p.Size)
		e.Uvarint(p.Finished)
		e.String(p.Checksum)
	}
}

// DecodeMultipartUpload reads a MultipartUpload, rejecting parts out of
// order or repeated.
func DecodeMultipartUpload(d *wire.Decoder) MultipartUpload {
	var u MultipartUpload
	d.Fixed(u.UploadID[:])
	u.Timestamp = d.Uvarint()
	u.Deleted = d.Bool()
	d.Fixed(u.Bucket[:])
	u.Key = d.String()
	u.Checksum = checksum.Spec{Algorithm: checksum.Algorithm(d.Uint8()), Type: checksum.Type(d.Uint8())}
	if u.Checksum.Algorithm > checksum.MD5 || u.Checksum.Type > checksum.FullObject {
		d.Failf("bad checksum spec %v", u.Checksum)
		return MultipartUpload{}
	}
	if u.Deleted {
		return u
	}
	n := d.Len(4 + len(VersionID{}))
	for range n {
		p := MPUPart{Number: decodePartNumber(d), Timestamp: d.Uvarint()}
		d.Fixed(p.Version[:])
		p.ETag = d.String()
		p.Size = d.Uvarint()
		p.Finished = d.Uvarint()
		p.Checksum = d.String()
		if len(u.Parts) > 0 && comparePartUploads(u.Parts[len(u.Parts)-1], p) >= 0 {
			d.Failf("multipart upload parts not strictly sorted")
			return MultipartUpload{}
		}
		u.Parts = append(u.Parts, p)
	}
	return u
}

// LatestParts is what completing the upload would assemble: per part number,
// the upload of that part that finished last (greatest (Finished,
// Timestamp, Version) among those with an ETag), in part order. An
// unfinished re-upload does not hide the finished one before it, and an
// upload that began later but finished first loses to the one that
// finished after it.
func (u MultipartUpload) LatestParts() []MPUPart {
	if u.Deleted {
		return nil
	}
	parts := u.Parts
	if !strictlySorted(parts, comparePartUploads) {
		parts = unionByKey(concat(parts, nil), compareParts, comparePartUploads)
	}
	var out []MPUPart
	for _, p := range parts {
		if p.ETag == "" {
			continue
		}
		if n := len(out); n > 0 && out[n-1].Number == p.Number {
			if finishedAfter(p, out[n-1]) {
				out[n-1] = p
			}
			continue
		}
		out = append(out, p)
	}
	return out
}

// finishedAfter reports whether finished part upload a counts over b (of
// the same number): it finished later, ties broken by identity.
func finishedAfter(a, b MPUPart) bool {
	if a.Finished != b.Finished {
		return a.Finished > b.Finished
	}
	return comparePartUploads(a, b) > 0
}
