// Package metastore makes a node's metadata durable: it appends the
// batches of meta.Records the node's event loop produces to a write-ahead
// log, writes periodic snapshots of the whole map, and on start recovers a
// meta.Store from the newest snapshot and the log after it. It does I/O
// and is not part of the deterministic core.
//
// # On disk
//
//	dir/LOCK                        flock held while a Store is open
//	dir/log/<20-digit index>        tidwall/wal segments; one entry per batch
//	dir/snapshot-<20-digit index>   the map after log entry <index>
//
// A log entry's data is a version byte, the batch (record count, then each
// meta.Record as node/wire encodes it) and a CRC32C of both. A snapshot has
// a header (magic, version, the log index it covers, record count), the
// records, and a CRC32C of the whole. Writing a snapshot goes through a
// temporary file that is fsynced, renamed into place and made durable with
// a directory fsync; the log is then truncated to start just after the
// previous snapshot. So two snapshots are kept, and the log since the older
// one: if the newest is found damaged, recovery falls back on the older one
// (or the empty map while the log still starts at entry 1) and replays
// more. A normal restart reads only the newest snapshot and the entries
// after it.
//
// # What tidwall/wal v1.2.1 does, and what it leaves to this package
//
// Its binary segments frame each entry as uvarint(length) then the data,
// with no checksum and no index: a flipped data byte goes unnoticed, and a
// flipped length byte shifts the framing of what follows. Segments are
// named by their first index. Open parses only the last segment (to find
// the last index) and returns wal.ErrCorrupt, refusing to open at all, if
// its final entry is cut short; it offers no repair. Zeros at the end of a
// segment — what a power loss can leave after the file grew — parse as
// valid empty entries. Earlier segments are read lazily by Read, which
// reports a framing error as ErrCorrupt but cannot see a missing segment
// file: the index arithmetic then runs past the segment's entries and
// panics. Open also returns ErrCorrupt when both a .START and an .END file
// are present (an interrupted TruncateFront and TruncateBack); either alone
// it completes. TruncateFront(i) makes entry i the first: it copies the rest
// of i's segment to a fsynced .START file, deletes the older segments and
// renames the file into place. NoSync skips the fsync after each write,
// though a full segment is always fsynced before the next is created;
// the directory is never fsynced. SegmentSize is a target: a segment is
// closed once a write takes it to that size, and the tail segment is held
// whole in memory. NoCopy only makes Read return slices of that buffer,
// and LogFormat JSON is a larger, human-readable alternative to Binary.
//
// This package therefore checksums every entry itself, fsyncs the log
// directory when a new segment appears, and reads segment files with its
// own scanner when recovering, checking that consecutive segments meet
// without a gap. Before handing the log to tidwall/wal it inspects the last
// segment: the first entry there that is cut short or fails its checksum
// begins a torn tail when no intact entry follows it anywhere in the file.
// Such a tail is what a crash during a write leaves (a full segment is
// fsynced before the next exists, so only the last can have one); it is
// cut off with a logged warning and appends continue after the last intact
// entry. Any other damage — an intact entry after a damaged one, a bad
// entry in an earlier segment, a gap between segments, a log that starts
// after every intact snapshot — fails Open with an error that names the
// file and the log index and wraps ErrCorrupt. Data is never skipped.
//
// # Durability and concurrency
//
// Commit writes one batch as one log entry and, with FsyncEveryCommit,
// fsyncs before returning; FsyncNever trades that for throughput (see
// FsyncPolicy). After a failed write or fsync a Store refuses further
// writes: the state of the file is unknown, and the node must recover by
// reopening. Commits are serialised by the caller. BeginSnapshot fixes the
// log position of a snapshot on the committing goroutine; the returned job
// may then be written on another goroutine while Commits go on.
//
// Locking uses flock(2), so the package runs on Unix-like systems.
package metastore
