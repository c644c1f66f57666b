package blockstore

import (
	"encoding/hex"
	"path/filepath"
	"strings"

	"github.com/garagego/garage/node/cluster"
)

// File names inside a data directory. A block lives at
// <dir>/<hex h[0]>/<hex h[1]>/<hex h>, with compressedSuffix when stored
// compressed. Writes go through <final name>.<random>.tmp in the same
// sub-directory; quarantined blocks keep their name plus corruptedSuffix.
const (
	compressedSuffix = ".zst"
	tempSuffix       = ".tmp"
	corruptedSuffix  = ".corrupted"
)

// subdir is the directory, relative to a data directory, holding h.
func subdir(h cluster.Hash) string {
	return filepath.Join(hex.EncodeToString(h[0:1]), hex.EncodeToString(h[1:2]))
}

// blockPath is where h is stored under root, in the given form.
func blockPath(root string, h cluster.Hash, compressed bool) string {
	name := hex.EncodeToString(h[:])
	if compressed {
		name += compressedSuffix
	}
	return filepath.Join(root, subdir(h), name)
}

// parseBlockName recognises the file name of a stored block. Temporary,
// quarantined and any other files are not blocks.
func parseBlockName(name string) (h cluster.Hash, compressed bool, ok bool) {
	base, compressed := strings.CutSuffix(name, compressedSuffix)
	if len(base) != 2*len(h) || strings.ToLower(base) != base {
		return h, false, false
	}
	if _, err := hex.Decode(h[:], []byte(base)); err != nil {
		return h, false, false
	}
	return h, compressed, true
}
