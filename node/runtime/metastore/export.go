package metastore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/garagego/garage/node/runtime/durable"
)

// Engine names this store's format, as GetNodeInfo and the db_engine
// option do.
const Engine = "btree-wal"

// WriteTo writes the job's snapshot as a separate store in dir, which must
// not exist yet: a snapshot file and no log, which Open recovers as the
// state the job holds. The live store is not touched, so it may run
// alongside Commits and the store's own snapshots. A failure removes
// what it wrote; the store is never left half there under its name.
func (j *SnapshotJob) WriteTo(dir string) (err error) {
	if _, err := os.Lstat(dir); err == nil {
		return fmt.Errorf("metastore: export to %s: %w", dir, os.ErrExist)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("metastore: export to %s: %w", dir, err)
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return fmt.Errorf("metastore: export: %w", err)
	}
	// Written beside its final name, then renamed: a crash leaves a
	// temporary directory, never a partial store under the final name.
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return fmt.Errorf("metastore: export: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := writeSnapshotFile(tmp, j.index, j.snap); err != nil {
		return fmt.Errorf("metastore: export at log entry %d: %w", j.index, err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("metastore: export: %w", err)
	}
	return durable.SyncDir(parent)
}
