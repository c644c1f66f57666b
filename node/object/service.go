package object

import (
	"errors"
	"fmt"
	"slices"

	"github.com/garagego/garage/node/block"
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/crdt"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/table"
)

// Done receives an operation's result or error.
type Done func(now cluster.Time, result any, err error)

// ErrNotWritten marks a put or delete that failed before anything was
// written: it certainly had no effect.
var ErrNotWritten = errors.New("not written")

// Service runs object operations on one node and owns the object tables.
type Service struct {
	self     cluster.NodeID
	blocks   *block.Manager
	objects  *table.Table[model.Object]
	versions *table.Table[model.Version]
	refs     *table.Table[model.BlockRef]
	uploads  *table.Table[model.MultipartUpload]
	counters *table.Table[model.BucketCounters]
	counting Counting // see EnableCounting
	bugs     Bugs     // planted by the simulator only
}

// New registers the object tables, with their hooks, on engine.
func New(self cluster.NodeID, engine *table.Engine, blocks *block.Manager) *Service {
	s := &Service{self: self, blocks: blocks}
	s.objects = table.Register(engine, table.Schema[model.Object]{
		ID: model.ObjectsTable, Name: "objects", Decode: model.DecodeObject, Updated: s.objectUpdated, Tombstone: model.Object.IsTombstone,
		Dropped: func(now cluster.Time, old model.Object) {
			s.count(old.Bucket, model.Counts{}.Sub(model.CountsOf(old))) // the partition moved away: so do its counts
		},
	})
	s.counters = table.Register(engine, table.Schema[model.BucketCounters]{
		ID: model.BucketCountersTable, Name: "bucket_counters", Decode: model.DecodeBucketCounters,
	})
	s.versions = table.Register(engine, table.Schema[model.Version]{
		ID: model.VersionsTable, Name: "versions", Decode: model.DecodeVersion, Updated: s.versionUpdated,
		Tombstone: func(v model.Version) bool { return v.Deleted },
	})
	s.refs = table.Register(engine, table.Schema[model.BlockRef]{
		ID: model.BlockRefsTable, Name: "block_refs", Decode: model.DecodeBlockRef, RawPartitionKeys: true, Updated: s.refUpdated,
		Tombstone: func(r model.BlockRef) bool { return r.Deleted },
		Dropped: func(now cluster.Time, old model.BlockRef) {
			if !old.Deleted {
				s.blocks.Unreferenced(now, old.Block) // the partition moved away: its blocks follow
			}
		},
	})
	s.uploads = table.Register(engine, table.Schema[model.MultipartUpload]{
		ID: model.MultipartTable, Name: "multipart_uploads", Decode: model.DecodeMultipartUpload, Updated: s.uploadUpdated,
		Tombstone: func(u model.MultipartUpload) bool { return u.Deleted },
	})
	return s
}

// Refs is the block-reference table (for `garage block info`).
func (s *Service) Refs() *table.Table[model.BlockRef] { return s.refs }

// objectUpdated moves the bucket's counts by what the change made of the
// entry, and deletes the block lists of the versions it dropped
// (superseded by a newer complete version, or aborted), and the entries of
// the multipart uploads that ended.
func (s *Service) objectUpdated(now cluster.Time, old model.Object, existed bool, new model.Object) {
	var before model.Counts
	if existed {
		before = model.CountsOf(old)
	}
	s.count(new.Bucket, model.CountsOf(new).Sub(before))
	if !existed {
		return
	}
	s.endedUploads(old, new)
	for _, v := range model.DroppedBy(old, new) {
		if v.State.Kind == model.Complete && v.State.Data != model.FirstBlock {
			continue // inline data and delete markers have no block list
		}
		s.versions.QueueInsert(model.VersionKey(v.ID), model.Version{ID: v.ID, Deleted: true, Bucket: old.Bucket, Key: old.Key})
	}
}

// versionUpdated drops the block references of a version deleted now.
func (s *Service) versionUpdated(now cluster.Time, old model.Version, existed bool, new model.Version) {
	if !existed || old.Deleted || !new.Deleted {
		return
	}
	for _, b := range old.Blocks {
		s.refs.QueueInsert(model.BlockRefKey(b.Hash, old.ID), model.BlockRef{Block: b.Hash, Version: old.ID, Deleted: true})
	}
}

// refUpdated keeps this node's reference counts: block references live on
// the block's own holders (their partition key is the raw block hash).
func (s *Service) refUpdated(now cluster.Time, old model.BlockRef, existed bool, new model.BlockRef) {
	wasLive := existed && !old.Deleted
	switch {
	case !wasLive && !new.Deleted:
		s.blocks.Referenced(now, new.Block)
	case wasLive && new.Deleted:
		s.blocks.Unreferenced(now, new.Block)
	}
}

// Submit starts op if it is an object operation and reports whether it was.
func (s *Service) Submit(now cluster.Time, op any, done Done) bool {
	switch op := op.(type) {
	case PutBegin:
		s.putBegin(now, op, done)
	case PutInline:
		s.putInline(now, op, done)
	case PutBlock:
		s.putBlock(now, op, done)
	case PutComplete:
		s.putComplete(now, op, done)
	case PutAbort:
		s.putAbort(now, op, done)
	case Get:
		s.get(now, op, 3, done)
	case GetBlock:
		s.blocks.Get(now, op.Hash, func(now cluster.Time, data []byte, compressed bool, err error) {
			if err != nil {
				done(now, nil, err)
				return
			}
			done(now, Block{Data: data, Compressed: compressed}, nil)
		})
	case Delete:
		s.delete(now, op, done)
	case DeleteVersion:
		s.deleteVersion(now, op, done)
	case SetAttr:
		s.setAttr(now, op, done)
	case List:
		s.list(now, op, done)
	case ListVersions:
		s.listVersions(now, op, done)
	case CreateMultipart:
		s.createMultipart(now, op, done)
	case PutPartBegin:
		s.putPartBegin(now, op, done)
	case PutPartComplete:
		s.putPartComplete(now, op, done)
	case PutPartAbort:
		s.putPartAbort(now, op, done)
	case CompleteMultipart:
		s.completeMultipart(now, op, done)
	case AbortMultipart:
		s.abortMultipart(now, op, done)
	case ListParts:
		s.listParts(now, op, done)
	case GetUpload:
		s.getUpload(now, op, done)
	case ListMultipartUploads:
		s.listMultipartUploads(now, op, done)
	case CopyObject:
		s.copyObject(now, op, done)
	case PurgeVersion:
		s.purgeVersion(now, op, purgeAttempts, done)
	default:
		return false
	}
	return true
}

// stampNew reads the object with a quorum and returns the timestamp a new
// version gets: after every version seen, so that a write that starts after
// another was acknowledged is ordered after it whatever the clocks say.
//
// A null write (versioned false) supersedes the key's null version, so it
// is refused while that version is locked (see refuseSuperseding).
func (s *Service) stampNew(now cluster.Time, bucket model.BucketID, key string, versioned bool, done func(cluster.Time, uint64, error)) {
	s.objects.Get(now, model.ObjectKey(bucket, key), func(now cluster.Time, o model.Object, _ bool, err error) {
		if err != nil {
			done(now, 0, fmt.Errorf("%w: read before write: %w", ErrNotWritten, err))
			return
		}
		if !versioned {
			if err := refuseSuperseding(now, o); err != nil {
				done(now, 0, fmt.Errorf("%w: %w", ErrNotWritten, err))
				return
			}
		}
		done(now, crdt.NextTS(now.Millis(), crdt.Stamp{TS: o.NewestTimestamp()}), nil)
	})
}

func (s *Service) writeVersion(now cluster.Time, bucket model.BucketID, key string, v model.ObjectVersion, done Done) {
	o := model.Object{Bucket: bucket, Key: key, Versions: []model.ObjectVersion{v}}
	s.objects.Insert(now, model.ObjectKey(bucket, key), o, func(now cluster.Time, err error) {
		if err != nil {
			done(now, nil, fmt.Errorf("write object entry: %w", err))
			return
		}
		done(now, Written{Version: v.ID, Timestamp: v.Timestamp, Versioned: v.Versioned}, nil)
	})
}

func (s *Service) putBegin(now cluster.Time, op PutBegin, done Done) {
	s.stampNew(now, op.Bucket, op.Key, op.Versioned, func(now cluster.Time, ts uint64, err error) {
		if err != nil {
			done(now, nil, err)
			return
		}
		v := model.ObjectVersion{ID: op.Version, Timestamp: ts, Versioned: op.Versioned, State: model.VersionState{Kind: model.Uploading, Multipart: op.Multipart, Meta: op.Meta}}
		s.writeVersion(now, op.Bucket, op.Key, v, done)
	})
}

func (s *Service) putInline(now cluster.Time, op PutInline, done Done) {
	if len(op.Data) >= model.InlineThreshold {
		done(now, nil, fmt.Errorf("%w: %d bytes is too large to store inline", ErrNotWritten, len(op.Data)))
		return
	}
	s.stampNew(now, op.Bucket, op.Key, op.Versioned, func(now cluster.Time, ts uint64, err error) {
		if err != nil {
			done(now, nil, err)
			return
		}
		v := model.ObjectVersion{ID: op.Version, Timestamp: ts, Versioned: op.Versioned, State: model.VersionState{Kind: model.Complete, Meta: op.Meta, Data: model.Inline, Inline: op.Data}}
		s.checkQuotas(now, op.Bucket, op.Key, op.Meta.Size, op.Versioned, func(now cluster.Time, err error) {
			if err != nil {
				done(now, nil, err) // nothing was written yet
				return
			}
			s.writeMaybeConditionally(now, op.Bucket, op.Key, v, op.Cond, done)
		})
	})
}

// writeMaybeConditionally writes v, a complete version that owns no blocks
// (inline data, a delete marker), at once or, with a condition, through a
// conditional commit whose refusal aborts it.
func (s *Service) writeMaybeConditionally(now cluster.Time, bucket model.BucketID, key string, v model.ObjectVersion, cond *Condition, done Done) {
	if cond == nil {
		s.writeVersion(now, bucket, key, v, done)
		return
	}
	s.commitConditionally(now, conditionalCommit{
		bucket: bucket, key: key, cond: cond,
		version: model.ObjectVersion{ID: v.ID, Timestamp: v.Timestamp, Versioned: v.Versioned, State: model.VersionState{Kind: model.Uploading}},
		commit: func(now cluster.Time, basis model.Basis) {
			v.State.Basis = basis
			s.writeVersion(now, bucket, key, v, done)
		},
		refuse: func(now cluster.Time, err error, _ uint64) {
			s.endIntent(now, bucket, key, model.ObjectVersion{ID: v.ID, Timestamp: v.Timestamp, Versioned: v.Versioned, State: model.VersionState{Kind: model.Aborted}},
				func(now cluster.Time) { done(now, nil, err) })
		},
	})
}

// endIntent writes v, the end of a refused conditional write (its version
// aborted, or an upload's intent released), with a quorum before the
// refusal is answered, so that writers racing it see it over at once; should
// that fail, through the insert queue (durable, retried).
func (s *Service) endIntent(now cluster.Time, bucket model.BucketID, key string, v model.ObjectVersion, done func(cluster.Time)) {
	entry := model.Object{Bucket: bucket, Key: key, Versions: []model.ObjectVersion{v}}
	s.objects.Insert(now, model.ObjectKey(bucket, key), entry, func(now cluster.Time, err error) {
		if err != nil {
			s.objects.QueueInsert(model.ObjectKey(bucket, key), entry)
		}
		done(now)
	})
}

// putBlock stores the block, then records it in the version's block list,
// then references it: a reference never points at a block not yet stored,
// and a block in a list always has a reference once the put succeeds.
func (s *Service) putBlock(now cluster.Time, op PutBlock, done Done) {
	s.blocks.Put(now, op.Hash, op.Data, op.Compressed, func(now cluster.Time, err error) {
		if err != nil {
			done(now, nil, err)
			return
		}
		v := model.Version{ID: op.Version, Bucket: op.Bucket, Key: op.Key,
			Blocks: []model.VersionBlock{{Part: op.Part, Offset: op.Offset, Hash: op.Hash, Size: op.Size}}}
		s.versions.Insert(now, model.VersionKey(op.Version), v, func(now cluster.Time, err error) {
			if err != nil {
				done(now, nil, fmt.Errorf("record block in version: %w", err))
				return
			}
			ref := model.BlockRef{Block: op.Hash, Version: op.Version}
			s.refs.Insert(now, model.BlockRefKey(op.Hash, op.Version), ref, func(now cluster.Time, err error) {
				if err != nil {
					done(now, nil, fmt.Errorf("reference block: %w", err))
					return
				}
				done(now, Stored{}, nil)
			})
		})
	})
}

// putComplete marks the version complete, then checks whether it was
// deleted while it uploaded (a concurrent put completed first with a newer
// timestamp): its block references must then be dropped here, since the
// version's deletion may have run before some of its blocks were listed.
// At the same time it checks that no conditional write superseded it
// without judging it (see checkUnjudged). With a condition, the version
// commits through a conditional commit instead.
func (s *Service) putComplete(now cluster.Time, op PutComplete, done Done) {
	s.checkQuotas(now, op.Bucket, op.Key, op.Meta.Size, op.Versioned, func(now cluster.Time, err error) {
		if err == nil {
			s.commitPut(now, op, done)
			return
		}
		if !errors.Is(err, ErrQuotaExceeded) {
			done(now, nil, err) // the client may retry, or abort
			return
		}
		// Refused: the version is abandoned as an aborted put's is.
		s.putAbort(now, PutAbort{Bucket: op.Bucket, Key: op.Key, Version: op.Version, Timestamp: op.Timestamp, Blocks: op.Blocks, Versioned: op.Versioned},
			func(now cluster.Time, _ any, abortErr error) {
				if abortErr != nil {
					s.objects.QueueInsert(model.ObjectKey(op.Bucket, op.Key), model.Object{Bucket: op.Bucket, Key: op.Key,
						Versions: []model.ObjectVersion{{ID: op.Version, Timestamp: op.Timestamp, Versioned: op.Versioned, State: model.VersionState{Kind: model.Aborted}}}})
					s.dropRefs(op.Version, op.Blocks)
				}
				done(now, nil, err)
			})
	})
}

// commitPut completes a put's version once its quotas allow it.
func (s *Service) commitPut(now cluster.Time, op PutComplete, done Done) {
	v := model.ObjectVersion{ID: op.Version, Timestamp: op.Timestamp, Versioned: op.Versioned, State: model.VersionState{Kind: model.Complete, Meta: op.Meta, Data: model.FirstBlock, FirstBlock: op.FirstBlock}}
	if op.Cond != nil {
		s.commitConditionally(now, conditionalCommit{
			bucket: op.Bucket, key: op.Key, cond: op.Cond,
			version: model.ObjectVersion{ID: op.Version, Timestamp: op.Timestamp, Versioned: op.Versioned, State: model.VersionState{Kind: model.Uploading, Meta: op.Meta}},
			commit: func(now cluster.Time, basis model.Basis) {
				v.State.Basis = basis
				s.writeVersion(now, op.Bucket, op.Key, v, func(now cluster.Time, result any, err error) {
					if err != nil {
						done(now, nil, err)
						return
					}
					s.dropRefsIfDeleted(now, op.Version, op.Blocks, func(now cluster.Time) { done(now, result, nil) })
				})
			},
			refuse: func(now cluster.Time, err error, _ uint64) {
				s.dropRefs(op.Version, op.Blocks)
				s.endIntent(now, op.Bucket, op.Key, model.ObjectVersion{ID: op.Version, Timestamp: op.Timestamp, Versioned: op.Versioned, State: model.VersionState{Kind: model.Aborted}},
					func(now cluster.Time) { done(now, nil, err) })
			},
		})
		return
	}
	s.writeVersion(now, op.Bucket, op.Key, v, func(now cluster.Time, result any, err error) {
		if err != nil {
			done(now, nil, err)
			return
		}
		if op.Versioned {
			// A versioned version is never superseded, judged or not.
			s.dropRefsIfDeleted(now, op.Version, op.Blocks, func(now cluster.Time) { done(now, result, nil) })
			return
		}
		var unjudgedErr error
		both(now, func(next func(cluster.Time)) {
			s.dropRefsIfDeleted(now, op.Version, op.Blocks, next)
		}, func(next func(cluster.Time)) {
			s.checkUnjudged(now, op.Bucket, op.Key, op.Timestamp, op.Version, func(now cluster.Time, err error) {
				unjudgedErr = err
				next(now)
			})
		}, func(now cluster.Time) {
			if unjudgedErr != nil {
				if errors.Is(unjudgedErr, ErrConditionalConflict) {
					s.dropRefs(op.Version, op.Blocks)
				}
				done(now, nil, unjudgedErr)
				return
			}
			done(now, result, nil)
		})
	})
}

// dropRefsIfDeleted reads the version entry back and, if it was deleted (the
// version was superseded while it uploaded), drops the references of
// blocks, which the deletion may have missed.
func (s *Service) dropRefsIfDeleted(now cluster.Time, version model.VersionID, blocks []cluster.Hash, done func(cluster.Time)) {
	s.versions.Get(now, model.VersionKey(version), func(now cluster.Time, ver model.Version, _ bool, err error) {
		if err == nil && ver.Deleted {
			s.dropRefs(version, blocks)
		}
		done(now)
	})
}

// both runs a and b at once and then calls then, once both finished.
func both(now cluster.Time, a, b func(next func(cluster.Time)), then func(cluster.Time)) {
	pending := 2
	next := func(now cluster.Time) {
		if pending--; pending == 0 {
			then(now)
		}
	}
	a(next)
	b(next)
}

// putAbort abandons a version; Aborted wins the join for its id whatever
// the replicas hold.
func (s *Service) putAbort(now cluster.Time, op PutAbort, done Done) {
	v := model.ObjectVersion{ID: op.Version, Timestamp: op.Timestamp, Versioned: op.Versioned, State: model.VersionState{Kind: model.Aborted}}
	s.writeVersion(now, op.Bucket, op.Key, v, func(now cluster.Time, _ any, err error) {
		if err == nil {
			s.dropRefs(op.Version, op.Blocks)
		}
		done(now, Stored{}, err)
	})
}

func (s *Service) delete(now cluster.Time, op Delete, done Done) {
	s.stampNew(now, op.Bucket, op.Key, op.Versioned, func(now cluster.Time, ts uint64, err error) {
		if err != nil {
			done(now, nil, err)
			return
		}
		v := model.ObjectVersion{ID: op.Version, Timestamp: ts, Versioned: op.Versioned, State: model.VersionState{Kind: model.Complete, Data: model.DeleteMarker}}
		s.writeMaybeConditionally(now, op.Bucket, op.Key, v, op.Cond, done)
	})
}

// deleteVersion aborts the version op names, as read from a quorum; the
// object table's hook then releases its data. Aborted wins the join for its
// id on every replica, so the deletion cannot be undone by a replica that
// missed it.
func (s *Service) deleteVersion(now cluster.Time, op DeleteVersion, done Done) {
	s.objects.Get(now, model.ObjectKey(op.Bucket, op.Key), func(now cluster.Time, o model.Object, _ bool, err error) {
		if err != nil {
			done(now, nil, fmt.Errorf("%w: read before deleting a version: %w", ErrNotWritten, err))
			return
		}
		v, ok := o.Find(op.Version)
		if !ok {
			done(now, VersionDeleted{}, nil)
			return
		}
		if err := refuseDeletion(now, v, op.BypassGovernance); err != nil && !s.bugs.DeleteVersionIgnoresLock {
			done(now, nil, fmt.Errorf("%w: delete version %s of %q: %w", ErrNotWritten, op.Version, op.Key, err))
			return
		}
		target := v
		if s.bugs.DeleteVersionWrongVersion {
			target = plantedWrongVersion(o, v)
		}
		gone := model.ObjectVersion{ID: target.ID, Timestamp: target.Timestamp, Versioned: target.Versioned, State: model.VersionState{Kind: model.Aborted, WasComplete: true}}
		s.writeVersion(now, op.Bucket, op.Key, gone, func(now cluster.Time, _ any, err error) {
			if err != nil {
				done(now, nil, fmt.Errorf("delete version %s: %w", op.Version, err))
				return
			}
			done(now, VersionDeleted{Found: true, Version: v}, nil)
		})
	})
}

// ErrNoSuchVersion: the version an operation names is not there (or is a
// delete marker, which has no attributes).
var ErrNoSuchVersion = errors.New("no such version")

// setAttr reads the version from a quorum and writes it back whole with the
// attribute set, stamped after its previous value: the join keeps the rest
// as it was and the attribute by last writer.
func (s *Service) setAttr(now cluster.Time, op SetAttr, done Done) {
	s.objects.Get(now, model.ObjectKey(op.Bucket, op.Key), func(now cluster.Time, o model.Object, _ bool, err error) {
		if err != nil {
			done(now, nil, fmt.Errorf("%w: read before setting %s: %w", ErrNotWritten, op.Name, err))
			return
		}
		v, ok := o.LastComplete()
		if op.Version.Set {
			v, ok = o.Find(op.Version)
		}
		if !ok || v.State.Data == model.DeleteMarker {
			done(now, nil, fmt.Errorf("%w: %s of %q", ErrNoSuchVersion, op.Version, op.Key))
			return
		}
		if err := refuseAttrChange(now, v, op); err != nil {
			done(now, nil, fmt.Errorf("%w: set %s of %q: %w", ErrNotWritten, op.Name, op.Key, err))
			return
		}
		stamp := crdt.NextTS(now.Millis(), crdt.Stamp{TS: v.State.AttrStamp(op.Name)})
		v.State = v.State.WithAttr(op.Name, stamp, op.Value)
		s.writeVersion(now, op.Bucket, op.Key, v, func(now cluster.Time, _ any, err error) {
			if err != nil {
				done(now, nil, fmt.Errorf("set %s: %w", op.Name, err))
				return
			}
			done(now, AttrSet{Version: v}, nil)
		})
	})
}

// get reads the object, then its block list. If the version was superseded
// and deleted between the two reads, the object is read again.
func (s *Service) get(now cluster.Time, op Get, attempts int, done Done) {
	s.objects.Get(now, model.ObjectKey(op.Bucket, op.Key), func(now cluster.Time, o model.Object, _ bool, err error) {
		if err != nil {
			done(now, nil, err)
			return
		}
		last, ok := o.LastComplete()
		if op.Version.Set && !s.bugs.GetVersionReturnsCurrent {
			last, ok = o.Find(op.Version)
		}
		if !ok {
			done(now, Object{}, nil)
			return
		}
		marker := last.State.Data == model.DeleteMarker
		res := Object{Found: !marker, Marker: marker, Version: last.ID, Timestamp: last.Timestamp, Versioned: last.Versioned,
			Meta: last.State.Meta, Attrs: last.State.Attrs}
		switch last.State.Data {
		case model.DeleteMarker:
			done(now, res, nil)
			return
		case model.Inline:
			res.Inline = last.State.Inline
			done(now, res, nil)
			return
		}
		// A plain object's block list never changes once complete, and the
		// quorum read of the object said it is: this node's copy of it
		// serves as well as a quorum's, if it holds every block.
		if v, ok := s.versions.Local(model.VersionKey(last.ID)); ok && (v.HoldsPlainObject(last.State.Meta.Size) || s.bugs.LocalBlockListUnchecked && !v.Deleted) {
			res.Blocks = v.BlocksInOrder()
			done(now, res, nil)
			return
		}
		s.versions.Get(now, model.VersionKey(last.ID), func(now cluster.Time, v model.Version, found bool, err error) {
			switch {
			case err != nil:
				done(now, nil, err)
			case (!found || v.Deleted) && attempts > 1:
				s.get(now, op, attempts-1, done)
			case !found || v.Deleted:
				done(now, nil, fmt.Errorf("object %q: version %s vanished while being read", op.Key, last.ID))
			case len(v.PartETags) > 0 && v.Size() != last.State.Meta.Size:
				// Only two racing completions of a multipart upload with
				// different parts can mix its block list: refuse to serve it.
				done(now, nil, fmt.Errorf("object %q: version %s: its parts hold %d bytes, its metadata says %d", op.Key, last.ID, v.Size(), last.State.Meta.Size))
			default:
				res.Blocks = v.BlocksInOrder()
				res.Parts = v.PartETags
				done(now, res, nil)
			}
		})
	})
}

func (s *Service) list(now cluster.Time, op List, done Done) {
	s.objects.ReadRange(now, op.Bucket.String(), op.Start, op.End, op.Limit, func(now cluster.Time, r table.Range[model.Object], err error) {
		if err != nil {
			done(now, nil, err)
			return
		}
		l := Listing{More: r.More, Next: r.Next}
		for _, it := range r.Items {
			if v, ok := it.Entry.Live(); ok {
				l.Entries = append(l.Entries, ListEntry{Key: it.Entry.Key, Version: v.ID, Timestamp: v.Timestamp, Meta: v.State.Meta, Attrs: v.State.Attrs})
			}
		}
		done(now, l, nil)
	})
}

func (s *Service) listVersions(now cluster.Time, op ListVersions, done Done) {
	s.objects.ReadRange(now, op.Bucket.String(), op.Start, op.End, op.Limit, func(now cluster.Time, r table.Range[model.Object], err error) {
		if err != nil {
			done(now, nil, err)
			return
		}
		l := VersionListing{More: r.More, Next: r.Next}
		for _, it := range r.Items {
			vs := it.Entry.Listed()
			if s.bugs.ListVersionsSkipsFirst && len(vs) > 1 {
				vs = vs[1:]
			}
			if !op.NullMarkers {
				vs = slices.DeleteFunc(vs, func(v model.ObjectVersion) bool {
					return !v.Versioned && v.State.Data == model.DeleteMarker
				})
			}
			if len(vs) > 0 {
				l.Keys = append(l.Keys, KeyVersions{Key: it.Entry.Key, Versions: vs})
			}
		}
		done(now, l, nil)
	})
}

// Entry reads the object entry of key from a quorum, as it is: every
// version, aborted ones included (for inspection).
func (s *Service) Entry(now cluster.Time, bucket model.BucketID, key string, done func(cluster.Time, model.Object, error)) {
	s.objects.Get(now, model.ObjectKey(bucket, key), func(now cluster.Time, o model.Object, _ bool, err error) { done(now, o, err) })
}

// BucketEmpty reports whether bucket holds no object version (live,
// noncurrent or delete marker, as S3 counts them), reading its object
// entries page by page until it finds one.
func (s *Service) BucketEmpty(now cluster.Time, bucket model.Bucket, done func(cluster.Time, bool, error)) {
	var page func(now cluster.Time, start string)
	page = func(now cluster.Time, start string) {
		s.listVersions(now, ListVersions{Bucket: bucket.ID, Start: start, NullMarkers: bucket.Versioning() != model.VersioningOff}, func(now cluster.Time, res any, err error) {
			if err != nil {
				done(now, false, err)
				return
			}
			l := res.(VersionListing)
			switch {
			case len(l.Keys) > 0:
				done(now, false, nil)
			case l.More:
				page(now, l.Next)
			default:
				done(now, true, nil)
			}
		})
	}
	page(now, "")
}
