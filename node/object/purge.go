package object

import (
	"errors"
	"fmt"
	"slices"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/model"
)

// PurgeVersion removes for good what uses version entry Version of Key
// (the admin's PurgeBlocks: a block of it is to be forgotten). That is the
// object version of that id, or else the multipart upload in progress one of
// whose part uploads wrote it:
//   - a complete version with block data is deleted as DeleteVersion deletes
//     it by id: Aborted, which wins every join for the id and, for a null
//     version, keeps superseding the older ones, so nothing comes back and no
//     delete marker (no fresh id) is needed. A GOVERNANCE retention is
//     bypassed, a COMPLIANCE one or a legal hold is not (ErrObjectLocked);
//   - a plain put in progress is aborted as PutAbort aborts it;
//   - a multipart upload in progress is aborted as AbortMultipart does (its
//     part uploads' versions go with its entry).
//
// Answers VersionPurged; Found unset when nothing uses the version any more
// (gone already, or an entry without blocks).
type PurgeVersion struct {
	Bucket  model.BucketID
	Key     string
	Version model.VersionID
}

func (PurgeVersion) OpName() string { return "PurgeVersion" }

// VersionPurged answers PurgeVersion: Removed is the object version taken
// away, as it was before (a multipart upload if Uploading and Multipart).
type VersionPurged struct {
	Found   bool
	Removed model.ObjectVersion
}

// purgeAttempts bounds the re-reads when an upload ends between the read
// and its abortion (completed meanwhile: its version is then purged).
const purgeAttempts = 3

func (s *Service) purgeVersion(now cluster.Time, op PurgeVersion, attempts int, done Done) {
	s.objects.Get(now, model.ObjectKey(op.Bucket, op.Key), func(now cluster.Time, o model.Object, _ bool, err error) {
		if err != nil {
			done(now, nil, fmt.Errorf("%w: purge version %s of %q: read object entry: %w", ErrNotWritten, op.Version, op.Key, err))
			return
		}
		retry := func(now cluster.Time, res any, err error) {
			if errors.Is(err, ErrNoSuchUpload) && attempts > 1 {
				s.purgeVersion(now, op, attempts-1, done)
				return
			}
			done(now, res, err)
		}
		if v, ok := o.Version(op.Version); ok {
			s.purgeObjectVersion(now, op.Bucket, op.Key, v, retry)
			return
		}
		s.purgePartOwner(now, op, o.Uploading(), retry)
	})
}

// purgeObjectVersion removes v, a version of key's entry.
func (s *Service) purgeObjectVersion(now cluster.Time, bucket model.BucketID, key string, v model.ObjectVersion, done Done) {
	answer := func(now cluster.Time, _ any, err error) {
		if err != nil {
			done(now, nil, fmt.Errorf("purge version %s of %q: %w", v.ID, key, err))
			return
		}
		done(now, VersionPurged{Found: true, Removed: v}, nil)
	}
	st := v.State
	switch {
	case st.Kind == model.Uploading && st.Multipart:
		s.abortMultipart(now, AbortMultipart{Bucket: bucket, Key: key, UploadID: v.ID}, answer)
	case st.Kind == model.Uploading:
		s.putAbort(now, PutAbort{Bucket: bucket, Key: key, Version: v.ID, Timestamp: v.Timestamp, Versioned: v.Versioned}, answer)
	case st.Kind == model.Complete && st.Data == model.FirstBlock:
		if err := refuseDeletion(now, v, true); err != nil {
			done(now, nil, fmt.Errorf("%w: purge version %s of %q: %w", ErrNotWritten, v.ID, key, err))
			return
		}
		gone := model.ObjectVersion{ID: v.ID, Timestamp: v.Timestamp, Versioned: v.Versioned, State: model.VersionState{Kind: model.Aborted, WasComplete: true}}
		s.writeVersion(now, bucket, key, gone, answer)
	default:
		// Aborted already, or inline data or a delete marker: no block
		// list of this id is in use.
		done(now, VersionPurged{}, nil)
	}
}

// purgePartOwner aborts the multipart upload in progress, among uploads,
// one of whose part uploads wrote op.Version, if any.
func (s *Service) purgePartOwner(now cluster.Time, op PurgeVersion, uploads []model.ObjectVersion, done Done) {
	uploads = slices.DeleteFunc(uploads, func(v model.ObjectVersion) bool { return !v.State.Multipart })
	var next func(now cluster.Time, i int)
	next = func(now cluster.Time, i int) {
		if i == len(uploads) {
			done(now, VersionPurged{}, nil)
			return
		}
		u := uploads[i]
		s.uploads.Get(now, model.UploadKey(u.ID), func(now cluster.Time, mpu model.MultipartUpload, _ bool, err error) {
			if err != nil {
				done(now, nil, fmt.Errorf("%w: purge version %s of %q: read upload %s: %w", ErrNotWritten, op.Version, op.Key, u.ID, err))
				return
			}
			if slices.ContainsFunc(mpu.Parts, func(p model.MPUPart) bool { return p.Version == op.Version }) {
				s.purgeObjectVersion(now, op.Bucket, op.Key, u, done)
				return
			}
			next(now, i+1)
		})
	}
	next(now, 0)
}

// DeleteVersionEntry marks version entry v deleted with a write quorum
// (the admin's purge, once nothing uses it); the versions table's hook
// then drops the references of the blocks it listed.
func (s *Service) DeleteVersionEntry(now cluster.Time, v model.Version, done func(cluster.Time, error)) {
	s.versions.Insert(now, model.VersionKey(v.ID), model.Version{ID: v.ID, Deleted: true, Bucket: v.Bucket, Key: v.Key}, done)
}
