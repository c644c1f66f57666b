package blockstore

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestWriteReadStatRoundTrip(t *testing.T) {
	s, dir := oneDir(t)
	plain, hp := block(1, 100_000)
	text, hc := compressible(2, 200_000)
	zst, err := Compress(text, 1)
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, s, hp, plain, false)
	mustWrite(t, s, hc, zst, true)

	for _, c := range []struct {
		name       string
		stored     []byte
		compressed bool
		h          [32]byte
	}{{"plain", plain, false, hp}, {"compressed", zst, true, hc}} {
		got, compressed, err := s.Read(c.h)
		if err != nil || compressed != c.compressed || !bytes.Equal(got, c.stored) {
			t.Errorf("%s: Read = %d bytes, compressed=%v, %v", c.name, len(got), compressed, err)
		}
		present, compressed, size, err := s.Stat(c.h)
		if err != nil || !present || compressed != c.compressed || size != int64(len(c.stored)) {
			t.Errorf("%s: Stat = %v %v %d %v", c.name, present, compressed, size, err)
		}
		r, compressed, size, err := s.Open(c.h)
		if err != nil {
			t.Fatalf("%s: Open: %v", c.name, err)
		}
		streamed, err := io.ReadAll(r)
		r.Close()
		if err != nil || compressed != c.compressed || size != int64(len(c.stored)) || !bytes.Equal(streamed, c.stored) {
			t.Errorf("%s: Open streamed %d bytes, compressed=%v, size %d, %v", c.name, len(streamed), compressed, size, err)
		}
		if err := s.Verify(c.h); err != nil {
			t.Errorf("%s: Verify: %v", c.name, err)
		}
	}
	if _, err := os.Stat(blockPath(dir, hp, false)); err != nil {
		t.Errorf("plain block not at its documented path: %v", err)
	}
	if _, err := os.Stat(blockPath(dir, hc, true)); err != nil {
		t.Errorf("compressed block not at its documented path: %v", err)
	}
	wantPath := filepath.Join(dir, hp.String()[0:2], hp.String()[2:4], hp.String())
	if blockPath(dir, hp, false) != wantPath {
		t.Errorf("path %s, want %s", blockPath(dir, hp, false), wantPath)
	}
}

func TestMissingBlock(t *testing.T) {
	s, _ := oneDir(t)
	_, h := block(9, 10)
	if _, _, err := s.Read(h); !errors.Is(err, ErrNotFound) {
		t.Errorf("Read: %v, want ErrNotFound", err)
	}
	if _, _, _, err := s.Open(h); !errors.Is(err, ErrNotFound) {
		t.Errorf("Open: %v, want ErrNotFound", err)
	}
	if err := s.Verify(h); !errors.Is(err, ErrNotFound) {
		t.Errorf("Verify: %v, want ErrNotFound", err)
	}
	if present, _, _, err := s.Stat(h); present || err != nil {
		t.Errorf("Stat: present=%v err=%v", present, err)
	}
	if err := s.Quarantine(h); !errors.Is(err, ErrNotFound) {
		t.Errorf("Quarantine: %v, want ErrNotFound", err)
	}
	if err := s.Delete(h); err != nil {
		t.Errorf("Delete of an absent block: %v", err)
	}
}

func TestWritingAnExistingBlockChangesNothing(t *testing.T) {
	s, dir := oneDir(t)
	data, h := compressible(4, 50_000)
	mustWrite(t, s, h, data, false)
	info, _ := os.Stat(blockPath(dir, h, false))

	// Same block again, and then in compressed form: both are no-ops.
	mustWrite(t, s, h, []byte("would be wrong content"), false)
	zst, _ := Compress(data, 1)
	mustWrite(t, s, h, zst, true)

	got, compressed, err := s.Read(h)
	if err != nil || compressed || !bytes.Equal(got, data) {
		t.Fatalf("Read after rewrites: compressed=%v err=%v equal=%v", compressed, err, bytes.Equal(got, data))
	}
	if _, err := os.Stat(blockPath(dir, h, true)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a compressed copy was written beside the plain one: %v", err)
	}
	after, _ := os.Stat(blockPath(dir, h, false))
	if !os.SameFile(info, after) {
		t.Error("the existing file was replaced")
	}
	if files := storedFiles(t, dir); len(files) != 1 {
		t.Errorf("files on disk: %v", files)
	}
}

func TestDeleteRemovesEveryCopy(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	s := openStore(t, Dir{Path: a, Capacity: 1}, Dir{Path: b, Capacity: 1})
	data, h := compressible(5, 4096)
	zst, _ := Compress(data, 1)
	placeAt(t, a, h, data, false)
	placeAt(t, a, h, zst, true)
	placeAt(t, b, h, data, false)
	placeAt(t, b, h, zst, true)
	other, ho := block(6, 4096)
	mustWrite(t, s, ho, other, false)

	if err := s.Delete(h); err != nil {
		t.Fatal(err)
	}
	if present, _, _, _ := s.Stat(h); present {
		t.Fatal("block still present after Delete")
	}
	if n := countBlocks(t, a) + countBlocks(t, b); n != 1 {
		t.Errorf("%d block files left, want only the unrelated one", n)
	}
	if _, _, err := s.Read(ho); err != nil {
		t.Errorf("unrelated block: %v", err)
	}
}

func TestQuarantineHidesTheBlockButKeepsTheFile(t *testing.T) {
	s, dir := oneDir(t)
	data, h := block(7, 10_000)
	zst, _ := Compress(data, 1)
	mustWrite(t, s, h, zst, true)

	if err := s.Quarantine(h); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Read(h); !errors.Is(err, ErrNotFound) {
		t.Errorf("Read: %v, want ErrNotFound", err)
	}
	if present, _, _, _ := s.Stat(h); present {
		t.Error("Stat still reports the block")
	}
	if list, _ := s.ListFrom([32]byte{}, 10); len(list) != 0 {
		t.Errorf("List still shows %v", list)
	}
	kept, err := os.ReadFile(blockPath(dir, h, true) + ".corrupted")
	if err != nil || !bytes.Equal(kept, zst) {
		t.Fatalf("quarantined file: %v", err)
	}
	// The block can be fetched and written again.
	mustWrite(t, s, h, data, false)
	if err := s.Verify(h); err != nil {
		t.Errorf("rewritten block: %v", err)
	}
}

func TestQuarantineExposesTheNextCopy(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	s := openStore(t, Dir{Path: a, Capacity: 1}, Dir{Path: b, Capacity: 1})
	data, h := block(8, 5000)
	primary, secondary := a, b
	if s.primary[sliceOf(h)] == 1 {
		primary, secondary = b, a
	}
	bad := bytes.Clone(data)
	bad[0] ^= 1
	placeAt(t, primary, h, bad, false)
	placeAt(t, secondary, h, data, false)

	if err := s.Verify(h); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Verify of the primary's bad copy: %v", err)
	}
	if err := s.Quarantine(h); err != nil {
		t.Fatal(err)
	}
	if err := s.Verify(h); err != nil {
		t.Fatalf("Verify of the secondary's good copy: %v", err)
	}
}

func TestConcurrentWritesReadsAndDeletes(t *testing.T) {
	s := openStore(t, Dir{Path: t.TempDir(), Capacity: 1}, Dir{Path: t.TempDir(), Capacity: 2})
	const blocks = 64
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range blocks {
				data, h := block(uint64(i), 2000)
				if err := s.Write(h, data, false); err != nil {
					t.Error(err)
					return
				}
				if got, _, err := s.Read(h); err != nil && !errors.Is(err, ErrNotFound) {
					t.Error(err)
				} else if err == nil && !bytes.Equal(got, data) {
					t.Errorf("block %d read back wrong", i)
				}
				if w == 0 && i%4 == 0 {
					if err := s.Delete(h); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
	for i := range blocks {
		_, h := block(uint64(i), 2000)
		if err := s.Verify(h); err != nil && !errors.Is(err, ErrNotFound) {
			t.Errorf("block %d: %v", i, err)
		}
	}
}
