package blockstore

import (
	"errors"
	"fmt"
	"github.com/garagego/garage/node/runtime/durable"
	"io"
	"io/fs"
	"iter"
	"math/bits"
	"os"
	"path/filepath"
	"sync"

	"github.com/garagego/garage/node/cluster"
	"go.uber.org/zap"
)

// Dir is one data directory, as in Garage's data_dir list.
type Dir struct {
	Path string
	// Capacity weighs how many new blocks the directory receives, relative
	// to the others; typically its size in bytes. Ignored when ReadOnly.
	Capacity uint64
	// ReadOnly directories are searched for blocks but never receive new
	// ones; Delete and Quarantine still act on the blocks they hold, so
	// garbage collection and scrub keep working while such a disk is being
	// drained.
	ReadOnly bool
}

// Options configures a Store.
type Options struct {
	Dirs []Dir
	// Fsync makes every write durable before it returns: the block file
	// and then its directory are fsynced (Garage's data_fsync).
	Fsync  bool
	Logger *zap.Logger
}

// Store keeps blocks as files on a node's data directories. All methods
// are safe for concurrent use. The caller must keep other processes out of
// the directories (the server holds a dirlock on each).
type Store struct {
	dirs    []Dir
	primary [numSlices]int // slice → index in dirs of its write target
	fsync   bool
	log     *zap.Logger
	// mutations of one hash (Write, Delete, Quarantine) are serialised, so
	// that a write's existence check and its rename are not interleaved with
	// a delete; reads need no lock since renames are atomic.
	locks [256]sync.Mutex
}

// Open checks every data directory (see the package doc on markers),
// creates missing writable ones, removes temporary files left by a crash
// and returns a Store over them.
func Open(opts Options) (*Store, error) {
	if len(opts.Dirs) == 0 {
		return nil, errors.New("blockstore: no data directory configured")
	}
	log := opts.Logger
	if log == nil {
		log = zap.NewNop()
	}
	dirs, capacities, err := validateDirs(opts.Dirs)
	if err != nil {
		return nil, fmt.Errorf("blockstore: %w", err)
	}
	for _, d := range dirs {
		if err := prepareDir(d, log); err != nil {
			return nil, fmt.Errorf("blockstore: data directory %s: %w", d.Path, err)
		}
		if !d.ReadOnly {
			if err := removeTempFiles(d.Path, log); err != nil {
				return nil, fmt.Errorf("blockstore: data directory %s: %w", d.Path, err)
			}
		}
	}
	return &Store{dirs: dirs, primary: assignSlices(capacities), fsync: opts.Fsync, log: log}, nil
}

// validateDirs cleans the paths and returns each directory's weight for
// slice assignment, zero for read-only ones.
func validateDirs(in []Dir) ([]Dir, []uint64, error) {
	dirs := make([]Dir, len(in))
	capacities := make([]uint64, len(in))
	seen := make(map[string]bool, len(in))
	var total uint64
	for i, d := range in {
		if d.Path == "" {
			return nil, nil, fmt.Errorf("data directory %d has no path", i)
		}
		abs, err := filepath.Abs(d.Path)
		if err != nil {
			return nil, nil, fmt.Errorf("data directory %s: %w", d.Path, err)
		}
		if seen[abs] {
			return nil, nil, fmt.Errorf("data directory %s listed twice", abs)
		}
		seen[abs] = true
		d.Path = abs
		dirs[i] = d
		if d.ReadOnly {
			continue
		}
		if d.Capacity == 0 {
			return nil, nil, fmt.Errorf("writable data directory %s needs a capacity", abs)
		}
		var carry uint64
		if total, carry = bits.Add64(total, d.Capacity, 0); carry != 0 {
			return nil, nil, errors.New("total data directory capacity overflows 64 bits")
		}
		capacities[i] = d.Capacity
	}
	if total == 0 {
		return nil, nil, ErrNoWritableDir
	}
	return dirs, capacities, nil
}

// candidates yields the paths where h may be stored, in search order: the
// primary directory of its slice first, then every other directory in
// configuration order; in each, the plain form before the compressed one.
func (s *Store) candidates(h cluster.Hash) iter.Seq2[string, bool] {
	return func(yield func(string, bool) bool) {
		first := s.primary[sliceOf(h)]
		visit := func(i int) bool {
			return yield(blockPath(s.dirs[i].Path, h, false), false) &&
				yield(blockPath(s.dirs[i].Path, h, true), true)
		}
		if !visit(first) {
			return
		}
		for i := range s.dirs {
			if i != first && !visit(i) {
				return
			}
		}
	}
}

func (s *Store) lock(h cluster.Hash) func() {
	// The last byte: the first ones also pick sub-directories and slices.
	mu := &s.locks[h[len(h)-1]]
	mu.Lock()
	return mu.Unlock
}

// find returns the path Read would use for h.
func (s *Store) find(h cluster.Hash) (path string, compressed bool, info fs.FileInfo, err error) {
	for p, c := range s.candidates(h) {
		fi, statErr := os.Stat(p)
		if statErr == nil {
			return p, c, fi, nil
		}
		if !errors.Is(statErr, fs.ErrNotExist) {
			return "", false, nil, fmt.Errorf("stat block %s: %w", h, statErr)
		}
	}
	return "", false, nil, fmt.Errorf("block %s: %w", h, ErrNotFound)
}

// Stat tells whether h is stored, in which form, and the stored size.
func (s *Store) Stat(h cluster.Hash) (present bool, compressed bool, size int64, err error) {
	_, compressed, info, err := s.find(h)
	if errors.Is(err, ErrNotFound) {
		return false, false, 0, nil
	}
	if err != nil {
		return false, false, 0, err
	}
	return true, compressed, info.Size(), nil
}

// Write stores data, already compressed when compressed is set, as block
// h in the primary directory of its slice. If h is stored already, in any
// directory or form, Write does nothing: the content is the same by
// construction. Write does not check data against h; Verify does.
func (s *Store) Write(h cluster.Hash, data []byte, compressed bool) error {
	defer s.lock(h)()
	present, _, _, err := s.Stat(h)
	if err != nil {
		return fmt.Errorf("write block: %w", err)
	}
	if present {
		return nil
	}
	path := blockPath(s.dirs[s.primary[sliceOf(h)]].Path, h, compressed)
	err = writeFileAtomic(path, data, s.fsync)
	if errors.Is(err, fs.ErrNotExist) {
		// Sub-directories are made on first use; trying the write first
		// saves two system calls on every later write.
		leaf := filepath.Dir(path)
		if err = ensureDir(filepath.Dir(leaf), s.fsync); err == nil {
			if err = ensureDir(leaf, s.fsync); err == nil {
				err = writeFileAtomic(path, data, s.fsync)
			}
		}
	}
	if err != nil {
		return fmt.Errorf("write block %s: %w", h, err)
	}
	return nil
}

// open opens the file Read would use for h.
func (s *Store) open(h cluster.Hash) (f *os.File, path string, compressed bool, err error) {
	for p, c := range s.candidates(h) {
		file, openErr := os.Open(p)
		if openErr == nil {
			return file, p, c, nil
		}
		if !errors.Is(openErr, fs.ErrNotExist) {
			return nil, "", false, fmt.Errorf("open block %s: %w", h, openErr)
		}
	}
	return nil, "", false, fmt.Errorf("block %s: %w", h, ErrNotFound)
}

// Open opens block h for streaming; size is the stored (possibly
// compressed) size. The caller closes the reader.
func (s *Store) Open(h cluster.Hash) (r io.ReadCloser, compressed bool, size int64, err error) {
	f, path, compressed, err := s.open(h)
	if err != nil {
		return nil, false, 0, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, false, 0, fmt.Errorf("stat %s: %w", path, err)
	}
	return f, compressed, info.Size(), nil
}

// Read returns block h as stored: compressed bytes when compressed is set.
func (s *Store) Read(h cluster.Hash) (data []byte, compressed bool, err error) {
	data, _, compressed, err = s.read(h)
	return data, compressed, err
}

func (s *Store) read(h cluster.Hash) (data []byte, path string, compressed bool, err error) {
	f, path, compressed, err := s.open(h)
	if err != nil {
		return nil, "", false, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, "", false, fmt.Errorf("stat %s: %w", path, err)
	}
	data = make([]byte, info.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, "", false, fmt.Errorf("read %s: %w", path, err)
	}
	return data, path, compressed, nil
}

// Delete removes every stored copy of h, in all directories and both
// forms. A block that is not stored is not an error.
func (s *Store) Delete(h cluster.Hash) error {
	defer s.lock(h)()
	var errs []error
	for i := range s.dirs {
		removed := false
		for _, compressed := range []bool{false, true} {
			err := os.Remove(blockPath(s.dirs[i].Path, h, compressed))
			switch {
			case err == nil:
				removed = true
			case !errors.Is(err, fs.ErrNotExist):
				errs = append(errs, err)
			}
		}
		if removed && s.fsync {
			if err := durable.SyncDir(filepath.Join(s.dirs[i].Path, subdir(h))); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("delete block %s: %w", h, err)
	}
	return nil
}

// Quarantine sets aside the copy of h that Read returns, renaming it with
// a ".corrupted" suffix: it stays on disk for inspection but is no longer a
// block. Another copy, if any, becomes the one Read returns.
func (s *Store) Quarantine(h cluster.Hash) error {
	defer s.lock(h)()
	path, _, _, err := s.find(h)
	if err != nil {
		return fmt.Errorf("quarantine: %w", err)
	}
	if err := os.Rename(path, path+corruptedSuffix); err != nil {
		return fmt.Errorf("quarantine block %s: %w", h, err)
	}
	s.log.Warn("quarantined block", zap.String("file", path+corruptedSuffix))
	if s.fsync {
		if err := durable.SyncDir(filepath.Dir(path)); err != nil {
			return fmt.Errorf("quarantine block %s: %w", h, err)
		}
	}
	return nil
}
