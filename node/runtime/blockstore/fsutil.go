package blockstore

import (
	"errors"
	"fmt"
	"github.com/garagego/garage/node/runtime/durable"
	"io/fs"
	"os"
	"path/filepath"
)

// ensureDir creates dir if missing. When persist is set, a newly made dir is
// persisted in its parent, which must already exist.
func ensureDir(dir string, persist bool) error {
	err := os.Mkdir(dir, 0o700)
	switch {
	case errors.Is(err, fs.ErrExist):
		return nil
	case err != nil:
		return fmt.Errorf("create directory: %w", err)
	case persist:
		return durable.SyncDir(filepath.Dir(dir))
	}
	return nil
}

// writeFileAtomic puts data at path so that a crash leaves either no file
// or the whole of it: a temporary file in the same directory, renamed into
// place. When persist is set, the file and then its directory are fsynced.
func writeFileAtomic(path string, data []byte, persist bool) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".*"+tempSuffix)
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", f.Name(), err)
	}
	if persist {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("fsync %s: %w", f.Name(), err)
		}
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", f.Name(), err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("rename into place: %w", err)
	}
	if persist {
		return durable.SyncDir(dir)
	}
	return nil
}
