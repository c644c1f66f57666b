package object

import (
	"encoding/binary"

	"github.com/garagego/garage/node/model"
)

// Stamp is a version's place among its key's versions, as bytes that
// compare like the object table orders versions: the timestamp (big-endian
// milliseconds), then the version id. It is nil for no version (timestamp
// 0). The S3 API shows it in x-garage-stamp, so that a history of real
// clients can be checked like the simulator's.
func Stamp(ts uint64, id model.VersionID) []byte {
	if ts == 0 {
		return nil
	}
	b := make([]byte, 8+len(id))
	binary.BigEndian.PutUint64(b, ts)
	copy(b[8:], id[:])
	return b
}

// Stamp is the written version's stamp.
func (w Written) Stamp() []byte { return Stamp(w.Timestamp, w.Version) }

// Stamp is the read version's stamp (a delete marker's when not found).
func (o Object) Stamp() []byte { return Stamp(o.Timestamp, o.Version) }

// Stamp is the listed version's stamp.
func (e ListEntry) Stamp() []byte { return Stamp(e.Timestamp, e.Version) }

// S3VersionID is the written version's id as S3 clients see it ("null"
// for a null version).
func (w Written) S3VersionID() string {
	return model.ObjectVersion{ID: w.Version, Versioned: w.Versioned}.S3VersionID()
}

// S3VersionID is the read version's id as S3 clients see it.
func (o Object) S3VersionID() string {
	return model.ObjectVersion{ID: o.Version, Versioned: o.Versioned}.S3VersionID()
}
