package object

import (
	"fmt"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/model"
)

// VersionBlocks lists the blocks holding version v's data, in (part,
// offset) order, each from a read quorum, for inspection: a multipart
// upload in progress has them in its parts' versions (of each part number,
// the upload that counts), any other version in its own version entry.
// Inline data and delete markers have none, nor has a version whose block
// list was deleted (an aborted or superseded one, once its hook ran).
func (s *Service) VersionBlocks(now cluster.Time, v model.ObjectVersion, done func(cluster.Time, []model.VersionBlock, error)) {
	st := v.State
	switch {
	case st.Kind == model.Complete && st.Data != model.FirstBlock:
		done(now, nil, nil)
	case st.Kind == model.Uploading && st.Multipart:
		s.uploads.Get(now, model.UploadKey(v.ID), func(now cluster.Time, u model.MultipartUpload, _ bool, err error) {
			if err != nil {
				done(now, nil, fmt.Errorf("read upload %s: %w", v.ID, err))
				return
			}
			parts := u.LatestParts()
			var blocks []model.VersionBlock
			var next func(now cluster.Time, i int)
			next = func(now cluster.Time, i int) {
				if i == len(parts) {
					done(now, blocks, nil)
					return
				}
				s.versions.Get(now, model.VersionKey(parts[i].Version), func(now cluster.Time, pv model.Version, _ bool, err error) {
					if err != nil {
						done(now, nil, fmt.Errorf("read part %d of upload %s: %w", parts[i].Number, v.ID, err))
						return
					}
					if !pv.Deleted {
						blocks = append(blocks, pv.BlocksInOrder()...)
					}
					next(now, i+1)
				})
			}
			next(now, 0)
		})
	default:
		s.versions.Get(now, model.VersionKey(v.ID), func(now cluster.Time, ve model.Version, _ bool, err error) {
			if err != nil {
				done(now, nil, fmt.Errorf("read version %s: %w", v.ID, err))
				return
			}
			if ve.Deleted {
				done(now, nil, nil)
				return
			}
			done(now, ve.BlocksInOrder(), nil)
		})
	}
}
