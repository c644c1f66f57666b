package blockstore

import (
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/garagego/garage/node/cluster"
)

// openStore opens a store and fails the test on error.
func openStore(t testing.TB, dirs ...Dir) *Store {
	t.Helper()
	s, err := Open(Options{Dirs: dirs})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

// oneDir is a store over a single fresh writable directory.
func oneDir(t testing.TB) (*Store, string) {
	t.Helper()
	dir := t.TempDir()
	return openStore(t, Dir{Path: dir, Capacity: 1}), dir
}

// block returns a deterministic pseudo-random plaintext of n bytes and its hash.
func block(seed uint64, n int) ([]byte, cluster.Hash) {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	data := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		binary.LittleEndian.PutUint64(data[i:], r.Uint64())
	}
	return data, Sum(data)
}

// compressible returns n bytes of text-like data (words drawn at random
// from a small vocabulary, compressing to roughly a third) and its hash.
func compressible(seed uint64, n int) ([]byte, cluster.Hash) {
	words := strings.Fields("the a block store of object bucket key node zone " +
		"layout partition replica version upload part data garage distributed " +
		"geo compressed plain hash quorum write read delete list scrub repair")
	r := rand.New(rand.NewPCG(seed, 0x2545f4914f6cdd1d))
	data := make([]byte, 0, n+16)
	for len(data) < n {
		data = append(data, words[r.IntN(len(words))]...)
		data = append(data, ' ')
	}
	return data[:n], Sum(data[:n])
}

// storedFiles lists, relative to root, every regular file in its block
// sub-directories.
func storedFiles(t testing.TB, root string) []string {
	t.Helper()
	var files []string
	err := forEachLeaf(root, func(leaf string, names []string) error {
		for _, n := range names {
			rel, _ := filepath.Rel(root, filepath.Join(leaf, n))
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// countBlocks is how many block files root holds.
func countBlocks(t testing.TB, root string) int {
	t.Helper()
	n := 0
	for _, f := range storedFiles(t, root) {
		if _, _, ok := parseBlockName(filepath.Base(f)); ok {
			n++
		}
	}
	return n
}

// mustWrite writes a block and fails the test on error.
func mustWrite(t testing.TB, s *Store, h cluster.Hash, data []byte, compressed bool) {
	t.Helper()
	if err := s.Write(h, data, compressed); err != nil {
		t.Fatalf("Write %s: %v", h, err)
	}
}

// placeAt copies a block file by hand into root, as if an earlier
// configuration had put it there.
func placeAt(t testing.TB, root string, h cluster.Hash, data []byte, compressed bool) {
	t.Helper()
	p := blockPath(root, h, compressed)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
