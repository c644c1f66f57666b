package sim

import (
	"errors"
	"fmt"

	"github.com/garagego/garage/checker"
	"github.com/garagego/garage/node"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
)

// In a versioned run (Options.Versioned) the object bucket keeps every
// version: each write passes Versioned to the core and is recorded with
// the id of the version it creates, and VersionShare percent of the
// object operations name versions by id: a deletion of one version
// (S3's DeleteObject with a versionId), a read of one (GetObject with a
// versionId), a listing of a key's versions (ListObjectVersions). The
// checker's versions-listed and version-read properties judge them, and
// read-after-write holds a plain get to the newest version acknowledged
// and not deleted by id.

// noteVersion remembers a version id issued for key, for the version
// operations to name (written or not: a put may fail or be in flight).
func (s *Sim) noteVersion(key string, id model.VersionID) {
	if s.opts.Versioned {
		s.keyVersions[key] = append(s.keyVersions[key], id)
	}
}

// noteAcked remembers the version an acknowledged write created, for the
// version operations to name most of the time: versions that must exist.
func (s *Sim) noteAcked(op checker.Op) {
	if !s.opts.Versioned || op.Outcome != checker.OK || !isWrite(op.Kind) || op.Version == "" {
		return
	}
	id, err := model.ParseVersionID(op.Version)
	if err != nil {
		panic(fmt.Sprintf("sim: version id %q of %v: %v", op.Version, op, err))
	}
	s.ackedVersions[op.Key.Sort] = append(s.ackedVersions[op.Key.Sort], id)
}

// historyVersion is the version id a write records: none in an
// unversioned run, where no version property applies.
func (s *Sim) historyVersion(id model.VersionID) string {
	if !s.opts.Versioned {
		return ""
	}
	return id.String()
}

// pickVersion names a version of key for a version operation: mostly an
// acknowledged one, among the last few (the current one, or close) or
// any; else any issued for the key (perhaps in flight, failed, or
// deleted), and now and then an id never written.
func (s *Sim) pickVersion(key string) model.VersionID {
	acked, issued := s.ackedVersions[key], s.keyVersions[key]
	switch r := s.rng.IntN(100); {
	case r < 5 || len(issued) == 0:
		return s.versionID()
	case r < 25 || len(acked) == 0:
		return issued[s.rng.IntN(len(issued))]
	case r < 45:
		return acked[s.rng.IntN(len(acked))]
	}
	return acked[len(acked)-1-s.rng.IntN(min(len(acked), 4))]
}

// randomVersionTask draws a version operation on key: 30% deletions by
// id, 45% reads by id, 25% listings of the key's versions.
func (s *Sim) randomVersionTask(key string) task {
	switch r := s.rng.IntN(100); {
	case r < 30:
		return deleteVersion{sim: s, key: key, version: s.pickVersion(key)}
	case r < 75:
		return &getObject{sim: s, key: key, version: model.VersionRef{Set: true, ID: s.pickVersion(key)}}
	}
	return listVersions{sim: s, key: key}
}

// deleteVersion removes one version for good.
type deleteVersion struct {
	sim     *Sim
	key     string
	version model.VersionID
}

func (t deleteVersion) describe(h *checker.Op) {
	h.Kind, h.Key, h.Version = checker.DeleteVersion, checker.Key{Partition: t.sim.bucket.String(), Sort: t.key}, t.version.String()
}

func (t deleteVersion) first() node.Op {
	return object.DeleteVersion{Bucket: t.sim.bucket, Key: t.key, Version: model.VersionRef{Set: true, ID: t.version}}
}

func (t deleteVersion) advance(r node.Reply, op *checker.Op) node.Op {
	res := r.Result.(object.VersionDeleted)
	op.Found, op.Outcome = res.Found, checker.OK
	if res.Found {
		t.sim.stats.VersionsDeleted++
	}
	return nil
}

func (t deleteVersion) abandon(err error, op *checker.Op) node.Op {
	if errors.Is(err, object.ErrNotWritten) {
		op.Outcome = checker.Failed
	} else {
		op.Outcome = checker.Unknown
	}
	return nil
}

// listVersions lists the versions of one key (every key would make each
// listing as long as the whole workload's writes).
type listVersions struct {
	sim *Sim
	key string
}

func (t listVersions) describe(h *checker.Op) {
	h.Kind, h.Key = checker.ListVersions, checker.Key{Partition: t.sim.bucket.String(), Sort: t.key}
}

func (t listVersions) first() node.Op {
	return object.ListVersions{Bucket: t.sim.bucket, Start: t.key, End: t.key + "\x00", Limit: 1, NullMarkers: true}
}

func (t listVersions) advance(r node.Reply, op *checker.Op) node.Op {
	l := r.Result.(object.VersionListing)
	op.Outcome = checker.OK
	op.Versions = []checker.VersionEntry{} // listed nothing, as opposed to not recorded
	t.sim.stats.VersionListings++
	for _, k := range l.Keys {
		if k.Key != t.key {
			continue // outside the range asked for: the checker sees it missing from this key's listing
		}
		for _, v := range k.Versions {
			marker := v.State.Data == model.DeleteMarker
			e := checker.VersionEntry{Version: v.ID.String(), Stamp: objectStamp(v.Timestamp, v.ID), Marker: marker}
			if !marker {
				e.Value = headerValue(v.State.Meta, valueHeader)
			}
			op.Versions = append(op.Versions, e)
		}
	}
	return nil
}

func (t listVersions) abandon(err error, op *checker.Op) node.Op {
	op.Outcome = checker.Failed
	return nil
}
