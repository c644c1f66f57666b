package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/garagego/garage/node"
	"github.com/garagego/garage/node/block"
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/membership"
	"github.com/garagego/garage/node/meta"
	"github.com/garagego/garage/node/runtime/blockstore"
	"github.com/garagego/garage/node/runtime/dirlock"
	"github.com/garagego/garage/node/runtime/metastore"
	"github.com/garagego/garage/node/runtime/transport"
)

// Config configures a server.
type Config struct {
	// Node configures the state machine; its ID is set from the identity.
	Node node.Config
	// MetadataDir holds the node key and the metadata store.
	MetadataDir string
	// DataDirs hold the blocks (and are reported in the node's status).
	DataDirs []blockstore.Dir
	// DataFsync fsyncs every block file and its directory (data_fsync).
	DataFsync bool
	Fsync     metastore.FsyncPolicy
	// BlockSize cuts objects into blocks (default 1 MiB).
	BlockSize int
	// CompressionLevel, if set, stores blocks zstd-compressed.
	CompressionLevel *int
	// Transport: ListenAddr, PublicAddr, Secret and Bootstrap are used;
	// the identity is loaded from MetadataDir.
	Transport transport.Config
	Logger    *zap.Logger
	// TickInterval is how often the node's timers run (default 100 ms).
	TickInterval time.Duration
	// Version is reported in the node's status.
	Version string
	// Clock is the wall clock the node reads (time.Now if nil); tests and
	// the chaos harness skew it.
	Clock func() time.Time
	// AllowOpenDirs lets the metadata and data directories stay readable
	// by other users (allow_world_readable_secrets); otherwise Start
	// tightens them to the owner alone.
	AllowOpenDirs bool
	// Observer, if set, is told of block I/O and RPCs (metrics).
	Observer Observer
}

// Server is a running node.
type Server struct {
	cfg    Config
	log    *zap.Logger
	id     transport.Identity
	node   *node.Node
	meta   *meta.Store
	store  *metastore.Store
	blocks *blockstore.Store
	tr     *transport.Transport
	ioQ    chan block.IORequest

	inbox    chan input // from the transport and clients (bounded: back-pressure)
	internal *mailbox   // from the persister (unbounded: it must never block)
	persistQ chan batch // from the loop to the persister
	stopLoop chan struct{}
	loopDone chan struct{}
	wg       sync.WaitGroup

	mu      sync.Mutex
	waiting map[uint64]chan node.Reply
	nextReq atomic.Uint64

	traces traces // spans of traced requests' operations and RPCs

	snapshotting atomic.Bool
	loopBusy     atomic.Int64 // nanoseconds the loop spent working
	loopInputs   atomic.Int64
	started      time.Time
	closeOnce    sync.Once
	dataLocks    []*dirlock.Lock
	diskErrors   diskErrorLog
	fatal        chan error
}

// Start recovers the node from its metadata directory, starts its loop and
// persister, and opens the transport.
func Start(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.TickInterval <= 0 {
		cfg.TickInterval = 100 * time.Millisecond
	}
	if cfg.BlockSize <= 0 {
		cfg.BlockSize = 1 << 20
	}
	dirs := []string{cfg.MetadataDir}
	for _, d := range cfg.DataDirs {
		if !d.ReadOnly {
			dirs = append(dirs, d.Path)
		}
	}
	for _, dir := range dirs {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create %s: %w", dir, err)
		}
		if !cfg.AllowOpenDirs {
			if err := ownerOnly(dir, cfg.Logger); err != nil {
				return nil, err
			}
		}
	}
	// Data dirs are locked like the metadata store, so two processes never
	// share one (blocks will live there).
	var locks []*dirlock.Lock
	release := func() {
		for _, l := range locks {
			l.Release()
		}
	}
	for _, dir := range dirs[1:] {
		l, err := dirlock.Acquire(dir)
		if err != nil {
			release()
			return nil, fmt.Errorf("data dir: %w", err)
		}
		locks = append(locks, l)
	}
	blocks, err := blockstore.Open(blockstore.Options{Dirs: weighted(cfg.DataDirs), Fsync: cfg.DataFsync, Logger: cfg.Logger})
	if err != nil {
		release()
		return nil, fmt.Errorf("data dirs: %w", err)
	}
	id, err := transport.LoadOrCreateIdentity(cfg.MetadataDir)
	if err != nil {
		release()
		return nil, err
	}
	store, recovered, err := metastore.Open(filepath.Join(cfg.MetadataDir, "db"), metastore.Options{Fsync: cfg.Fsync, Logger: cfg.Logger})
	if err != nil {
		release()
		return nil, err
	}
	cfg.Node.ID = id.ID
	n, err := node.New(cfg.Node, recovered, nil)
	if err != nil {
		store.Close()
		release()
		return nil, err
	}
	// What New wrote (incarnation, first layout) is durable before anything runs.
	if err := store.Commit(n.Ready().Records); err != nil {
		store.Close()
		release()
		return nil, fmt.Errorf("persist boot records: %w", err)
	}
	s := &Server{
		cfg: cfg, log: cfg.Logger, id: id, node: n, meta: recovered, store: store, blocks: blocks, ioQ: make(chan block.IORequest, 1024),
		inbox: make(chan input, 4096), internal: newMailbox(), persistQ: make(chan batch, 1024),
		stopLoop: make(chan struct{}), loopDone: make(chan struct{}),
		waiting: map[uint64]chan node.Reply{}, fatal: make(chan error, 1), started: time.Now(),
		dataLocks: locks, traces: traces{self: id.ID},
	}
	tcfg := cfg.Transport
	tcfg.Identity = id
	tcfg.Logger = cfg.Logger
	if s.tr, err = transport.New(tcfg, handler{s}); err != nil {
		store.Close()
		release()
		return nil, err
	}
	s.startIOWorkers()
	s.wg.Add(2)
	go s.loop()
	go s.persist()
	if err := s.tr.Start(); err != nil {
		s.Close()
		return nil, err
	}
	s.measure()
	s.wg.Add(1)
	go s.measureEvery(10 * time.Second)
	s.log.Info("node started", zap.String("id", id.ID.Hex()), zap.String("rpc", s.tr.Addr()),
		zap.Uint64("layout", n.Layout().Current().Number))
	return s, nil
}

// ownerOnly makes dir readable by its owner alone: the metadata directory
// holds the node's private key and every access key's secret in clear, the
// data directories every object. A directory others can read is tightened,
// with a warning; one that cannot be is refused.
func ownerOnly(dir string, log *zap.Logger) error {
	info, err := os.Stat(dir)
	if err != nil {
		return err
	}
	mode := info.Mode().Perm()
	if mode&0o077 == 0 {
		return nil
	}
	if err := os.Chmod(dir, mode&0o700|0o700); err != nil {
		return fmt.Errorf("%s is open to other users (mode %#o) and holds secrets and data in clear, and could not be restricted (%w): "+
			"run `chmod 700 %s`, or set allow_world_readable_secrets = true if that is intended", dir, mode, err, dir)
	}
	log.Warn("directory was open to other users; restricted it to its owner", zap.String("dir", dir),
		zap.String("was", fmt.Sprintf("%#o", mode)), zap.String("now", "0700"))
	return nil
}

// weighted gives a lone data directory without a capacity (data_dir as a
// plain path) a weight: with one directory the weights do not matter.
func weighted(dirs []blockstore.Dir) []blockstore.Dir {
	out := slices.Clone(dirs)
	if len(out) == 1 && out[0].Capacity == 0 {
		out[0].Capacity = 1
	}
	return out
}

// ID is the node's id.
func (s *Server) ID() cluster.NodeID { return s.id.ID }

// RPCAddr is the address the transport listens on.
func (s *Server) RPCAddr() string { return s.tr.Addr() }

// Fatal reports an error that stopped the node (the metadata store failed).
func (s *Server) Fatal() <-chan error { return s.fatal }

// ErrStopped: the node stopped before the operation finished.
var ErrStopped = errors.New("node stopped")

// Do runs a client operation and waits for its result. If ctx is traced
// (an API request's span), the operation is a child span, and so are the
// RPCs it causes (trace.go).
func (s *Server) Do(ctx context.Context, op node.Op) (result any, err error) {
	id := s.nextReq.Add(1)
	if span := s.traces.startOp(ctx, id, op); span != nil {
		defer func() { s.traces.endOp(id, span, err) }()
	}
	ch := make(chan node.Reply, 1)
	s.mu.Lock()
	s.waiting[id] = ch
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.waiting, id)
		s.mu.Unlock()
	}()
	select {
	case s.inbox <- input{kind: inSubmit, req: node.Request{ID: id, Op: op}}:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-s.loopDone:
		return nil, ErrStopped
	}
	select {
	case r := <-ch:
		return r.Result, r.Err
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-s.loopDone:
		return nil, ErrStopped
	}
}

// LoopStats tell how hard the event loop works.
type LoopStats struct {
	Inputs int64         // inputs handled (messages, operations, ticks)
	Busy   time.Duration // time spent handling them and draining Readys
	Uptime time.Duration
}

// LoopStats reports the event loop's counters.
func (s *Server) LoopStats() LoopStats {
	return LoopStats{Inputs: s.loopInputs.Load(), Busy: time.Duration(s.loopBusy.Load()), Uptime: time.Since(s.started)}
}

// Connect asks the transport to connect to a peer now.
func (s *Server) Connect(ctx context.Context, p transport.Peer) error { return s.tr.Connect(ctx, p) }

// Close stops the node: transport first (no new input), then the loop, then
// the persister once it has flushed everything, then the store.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.tr.Close()
		close(s.stopLoop)
		<-s.loopDone
		s.wg.Wait()
		s.traces.stop()
		err = s.store.Close()
		for _, l := range s.dataLocks {
			l.Release()
		}
		s.log.Info("node stopped")
	})
	return err
}

// now is the node's clock reading.
func (s *Server) now() cluster.Time { return cluster.Time(s.cfg.Clock().UnixNano()) }

// measureEvery refreshes the node's status (free space) periodically.
func (s *Server) measureEvery(every time.Duration) {
	defer s.wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.stopLoop:
			return
		case <-t.C:
			s.measure()
		}
	}
}

func (s *Server) measure() {
	host, _ := os.Hostname()
	info := membership.Info{Hostname: host, Version: s.cfg.Version, RPCAddr: s.cfg.Transport.PublicAddr}
	if info.RPCAddr == "" && s.tr != nil {
		info.RPCAddr = s.tr.Addr()
	}
	info.MetaAvail, info.MetaTotal = DiskSpace(s.cfg.MetadataDir)
	for _, d := range s.cfg.DataDirs {
		avail, total := DiskSpace(d.Path)
		info.DataAvail += avail
		info.DataTotal += total
	}
	select {
	case s.inbox <- input{kind: inInfo, info: info}:
	case <-s.stopLoop:
	}
}

// DiskSpace reports the available and total bytes of the file system
// holding dir (zeros if it cannot be read).
func DiskSpace(dir string) (avail, total uint64) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, 0
	}
	return st.Bavail * uint64(st.Bsize), st.Blocks * uint64(st.Bsize)
}
