package blockstore

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.uber.org/zap"
)

// markerName is the file that identifies a directory as a block store. It
// guards against mounting the wrong disk: a directory that holds files but
// no marker is someone else's data, and Open refuses it rather than mixing
// blocks into it, or missing the blocks that should be there.
const markerName = "garage-marker"

// ignorableEntries may sit in a directory that has never held blocks: the
// server's dirlock file and ext4's lost+found on a fresh file system.
var ignorableEntries = map[string]bool{"LOCK": true, "lost+found": true}

// isMarkerTemp recognises what an interrupted marker write leaves; Open
// removes it afterwards with the other temporary files.
func isMarkerTemp(name string) bool {
	return strings.HasPrefix(name, markerName+".") && strings.HasSuffix(name, tempSuffix)
}

// prepareDir checks a data directory before use. A writable one is created
// if missing and marked if new; a read-only one must exist and is never
// written, not even a marker.
func prepareDir(d Dir, log *zap.Logger) error {
	if !d.ReadOnly {
		if err := os.MkdirAll(d.Path, 0o700); err != nil {
			return fmt.Errorf("create data directory: %w", err)
		}
	}
	entries, err := os.ReadDir(d.Path)
	if err != nil {
		return fmt.Errorf("read data directory: %w", err)
	}
	hasMarker, foreign := false, ""
	for _, e := range entries {
		switch {
		case e.Name() == markerName:
			hasMarker = true
		case ignorableEntries[e.Name()] || isMarkerTemp(e.Name()):
		case foreign == "":
			foreign = e.Name()
		}
	}
	marker := filepath.Join(d.Path, markerName)
	switch {
	case hasMarker:
		_, err := readMarker(marker)
		return err
	case foreign != "":
		return fmt.Errorf("%w: %s contains %q but no %s", ErrForeignData, d.Path, foreign, markerName)
	case d.ReadOnly:
		return nil // empty: nothing to read, and nothing may be written
	}
	id := make([]byte, 16)
	rand.Read(id)
	// Always durable: blocks must never be found in a directory whose
	// marker a power loss could erase.
	if err := writeFileAtomic(marker, []byte(hex.EncodeToString(id)+"\n"), true); err != nil {
		return fmt.Errorf("write %s: %w", marker, err)
	}
	log.Info("marked new data directory", zap.String("dir", d.Path))
	return nil
}

// readMarker returns the marker's content, which must be a non-empty
// regular file.
func readMarker(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("stat marker: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("marker %s is not a regular file", path)
	}
	id, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read marker: %w", err)
	}
	if len(id) == 0 {
		return nil, fmt.Errorf("marker %s is empty", path)
	}
	return id, nil
}
