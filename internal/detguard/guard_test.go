package detguard

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestDeterministicPackagesAreDeterministic is the guard itself: it fails on
// any nondeterministic construct in the module's DeterministicTrees.
func TestDeterministicPackagesAreDeterministic(t *testing.T) {
	root := moduleRoot(t)
	dirs, err := PackageDirs(root, DeterministicTrees)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("checking %d package directories: %v", len(dirs), dirs)
	findings, err := CheckTrees(root, DeterministicTrees)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		t.Error(f)
	}
}

// moduleRoot walks up from the working directory to the directory holding
// go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		_, err := os.Stat(filepath.Join(dir, "go.mod"))
		if err == nil {
			return dir
		}
		if !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}
