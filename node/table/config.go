package table

import (
	"fmt"
	"time"
)

// Consistency is the cluster's consistency mode.
type Consistency uint8

const (
	// Consistent: read and write quorums intersect; read-after-write holds.
	Consistent Consistency = iota
	// Degraded: reads need one node; writes keep their quorum. Reads may be
	// stale, writes stay durable.
	Degraded
	// Dangerous: reads and writes need one node each.
	Dangerous
)

func (c Consistency) String() string {
	switch c {
	case Consistent:
		return "consistent"
	case Degraded:
		return "degraded"
	case Dangerous:
		return "dangerous"
	}
	return fmt.Sprintf("Consistency(%d)", uint8(c))
}

// ParseConsistency reads Garage's names for the modes.
func ParseConsistency(s string) (Consistency, error) {
	switch s {
	case "consistent", "":
		return Consistent, nil
	case "degraded":
		return Degraded, nil
	case "dangerous":
		return Dangerous, nil
	}
	return 0, fmt.Errorf("consistency mode %q: want consistent, degraded or dangerous", s)
}

// Quorums returns the read and write quorums for replication factor n:
// R = ceil(n/2) and W = n+1-R in consistent mode, so that R+W > n.
func (c Consistency) Quorums(n int) (read, write int) {
	read = (n + 1) / 2
	write = n + 1 - read
	switch c {
	case Degraded:
		read = 1
	case Dangerous:
		read, write = 1, 1
	}
	return read, write
}

// Bugs are deliberate faults that break the quorum logic. The simulator
// plants them to prove that its checker notices; nothing else sets them.
type Bugs struct {
	WriteQuorumOne bool // acknowledge a write after one replica
	ReadQuorumOne  bool // answer a read after one replica
	SkipReadJoin   bool // answer a read with the first reply instead of joining all
	// ReadNewestLayout reads from the newest layout version even before
	// its data was synced.
	ReadNewestLayout bool
	// WriteNewestOnly writes only to the newest layout version's nodes, as
	// if older versions retired the moment a new one was applied.
	WriteNewestOnly bool
	// NoAntiEntropy never compares replicas: a replica that missed a write
	// stays behind.
	NoAntiEntropy bool
	// GCSkipsConfirmation collects a tombstone once a write quorum of its
	// holders holds it, instead of all of them: a holder that missed the
	// deletion brings the old value back.
	GCSkipsConfirmation bool
	// GCIgnoresDelay collects a tombstone as soon as its holders confirm
	// it, without waiting for writes stamped before it still in flight.
	GCIgnoresDelay bool
	// OffloadQuorumOnly drops handed-over entries once a write quorum of
	// their new holders took them, instead of all of them.
	OffloadQuorumOnly bool
	// ReadJoinTies makes a read join break ties between entries its schema
	// calls equal (TieBreakBug) by keeping the first reply, not as Join
	// and anti-entropy do.
	ReadJoinTies bool
	// RangeOneTooMany lets a range read return the first key past the
	// bound where a replica stopped at its limit, a key no full read
	// quorum covered.
	RangeOneTooMany bool
}

// Config tunes the engine.
type Config struct {
	Consistency Consistency
	// RepairOnRead writes a read's joined value back to a write quorum
	// before answering when replicas disagreed, making reads monotonic.
	RepairOnRead bool
	// RequestTimeout bounds every quorum call.
	RequestTimeout time.Duration
	// SyncInterval is how often anti-entropy compares sharded tables with
	// every peer; FullCopySyncInterval the same for full-copy tables, which
	// are small and whose writes may miss one node.
	SyncInterval         time.Duration
	FullCopySyncInterval time.Duration
	// LocalReadMaxAge lets a full-copy table be read from this node's own
	// copy while an exchange with every peer completed that started at most
	// this long ago (fresh.go); 0 always reads with a quorum.
	LocalReadMaxAge time.Duration
	// FullCopyWriteLinger is how long a write to a full-copy table waits
	// for every holder before it settles for all but one (coordinator.go).
	FullCopyWriteLinger time.Duration
	// MaxSyncSessions bounds concurrent anti-entropy exchanges.
	MaxSyncSessions int
	// MaxSyncItems bounds the entries exchanged in one sync message.
	MaxSyncItems int
	// MaxRangeLimit caps the entries one replica returns to a range read.
	MaxRangeLimit int
	// TombstoneDelay is how long a tombstone is kept before collection
	// (0: never collected). It must outlast any write in flight.
	TombstoneDelay time.Duration
	// GCBatch bounds the tombstones of one collection round; MaxGCRounds
	// the rounds in flight.
	GCBatch     int
	MaxGCRounds int
	Bugs        Bugs
}

// DefaultConfig is the production default.
func DefaultConfig() Config {
	return Config{
		Consistency:          Consistent,
		RequestTimeout:       30 * time.Second,
		SyncInterval:         10 * time.Minute,
		FullCopySyncInterval: 10 * time.Second,
		LocalReadMaxAge:      30 * time.Second,
		FullCopyWriteLinger:  2 * time.Second,
		MaxSyncSessions:      8,
		MaxSyncItems:         1000,
		MaxRangeLimit:        1000,
		TombstoneDelay:       24 * time.Hour,
		GCBatch:              256,
		MaxGCRounds:          4,
	}
}
