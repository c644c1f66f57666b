// Package dirlock keeps two garage processes from using one directory: an
// exclusive flock on dir/LOCK. A flock belongs to an open file description,
// so a second lock conflicts even within one process, and the kernel drops
// it when the process dies: a crash leaves no stale lock.
package dirlock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// ErrLocked reports a directory held by another garage process.
var ErrLocked = errors.New("directory in use by another garage process")

const fileName = "LOCK"

// Lock holds one directory.
type Lock struct{ f *os.File }

// Acquire locks dir, which must exist.
func Acquire(dir string) (*Lock, error) {
	path := filepath.Join(dir, fileName)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s (flock held on %s)", ErrLocked, dir, path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &Lock{f: f}, nil
}

// Release frees the directory.
func (l *Lock) Release() error {
	// Closing the only descriptor releases the flock; unlocking first makes
	// the release explicit and independent of descriptor sharing.
	unlockErr := syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	closeErr := l.f.Close()
	if unlockErr != nil {
		return fmt.Errorf("unlock %s: %w", l.f.Name(), unlockErr)
	}
	return closeErr
}
