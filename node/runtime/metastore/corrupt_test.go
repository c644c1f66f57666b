package metastore

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// writeWorkload commits workload batches 1..n into a fresh dir and closes
// the store, making sure the last segment file is not empty.
func writeWorkload(t *testing.T, opts Options, seed, n uint64) (dir string, batches uint64) {
	t.Helper()
	dir = t.TempDir()
	st, m := openT(t, dir, opts)
	commitBatches(t, st, m, seed, 1, n)
	for segs := segmentsT(t, dir); fileSize(t, segs[len(segs)-1].path) == 0; segs = segmentsT(t, dir) {
		n++
		commitBatches(t, st, m, seed, n, n)
	}
	closeT(t, st)
	return dir, n
}

func TestTornTail(t *testing.T) {
	const seed = 5
	appendBytes := func(b []byte) func(*testing.T, string) {
		return func(t *testing.T, path string) {
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.Write(b); err != nil {
				t.Fatal(err)
			}
		}
	}
	cutAt := func(offset func(starts, payloads []int, size int) int) func(*testing.T, string) {
		return func(t *testing.T, path string) {
			starts, payloads, data := frames(t, path)
			if err := os.Truncate(path, int64(offset(starts, payloads, len(data)))); err != nil {
				t.Fatal(err)
			}
		}
	}
	garbage := []byte("\x05\x01garbage that looks a little like an entry")
	for _, tc := range []struct {
		name    string
		opts    Options
		damage  func(t *testing.T, path string)
		lost    uint64 // trailing batches the damage destroys
		dropped bool   // whether recovery must cut bytes off
	}{
		{"last entry cut short", Options{}, cutAt(func(_, _ []int, size int) int { return size - 3 }), 1, true},
		{"length prefix of last entry cut", Options{},
			cutAt(func(starts, _ []int, _ int) int { return starts[len(starts)-1] + 1 }), 1, true},
		{"last two entries cut", Options{},
			cutAt(func(starts, _ []int, _ int) int { return starts[len(starts)-2] + 10 }), 2, true},
		{"last entry flipped", Options{}, func(t *testing.T, path string) {
			_, payloads, data := frames(t, path)
			last := payloads[len(payloads)-1]
			flipByte(t, path, last+(len(data)-last)/2)
		}, 1, true},
		{"garbage appended", Options{}, appendBytes(garbage), 0, true},
		{"zeros appended", Options{}, appendBytes(make([]byte, 4096)), 0, true},
		{"last of many segments cut short", Options{segmentSize: 1 << 10},
			cutAt(func(_, _ []int, size int) int { return size - 3 }), 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, n := writeWorkload(t, tc.opts, seed, 40)
			segs := segmentsT(t, dir)
			tc.damage(t, segs[len(segs)-1].path)

			logger, logs := observedLogger()
			opts := tc.opts
			opts.Logger = logger
			st, m := openT(t, dir, opts)
			kept := n - tc.lost
			assertContents(t, m, stateAfter(seed, kept))
			if got := st.Stats().LastIndex; got != kept {
				t.Fatalf("log ends at entry %d, want %d", got, kept)
			}
			if warned := logs.FilterMessageSnippet("torn tail").Len() == 1; warned != tc.dropped {
				t.Fatalf("torn tail warning logged: %v, want %v (%v)", warned, tc.dropped, logs.All())
			}

			// Appends continue cleanly after the intact entries.
			commitBatches(t, st, m, seed, kept+1, kept+3)
			closeT(t, st)
			st, m = openT(t, dir, opts)
			defer closeT(t, st)
			assertContents(t, m, stateAfter(seed, kept+3))
			if logs.FilterMessageSnippet("torn tail").Len() > 1 {
				t.Fatal("the second Open found a torn tail again")
			}
		})
	}
}

func TestCorruptLog(t *testing.T) {
	const seed = 9
	small := Options{segmentSize: 1 << 10}
	for _, tc := range []struct {
		name   string
		opts   Options
		damage func(t *testing.T, segs []segment) (file, index string)
	}{
		{"flipped byte in an early segment", small, func(t *testing.T, segs []segment) (string, string) {
			_, payloads, _ := frames(t, segs[0].path)
			flipByte(t, segs[0].path, payloads[1]+20)
			return segs[0].path, "entry 2:"
		}},
		{"flipped byte before intact entries in the last segment", Options{}, func(t *testing.T, segs []segment) (string, string) {
			last := segs[len(segs)-1]
			_, payloads, _ := frames(t, last.path)
			flipByte(t, last.path, payloads[4]+20)
			return last.path, fmt.Sprintf("entry %d:", last.first+4)
		}},
		{"broken length prefix in an early segment", small, func(t *testing.T, segs []segment) (string, string) {
			starts, _, _ := frames(t, segs[1].path)
			flipByte(t, segs[1].path, starts[1])
			return segs[1].path, fmt.Sprintf("entry %d:", segs[1].first+1)
		}},
		{"missing segment", small, func(t *testing.T, segs []segment) (string, string) {
			if err := os.Remove(segs[2].path); err != nil {
				t.Fatal(err)
			}
			return segs[3].path, fmt.Sprintf("starts at entry %d", segs[3].first)
		}},
		{"missing first segment", small, func(t *testing.T, segs []segment) (string, string) {
			if err := os.Remove(segs[0].path); err != nil {
				t.Fatal(err)
			}
			return "no snapshot covers", fmt.Sprintf("starts at entry %d", segs[1].first)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, _ := writeWorkload(t, tc.opts, seed, 60)
			segs := segmentsT(t, dir)
			if tc.opts.segmentSize != 0 && len(segs) < 4 {
				t.Fatalf("only %d segments", len(segs))
			}
			file, index := tc.damage(t, segs)
			_, _, err := Open(dir, tc.opts)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Open: %v, want ErrCorrupt", err)
			}
			t.Log(err)
			if msg := err.Error(); !strings.Contains(msg, file) || !strings.Contains(msg, index) {
				t.Fatalf("error %q does not name %s and %q", msg, file, index)
			}
			// A failed Open releases the directory.
			if _, _, err := Open(dir, tc.opts); errors.Is(err, ErrLocked) {
				t.Fatal("a failed Open kept the lock")
			}
		})
	}
}

func TestCorruptSnapshot(t *testing.T) {
	const seed = 13
	// Snapshots at entries 30 and 60; the log starts at 31 and ends at 70.
	setup := func(t *testing.T) (dir string, older, newer string) {
		dir = t.TempDir()
		st, m := openT(t, dir, Options{})
		for _, upTo := range []uint64{30, 60} {
			commitBatches(t, st, m, seed, upTo-29, upTo)
			if err := st.WriteSnapshot(m.Snapshot()); err != nil {
				t.Fatal(err)
			}
		}
		commitBatches(t, st, m, seed, 61, 70)
		closeT(t, st)
		return dir, snapshotPath(dir, 30), snapshotPath(dir, 60)
	}
	flipMiddle := func(t *testing.T, path string) { flipByte(t, path, int(fileSize(t, path)/2)) }

	t.Run("newest damaged, older intact", func(t *testing.T) {
		dir, _, newer := setup(t)
		flipMiddle(t, newer)
		logger, logs := observedLogger()
		st, m := openT(t, dir, Options{Logger: logger})
		defer closeT(t, st)
		assertContents(t, m, stateAfter(seed, 70))
		if got := st.Stats().SnapshotIndex; got != 30 {
			t.Fatalf("recovered from the snapshot at %d, want 30", got)
		}
		if logs.FilterMessageSnippet("snapshot damaged").Len() != 1 {
			t.Fatalf("damage not reported: %v", logs.All())
		}
		// The next snapshot replaces the damaged one and keeps the one it
		// recovered from.
		if err := st.WriteSnapshot(m.Snapshot()); err != nil {
			t.Fatal(err)
		}
		if got := snapshotIndexes(t, dir); !slices.Equal(got, []uint64{70, 30}) {
			t.Fatalf("snapshots on disk %v, want [70 30]", got)
		}
	})

	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, older, newer string)
	}{
		{"flipped byte, no older snapshot", func(t *testing.T, older, newer string) {
			flipMiddle(t, newer)
			os.Remove(older)
		}},
		{"truncated, no older snapshot", func(t *testing.T, older, newer string) {
			os.Truncate(newer, fileSize(t, newer)-10)
			os.Remove(older)
		}},
		{"flipped header, no older snapshot", func(t *testing.T, older, newer string) {
			flipByte(t, newer, 12)
			os.Remove(older)
		}},
		{"both damaged", func(t *testing.T, older, newer string) {
			flipMiddle(t, newer)
			flipMiddle(t, older)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, older, newer := setup(t)
			tc.damage(t, older, newer)
			_, _, err := Open(dir, Options{})
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Open: %v, want ErrCorrupt", err)
			}
			t.Log(err)
			if msg := err.Error(); !strings.Contains(msg, newer) || !strings.Contains(msg, "log index 60") {
				t.Fatalf("error %q does not name %s and its log index", msg, newer)
			}
		})
	}

	// Until a second snapshot, the log still starts at entry 1, so a
	// damaged first snapshot costs a longer replay, not the data.
	t.Run("only snapshot damaged, whole log kept", func(t *testing.T) {
		dir := t.TempDir()
		st, m := openT(t, dir, Options{})
		commitBatches(t, st, m, seed, 1, 30)
		if err := st.WriteSnapshot(m.Snapshot()); err != nil {
			t.Fatal(err)
		}
		commitBatches(t, st, m, seed, 31, 40)
		closeT(t, st)
		flipMiddle(t, snapshotPath(dir, 30))

		st, m = openT(t, dir, Options{})
		defer closeT(t, st)
		assertContents(t, m, stateAfter(seed, 40))
		if got := st.Stats(); got.SnapshotIndex != 0 || got.RecordsSinceSnapshot == 0 {
			t.Fatalf("stats %+v, want a replay of the whole log", got)
		}
	})
}
