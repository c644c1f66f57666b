package blockstore

import "errors"

var (
	// ErrNotFound reports a block stored in none of the data directories.
	ErrNotFound = errors.New("block not found")

	// ErrCorrupt reports a stored block whose content does not hash to its
	// name, or a compressed block that does not decode. The wrapping error
	// names the file.
	ErrCorrupt = errors.New("corrupt block")

	// ErrNoWritableDir reports a configuration in which every data directory
	// is read-only, so no block could ever be written.
	ErrNoWritableDir = errors.New("no writable data directory")

	// ErrForeignData reports a data directory that holds files but no
	// garage-marker: most likely the wrong disk is mounted there.
	ErrForeignData = errors.New("data directory holds foreign data")
)
