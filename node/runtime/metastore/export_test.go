package metastore

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestExportReopensAsTheState: an exported snapshot taken mid-way is a
// store of its own that Open recovers with exactly the state at the
// export, though the live store moved on; exporting onto an existing
// directory is refused.
func TestExportReopensAsTheState(t *testing.T) {
	dir := t.TempDir()
	st, m := openT(t, filepath.Join(dir, "db"), Options{})
	m.Put("a", []byte("1"))
	m.Put("b", []byte("2"))
	commitPending(t, st, m)
	want := contents(m)
	job := st.BeginSnapshot(m.Snapshot())
	m.Put("a", []byte("changed"))
	m.Put("c", []byte("3"))
	commitPending(t, st, m)

	out := filepath.Join(dir, "snapshots", "2024-01-01T00:00:00Z")
	if err := job.WriteTo(out); err != nil {
		t.Fatalf("WriteTo: %v", err)
	}
	if err := job.WriteTo(out); !errors.Is(err, os.ErrExist) {
		t.Fatalf("second WriteTo to the same directory: %v, want ErrExist", err)
	}
	entries, err := os.ReadDir(filepath.Dir(out))
	if err != nil || len(entries) != 1 {
		t.Fatalf("snapshots dir holds %v (%v), want only the export", entries, err)
	}
	closeT(t, st)

	exp, got := openT(t, out, Options{})
	assertContents(t, got, want)
	closeT(t, exp)
	live, now := openT(t, filepath.Join(dir, "db"), Options{})
	if c := contents(now); c["a"] != "changed" || c["c"] != "3" {
		t.Fatalf("live store after export: %v", c)
	}
	closeT(t, live)
}
