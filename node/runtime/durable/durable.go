// Package durable holds the file-system steps that make writes survive a
// power loss, shared by the metadata store and the block store.
package durable

import (
	"fmt"
	"os"
)

// SyncDir fsyncs a directory so that names created, renamed or removed in
// it survive power loss; fsyncing the files alone does not persist names.
func SyncDir(dir string) error {
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
