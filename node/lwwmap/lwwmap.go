// Package lwwmap is a replicated map of last-writer-wins registers — the
// object store's data model in miniature (the seed talk's "map of LWW
// registers") — built on the table engine. The simulator's workloads drive
// it to check read-after-write, write order and listing properties before
// the object model exists, and it stays as the reference client of the
// table engine.
//
// Each operation is a small state machine over quorum calls. A put or
// delete first reads the key from a read quorum and stamps the new write
// with max(now, newest stamp seen + 1): a write that starts after another
// was acknowledged is ordered after it even when the coordinators' clocks
// disagree. Deterministic core.
package lwwmap

import (
	"errors"
	"fmt"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/crdt"
	"github.com/garagego/garage/node/table"
	"github.com/garagego/garage/node/wire"
)

// TableID is the id of the registers table.
const TableID table.ID = 1

// Key addresses a register.
type Key = table.Key

// Put writes Value at Key.
type Put struct {
	Key   Key
	Value []byte
}

// Delete writes a tombstone at Key.
type Delete struct{ Key Key }

// Get reads the register at Key.
type Get struct{ Key Key }

// Range lists the live registers under one partition key with sort keys in
// [Start, End) (End "" = unbounded), at most Limit of them.
type Range struct {
	Partition  string
	Start, End string
	Limit      int
}

func (Put) OpName() string    { return "put" }
func (Delete) OpName() string { return "delete" }
func (Get) OpName() string    { return "get" }
func (Range) OpName() string  { return "range" }

// Written answers Put and Delete with the stamp the write was given.
type Written struct{ Stamp crdt.Stamp }

// Value answers Get. For a deleted register Found is false and Stamp is the
// tombstone's; for one never written, Stamp is zero.
type Value struct {
	Found bool
	Value []byte
	Stamp crdt.Stamp
}

// Entry is one live register in a Listing.
type Entry struct {
	Sort  string
	Value []byte
	Stamp crdt.Stamp
}

// Listing answers Range. When More is set it covers sort keys in
// [Start, Next) only; it may hold fewer than Limit entries since deleted
// registers count against the replicas' limit.
type Listing struct {
	Entries []Entry
	More    bool
	Next    string
}

// ErrNotWritten marks a put or delete that failed before anything was
// sent to a replica: it certainly had no effect. Any other error of a write
// leaves its outcome unknown.
var ErrNotWritten = errors.New("not written")

// Done receives an operation's result (Written, Value or Listing) or error.
type Done func(now cluster.Time, result any, err error)

// Service coordinates register operations on one node.
type Service struct {
	self cluster.NodeID
	regs *table.Table[crdt.Register]
}

// New registers the registers table with engine.
func New(self cluster.NodeID, engine *table.Engine) *Service {
	return &Service{self: self, regs: table.Register(engine, table.Schema[crdt.Register]{
		Tombstone: func(r crdt.Register) bool { return r.Deleted },
		// Only ever used when a test plants table.Bugs.ReadJoinTies:
		// registers stamped alike are tied however their values differ.
		TieBreakBug: func(a, b crdt.Register) bool { return a.Stamp == b.Stamp },
		ID:          TableID,
		Name:        "registers",
		Decode:      crdt.DecodeRegister,
	})}
}

// Submit starts op if it is a register operation and reports whether it
// was; done runs once the operation completes.
func (s *Service) Submit(now cluster.Time, op any, done Done) bool {
	switch op := op.(type) {
	case Put:
		s.write(now, op.Key, op.Value, false, done)
	case Delete:
		s.write(now, op.Key, nil, true, done)
	case Get:
		s.get(now, op, done)
	case Range:
		s.list(now, op, done)
	default:
		return false
	}
	return true
}

func (s *Service) write(now cluster.Time, key Key, value []byte, del bool, done Done) {
	s.regs.Get(now, key, func(now cluster.Time, seen crdt.Register, _ bool, err error) {
		if err != nil {
			done(now, nil, fmt.Errorf("%w: read before write: %w", ErrNotWritten, err))
			return
		}
		stamp := crdt.Stamp{TS: crdt.NextTS(now.Millis(), seen.Stamp), Node: s.self}
		reg := crdt.Put(stamp, value)
		if del {
			reg = crdt.Tombstone(stamp)
		}
		s.regs.Insert(now, key, reg, func(now cluster.Time, err error) {
			if err != nil {
				done(now, nil, fmt.Errorf("write: %w", err))
				return
			}
			done(now, Written{Stamp: stamp}, nil)
		})
	})
}

func (s *Service) get(now cluster.Time, op Get, done Done) {
	s.regs.Get(now, op.Key, func(now cluster.Time, reg crdt.Register, found bool, err error) {
		if err != nil {
			done(now, nil, err)
			return
		}
		done(now, Value{Found: found && reg.Live(), Value: reg.Value, Stamp: reg.Stamp}, nil)
	})
}

func (s *Service) list(now cluster.Time, op Range, done Done) {
	s.regs.ReadRange(now, op.Partition, op.Start, op.End, op.Limit, func(now cluster.Time, r table.Range[crdt.Register], err error) {
		if err != nil {
			done(now, nil, err)
			return
		}
		l := Listing{More: r.More, Next: r.Next}
		for _, it := range r.Items {
			if it.Entry.Live() {
				l.Entries = append(l.Entries, Entry{Sort: it.Sort, Value: it.Entry.Value, Stamp: it.Entry.Stamp})
			}
		}
		done(now, l, nil)
	})
}

// StampOrder encodes a register's place in the LWW order as a byte string
// that compares like the registers do (stamp, then tombstone, then value),
// so history checkers can order what reads returned without knowing CRDTs.
// The zero register (never written) encodes as "".
func StampOrder(reg crdt.Register) string {
	if reg.Stamp.IsZero() {
		return ""
	}
	e := wire.NewEncoder(nil)
	e.Uint64(reg.Stamp.TS)
	e.Raw(reg.Stamp.Node[:])
	e.Bool(reg.Deleted)
	e.Raw(reg.Value)
	return string(e.Bytes())
}
