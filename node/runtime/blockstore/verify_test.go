package blockstore

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// corrupt rewrites the stored file of h with change applied to its bytes.
func corrupt(t *testing.T, path string, change func([]byte) []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, change(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyCatchesDamage(t *testing.T) {
	flip := func(b []byte) []byte { b[len(b)/2] ^= 0x01; return b }
	truncate := func(b []byte) []byte { return b[:len(b)-10] }
	empty := func([]byte) []byte { return nil }
	for _, c := range []struct {
		name       string
		compressed bool
		change     func([]byte) []byte
	}{
		{"plain flipped byte", false, flip},
		{"compressed flipped byte", true, flip},
		{"plain truncated", false, truncate},
		{"compressed truncated", true, truncate},
		{"compressed emptied", true, empty},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, dir := oneDir(t)
			data, h := compressible(11, 300_000)
			stored := data
			if c.compressed {
				stored, _ = Compress(data, 3)
			}
			mustWrite(t, s, h, stored, c.compressed)
			if err := s.Verify(h); err != nil {
				t.Fatalf("Verify before damage: %v", err)
			}
			path := blockPath(dir, h, c.compressed)
			corrupt(t, path, c.change)
			err := s.Verify(h)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Verify after damage: %v, want ErrCorrupt", err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name %s", err, path)
			}
		})
	}
}

func TestVerifyCatchesABlockStoredUnderTheWrongHash(t *testing.T) {
	s, _ := oneDir(t)
	data, _ := block(12, 1000)
	_, other := block(13, 1000)
	zst, _ := Compress(data, 1)
	mustWrite(t, s, other, zst, true) // decodes fine, hashes wrong
	if err := s.Verify(other); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Verify: %v, want ErrCorrupt", err)
	}
}

func TestCheck(t *testing.T) {
	data, h := block(14, 5000)
	zst, _ := Compress(data, 1)
	if err := Check(h, data, false); err != nil {
		t.Errorf("plain: %v", err)
	}
	if err := Check(h, zst, true); err != nil {
		t.Errorf("compressed: %v", err)
	}
	if err := Check(h, data, true); !errors.Is(err, ErrCorrupt) {
		t.Errorf("plain bytes claimed compressed: %v", err)
	}
	if err := Check(h, zst, false); !errors.Is(err, ErrCorrupt) {
		t.Errorf("compressed bytes claimed plain: %v", err)
	}
}
