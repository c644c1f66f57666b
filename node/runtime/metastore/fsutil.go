package metastore

import (
	"fmt"
	"os"
)

// syncDir fsyncs a directory so that files created, renamed or removed in
// it survive power loss; fsyncing the files alone does not persist their
// names.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open directory for fsync: %w", err)
	}
	syncErr := d.Sync()
	closeErr := d.Close()
	if syncErr != nil {
		return fmt.Errorf("fsync directory %s: %w", dir, syncErr)
	}
	return closeErr
}
