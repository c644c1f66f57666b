// Package blockstore keeps a node's data blocks as files on its data
// directories. A block is a chunk of an object, at most block_size bytes,
// named by the hash of its plaintext (Sum) and stored either as is or
// zstd-compressed. The package does I/O and is not part of the
// deterministic core: the node asks for block I/O through effects, and the
// runtime calls a Store from worker goroutines.
//
// # Block hash
//
// Sum is BLAKE3-256 (github.com/zeebo/blake3), chosen over BLAKE2b-256,
// which Garage uses, because it is over twice as fast on a 4 KiB tail
// block and five times as fast on a full 1 MiB block. BenchmarkHash on the 2-core AMD EPYC development machine
// (AVX-512; ranges over three runs on a shared host):
//
//	          4 KiB           1 MiB
//	BLAKE3    1130–1310 MB/s  2770–3110 MB/s
//	BLAKE2b    510–570 MB/s    520–570 MB/s
//
// lukechampine.com/blake3 v1.4.1 was also measured: slightly faster on
// 1 MiB (≈3300–3600 MB/s) but 180 MB/s on 4 KiB, so zeebo's is used. Block
// hashes are therefore not Garage's, nor cluster.Sum: whoever names a
// block must use Sum or a Hasher.
//
// # On disk
//
//	<dir>/garage-marker                     random id; identifies a block store
//	<dir>/<hex h[0]>/<hex h[1]>/<hex h>     a plain block
//	<dir>/<hex h[0]>/<hex h[1]>/<hex h>.zst a compressed block
//	... .corrupted                          a quarantined block, never read again
//	... .<random>.tmp                       a write in progress
//
// A write goes to a temporary file in the block's sub-directory, renamed
// into place; with Options.Fsync the file is fsynced before the rename and
// the directory after it (and after creating a sub-directory). A crash thus
// leaves at most a temporary file, never a partial block under a block
// name, and Open removes such files from the writable directories.
//
// # Several data directories
//
// As in Garage, the hash space is cut into 1024 slices by bytes 2–3 of the
// hash. Each slice has one primary writable directory; slices are shared
// out in proportion to capacity by largest remainder, as contiguous runs in
// configuration order, so the same configuration always places blocks the
// same way. New blocks go to their slice's primary directory. Reads look
// there first, then in every other directory, so blocks stay reachable
// after capacities change, directories are added or reordered, or a
// directory is made read-only; moving them back to their primary (Garage's
// rebalance) is not this package's job. Read-only directories never receive
// blocks, a marker or any other new file, but Delete and Quarantine act on
// the blocks they hold. At least one writable directory is required.
//
// Every directory carries a garage-marker file, written (durably) when a
// writable directory is first used. It guards against mounting the wrong
// disk: Open refuses a directory that holds anything but the marker, a
// dirlock LOCK file or lost+found when it has no marker, since it is
// someone else's data (or a fresh disk mounted where blocks were
// expected). An existing marker must be a readable, non-empty file.
//
// # Integrity
//
// Compressed blocks are single zstd frames with a content checksum.
// Verify (or Check, on bytes already in hand) decompresses where needed
// and compares the plaintext's hash with the block's name; a mismatch or an
// undecodable frame is ErrCorrupt, and Quarantine then sets the file aside.
// Write trusts its caller: it neither hashes nor decodes what it stores.
//
// # Concurrency
//
// All methods are safe for concurrent use. Mutations of one hash are
// serialised by a lock sharded over 256 mutexes; reads take no lock, since
// a block file appears whole by rename and an open file survives deletion.
// The package does not lock the directories against other processes: the
// server holds a dirlock on each data directory.
package blockstore
