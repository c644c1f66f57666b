package model

import (
	"cmp"
	"strings"

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
	// Parts sorted by (Number, Timestamp, Version), each once. A part number
	// uploaded twice has an entry per upload, told apart by timestamp.
	Parts []MPUPart
}

// MPUPart is one upload of one part. Its data is the version Version (each
// part upload writes its own version entry). It is recorded without an ETag
// when the part upload starts, then with the ETag and size once it is done.
type MPUPart struct {
	Number    uint32
	Timestamp uint64
	Version   VersionID
	ETag      string
	Size      uint64
}

// Join merges two states of one upload. Parts union by (Number, Timestamp,
// Version); for one such key the greater (ETag, Size) wins, so a finished
// part upload beats its unfinished record. The timestamp is the greater one
// and the back-link the greater (Bucket, Key) pair, so a tombstone written
// without them never erases them.
func (u MultipartUpload) Join(o MultipartUpload) MultipartUpload {
	out := MultipartUpload{UploadID: u.UploadID, Timestamp: max(u.Timestamp, o.Timestamp), Deleted: u.Deleted || o.Deleted}
	out.Bucket, out.Key = maxBacklink(u.Bucket, u.Key, o.Bucket, o.Key)
	if !out.Deleted {
		out.Parts = unionByKey(concat(u.Parts, o.Parts), compareParts, comparePartUploads)
	}
	return out
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
	return cmp.Compare(a.Size, b.Size)
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
	if u.Deleted {
		return u
	}
	n := d.Len(4 + len(VersionID{}))
	for range n {
		p := MPUPart{Number: decodePartNumber(d), Timestamp: d.Uvarint()}
		d.Fixed(p.Version[:])
		p.ETag = d.String()
		p.Size = d.Uvarint()
		if len(u.Parts) > 0 && comparePartUploads(u.Parts[len(u.Parts)-1], p) >= 0 {
			d.Failf("multipart upload parts not strictly sorted")
			return MultipartUpload{}
		}
		u.Parts = append(u.Parts, p)
	}
	return u
}

// LatestParts is what completing the upload would assemble: per part number,
// the latest finished upload of that part (greatest (Timestamp, Version)
// with an ETag), in part order. An unfinished re-upload does not hide the
// finished one before it.
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
			out[n-1] = p
			continue
		}
		out = append(out, p)
	}
	return out
}
