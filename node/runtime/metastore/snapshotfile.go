package metastore

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/garagego/garage/node/runtime/durable"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/garagego/garage/node/meta"
	"github.com/garagego/garage/node/wire"
)

// A snapshot file is
//
//	magic (8) | version (1) | log index covered (8) | record count (8)
//	count × (uvarint length | meta.Record.Encode of a put)
//	CRC32C of everything above (4)
//
// with fixed-size integers big-endian. Records are length-prefixed so that
// a reader can stream them; the whole file is checked before it is trusted.
const (
	snapshotPrefix    = "snapshot-"
	tempSuffix        = ".tmp"
	snapshotMagic     = "GGMSNAP\x00"
	snapshotVersion   = 1
	snapshotHeaderLen = len(snapshotMagic) + 1 + 8 + 8
	// maxSnapshotRecordLen bounds a record's length prefix: a key and a
	// value each within wire.MaxLen, plus their length prefixes.
	maxSnapshotRecordLen = 2*wire.MaxLen + 32
	snapshotBufferSize   = 1 << 20
)

// snapshotFile is one snapshot on disk.
type snapshotFile struct {
	index uint64 // last log index it covers
	path  string
}

func snapshotPath(dir string, index uint64) string {
	return filepath.Join(dir, fmt.Sprintf("%s%020d", snapshotPrefix, index))
}

// listSnapshots returns the snapshot files in dir, newest first.
func listSnapshots(dir string) ([]snapshotFile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list snapshots: %w", err)
	}
	var snaps []snapshotFile
	for _, e := range entries {
		digits, ok := strings.CutPrefix(e.Name(), snapshotPrefix)
		if !ok || len(digits) != 20 || !e.Type().IsRegular() {
			continue
		}
		if index, err := strconv.ParseUint(digits, 10, 64); err == nil {
			snaps = append(snaps, snapshotFile{index: index, path: filepath.Join(dir, e.Name())})
		}
	}
	slices.Reverse(snaps) // names sort by index
	return snaps, nil
}

// removeSnapshotsExcept deletes every snapshot but the ones at keep.
func removeSnapshotsExcept(dir string, keep ...uint64) error {
	snaps, err := listSnapshots(dir)
	if err != nil {
		return err
	}
	for _, sf := range snaps {
		if !slices.Contains(keep, sf.index) {
			if err := os.Remove(sf.path); err != nil {
				return fmt.Errorf("remove old snapshot: %w", err)
			}
		}
	}
	return nil
}

// removeTempSnapshots deletes snapshots left half-written by a crash.
func removeTempSnapshots(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("list snapshots: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, snapshotPrefix) && strings.HasSuffix(name, tempSuffix) {
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				return fmt.Errorf("remove unfinished snapshot: %w", err)
			}
		}
	}
	return nil
}

// writeSnapshotFile writes snap as the snapshot covering the log up to
// index. The file appears under its final name only once complete and
// durable, so a crash leaves either the old set of snapshots or the new one.
func writeSnapshotFile(dir string, index uint64, snap *meta.Snapshot) (err error) {
	final := snapshotPath(dir, index)
	tmp := final + tempSuffix
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("create snapshot: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()

	sum := &crcWriter{w: f}
	w := bufio.NewWriterSize(sum, snapshotBufferSize)
	header := make([]byte, 0, snapshotHeaderLen)
	header = append(header, snapshotMagic...)
	header = append(header, snapshotVersion)
	header = binary.BigEndian.AppendUint64(header, index)
	header = binary.BigEndian.AppendUint64(header, uint64(snap.Len()))
	w.Write(header) // bufio.Writer errors are sticky and surface at Flush

	var rec []byte
	var lenBuf [binary.MaxVarintLen64]byte
	written := 0
	snap.Each(func(key string, value []byte) bool {
		e := wire.NewEncoder(rec[:0])
		meta.Record{Key: key, Value: value}.Encode(e)
		rec = e.Bytes()
		w.Write(lenBuf[:binary.PutUvarint(lenBuf[:], uint64(len(rec)))])
		w.Write(rec)
		written++
		return true
	})
	if written != snap.Len() {
		return fmt.Errorf("snapshot yielded %d records but reports %d", written, snap.Len())
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write snapshot %s: %w", tmp, err)
	}
	if _, err := f.Write(binary.BigEndian.AppendUint32(nil, sum.crc)); err != nil {
		return fmt.Errorf("write snapshot %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("fsync snapshot %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close snapshot %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("install snapshot: %w", err)
	}
	return durable.SyncDir(dir)
}

// readSnapshot loads the snapshot at sf into a fresh store. Damage yields
// an error wrapping ErrCorrupt; the partly filled store is then discarded.
func readSnapshot(sf snapshotFile) (*meta.Store, error) {
	f, err := os.Open(sf.path)
	if err != nil {
		return nil, fmt.Errorf("open snapshot: %w", err)
	}
	defer f.Close()
	damaged := func(format string, args ...any) error {
		return corruptf("snapshot %s (log index %d): %s", sf.path, sf.index, fmt.Sprintf(format, args...))
	}
	// A short read or a malformed length is damage; a failing disk is not.
	readFailed := func(what string, err error) error {
		var pathErr *os.PathError
		if errors.As(err, &pathErr) {
			return fmt.Errorf("read snapshot %s: %w", sf.path, err)
		}
		return damaged("%s: %v", what, err)
	}

	r := &crcReader{r: bufio.NewReaderSize(f, snapshotBufferSize)}
	header := make([]byte, snapshotHeaderLen)
	if _, err := io.ReadFull(r, header); err != nil {
		return nil, readFailed("header", err)
	}
	if string(header[:len(snapshotMagic)]) != snapshotMagic {
		return nil, damaged("bad magic")
	}
	if v := header[len(snapshotMagic)]; v != snapshotVersion {
		return nil, damaged("unsupported format version %d", v)
	}
	if index := binary.BigEndian.Uint64(header[len(snapshotMagic)+1:]); index != sf.index {
		return nil, damaged("header says log index %d", index)
	}
	count := binary.BigEndian.Uint64(header[len(snapshotMagic)+9:])

	store := meta.New()
	var buf []byte
	for i := range count {
		n, err := binary.ReadUvarint(r)
		if err != nil {
			return nil, readFailed(fmt.Sprintf("record %d length", i), err)
		}
		if n > maxSnapshotRecordLen {
			return nil, damaged("record %d: length %d out of bounds", i, n)
		}
		buf = slices.Grow(buf[:0], int(n))[:n]
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, readFailed(fmt.Sprintf("record %d", i), err)
		}
		d := wire.NewDecoder(buf)
		rec := meta.DecodeRecord(d)
		if err := d.Finish(); err != nil {
			return nil, damaged("record %d: %v", i, err)
		}
		if rec.Delete {
			return nil, damaged("record %d is a delete", i)
		}
		store.Replay(rec)
	}
	want := r.crc
	var trailer [crcLen]byte
	if _, err := io.ReadFull(r.r, trailer[:]); err != nil {
		return nil, readFailed("checksum", err)
	}
	if got := binary.BigEndian.Uint32(trailer[:]); got != want {
		return nil, damaged("%v", errChecksum)
	}
	if _, err := r.r.ReadByte(); err != io.EOF {
		if err != nil {
			return nil, readFailed("end", err)
		}
		return nil, damaged("trailing bytes after the checksum")
	}
	if uint64(store.Len()) != count {
		return nil, damaged("%d records hold %d distinct keys", count, store.Len())
	}
	return store, nil
}

// crcWriter checksums what passes through it.
type crcWriter struct {
	w   io.Writer
	crc uint32
}

func (c *crcWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.crc = crc32.Update(c.crc, castagnoli, p[:n])
	return n, err
}

// crcReader checksums what is read through it, byte-wise reads included.
type crcReader struct {
	r   *bufio.Reader
	crc uint32
	one [1]byte
}

func (c *crcReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.crc = crc32.Update(c.crc, castagnoli, p[:n])
	return n, err
}

func (c *crcReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.one[0] = b
		c.crc = crc32.Update(c.crc, castagnoli, c.one[:])
	}
	return b, err
}
