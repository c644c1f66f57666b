package admin

import (
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/garagego/garage/node/block"
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/table"
)

func timeString(t cluster.Time) string {
	if t == 0 {
		return ""
	}
	return time.Unix(0, int64(t)).UTC().Format(time.RFC3339)
}

func (s *Service) workers() Workers {
	bs := s.blocks.Stats()
	es := s.engine.Stats()
	sc := s.blocks.Scrub()
	w := Workers{
		Resync: ResyncWorker{Queue: s.blocks.QueueLen(), Errors: len(s.blocks.Errors()), Done: bs.ResyncDone,
			Fetched: bs.BlocksFetched, Deleted: bs.BlocksDeleted, Failures: bs.ResyncErrors},
		Scrub:      ScrubWorker{Running: sc.Running, LastCompleted: timeString(sc.LastCompleted), Scrubbed: bs.ScrubbedBlocks, Corruptions: sc.Corruptions},
		SyncPasses: es.SyncPasses, SyncJobs: es.SyncSessions, InsertQueue: s.engine.QueueLen(),
	}
	if sc.Running && sc.Started {
		w.Scrub.Position = hex.EncodeToString(sc.Cursor[:2])
	}
	return w
}

func blockError(e block.BlockError) BlockError {
	return BlockError{Hash: e.Hash.String(), Failures: e.Failures, LastTry: timeString(e.LastTry), NextTry: timeString(e.NextTry), LastError: e.LastError,
		LastTryMs: e.LastTry.Millis(), NextTryMs: e.NextTry.Millis()}
}

func (s *Service) blockErrors() []BlockError {
	out := []BlockError{}
	for _, e := range s.blocks.Errors() {
		be := blockError(e)
		be.RefCount = s.blocks.RefCount(e.Hash).Count
		out = append(out, be)
	}
	return out
}

func parseHash(s string) (cluster.Hash, error) {
	var h cluster.Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(h) {
		return h, fmt.Errorf("%w: block hash %q: want 64 hex digits", ErrInvalid, s)
	}
	copy(h[:], b)
	return h, nil
}

func (s *Service) retryBlocks(now cluster.Time, op RetryBlocks) (int, error) {
	var hashes []cluster.Hash
	for _, x := range op.Hashes {
		h, err := parseHash(x)
		if err != nil {
			return 0, err
		}
		hashes = append(hashes, h)
	}
	return s.blocks.RetryNow(now, hashes), nil
}

// resolveBlock finds the one block whose hash starts with prefix (at
// least 4 hex digits) among those this node counts references of.
func (s *Service) resolveBlock(prefix string) (cluster.Hash, error) {
	var h cluster.Hash
	prefix = strings.ToLower(prefix)
	if len(prefix) == 2*len(h) {
		return parseHash(prefix)
	}
	if len(prefix) < 4 || len(prefix) > 2*len(h) {
		return h, fmt.Errorf("%w: block hash %q: give 4 to 64 hex digits", ErrInvalid, prefix)
	}
	if _, err := hex.DecodeString(prefix[:len(prefix)&^1]); err != nil || strings.Trim(prefix, "0123456789abcdef") != "" {
		return h, fmt.Errorf("%w: block hash %q is not hexadecimal", ErrInvalid, prefix)
	}
	var matches []cluster.Hash
	s.blocks.RefCounts(func(x cluster.Hash, _ block.RefCount) bool {
		hx := x.String()
		if strings.HasPrefix(hx, prefix) {
			matches = append(matches, x)
			return len(matches) < 2
		}
		return hx < prefix // sorted: past the prefix, nothing more matches
	})
	switch len(matches) {
	case 0:
		return h, fmt.Errorf("%w: no block matches %q", ErrNotFound, prefix)
	case 1:
		return matches[0], nil
	}
	return h, fmt.Errorf("%w: several blocks match %q", ErrAmbiguous, prefix)
}

// blockInfo reports the local state of a block and, from a quorum read of
// the block-reference table, the versions that use it, each read from the
// versions table for its state and back-link.
func (s *Service) blockInfo(now cluster.Time, op GetBlockInfo, done Done) {
	h, err := s.resolveBlock(op.Hash)
	if err != nil {
		done(now, nil, err)
		return
	}
	info := s.blocks.Info(h)
	known := info.RefCount.Count > 0 || info.RefCount.ZeroSince != 0 || info.Queued || info.Error != nil
	res := BlockInfo{Hash: h.String(), RefCount: info.RefCount.Count, ZeroSince: timeString(info.RefCount.ZeroSince), Queued: info.Queued, References: []BlockUsage{}}
	if info.Error != nil {
		e := blockError(*info.Error)
		res.Error = &e
	}
	s.refs.ReadRange(now, string(h[:]), "", "", 0, func(now cluster.Time, r table.Range[model.BlockRef], err error) {
		if err != nil {
			done(now, nil, err)
			return
		}
		refs := r.Items
		if op.MustExist && !known && len(refs) == 0 {
			done(now, nil, fmt.Errorf("%w: no block %s is known to node %s", ErrNotFound, h, s.self.Hex()))
			return
		}
		var next func(now cluster.Time, i int)
		next = func(now cluster.Time, i int) {
			if i == len(refs) {
				done(now, res, nil)
				return
			}
			ref := refs[i].Entry
			s.objects.VersionEntry(now, ref.Version, func(now cluster.Time, v model.Version, found bool, err error) {
				if err != nil {
					done(now, nil, err)
					return
				}
				u := BlockUsage{Version: ref.Version.String(), Deleted: ref.Deleted, VersionFound: found}
				if found {
					u.VersionDeleted, u.Bucket, u.Key = v.Deleted, v.Bucket.String(), v.Key
				}
				res.References = append(res.References, u)
				next(now, i+1)
			})
		}
		next(now, 0)
	})
}
