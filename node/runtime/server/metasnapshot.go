package server

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"time"

	"go.uber.org/zap"

	"github.com/garagego/garage/node/meta"
	"github.com/garagego/garage/node/runtime/adminrpc"
	"github.com/garagego/garage/node/runtime/metastore"
)

// exportReq is a CreateMetadataSnapshot on its way through the loop (which
// takes the copy) and the persister (which fixes its log position once
// everything before it is committed).
type exportReq struct {
	dir  string
	snap *meta.Snapshot
	done chan error // buffered
}

// SnapshotsDir is where CreateMetadataSnapshot writes, under the metadata
// directory, as Garage does.
const SnapshotsDir = "snapshots"

// CreateMetadataSnapshot writes a consistent copy of the metadata store
// to <metadata_dir>/snapshots/<UTC timestamp>: the state after every
// operation this node acknowledged before the call, written only once
// all of it is durable in the live store. The copy is itself a metadata
// store: stopping the node and putting it in place of <metadata_dir>/db
// restores that state.
func (s *Server) CreateMetadataSnapshot(ctx context.Context) (adminrpc.SnapshotResult, error) {
	name := s.cfg.Clock().UTC().Format("2006-01-02T15:04:05.000000000Z")
	req := &exportReq{dir: filepath.Join(s.cfg.MetadataDir, SnapshotsDir, name), done: make(chan error, 1)}
	select {
	case s.inbox <- input{kind: inExport, export: req}:
	case <-ctx.Done():
		return adminrpc.SnapshotResult{}, ctx.Err()
	case <-s.loopDone:
		return adminrpc.SnapshotResult{}, ErrStopped
	}
	select {
	case err := <-req.done:
		if err != nil {
			return adminrpc.SnapshotResult{}, err
		}
		return adminrpc.SnapshotResult{Path: req.dir, Entries: req.snap.Len()}, nil
	case <-ctx.Done():
		// The copy may still be written; the caller only stops waiting.
		return adminrpc.SnapshotResult{}, ctx.Err()
	case <-s.loopDone:
		return adminrpc.SnapshotResult{}, ErrStopped
	}
}

// export runs on the persister after the batches before req are
// committed; the copy is written in the background.
func (s *Server) export(req *exportReq) {
	job := s.store.BeginSnapshot(req.snap)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		start := time.Now()
		err := job.WriteTo(req.dir)
		if err != nil {
			err = fmt.Errorf("metadata snapshot: %w", err)
			s.log.Warn("metadata snapshot failed", zap.String("dir", req.dir), zap.Error(err))
		} else {
			s.log.Info("metadata snapshot written", zap.String("dir", req.dir), zap.Int("entries", req.snap.Len()), zap.Duration("took", time.Since(start)))
		}
		req.done <- err
	}()
}

// NodeInfo is this node's identity, as GetNodeInfo reports it.
func (s *Server) NodeInfo() adminrpc.NodeInfoResult {
	return adminrpc.NodeInfoResult{ID: s.id.ID.Hex(), Version: s.cfg.Version, Features: Features,
		GoVersion: runtime.Version(), DBEngine: metastore.Engine}
}

// Features are the optional features this build has (Garage's
// garage_features): K2V is always built in.
var Features = []string{"k2v"}

// MetadataDir is the node's metadata directory.
func (s *Server) MetadataDir() string { return s.cfg.MetadataDir }
