package blockstore

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/garagego/garage/node/cluster"
)

func TestFreshDirGetsAMarker(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "not", "yet", "there")
	openStore(t, Dir{Path: dir, Capacity: 1})
	id, err := os.ReadFile(filepath.Join(dir, markerName))
	if err != nil || len(id) < 16 {
		t.Fatalf("marker: %q, %v", id, err)
	}
	// Reopening keeps the same marker.
	openStore(t, Dir{Path: dir, Capacity: 1})
	again, _ := os.ReadFile(filepath.Join(dir, markerName))
	if string(again) != string(id) {
		t.Error("marker rewritten on reopen")
	}
}

func TestNonEmptyDirWithoutMarkerIsRefused(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "family-photos.jpg"), []byte("x"), 0o600)
	for _, d := range []Dir{{Path: dir, Capacity: 1}, {Path: dir, ReadOnly: true}} {
		dirs := []Dir{d}
		if d.ReadOnly {
			dirs = append(dirs, Dir{Path: t.TempDir(), Capacity: 1})
		}
		if _, err := Open(Options{Dirs: dirs}); !errors.Is(err, ErrForeignData) {
			t.Errorf("read-only=%v: Open = %v, want ErrForeignData", d.ReadOnly, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, markerName)); !errors.Is(err, os.ErrNotExist) {
		t.Error("a marker was written into foreign data")
	}
}

func TestFreshFileSystemAndServerLockAreNotForeign(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "lost+found"), 0o700)
	os.WriteFile(filepath.Join(dir, "LOCK"), nil, 0o600)
	openStore(t, Dir{Path: dir, Capacity: 1})
}

func TestUnreadableMarkerIsRefused(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, markerName), 0o700) // a directory, not a file
	if _, err := Open(Options{Dirs: []Dir{{Path: dir, Capacity: 1}}}); err == nil {
		t.Fatal("Open accepted a marker that is a directory")
	}
}

func TestEmptyReadOnlyDirIsNotWritten(t *testing.T) {
	ro := t.TempDir()
	openStore(t, Dir{Path: ro, ReadOnly: true}, Dir{Path: t.TempDir(), Capacity: 1})
	if entries, _ := os.ReadDir(ro); len(entries) != 0 {
		t.Errorf("read-only dir now holds %v", entries)
	}
}

func TestStaleTempFilesAreRemovedOnOpenAndNeverListed(t *testing.T) {
	s, dir := oneDir(t)
	data, h := block(1, 2000)
	mustWrite(t, s, h, data, false)
	// What a crash mid-write leaves: a temp file beside the final name,
	// and one for a block that never made it; plus an interrupted marker write.
	final := blockPath(dir, h, false)
	_, lost := block(2, 2000)
	lostPath := blockPath(dir, lost, true)
	os.MkdirAll(filepath.Dir(lostPath), 0o700)
	stale := []string{
		final + ".123456.tmp",
		lostPath + ".987.tmp",
		filepath.Join(dir, markerName+".55.tmp"),
	}
	for _, p := range stale {
		if err := os.WriteFile(p, data[:100], 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := s.ListFrom([32]byte{}, 10); !slices.Equal(got, []cluster.Hash{h}) {
		t.Errorf("List with temp files present: %v", got)
	}
	if present, _, _, _ := s.Stat(lost); present {
		t.Error("a temp file counts as a block")
	}

	s = openStore(t, Dir{Path: dir, Capacity: 1})
	for _, p := range stale {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s survived Open: %v", p, err)
		}
	}
	if err := s.Verify(h); err != nil {
		t.Errorf("the real block: %v", err)
	}
}

func TestMarkerTempFileAloneIsNotForeign(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, markerName+".777.tmp"), []byte("half"), 0o600)
	openStore(t, Dir{Path: dir, Capacity: 1})
	if _, err := os.Stat(filepath.Join(dir, markerName+".777.tmp")); !errors.Is(err, os.ErrNotExist) {
		t.Error("interrupted marker write not cleaned up")
	}
}
