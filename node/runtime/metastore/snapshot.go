package metastore

import (
	"fmt"
	"github.com/garagego/garage/node/runtime/durable"
	"os"

	"github.com/garagego/garage/node/meta"
)

// SnapshotJob is a snapshot whose log position is fixed and whose writing
// is still to do; see BeginSnapshot.
type SnapshotJob struct {
	store *Store
	snap  *meta.Snapshot
	// index is the last log entry snap covers; records is the Store's
	// record count at that entry.
	index, records uint64
}

// Index is the last log entry the snapshot covers.
func (j *SnapshotJob) Index() uint64 { return j.index }

// BeginSnapshot fixes the log position of snap, which must hold exactly
// the state after every batch committed so far: call it after the Commit of
// the last batch in snap and before the Commit of any later one. The
// returned job's Write may then run on another goroutine while Commits go
// on.
func (s *Store) BeginSnapshot(snap *meta.Snapshot) *SnapshotJob {
	s.mu.Lock()
	defer s.mu.Unlock()
	return &SnapshotJob{store: s, snap: snap, index: s.lastIndex, records: s.records}
}

// WriteSnapshot is BeginSnapshot followed by Write, for a caller that
// writes snapshots on its committing goroutine.
func (s *Store) WriteSnapshot(snap *meta.Snapshot) error {
	return s.BeginSnapshot(snap).Write()
}

// Write writes the snapshot durably, then removes the log entries that only
// older snapshots needed. The previous snapshot and the log since it are
// kept, so that recovery can go around a newest snapshot found damaged;
// restarts still replay only the entries after the newest one. A job no
// newer than the newest snapshot writes nothing. Jobs are written one at a
// time.
func (j *SnapshotJob) Write() error {
	s := j.store
	s.snapMu.Lock()
	defer s.snapMu.Unlock()
	prev, skip, err := s.prepareSnapshot(j.index)
	if err != nil || skip {
		return err
	}
	if err := writeSnapshotFile(s.dir, j.index, j.snap); err != nil {
		return fmt.Errorf("metastore: snapshot at log entry %d: %w", j.index, err)
	}
	return s.installSnapshot(j, prev)
}

// prepareSnapshot checks that a snapshot at index is due and returns the
// index of the snapshot that will become the previous one.
func (s *Store) prepareSnapshot(index uint64) (prev uint64, skip bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usableLocked(); err != nil {
		return 0, false, err
	}
	if index <= s.snapIndex {
		return 0, true, nil
	}
	// A snapshot must never cover entries the log could still lose: after
	// a power loss the next Commit would reuse their indexes, and recovery
	// would take the new entries for ones the snapshot already holds.
	if s.opts.Fsync == FsyncNever {
		if err := s.syncLocked(); err != nil {
			return 0, false, s.failLocked(err)
		}
	}
	return s.snapIndex, false, nil
}

// installSnapshot makes the snapshot just written the newest.
func (s *Store) installSnapshot(j *SnapshotJob, prev uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.snapIndex = j.index
	s.snapRecords = j.records
	s.snapshots++
	if err := removeSnapshotsExcept(s.dir, j.index, prev); err != nil {
		return fmt.Errorf("metastore: %w", err)
	}
	return s.truncateLogLocked(prev + 1)
}

// truncateLogLocked removes the log entries before first. It holds the
// lock throughout because tidwall/wal may rewrite the tail segment.
func (s *Store) truncateLogLocked(first uint64) error {
	if first <= s.firstIndex {
		return nil
	}
	if err := s.log.TruncateFront(first); err != nil {
		return s.failLocked(fmt.Errorf("metastore: truncate log before entry %d: %w", first, err))
	}
	s.firstIndex = first
	if err := durable.SyncDir(s.logDir); err != nil {
		return fmt.Errorf("metastore: %w", err)
	}
	return s.measureLogLocked()
}

// measureLogLocked reads the segment files' sizes from disk.
func (s *Store) measureLogLocked() error {
	segs, err := listSegments(s.logDir)
	if err != nil {
		return fmt.Errorf("metastore: %w", err)
	}
	var total int64
	for _, seg := range segs {
		fi, err := os.Stat(seg.path)
		if err != nil {
			return fmt.Errorf("metastore: %w", err)
		}
		total += fi.Size()
		s.tailFirst, s.tailSize = seg.first, int(fi.Size())
	}
	s.logBytes = total
	return nil
}
