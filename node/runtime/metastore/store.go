package metastore

import (
	"errors"
	"fmt"
	"github.com/garagego/garage/node/runtime/durable"
	"os"
	"path/filepath"
	"sync"

	"github.com/garagego/garage/node/meta"
	"github.com/garagego/garage/node/runtime/dirlock"
	"github.com/tidwall/wal"
	"go.uber.org/zap"
)

const logDirName = "log"

// maxRetainedEntryBuffer caps the encoding buffer Commit keeps between
// calls, so one huge batch does not pin its memory for good.
const maxRetainedEntryBuffer = 1 << 20

// Store is the durable side of a node's metadata: a write-ahead log of
// committed batches plus periodic snapshots, in a directory it holds locked.
//
// Commit must be called by one goroutine at a time, in the order the
// batches were produced. A snapshot may be written on another goroutine
// concurrently with Commit (see BeginSnapshot); Sync, NeedsSnapshot and
// Stats may be called from anywhere. Close waits for a snapshot being
// written and must not race with other calls.
type Store struct {
	dir    string
	logDir string
	opts   Options
	logger *zap.Logger
	lock   *dirlock.Lock

	// snapMu serialises snapshot writes, and Close with them.
	snapMu sync.Mutex

	mu     sync.Mutex
	log    *wal.Log
	closed bool
	// failed is set by a failed log write, fsync or truncation. The log's
	// tail is then unknown (and after a failed fsync the kernel may have
	// dropped the dirty pages), so the Store refuses further writes: the
	// node must stop and recover from disk.
	failed     error
	entry      []byte // Commit's encoding buffer
	firstIndex uint64 // first log entry on disk
	lastIndex  uint64 // last committed log entry
	snapIndex  uint64 // log index the newest snapshot covers
	// records counts records committed since Open, plus those replayed from
	// the log; snapRecords is its value at the newest snapshot.
	records     uint64
	snapRecords uint64
	logBytes    int64
	// tailFirst and tailSize describe the segment appends go to, mirroring
	// tidwall/wal's cycling rule to know when it created a new file.
	tailFirst uint64
	tailSize  int
	dirDirty  bool // a segment file was created since the log directory's last fsync
	commits   uint64
	fsyncs    uint64
	snapshots uint64
}

// Stats describe a Store.
type Stats struct {
	// FirstIndex and LastIndex bound the log entries (one per committed
	// batch) on disk; the log is empty when LastIndex < FirstIndex.
	FirstIndex, LastIndex uint64
	// LogBytes is the size of the log's segment files.
	LogBytes int64
	// RecordsSinceSnapshot counts the records in the log after the newest
	// snapshot: what a restart replays.
	RecordsSinceSnapshot uint64
	// SnapshotIndex is the log index the newest snapshot covers (0: none).
	SnapshotIndex uint64
	// Commits, Fsyncs and Snapshots count calls that wrote since Open;
	// Fsyncs counts fsyncs of the log.
	Commits, Fsyncs, Snapshots uint64
}

// LogEntries is the number of log entries on disk.
func (st Stats) LogEntries() uint64 {
	if st.LastIndex < st.FirstIndex {
		return 0
	}
	return st.LastIndex - st.FirstIndex + 1
}

// Open locks dir against other processes (creating it if missing),
// recovers the metadata from the newest intact snapshot and the log after
// it, and returns the Store, ready for the next Commit, with the recovered
// map. A torn tail left by a crash is dropped with a warning; any other
// damage fails with an error wrapping ErrCorrupt.
func Open(dir string, opts Options) (*Store, *meta.Store, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, nil, err
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("metastore: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("metastore: create %s: %w", dir, err)
	}
	lock, err := dirlock.Acquire(dir)
	if err != nil {
		return nil, nil, err
	}
	s := &Store{
		dir:    dir,
		logDir: filepath.Join(dir, logDirName),
		opts:   opts,
		logger: opts.Logger,
		lock:   lock,
	}
	state, err := s.recover()
	if err != nil {
		if s.log != nil {
			s.log.Close()
		}
		lock.Release()
		return nil, nil, fmt.Errorf("recover metadata from %s: %w", dir, err)
	}
	return s, state, nil
}

// Commit appends batch to the log as a single entry, which recovery applies
// whole or not at all, and fsyncs it if the policy says so. An empty batch
// writes nothing. After an error the Store refuses further writes.
func (s *Store) Commit(batch []meta.Record) error {
	if len(batch) == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usableLocked(); err != nil {
		return err
	}
	s.entry = appendEntry(s.entry[:0], batch)
	index := s.lastIndex + 1
	if err := s.log.Write(index, s.entry); err != nil {
		return s.failLocked(fmt.Errorf("metastore: append log entry %d: %w", index, err))
	}
	s.lastIndex = index
	s.noteAppendLocked(index, frameLen(len(s.entry)))
	if cap(s.entry) > maxRetainedEntryBuffer {
		s.entry = nil
	}
	s.commits++
	s.records += uint64(len(batch))
	if s.opts.Fsync == FsyncEveryCommit {
		if err := s.syncLocked(); err != nil {
			return s.failLocked(err)
		}
	}
	return nil
}

// noteAppendLocked follows tidwall/wal v1.2.1's segment cycling for a
// one-entry write: a new segment is started before the write if the tail
// is already over the target size, and after it once the tail reaches it.
// The new file's name is durable only after a directory fsync, which the
// log itself never does.
func (s *Store) noteAppendLocked(index uint64, n int) {
	if s.tailSize > s.opts.segmentSize {
		s.tailFirst, s.tailSize, s.dirDirty = index, 0, true
	}
	s.tailSize += n
	s.logBytes += int64(n)
	if s.tailSize >= s.opts.segmentSize {
		s.tailFirst, s.tailSize, s.dirDirty = index+1, 0, true
	}
}

// Sync flushes everything committed to stable storage. With FsyncNever,
// call it periodically and at shutdown.
func (s *Store) Sync() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usableLocked(); err != nil {
		return err
	}
	if err := s.syncLocked(); err != nil {
		return s.failLocked(err)
	}
	return nil
}

func (s *Store) syncLocked() error {
	if err := s.log.Sync(); err != nil {
		return fmt.Errorf("metastore: fsync log: %w", err)
	}
	s.fsyncs++
	if s.dirDirty {
		if err := durable.SyncDir(s.logDir); err != nil {
			return fmt.Errorf("metastore: %w", err)
		}
		s.dirDirty = false
	}
	return nil
}

// NeedsSnapshot reports whether enough records were committed since the
// newest snapshot that a new one should be written.
func (s *Store) NeedsSnapshot() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.records-s.snapRecords >= uint64(s.opts.SnapshotEvery)
}

// Stats returns the Store's current figures.
func (s *Store) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{
		FirstIndex:           s.firstIndex,
		LastIndex:            s.lastIndex,
		LogBytes:             s.logBytes,
		RecordsSinceSnapshot: s.records - s.snapRecords,
		SnapshotIndex:        s.snapIndex,
		Commits:              s.commits,
		Fsyncs:               s.fsyncs,
		Snapshots:            s.snapshots,
	}
}

// Close syncs the log, closes it and releases the directory lock. It waits
// for a snapshot being written.
func (s *Store) Close() error {
	s.snapMu.Lock()
	defer s.snapMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.closed = true
	var errs []error
	if s.failed == nil {
		if err := s.syncLocked(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := s.log.Close(); err != nil {
		errs = append(errs, fmt.Errorf("metastore: close log: %w", err))
	}
	if err := s.lock.Release(); err != nil {
		errs = append(errs, fmt.Errorf("metastore: %w", err))
	}
	return errors.Join(errs...)
}

func (s *Store) usableLocked() error {
	if s.closed {
		return ErrClosed
	}
	if s.failed != nil {
		return fmt.Errorf("metastore: unusable after an earlier failure: %w", s.failed)
	}
	return nil
}

func (s *Store) failLocked(err error) error {
	s.failed = err
	return err
}
