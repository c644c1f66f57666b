package metastore

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Fsync: FsyncNever, segmentSize: 1 << 10}
	st, m := openT(t, dir, opts)
	if m.Len() != 0 {
		t.Fatalf("fresh store holds %d keys", m.Len())
	}

	want := map[string]string{}
	var records, sinceSnapshot uint64
	commitRound := func(from, to int) {
		for i := from; i < to; i++ {
			key := fmt.Sprintf("obj/%02d", i%10)
			value := fmt.Sprintf("v%d-%s", i, strings.Repeat("x", i))
			m.Put(key, []byte(value))
			want[key] = value
			if i%4 == 3 {
				gone := fmt.Sprintf("obj/%02d", (i*7)%10)
				m.Delete(gone)
				delete(want, gone)
			}
			n := uint64(commitPending(t, st, m))
			records += n
			sinceSnapshot += n
		}
	}
	reopen := func() {
		t.Helper()
		closeT(t, st)
		st, m = openT(t, dir, opts)
		assertContents(t, m, want)
	}
	checkStats := func(first, last, snap uint64) {
		t.Helper()
		got := st.Stats()
		if got.FirstIndex != first || got.LastIndex != last || got.SnapshotIndex != snap || got.RecordsSinceSnapshot != sinceSnapshot {
			t.Fatalf("stats %+v, want first %d last %d snapshot %d records since snapshot %d",
				got, first, last, snap, sinceSnapshot)
		}
		var onDisk int64
		for _, seg := range segmentsT(t, dir) {
			onDisk += fileSize(t, seg.path)
		}
		if got.LogBytes != onDisk {
			t.Fatalf("LogBytes %d, segment files hold %d", got.LogBytes, onDisk)
		}
	}
	snapshot := func() {
		t.Helper()
		if err := st.WriteSnapshot(m.Snapshot()); err != nil {
			t.Fatalf("WriteSnapshot: %v", err)
		}
		sinceSnapshot = 0
	}

	commitRound(0, 30)
	reopen()
	checkStats(1, 30, 0)
	if records != sinceSnapshot {
		t.Fatalf("counted %d records in all, %d since the (absent) snapshot", records, sinceSnapshot)
	}

	// The first snapshot keeps the whole log: it is what recovery falls
	// back on if the snapshot is ever found damaged.
	snapshot()
	checkStats(1, 30, 30)
	commitRound(30, 60)
	snapshot()
	checkStats(31, 60, 60)
	if segs := segmentsT(t, dir); segs[0].first != 31 {
		t.Fatalf("first segment on disk starts at entry %d, want 31", segs[0].first)
	}
	if got := snapshotIndexes(t, dir); !slices.Equal(got, []uint64{60, 30}) {
		t.Fatalf("snapshots on disk %v, want [60 30]", got)
	}

	commitRound(60, 70)
	reopen()
	checkStats(31, 70, 60)

	snapshot()
	checkStats(61, 70, 70)
	if got := snapshotIndexes(t, dir); !slices.Equal(got, []uint64{70, 60}) {
		t.Fatalf("snapshots on disk %v, want [70 60]", got)
	}
	reopen()
	checkStats(61, 70, 70)
	commitRound(70, 75)
	reopen()
	checkStats(61, 75, 70)
	closeT(t, st)
}

func TestNeedsSnapshot(t *testing.T) {
	dir := t.TempDir()
	opts := Options{SnapshotEvery: 10}
	st, m := openT(t, dir, opts)
	putN := func(n int) {
		for i := range n {
			m.Put(fmt.Sprint("k", i), []byte("v"))
		}
		commitPending(t, st, m)
	}
	putN(4)
	putN(4)
	if st.NeedsSnapshot() {
		t.Fatal("advised a snapshot after 8 of 10 records")
	}
	putN(4)
	if !st.NeedsSnapshot() {
		t.Fatal("no snapshot advised after 12 records")
	}
	if err := st.WriteSnapshot(m.Snapshot()); err != nil {
		t.Fatal(err)
	}
	if st.NeedsSnapshot() {
		t.Fatal("snapshot still advised right after one")
	}
	putN(10)
	closeT(t, st)

	// Replayed records count: the restart replayed 10 of them.
	st, _ = openT(t, dir, opts)
	defer closeT(t, st)
	if !st.NeedsSnapshot() {
		t.Fatalf("no snapshot advised after reopening with %d records to replay", st.Stats().RecordsSinceSnapshot)
	}
}

// TestConcurrentSnapshot writes snapshots on another goroutine while the
// commits go on, as the runtime does.
func TestConcurrentSnapshot(t *testing.T) {
	dir := t.TempDir()
	const seed, batches = 7, 600
	opts := Options{Fsync: FsyncNever, SnapshotEvery: 60, segmentSize: 2 << 10}
	st, m := openT(t, dir, opts)

	done := make(chan error, 1)
	inFlight := false
	written := 0
	for n := uint64(1); n <= batches; n++ {
		applyBatch(m, seed, n)
		commitPending(t, st, m)
		if inFlight {
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("snapshot: %v", err)
				}
				inFlight = false
				written++
			default:
			}
		}
		if !inFlight && st.NeedsSnapshot() {
			job := st.BeginSnapshot(m.Snapshot())
			inFlight = true
			go func() { done <- job.Write() }()
		}
	}
	if inFlight {
		if err := <-done; err != nil {
			t.Fatalf("snapshot: %v", err)
		}
		written++
	}
	stats := st.Stats()
	closeT(t, st)
	if written < 3 || stats.SnapshotIndex == 0 || stats.FirstIndex <= 1 {
		t.Fatalf("%d snapshots written, stats %+v: the test exercised too little", written, stats)
	}

	st, m = openT(t, dir, opts)
	defer closeT(t, st)
	assertContents(t, m, stateAfter(seed, batches))
	if got := st.Stats(); got.SnapshotIndex != stats.SnapshotIndex || got.LastIndex != batches {
		t.Fatalf("reopened with %+v, closed with %+v", got, stats)
	}
}

func TestStaleSnapshotWritesNothing(t *testing.T) {
	dir := t.TempDir()
	st, m := openT(t, dir, Options{})
	defer closeT(t, st)
	commitBatches(t, st, m, 1, 1, 3)
	stale := st.BeginSnapshot(m.Snapshot())
	commitBatches(t, st, m, 1, 4, 5)
	if err := st.WriteSnapshot(m.Snapshot()); err != nil {
		t.Fatal(err)
	}
	if err := stale.Write(); err != nil {
		t.Fatal(err)
	}
	if got := snapshotIndexes(t, dir); !slices.Equal(got, []uint64{5}) {
		t.Fatalf("snapshots on disk %v, want [5]", got)
	}
}

func TestLock(t *testing.T) {
	dir := t.TempDir()
	st, _ := openT(t, dir, Options{})
	_, _, err := Open(dir, Options{})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
	if msg := err.Error(); !strings.Contains(msg, dir) || !strings.Contains(msg, "in use by another garage process") {
		t.Fatalf("lock error %q does not name the directory and the reason", msg)
	}
	closeT(t, st)
	st, _ = openT(t, dir, Options{})
	closeT(t, st)
}

func TestClosedStore(t *testing.T) {
	st, m := openT(t, t.TempDir(), Options{})
	m.Put("k", []byte("v"))
	batch := m.TakePending()
	closeT(t, st)
	for name, err := range map[string]error{
		"Commit":        st.Commit(batch),
		"Sync":          st.Sync(),
		"WriteSnapshot": st.WriteSnapshot(m.Snapshot()),
		"Close":         st.Close(),
	} {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", name, err)
		}
	}
}

func TestEmptyBatchWritesNothing(t *testing.T) {
	st, _ := openT(t, t.TempDir(), Options{})
	defer closeT(t, st)
	if err := st.Commit(nil); err != nil {
		t.Fatal(err)
	}
	if got := st.Stats(); got.LastIndex != 0 || got.Commits != 0 || got.Fsyncs != 0 {
		t.Fatalf("empty batch changed the stats: %+v", got)
	}
}

// TestFailureIsSticky checks that after a failed write the store refuses
// further Commits, and that Close still releases the directory.
func TestFailureIsSticky(t *testing.T) {
	dir := t.TempDir()
	st, m := openT(t, dir, Options{})
	st.log.Close() // the log fails under the store, as a disk would
	m.Put("a", []byte("1"))
	if err := st.Commit(m.TakePending()); err == nil {
		t.Fatal("Commit on a failed log succeeded")
	}
	m.Put("b", []byte("2"))
	err := st.Commit(m.TakePending())
	if err == nil || !strings.Contains(err.Error(), "earlier failure") {
		t.Fatalf("second Commit: %v, want a refusal citing the earlier failure", err)
	}
	if err := st.Close(); err == nil {
		t.Fatal("Close hid the failure")
	}
	st, m = openT(t, dir, Options{})
	defer closeT(t, st)
	if m.Len() != 0 {
		t.Fatalf("recovered %d keys that were never committed", m.Len())
	}
}

// TestSegmentTracking checks that the store's model of tidwall/wal's
// segment cycling, which decides when the log directory needs an fsync,
// matches the files the log creates.
func TestSegmentTracking(t *testing.T) {
	dir := t.TempDir()
	check := func(st *Store) {
		t.Helper()
		segs := segmentsT(t, dir)
		last := segs[len(segs)-1]
		if st.tailFirst != last.first || int64(st.tailSize) != fileSize(t, last.path) {
			t.Fatalf("store tracks tail segment %d of %d bytes; disk has %d of %d bytes",
				st.tailFirst, st.tailSize, last.first, fileSize(t, last.path))
		}
	}
	st, m := openT(t, dir, Options{Fsync: FsyncNever, segmentSize: 1 << 10})
	for n := uint64(1); n <= 200; n++ {
		applyBatch(m, 3, n)
		commitPending(t, st, m)
		check(st)
	}
	if len(segmentsT(t, dir)) < 10 {
		t.Fatalf("only %d segments: the test exercised too little", len(segmentsT(t, dir)))
	}
	closeT(t, st)

	// A smaller segment size leaves the tail oversized, so tidwall/wal
	// starts a new segment before the next write.
	st, m = openT(t, dir, Options{Fsync: FsyncNever, segmentSize: 64})
	defer closeT(t, st)
	for n := uint64(201); n <= 220; n++ {
		applyBatch(m, 3, n)
		commitPending(t, st, m)
		check(st)
	}
}

// TestLogRestartsAfterSnapshot covers a log that lost entries a snapshot
// holds: recovery starts the log again after the snapshot.
func TestLogRestartsAfterSnapshot(t *testing.T) {
	dir := t.TempDir()
	const seed = 11
	st, m := openT(t, dir, Options{})
	commitBatches(t, st, m, seed, 1, 20)
	if err := st.WriteSnapshot(m.Snapshot()); err != nil {
		t.Fatal(err)
	}
	closeT(t, st)
	for _, seg := range segmentsT(t, dir) {
		if err := os.Remove(seg.path); err != nil {
			t.Fatal(err)
		}
	}

	logger, logs := observedLogger()
	opts := Options{Logger: logger}
	st, m = openT(t, dir, opts)
	assertContents(t, m, stateAfter(seed, 20))
	if logs.FilterMessageSnippet("restarting it after the snapshot").Len() != 1 {
		t.Fatalf("no warning about the restarted log: %v", logs.All())
	}
	commitBatches(t, st, m, seed, 21, 21)
	if got := st.Stats(); got.LastIndex != 21 || got.FirstIndex != 21 {
		t.Fatalf("stats %+v, want the log to hold entry 21 only", got)
	}
	closeT(t, st)
	st, m = openT(t, dir, opts)
	defer closeT(t, st)
	assertContents(t, m, stateAfter(seed, 21))
}
