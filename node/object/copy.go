package object

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/model"
)

// CopyObject makes a new version of Key holding the data of Source, an
// object version as Get answered it, without moving any data: an inline
// source is written inline again; otherwise the new version lists the
// source's blocks, each gets a reference from it, and it completes with
// Meta. The blocks are the source's own, so they stay stored while the
// copy references them even if the source is deleted meanwhile (its
// references go, the copy's remain; collection waits for zero). Answers
// Written.
type CopyObject struct {
	Bucket  model.BucketID
	Key     string
	Version model.VersionID // drawn by the caller
	Source  Object
	// Meta is the copy's: Size and ETag must be the source's.
	Meta model.ObjectMeta
	// Cond, if set, is judged on the destination as the copy commits.
	Cond *Condition
	// Versioned: the destination bucket's versioning is enabled.
	Versioned bool
}

func (CopyObject) OpName() string { return "CopyObject" }

func (s *Service) copyObject(now cluster.Time, op CopyObject, done Done) {
	src := op.Source
	if !src.Found {
		done(now, nil, fmt.Errorf("%w: copy from a version that is not there", ErrNotWritten))
		return
	}
	if src.Blocks == nil {
		s.putInline(now, PutInline{Bucket: op.Bucket, Key: op.Key, Version: op.Version, Meta: op.Meta, Data: src.Inline, Cond: op.Cond, Versioned: op.Versioned}, done)
		return
	}
	hashes := distinctHashes(src.Blocks)
	s.putBegin(now, PutBegin{Bucket: op.Bucket, Key: op.Key, Version: op.Version, Meta: op.Meta, Versioned: op.Versioned}, func(now cluster.Time, res any, err error) {
		if err != nil {
			done(now, nil, err)
			return
		}
		begun := res.(Written)
		abort := func(now cluster.Time, err error) {
			s.putAbort(now, PutAbort{Bucket: op.Bucket, Key: op.Key, Version: op.Version, Timestamp: begun.Timestamp, Blocks: hashes, Versioned: op.Versioned},
				func(now cluster.Time, _ any, _ error) { done(now, nil, fmt.Errorf("copy: %w", err)) })
		}
		list := model.Version{ID: op.Version, Bucket: op.Bucket, Key: op.Key, Blocks: src.Blocks}
		s.versions.Insert(now, model.VersionKey(op.Version), list, func(now cluster.Time, err error) {
			if err != nil {
				abort(now, fmt.Errorf("write the block list: %w", err))
				return
			}
			s.reference(now, op.Version, hashes, func(now cluster.Time, err error) {
				if err != nil {
					abort(now, err)
					return
				}
				s.putComplete(now, PutComplete{Bucket: op.Bucket, Key: op.Key, Version: op.Version, Timestamp: begun.Timestamp,
					Meta: op.Meta, FirstBlock: src.Blocks[0].Hash, Blocks: hashes, Cond: op.Cond, Versioned: op.Versioned}, done)
			})
		})
	})
}

// reference writes a reference from version to each of hashes, fanOutWidth
// at a time.
func (s *Service) reference(now cluster.Time, version model.VersionID, hashes []cluster.Hash, done func(cluster.Time, error)) {
	fanOut(now, len(hashes), fanOutWidth, func(now cluster.Time, i int, next func(cluster.Time, error)) {
		h := hashes[i]
		s.refs.Insert(now, model.BlockRefKey(h, version), model.BlockRef{Block: h, Version: version}, func(now cluster.Time, err error) {
			if err != nil {
				err = fmt.Errorf("reference block %s: %w", h, err)
			}
			next(now, err)
		})
	}, done)
}

// distinctHashes lists the blocks' hashes once each, sorted.
func distinctHashes(blocks []model.VersionBlock) []cluster.Hash {
	out := make([]cluster.Hash, 0, len(blocks))
	for _, b := range blocks {
		out = append(out, b.Hash)
	}
	slices.SortFunc(out, func(a, b cluster.Hash) int { return bytes.Compare(a[:], b[:]) })
	return slices.Compact(out)
}
