package admin

import (
	"fmt"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/table"
)

// PurgeBlocks forgets blocks (Garage's PurgeBlocks, for data known lost):
// for each hash (64 hex digits), every reference to the block, read from a
// quorum of its holders, is followed to its version, and what uses that
// version goes for good (object.PurgeVersion: an object version, a put in
// progress, or the multipart upload whose part wrote it); then the version
// entry is deleted (its hook drops the references of its other blocks) and
// the reference itself. The steps run in that order, one reference after
// the other, each with a quorum, so that a failure leaves nothing pointing
// at a forgotten version, and a retry, which follows deleted references
// too, finishes the work. Answers BlocksPurged.
type PurgeBlocks struct {
	Hashes []string `json:"hashes"`
}

func (PurgeBlocks) OpName() string { return "PurgeBlocks" }

// BlocksPurged answers PurgeBlocks, with Garage's counts: the hashes given,
// the object versions removed (complete ones or puts in progress), the
// multipart uploads aborted, and the version entries and block references
// this purge deleted (not those found deleted already).
type BlocksPurged struct {
	BlocksPurged    uint64 `json:"blocksPurged"`
	ObjectsDeleted  uint64 `json:"objectsDeleted"`
	UploadsDeleted  uint64 `json:"uploadsDeleted"`
	VersionsDeleted uint64 `json:"versionsDeleted"`
	BlockRefsPurged uint64 `json:"blockRefsPurged"`
}

// purgeRefsPage is how many references of a block one read returns.
const purgeRefsPage = 1000

func (s *Service) purgeBlocks(now cluster.Time, op PurgeBlocks, done Done) {
	hashes := make([]cluster.Hash, 0, len(op.Hashes))
	for _, x := range op.Hashes {
		h, err := parseHash(x)
		if err != nil {
			done(now, nil, err)
			return
		}
		hashes = append(hashes, h)
	}
	res := BlocksPurged{BlocksPurged: uint64(len(hashes))}
	var block func(now cluster.Time, i int)
	block = func(now cluster.Time, i int) {
		if i == len(hashes) {
			done(now, res, nil)
			return
		}
		h := hashes[i]
		var page func(now cluster.Time, start string)
		page = func(now cluster.Time, start string) {
			s.refs.ReadRange(now, string(h[:]), start, "", purgeRefsPage, func(now cluster.Time, r table.Range[model.BlockRef], err error) {
				if err != nil {
					done(now, nil, fmt.Errorf("purge block %s: read its references: %w", h, err))
					return
				}
				s.purgeRefs(now, r.Items, &res, func(now cluster.Time, err error) {
					switch {
					case err != nil:
						done(now, nil, fmt.Errorf("purge block %s: %w", h, err))
					case r.More:
						page(now, r.Next)
					default:
						block(now, i+1)
					}
				})
			})
		}
		page(now, "")
	}
	block(now, 0)
}

// purgeRefs purges the references one after the other.
func (s *Service) purgeRefs(now cluster.Time, refs []table.Item[model.BlockRef], res *BlocksPurged, done func(cluster.Time, error)) {
	if len(refs) == 0 {
		done(now, nil)
		return
	}
	ref := refs[0].Entry
	s.purgeRef(now, ref, res, func(now cluster.Time, err error) {
		if err != nil {
			done(now, err)
			return
		}
		s.purgeRefs(now, refs[1:], res, done)
	})
}

// purgeRef removes what uses ref's version, then the version entry, then
// ref.
func (s *Service) purgeRef(now cluster.Time, ref model.BlockRef, res *BlocksPurged, done func(cluster.Time, error)) {
	dropRef := func(now cluster.Time) {
		if ref.Deleted {
			done(now, nil)
			return
		}
		gone := model.BlockRef{Block: ref.Block, Version: ref.Version, Deleted: true}
		s.refs.Insert(now, model.BlockRefKey(ref.Block, ref.Version), gone, func(now cluster.Time, err error) {
			if err != nil {
				done(now, fmt.Errorf("delete the reference of version %s: %w", ref.Version, err))
				return
			}
			res.BlockRefsPurged++
			done(now, nil)
		})
	}
	s.objects.VersionEntry(now, ref.Version, func(now cluster.Time, v model.Version, found bool, err error) {
		if err != nil {
			done(now, fmt.Errorf("read version %s: %w", ref.Version, err))
			return
		}
		if !found {
			dropRef(now) // collected long ago: nothing names its object any more
			return
		}
		purge := object.PurgeVersion{Bucket: v.Bucket, Key: v.Key, Version: v.ID}
		s.submitObject(now, purge, func(now cluster.Time, _ any, err error) { done(now, err) }, func(now cluster.Time, r any, err error) {
			if err != nil {
				done(now, err)
				return
			}
			if p := r.(object.VersionPurged); p.Found {
				if st := p.Removed.State; st.Kind == model.Uploading && st.Multipart {
					res.UploadsDeleted++
				} else {
					res.ObjectsDeleted++
				}
			}
			if v.Deleted {
				dropRef(now)
				return
			}
			s.objects.DeleteVersionEntry(now, v, func(now cluster.Time, err error) {
				if err != nil {
					done(now, fmt.Errorf("delete version %s: %w", v.ID, err))
					return
				}
				res.VersionsDeleted++
				dropRef(now)
			})
		})
	})
}
