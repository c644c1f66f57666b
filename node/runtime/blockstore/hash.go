package blockstore

import (
	"github.com/garagego/garage/node/cluster"
	"github.com/zeebo/blake3"
)

// Sum is the block hash: BLAKE3-256 of the plaintext, before compression.
// The package doc explains why BLAKE3 rather than BLAKE2b.
func Sum(plaintext []byte) cluster.Hash { return blake3.Sum256(plaintext) }

// Hasher computes Sum incrementally, for callers that hash a block as its
// bytes arrive. The zero value is not usable; call NewHasher.
type Hasher struct{ h *blake3.Hasher }

// NewHasher returns an empty Hasher.
func NewHasher() *Hasher { return &Hasher{h: blake3.New()} }

// Write adds p to the hashed data. It never fails.
func (h *Hasher) Write(p []byte) (int, error) { return h.h.Write(p) }

// Sum returns the hash of everything written so far; writing may go on.
func (h *Hasher) Sum() cluster.Hash {
	var out cluster.Hash
	h.h.Sum(out[:0])
	return out
}

// Reset forgets everything written, to hash another block.
func (h *Hasher) Reset() { h.h.Reset() }
