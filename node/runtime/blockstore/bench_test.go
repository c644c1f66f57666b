package blockstore

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/garagego/garage/node/cluster"
	"golang.org/x/crypto/blake2b"
)

// The candidates for the block hash, on the block sizes that matter: the
// 1 MiB default block and a small tail block.
func BenchmarkHash(b *testing.B) {
	hashes := []struct {
		name string
		sum  func([]byte) cluster.Hash
	}{
		{"blake3", Sum},
		{"blake2b", func(p []byte) cluster.Hash { return blake2b.Sum256(p) }},
	}
	for _, size := range []struct {
		name string
		n    int
	}{{"4KiB", 4 << 10}, {"1MiB", 1 << 20}} {
		data, _ := block(1, size.n)
		for _, h := range hashes {
			b.Run(h.name+"-"+size.name, func(b *testing.B) {
				b.SetBytes(int64(size.n))
				for b.Loop() {
					h.sum(data)
				}
			})
		}
	}
}

// benchHash gives every iteration its own block name, spread over
// sub-directories and slices like real hashes.
func benchHash(i uint64) cluster.Hash {
	var h cluster.Hash
	binary.BigEndian.PutUint64(h[:], i*0x9e3779b97f4a7c15)
	binary.BigEndian.PutUint64(h[24:], i)
	return h
}

func BenchmarkWrite(b *testing.B) {
	data, _ := block(1, 1<<20)
	for _, fsync := range []bool{false, true} {
		name := "nofsync"
		if fsync {
			name = "fsync"
		}
		b.Run(name, func(b *testing.B) {
			s, err := Open(Options{Dirs: []Dir{{Path: b.TempDir(), Capacity: 1}}, Fsync: fsync})
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			var i uint64
			for b.Loop() {
				i++
				if err := s.Write(benchHash(i), data, false); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkRead(b *testing.B) {
	s, _ := oneDir(b)
	data, _ := block(1, 1<<20)
	const stored = 64 // cycled through, so reads come from the page cache
	for i := range uint64(stored) {
		if err := s.Write(benchHash(i), data, false); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(data)))
	var i uint64
	for b.Loop() {
		if _, _, err := s.Read(benchHash(i % stored)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkVerify(b *testing.B) {
	s, _ := oneDir(b)
	data, h := block(1, 1<<20)
	if err := s.Write(h, data, false); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := s.Verify(h); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompress(b *testing.B) {
	text, _ := compressible(1, 1<<20)
	random, _ := block(1, 1<<20)
	for _, c := range []struct {
		name string
		data []byte
	}{{"compressible", text}, {"random", random}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.data)))
			var out []byte
			for b.Loop() {
				var err error
				if out, err = Compress(c.data, 1); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(out))/float64(len(c.data)), "ratio")
		})
	}
}

func BenchmarkDecompress(b *testing.B) {
	text, _ := compressible(1, 1<<20)
	stored, _ := Compress(text, 1)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if _, err := Decompress(stored); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawDiskWrite is the baseline for BenchmarkWrite: 1 MiB chunks
// appended to a single file, with and without an fsync after each.
func BenchmarkRawDiskWrite(b *testing.B) {
	chunk, _ := block(1, 1<<20)
	for _, fsync := range []bool{false, true} {
		name := "nofsync"
		if fsync {
			name = "fsync"
		}
		b.Run(name, func(b *testing.B) {
			f, err := os.Create(filepath.Join(b.TempDir(), "raw"))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			b.SetBytes(int64(len(chunk)))
			for b.Loop() {
				if _, err := f.Write(chunk); err != nil {
					b.Fatal(err)
				}
				if fsync {
					if err := f.Sync(); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
