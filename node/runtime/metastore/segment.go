package metastore

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"go.uber.org/zap"
)

// tidwall/wal v1.2.1 names each segment file after the index of its first
// entry, zero-padded to 20 digits, and frames each entry in its binary
// format as uvarint(len(data)) followed by data. Recovery reads segments
// with this file's scanner rather than through wal.Log.Read, which cannot
// tell a damaged segment from a missing one (see the package comment).
const segmentNameLen = 20

// segment is one log segment file.
type segment struct {
	first uint64 // index of its first entry
	path  string
}

func segmentPath(logDir string, first uint64) string {
	return filepath.Join(logDir, fmt.Sprintf("%0*d", segmentNameLen, first))
}

// parseSegmentName returns the first index a segment file name stands for.
func parseSegmentName(name string) (uint64, bool) {
	if len(name) != segmentNameLen {
		return 0, false
	}
	first, err := strconv.ParseUint(name, 10, 64)
	return first, err == nil && first > 0
}

// listSegments returns the log's segment files in index order.
func listSegments(logDir string) ([]segment, error) {
	entries, err := os.ReadDir(logDir)
	if err != nil {
		return nil, fmt.Errorf("list log segments: %w", err)
	}
	var segs []segment
	for _, e := range entries { // sorted by name, which zero padding makes index order
		if first, ok := parseSegmentName(e.Name()); ok && e.Type().IsRegular() {
			segs = append(segs, segment{first: first, path: filepath.Join(logDir, e.Name())})
		}
	}
	return segs, nil
}

// hasUnfinishedTruncation reports leftover .START or .END files: the marks
// of a tidwall/wal truncation that Open could not complete.
func hasUnfinishedTruncation(logDir string) (bool, error) {
	entries, err := os.ReadDir(logDir)
	if err != nil {
		return false, fmt.Errorf("list log segments: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasSuffix(name, ".START") || strings.HasSuffix(name, ".END") {
			return true, nil
		}
	}
	return false, nil
}

// frameScanner walks the entries of one segment file.
type frameScanner struct {
	data    []byte
	off     int    // where the next frame starts
	start   int    // where the current frame starts
	payload []byte // the current frame's data
}

// next advances to the following frame. It returns false at the end of the
// data or at a frame that does not fit (a torn or malformed length prefix).
func (s *frameScanner) next() bool {
	s.start = s.off
	s.payload = nil
	if s.off >= len(s.data) {
		return false
	}
	size, n := binary.Uvarint(s.data[s.off:])
	if n <= 0 || size > uint64(len(s.data)-s.off-n) {
		return false
	}
	s.payload = s.data[s.off+n : s.off+n+int(size)]
	s.off += n + int(size)
	return true
}

// complete reports, once next has returned false, whether every byte
// belonged to a whole frame.
func (s *frameScanner) complete() bool { return s.start == len(s.data) }

// frameLen is the on-disk size of an entry with a payload of n bytes.
func frameLen(n int) int {
	var buf [binary.MaxVarintLen64]byte
	return binary.PutUvarint(buf[:], uint64(n)) + n
}

// findIntactFrame returns the offset of the first frame at or after from
// that holds an intact entry, probing every byte offset since damage may
// have shifted the framing; -1 if there is none.
func findIntactFrame(data []byte, from int) int {
	for p := from; p < len(data); p++ {
		size, n := binary.Uvarint(data[p:])
		if n <= 0 || size < minEntryLen || size > uint64(len(data)-p-n) {
			continue
		}
		payload := data[p+n : p+n+int(size)]
		// The version byte rejects almost every false start before the
		// comparatively costly checksum.
		if payload[0] == entryVersion && entryIntact(payload) {
			return p
		}
	}
	return -1
}

// tornTail is the damaged end of the last segment.
type tornTail struct {
	seg   segment
	index uint64 // first entry lost
	at    int    // byte offset where the damage starts
	size  int    // file size
}

// findTornTail inspects the last segment. The first entry that is cut short
// or fails its checksum starts a torn tail if nothing intact follows it:
// that is what a crash in the middle of a write leaves, and only the last
// segment can hold one, because tidwall/wal fsyncs a segment before starting
// the next. An intact entry after a damaged one means the damage is not
// from a crash; that is reported as corruption.
func findTornTail(logDir string) (*tornTail, error) {
	segs, err := listSegments(logDir)
	if err != nil || len(segs) == 0 {
		return nil, err
	}
	last := segs[len(segs)-1]
	data, err := os.ReadFile(last.path)
	if err != nil {
		return nil, fmt.Errorf("read log segment: %w", err)
	}
	sc := frameScanner{data: data}
	index := last.first
	for sc.next() && entryIntact(sc.payload) {
		index++
	}
	if sc.complete() {
		return nil, nil
	}
	if p := findIntactFrame(data, sc.start+1); p >= 0 {
		return nil, corruptf("log segment %s, entry %d: damaged at byte %d, yet an intact entry follows at byte %d",
			last.path, index, sc.start, p)
	}
	return &tornTail{seg: last, index: index, at: sc.start, size: len(data)}, nil
}

// drop cuts the torn tail off its segment so that appends resume after the
// last intact entry.
func (t *tornTail) drop(logger *zap.Logger) error {
	f, err := os.OpenFile(t.seg.path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("open log segment to drop its torn tail: %w", err)
	}
	if err := f.Truncate(int64(t.at)); err != nil {
		f.Close()
		return fmt.Errorf("drop torn tail of %s: %w", t.seg.path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("fsync %s after dropping its torn tail: %w", t.seg.path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", t.seg.path, err)
	}
	logger.Warn("metastore: dropped the torn tail of the log, left by an interrupted write",
		zap.String("segment", t.seg.path),
		zap.Uint64("first_dropped_entry", t.index),
		zap.Int("bytes_dropped", t.size-t.at))
	return nil
}
