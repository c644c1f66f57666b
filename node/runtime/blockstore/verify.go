package blockstore

import (
	"fmt"

	"github.com/garagego/garage/node/cluster"
)

// Verify reads the copy of h that Read returns and checks it with Check.
// It returns ErrNotFound if h is not stored, and an error wrapping
// ErrCorrupt and naming the file if the copy is bad; the caller then
// typically quarantines it and fetches the block again.
func (s *Store) Verify(h cluster.Hash) error {
	data, path, compressed, err := s.read(h)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	if err := Check(h, data, compressed); err != nil {
		return fmt.Errorf("verify block %s: file %s: %w", h, path, err)
	}
	return nil
}

// Check tells whether stored bytes are block h: the plaintext, after
// decompression with its zstd frame checksum checked, must hash to h. It
// suits callers that already hold the bytes, such as a block just read or
// received.
func Check(h cluster.Hash, stored []byte, compressed bool) error {
	plain := stored
	if compressed {
		var err error
		if plain, err = Decompress(stored); err != nil {
			return fmt.Errorf("%w: does not decompress: %w", ErrCorrupt, err)
		}
	}
	if got := Sum(plain); got != h {
		return fmt.Errorf("%w: content hashes to %s", ErrCorrupt, got)
	}
	return nil
}
