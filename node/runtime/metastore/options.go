package metastore

import (
	"fmt"

	"go.uber.org/zap"
)

// FsyncPolicy says when committed batches reach stable storage.
type FsyncPolicy int

const (
	// FsyncEveryCommit fsyncs the log before Commit returns, so a batch the
	// node has acknowledged survives power loss. It costs one fsync per
	// batch, which bounds the commit rate by the disk's flush latency.
	FsyncEveryCommit FsyncPolicy = iota

	// FsyncNever hands writes to the operating system and returns. A crash
	// of the process loses nothing (the kernel holds the data), but power
	// loss or a kernel panic loses the batches written since the last Sync,
	// including ones the node has already acknowledged. Garage makes this
	// its default (metadata_fsync = false) because every write also lives
	// on other replicas, which repair a node that comes back behind. Call
	// Sync periodically to bound the window.
	FsyncNever
)

// String names the policy as it appears in benchmarks and logs.
func (p FsyncPolicy) String() string {
	switch p {
	case FsyncEveryCommit:
		return "every"
	case FsyncNever:
		return "never"
	default:
		return fmt.Sprintf("FsyncPolicy(%d)", int(p))
	}
}

// DefaultSnapshotEvery is the default Options.SnapshotEvery.
const DefaultSnapshotEvery = 100_000

// defaultSegmentSize is smaller than tidwall/wal's own (20 MiB) because the
// whole tail segment is held in memory: a node should not spend 20 MiB on it.
const defaultSegmentSize = 4 << 20

// Options configure a Store.
type Options struct {
	// Fsync decides when Commit flushes to stable storage.
	Fsync FsyncPolicy
	// SnapshotEvery is how many records may be committed after the newest
	// snapshot before NeedsSnapshot advises a new one. It bounds what a
	// restart replays. Zero means DefaultSnapshotEvery.
	SnapshotEvery int
	// Logger receives recovery warnings; nil discards them.
	Logger *zap.Logger

	// segmentSize overrides the log's segment size so that tests can
	// exercise many segments with little data.
	segmentSize int
}

func (o Options) withDefaults() (Options, error) {
	if o.Fsync != FsyncEveryCommit && o.Fsync != FsyncNever {
		return o, fmt.Errorf("metastore: unknown fsync policy %v", o.Fsync)
	}
	if o.SnapshotEvery <= 0 {
		o.SnapshotEvery = DefaultSnapshotEvery
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.segmentSize <= 0 {
		o.segmentSize = defaultSegmentSize
	}
	return o, nil
}
