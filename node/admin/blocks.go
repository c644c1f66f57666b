package admin

import (
	"encoding/hex"
	"fmt"
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
	return BlockError{Hash: e.Hash.String(), Failures: e.Failures, LastTry: timeString(e.LastTry), NextTry: timeString(e.NextTry), LastError: e.LastError}
}

func (s *Service) blockErrors() []BlockError {
	out := []BlockError{}
	for _, e := range s.blocks.Errors() {
		out = append(out, blockError(e))
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

// blockInfo reports the local state of a block and, from a quorum read of
// the block-reference table, the versions that use it.
func (s *Service) blockInfo(now cluster.Time, op GetBlockInfo, done Done) {
	h, err := parseHash(op.Hash)
	if err != nil {
		done(now, nil, err)
		return
	}
	info := s.blocks.Info(h)
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
		for _, it := range r.Items {
			res.References = append(res.References, BlockUsage{Version: it.Entry.Version.String(), Deleted: it.Entry.Deleted})
		}
		done(now, res, nil)
	})
}
