// Package block is the block manager: where the blocks of objects live and
// how they stay there.
//
// A block is a chunk of an object (at most block_size, 1 MiB by default)
// addressed by the hash of its plaintext; its partition is the hash's first
// byte, so its holders are the layout's nodes for that partition. Writing a
// block sends it to every holder and succeeds on a write quorum; reading
// tries the holders one at a time, this node first, then its zone, falling
// back on the next after an error or a timeout.
//
// Disk access is an effect: the manager asks the driver for I/O (write,
// read, stat, verify, delete, list, quarantine) through IORequests in the
// node's Ready and continues when the matching IOResult comes back.
//
// Each node counts, for the blocks of its partitions, the live references
// to them (from the block-reference table's hook). A resync queue, persisted
// in the metadata store, checks blocks whose count changed: a referenced
// block missing on disk is fetched from another holder; a block whose count
// stayed zero for GCDelay is deleted. Failures are recorded with exponential
// backoff. A scrub walks every stored block at a bounded rate, re-hashing
// it; a corrupt block is quarantined and fetched again.
//
// Deterministic core.
package block
