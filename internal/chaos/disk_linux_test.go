package chaos

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestFillDiskLeavesNoRoom: on a node's data tmpfs, a fill leaves no room
// for a block, and freeing it gives the room back.
func TestFillDiskLeavesNoRoom(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := mountDataDisk(dir); err != nil {
		t.Skipf("no tmpfs here: %v", err)
	}
	t.Cleanup(func() {
		if err := unmountDataDisk(dir); err != nil {
			t.Error(err)
		}
	})
	filler, err := fillDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	err = os.WriteFile(filepath.Join(dir, "block"), make([]byte, 64<<10), 0o600)
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("a write to a full disk: %v, want ENOSPC", err)
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "block"), make([]byte, 64<<10), 0o600); err != nil {
		t.Fatalf("a write once freed: %v", err)
	}
}
