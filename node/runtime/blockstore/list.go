package blockstore

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"

	"github.com/garagego/garage/node/cluster"
)

// List returns up to limit stored blocks whose hashes are strictly greater
// than after, in increasing order, each once however many copies exist.
// Walking everything in batches: start with ListFrom(cluster.Hash{}, n),
// then call List with the last hash of each batch until a batch is empty.
// The walk reads one sub-directory at a time, so memory stays bounded by
// the batch; blocks written or deleted during a walk may or may not be seen.
func (s *Store) List(after cluster.Hash, limit int) ([]cluster.Hash, error) {
	return s.list(after, false, limit)
}

// ListFrom is List including start itself; ListFrom(cluster.Hash{}, n)
// starts a walk at the beginning of the hash space.
func (s *Store) ListFrom(start cluster.Hash, limit int) ([]cluster.Hash, error) {
	return s.list(start, true, limit)
}

func (s *Store) list(start cluster.Hash, inclusive bool, limit int) ([]cluster.Hash, error) {
	if limit <= 0 {
		return nil, errors.New("list blocks: limit must be positive")
	}
	keep := func(h cluster.Hash) bool {
		c := bytes.Compare(h[:], start[:])
		return c > 0 || (inclusive && c == 0)
	}
	// Which first-level sub-directories each data directory has, and the
	// second-level ones under the first-level being walked: listing them
	// replaces up to 256 failed opens each in a sparse store.
	tops := make([]byteDirSet, len(s.dirs))
	for i, d := range s.dirs {
		var err error
		if tops[i], err = readByteDirs(d.Path); err != nil {
			return nil, err
		}
	}
	subs := make([]byteDirSet, len(s.dirs))

	out := make([]cluster.Hash, 0, min(limit, 1024))
	var found []cluster.Hash
	// Hash order is sub-directory order: walk <h[0]>/<h[1]> from start's.
	for leaf := int(start[0])<<8 | int(start[1]); leaf < 1<<16 && len(out) < limit; leaf++ {
		b0, b1 := byte(leaf>>8), byte(leaf)
		top := hex.EncodeToString([]byte{b0})
		if b1 == 0 || leaf == int(start[0])<<8|int(start[1]) {
			for i, d := range s.dirs {
				subs[i] = byteDirSet{}
				if tops[i][b0] {
					var err error
					if subs[i], err = readByteDirs(filepath.Join(d.Path, top)); err != nil {
						return nil, err
					}
				}
			}
		}
		found = found[:0]
		for i, d := range s.dirs {
			if !subs[i][b1] {
				continue
			}
			names, err := readNames(filepath.Join(d.Path, top, hex.EncodeToString([]byte{b1})))
			if err != nil {
				return nil, err
			}
			for _, name := range names {
				// A block file in the wrong sub-directory is not found by
				// Read either, so it is not listed.
				if h, _, ok := parseBlockName(name); ok && h[0] == b0 && h[1] == b1 && keep(h) {
					found = append(found, h)
				}
			}
		}
		slices.SortFunc(found, func(a, b cluster.Hash) int { return bytes.Compare(a[:], b[:]) })
		found = slices.Compact(found)
		out = append(out, found[:min(len(found), limit-len(out))]...)
	}
	return out, nil
}

// Usage counts the stored block files and their total size on disk.
// A block stored in two directories counts twice: this is disk usage.
func (s *Store) Usage() (blocks int, size int64, err error) {
	for _, d := range s.dirs {
		err := forEachLeaf(d.Path, func(leaf string, names []string) error {
			for _, name := range names {
				if _, _, ok := parseBlockName(name); !ok {
					continue
				}
				info, err := os.Stat(filepath.Join(leaf, name))
				if err != nil {
					continue // deleted since listed
				}
				blocks++
				size += info.Size()
			}
			return nil
		})
		if err != nil {
			return 0, 0, err
		}
	}
	return blocks, size, nil
}
