package sim

import (
	"slices"

	"github.com/garagego/garage/node/block"
	"github.com/garagego/garage/node/cluster"
)

// blockDisk is a node's simulated data directory. A block is durable once
// its write completed; a crash loses writes still in flight (the node's
// pending I/O is dropped with it). Faults can delete or corrupt a block, or
// wipe the whole directory.
type blockDisk struct {
	blocks map[cluster.Hash]storedBlock
}

type storedBlock struct {
	data       []byte
	compressed bool
	corrupt    bool // a flipped byte: reads and verifies fail the hash check
}

func newBlockDisk() *blockDisk { return &blockDisk{blocks: map[cluster.Hash]storedBlock{}} }

// perform runs one I/O request against the disk and returns its result.
// The simulator does not compress: the data is stored as given.
func (d *blockDisk) perform(req block.IORequest) block.IOResult {
	res := block.IOResult{ID: req.ID}
	b, present := d.blocks[req.Hash]
	switch req.Kind {
	case block.IOWrite:
		if !present || b.corrupt {
			d.blocks[req.Hash] = storedBlock{data: req.Data, compressed: req.Compressed}
		}
	case block.IORead:
		switch {
		case !present:
			res.Err = block.ErrNotFound
		case b.corrupt:
			res.Err = block.ErrCorrupt
		default:
			res.Data, res.Compressed = b.data, b.compressed
		}
	case block.IOStat:
		res.Present = present
	case block.IOVerify:
		switch {
		case !present:
			res.Err = block.ErrNotFound
		case b.corrupt:
			res.Err = block.ErrCorrupt
		}
	case block.IODelete, block.IOQuarantine:
		delete(d.blocks, req.Hash)
	case block.IOList:
		res.Hashes = d.list(req.After, req.First, req.Limit)
	}
	return res
}

// sorted returns the stored hashes in order (map order must not leak).
func (d *blockDisk) sorted() []cluster.Hash {
	hs := make([]cluster.Hash, 0, len(d.blocks))
	for h := range d.blocks {
		hs = append(hs, h)
	}
	slices.SortFunc(hs, func(a, b cluster.Hash) int { return compareHash(a, b) })
	return hs
}

func (d *blockDisk) list(after cluster.Hash, first bool, limit int) []cluster.Hash {
	var out []cluster.Hash
	for _, h := range d.sorted() {
		if !first && compareHash(h, after) <= 0 {
			continue
		}
		out = append(out, h)
		if len(out) == limit {
			break
		}
	}
	return out
}

func compareHash(a, b cluster.Hash) int {
	for i := range a {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}
