package blockstore

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"go.uber.org/zap"
)

// isByteDirName recognises the two-hex-digit names of block sub-directories.
func isByteDirName(name string) bool {
	if len(name) != 2 || strings.ToLower(name) != name {
		return false
	}
	_, err := hex.DecodeString(name)
	return err == nil
}

// byteDirSet tells which two-hex-digit sub-directories a directory has.
type byteDirSet [256]bool

// readByteDirs lists the block sub-directories of dir; a missing dir has none.
func readByteDirs(dir string) (byteDirSet, error) {
	var set byteDirSet
	names, err := readNames(dir)
	if err != nil {
		return set, err
	}
	for _, n := range names {
		if isByteDirName(n) {
			b, _ := hex.DecodeString(n)
			set[b[0]] = true
		}
	}
	return set, nil
}

// readNames lists a directory; a missing one is empty.
func readNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open directory: %w", err)
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	return names, nil
}

// forEachLeaf calls fn with every <root>/<xx>/<yy> block sub-directory that
// exists, with the names it holds.
func forEachLeaf(root string, fn func(leaf string, names []string) error) error {
	tops, err := readNames(root)
	if err != nil {
		return err
	}
	for _, top := range tops {
		if !isByteDirName(top) {
			continue
		}
		subs, err := readNames(filepath.Join(root, top))
		if err != nil {
			return err
		}
		for _, sub := range subs {
			if !isByteDirName(sub) {
				continue
			}
			leaf := filepath.Join(root, top, sub)
			names, err := readNames(leaf)
			if err != nil {
				return err
			}
			if err := fn(leaf, names); err != nil {
				return err
			}
		}
	}
	return nil
}

// removeTempFiles deletes the temporary files that writes interrupted by a
// crash leave behind: they were never renamed, so they are not blocks.
func removeTempFiles(root string, log *zap.Logger) error {
	removed := 0
	removeIn := func(dir string, names []string) error {
		for _, name := range names {
			if !strings.HasSuffix(name, tempSuffix) {
				continue
			}
			if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("remove stale temporary file: %w", err)
			}
			removed++
		}
		return nil
	}
	top, err := readNames(root)
	if err != nil {
		return err
	}
	if err := removeIn(root, top); err != nil { // an interrupted marker write
		return err
	}
	if err := forEachLeaf(root, removeIn); err != nil {
		return err
	}
	if removed > 0 {
		log.Info("removed stale temporary files", zap.String("dir", root), zap.Int("count", removed))
	}
	return nil
}
