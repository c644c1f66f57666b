package blockstore

import (
	"errors"
	"math"
	"os"
	"testing"
)

func TestWritesSpreadInProportionToCapacity(t *testing.T) {
	small, large := t.TempDir(), t.TempDir()
	s := openStore(t, Dir{Path: small, Capacity: 1 << 30}, Dir{Path: large, Capacity: 3 << 30})
	const n = 2000
	for i := range n {
		data, h := block(uint64(i), 64)
		mustWrite(t, s, h, data, false)
	}
	inSmall, inLarge := countBlocks(t, small), countBlocks(t, large)
	if inSmall+inLarge != n {
		t.Fatalf("%d + %d blocks stored, want %d", inSmall, inLarge, n)
	}
	// Expect a quarter; binomial σ ≈ 19 blocks, so ±5% (100) is > 5σ.
	if share := float64(inSmall) / n; math.Abs(share-0.25) > 0.05 {
		t.Errorf("small dir holds %.1f%% of blocks, want ≈25%%", share*100)
	}
}

func TestReadOnlyDirIsSearchedButNeverWritten(t *testing.T) {
	old, fresh := t.TempDir(), t.TempDir()
	// The old disk was once a writable data dir: it has a marker and blocks.
	openStore(t, Dir{Path: old, Capacity: 1})
	oldData, oldHash := block(1, 3000)
	placeAt(t, old, oldHash, oldData, false)

	s := openStore(t, Dir{Path: old, ReadOnly: true}, Dir{Path: fresh, Capacity: 1})
	if got, _, err := s.Read(oldHash); err != nil || string(got) != string(oldData) {
		t.Fatalf("block on the read-only dir: %v", err)
	}
	for i := range 200 {
		data, h := block(uint64(100+i), 100)
		mustWrite(t, s, h, data, false)
	}
	if n := countBlocks(t, old); n != 1 {
		t.Errorf("read-only dir holds %d blocks, want its original 1", n)
	}
	if n := countBlocks(t, fresh); n != 200 {
		t.Errorf("writable dir holds %d blocks, want 200", n)
	}
	// Rewriting the old block finds it there and does not copy it.
	mustWrite(t, s, oldHash, oldData, false)
	if n := countBlocks(t, fresh); n != 200 {
		t.Errorf("existing block was copied to the writable dir")
	}
}

func TestOnlyReadOnlyDirsIsRefused(t *testing.T) {
	_, err := Open(Options{Dirs: []Dir{{Path: t.TempDir(), ReadOnly: true}}})
	if !errors.Is(err, ErrNoWritableDir) {
		t.Fatalf("Open: %v, want ErrNoWritableDir", err)
	}
}

func TestInvalidDirConfigurations(t *testing.T) {
	d := t.TempDir()
	for name, dirs := range map[string][]Dir{
		"none":                   nil,
		"no path":                {{Capacity: 1}},
		"writable, no capacity":  {{Path: d}},
		"same path twice":        {{Path: d, Capacity: 1}, {Path: d + "/", Capacity: 1}},
		"read-only, missing dir": {{Path: d, Capacity: 1}, {Path: d + "-missing", ReadOnly: true}},
	} {
		if _, err := Open(Options{Dirs: dirs}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestBlockInANonPrimaryDirIsFound(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	s := openStore(t, Dir{Path: a, Capacity: 1}, Dir{Path: b, Capacity: 1})
	data, h := compressible(2, 10_000)
	zst, _ := Compress(data, 1)
	secondary := b
	if s.primary[sliceOf(h)] == 1 {
		secondary = a
	}
	placeAt(t, secondary, h, zst, true)

	if present, compressed, _, _ := s.Stat(h); !present || !compressed {
		t.Fatalf("Stat: present=%v compressed=%v", present, compressed)
	}
	if err := s.Verify(h); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.ListFrom([32]byte{}, 10); len(list) != 1 || list[0] != h {
		t.Errorf("List = %v", list)
	}
}

func TestChangingCapacitiesKeepsEveryBlockReachable(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	s := openStore(t, Dir{Path: a, Capacity: 1}, Dir{Path: b, Capacity: 3})
	const n = 300
	for i := range n {
		data, h := block(uint64(i), 500)
		mustWrite(t, s, h, data, false)
	}
	configs := [][]Dir{
		{{Path: a, Capacity: 3}, {Path: b, Capacity: 1}},
		{{Path: b, Capacity: 1}, {Path: a, Capacity: 1}, {Path: c, Capacity: 2}},
		{{Path: a, ReadOnly: true}, {Path: b, ReadOnly: true}, {Path: c, Capacity: 1}},
	}
	for ci, dirs := range configs {
		s := openStore(t, dirs...)
		moved := 0
		for i := range n {
			_, h := block(uint64(i), 500)
			if err := s.Verify(h); err != nil {
				t.Fatalf("config %d, block %d: %v", ci, i, err)
			}
			if _, err := os.Stat(blockPath(s.dirs[s.primary[sliceOf(h)]].Path, h, false)); err != nil {
				moved++
			}
		}
		if moved == 0 {
			t.Errorf("config %d: no block changed primary dir; the test proves nothing", ci)
		}
		if list, _ := s.ListFrom([32]byte{}, 2*n); len(list) != n {
			t.Errorf("config %d: listed %d blocks, want %d", ci, len(list), n)
		}
	}
}
