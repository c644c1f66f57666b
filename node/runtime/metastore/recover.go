package metastore

import (
	"errors"
	"fmt"
	"github.com/garagego/garage/node/runtime/durable"
	"os"
	"sort"
	"time"

	"github.com/garagego/garage/node/meta"
	"github.com/tidwall/wal"
	"go.uber.org/zap"
)

// recover rebuilds the metadata from disk and leaves the log open for
// appends after its last intact entry.
func (s *Store) recover() (*meta.Store, error) {
	start := time.Now()
	if err := removeTempSnapshots(s.dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(s.logDir, 0o700); err != nil {
		return nil, fmt.Errorf("create log directory: %w", err)
	}
	if err := s.openLog(); err != nil {
		return nil, err
	}
	first, err := s.log.FirstIndex()
	if err != nil {
		return nil, fmt.Errorf("log first index: %w", err)
	}
	last, err := s.log.LastIndex()
	if err != nil {
		return nil, fmt.Errorf("log last index: %w", err)
	}
	state, base, err := s.loadBase(first)
	if err != nil {
		return nil, err
	}
	if base > last {
		// The log lost entries the snapshot holds (they were never synced,
		// or the log was removed). Appending at last+1 would reuse indexes
		// the snapshot already covers, so the log restarts after it.
		s.logger.Warn("metastore: the log ends before the newest snapshot; restarting it after the snapshot",
			zap.Uint64("log_last_entry", last), zap.Uint64("snapshot_index", base))
		if err := s.restartLogAt(base + 1); err != nil {
			return nil, err
		}
		first, last = base+1, base
	}
	entries, records, err := replayLog(s.logDir, base+1, last, state)
	if err != nil {
		return nil, err
	}
	s.firstIndex, s.lastIndex, s.snapIndex = first, last, base
	s.records = records
	if err := s.measureLogLocked(); err != nil {
		return nil, err
	}
	s.logger.Info("metastore: recovered",
		zap.String("dir", s.dir),
		zap.Uint64("snapshot_index", base),
		zap.Uint64("replayed_entries", entries),
		zap.Uint64("replayed_records", records),
		zap.Int("keys", state.Len()),
		zap.Duration("took", time.Since(start)))
	return state, nil
}

// openWAL opens the tidwall/wal log in dir.
func openWAL(dir string, segmentSize int) (*wal.Log, error) {
	return wal.Open(dir, &wal.Options{
		NoSync:      true, // Commit and Sync fsync according to the policy
		SegmentSize: segmentSize,
		LogFormat:   wal.Binary,
		// Recovery reads segments itself; the log is only appended to and
		// truncated, so one cached segment is plenty.
		SegmentCacheSize: 1,
		NoCopy:           true,
		// A snapshot may cover every entry, leaving the log empty.
		AllowEmpty: true,
		DirPerms:   0o700,
		FilePerms:  0o600,
	})
}

// openLog opens the log, first cutting off a torn tail. tidwall/wal parses
// only the last segment when it opens and refuses (wal.ErrCorrupt) if its
// last entry is cut short; a tail of zeros or of whole but damaged entries
// it accepts. Either way findTornTail decides.
func (s *Store) openLog() error {
	log, openErr := openWAL(s.logDir, s.opts.segmentSize)
	if openErr != nil {
		if !errors.Is(openErr, wal.ErrCorrupt) {
			return fmt.Errorf("open log %s: %w", s.logDir, openErr)
		}
		// The other case tidwall/wal refuses: both a .START and an .END
		// file, left by an interrupted TruncateFront and TruncateBack. (It
		// completes either alone before loading the tail, so any such file
		// still present means both.)
		unfinished, err := hasUnfinishedTruncation(s.logDir)
		if err != nil {
			return err
		}
		if unfinished {
			return corruptf("log %s: interrupted truncations left both .START and .END segment files", s.logDir)
		}
	}
	tail, err := findTornTail(s.logDir)
	if err != nil {
		if log != nil {
			log.Close()
		}
		return err
	}
	if tail == nil {
		if openErr != nil {
			return corruptf("log %s: tidwall/wal cannot open it (%v), yet its last segment is intact", s.logDir, openErr)
		}
		s.log = log
		return nil
	}
	if log != nil {
		if err := log.Close(); err != nil {
			return fmt.Errorf("close log before dropping its torn tail: %w", err)
		}
	}
	if err := tail.drop(s.logger); err != nil {
		return err
	}
	if s.log, err = openWAL(s.logDir, s.opts.segmentSize); err != nil {
		s.log = nil
		return fmt.Errorf("open log %s after dropping its torn tail: %w", s.logDir, err)
	}
	return nil
}

// loadBase loads the newest intact snapshot whose successors the log still
// holds (first is the log's first entry), falling back to older ones, and
// finally to the empty state if the log starts at entry 1.
func (s *Store) loadBase(first uint64) (*meta.Store, uint64, error) {
	snaps, err := listSnapshots(s.dir)
	if err != nil {
		return nil, 0, err
	}
	var damage error
	for _, sf := range snaps {
		if sf.index+1 < first {
			break // the log no longer holds what follows this one, nor older ones
		}
		state, err := readSnapshot(sf)
		if err == nil {
			if damage != nil {
				s.logger.Warn("metastore: recovering from an older snapshot and the log",
					zap.String("snapshot", sf.path), zap.Error(damage))
			}
			return state, sf.index, nil
		}
		if !errors.Is(err, ErrCorrupt) {
			return nil, 0, err
		}
		s.logger.Warn("metastore: snapshot damaged", zap.String("snapshot", sf.path), zap.Error(err))
		if damage == nil {
			damage = err
		}
	}
	if first <= 1 {
		if damage != nil {
			s.logger.Warn("metastore: recovering from the whole log", zap.Error(damage))
		}
		return meta.New(), 0, nil
	}
	if damage != nil {
		return nil, 0, fmt.Errorf("no intact snapshot precedes log entry %d: %w", first, damage)
	}
	return nil, 0, corruptf("log %s starts at entry %d, but no snapshot covers the entries before it", s.logDir, first)
}

// restartLogAt replaces the log with an empty one whose next entry is next.
// tidwall/wal takes a segment's first index from its file name, so an empty
// file so named is such a log.
func (s *Store) restartLogAt(next uint64) error {
	if err := s.log.Close(); err != nil {
		return fmt.Errorf("close log: %w", err)
	}
	s.log = nil
	segs, err := listSegments(s.logDir)
	if err != nil {
		return err
	}
	for _, seg := range segs {
		if err := os.Remove(seg.path); err != nil {
			return fmt.Errorf("remove log segment: %w", err)
		}
	}
	f, err := os.OpenFile(segmentPath(s.logDir, next), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("create log segment: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("create log segment: %w", err)
	}
	if err := durable.SyncDir(s.logDir); err != nil {
		return err
	}
	if s.log, err = openWAL(s.logDir, s.opts.segmentSize); err != nil {
		s.log = nil
		return fmt.Errorf("reopen log %s: %w", s.logDir, err)
	}
	return nil
}

// replayLog applies the log entries from..last to state, in order, and
// checks that the segments holding them follow one another without gaps.
func replayLog(logDir string, from, last uint64, state *meta.Store) (entries, records uint64, err error) {
	if from > last {
		return 0, 0, nil
	}
	segs, err := listSegments(logDir)
	if err != nil {
		return 0, 0, err
	}
	// The segment holding from is the last one starting at or before it;
	// earlier segments are not read, which keeps restarts short.
	i := sort.Search(len(segs), func(i int) bool { return segs[i].first > from }) - 1
	if i < 0 {
		return 0, 0, corruptf("log %s: no segment holds entry %d", logDir, from)
	}
	var recs []meta.Record
	next := segs[i].first
	for _, seg := range segs[i:] {
		if seg.first != next {
			return 0, 0, corruptf("log segment %s starts at entry %d, but the segment before it ends at entry %d",
				seg.path, seg.first, next-1)
		}
		data, err := os.ReadFile(seg.path)
		if err != nil {
			return 0, 0, fmt.Errorf("read log segment: %w", err)
		}
		sc := frameScanner{data: data}
		for ; sc.next(); next++ {
			if next < from {
				continue
			}
			if recs, err = decodeEntry(sc.payload, recs[:0]); err != nil {
				return 0, 0, corruptf("log segment %s, entry %d: %w", seg.path, next, err)
			}
			for _, r := range recs {
				state.Replay(r)
			}
			entries++
			records += uint64(len(recs))
		}
		if !sc.complete() {
			return 0, 0, corruptf("log segment %s, entry %d: malformed frame at byte %d", seg.path, next, sc.start)
		}
	}
	if next-1 != last {
		return 0, 0, corruptf("log %s: its segments end at entry %d, but the log reports %d", logDir, next-1, last)
	}
	return entries, records, nil
}
