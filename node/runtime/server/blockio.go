package server

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/garagego/garage/node/block"
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/runtime/blockstore"
)

// ioWorkers perform the node's disk operations, so the loop never waits
// for a disk. Each result goes back to the loop through the mailbox.
const ioWorkers = 8

func (s *Server) startIOWorkers() {
	for range ioWorkers {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			for req := range s.ioQ {
				s.internal.put(input{kind: inIODone, io: s.perform(req)})
			}
		}()
	}
}

// perform runs one disk operation against the block store, translating its
// errors into the core's.
func (s *Server) perform(req block.IORequest) block.IOResult {
	res := block.IOResult{ID: req.ID}
	var err error
	switch req.Kind {
	case block.IOWrite:
		start := time.Now()
		err = s.blocks.Write(req.Hash, req.Data, req.Compressed)
		s.observeIO(true, start, len(req.Data), err)
	case block.IORead:
		start := time.Now()
		res.Data, res.Compressed, err = s.blocks.Read(req.Hash)
		s.observeIO(false, start, len(res.Data), err)
	case block.IOStat:
		res.Present, _, _, err = s.blocks.Stat(req.Hash)
	case block.IOVerify:
		err = s.blocks.Verify(req.Hash)
	case block.IODelete:
		err = s.blocks.Delete(req.Hash)
	case block.IOQuarantine:
		err = s.blocks.Quarantine(req.Hash)
	case block.IOList:
		if req.First {
			res.Hashes, err = s.blocks.ListFrom(cluster.Hash{}, req.Limit)
		} else {
			res.Hashes, err = s.blocks.List(req.After, req.Limit)
		}
	default:
		err = fmt.Errorf("unknown disk operation %v", req.Kind)
	}
	if err != nil && (req.Kind == block.IOWrite || req.Kind == block.IODelete) {
		s.diskErrors.note(s.log, req.Kind, err)
	}
	switch {
	case errors.Is(err, blockstore.ErrNotFound):
		err = fmt.Errorf("%w: %v", block.ErrNotFound, err)
	case errors.Is(err, blockstore.ErrCorrupt):
		err = fmt.Errorf("%w: %v", block.ErrCorrupt, err)
	}
	res.Err = err
	return res
}

// diskErrorLog reports failed block writes and deletions (a full or failing
// disk): the first at once, then how many more at most every 10 s, so an
// operator sees the disk's trouble without a line per block.
type diskErrorLog struct {
	mu    sync.Mutex
	last  time.Time
	since int // failures since the last report
}

func (d *diskErrorLog) note(log *zap.Logger, kind block.IOKind, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.since++
	if now := time.Now(); now.Sub(d.last) >= 10*time.Second {
		log.Warn("block disk operation failed", zap.Stringer("op", kind), zap.Int("failures", d.since), zap.Error(err))
		d.last, d.since = now, 0
	}
}
