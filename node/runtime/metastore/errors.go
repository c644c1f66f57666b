package metastore

import (
	"errors"
	"fmt"

	"github.com/garagego/garage/node/runtime/dirlock"
)

var (
	// ErrCorrupt reports damaged data on disk that recovery cannot attribute
	// to an interrupted write: an entry in the middle of the log failing its
	// checksum, a gap between log segments, a damaged snapshot with no older
	// one to fall back on. The wrapping error names the file and log index.
	ErrCorrupt = errors.New("metastore: corrupt data")

	// ErrLocked reports that another Store (in this process or another) has
	// the directory open.
	ErrLocked = dirlock.ErrLocked

	// ErrClosed reports a call on a closed Store.
	ErrClosed = errors.New("metastore: store closed")
)

// corruptf formats an error that wraps ErrCorrupt.
func corruptf(format string, args ...any) error {
	return fmt.Errorf("%w: %w", ErrCorrupt, fmt.Errorf(format, args...))
}
