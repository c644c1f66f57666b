// Package meta is a node's metadata: an ordered key-value map held in memory
// (a B-tree) whose every change is also emitted as a Record. The driver makes
// those records durable — a write-ahead log in production, a simulated disk
// in the simulator — and feeds them back through Replay after a restart.
//
// Keeping the map in memory makes every lookup synchronous, so table logic
// stays a plain state machine; durability is an effect like any other.
// Deterministic core: no I/O here.
package meta

import (
	"github.com/garagego/garage/node/wire"
	"github.com/google/btree"
)

// Record is one durable change: a key set to a value, or deleted.
type Record struct {
	Key    string
	Value  []byte
	Delete bool
}

// Encode writes r.
func (r Record) Encode(e *wire.Encoder) {
	e.Bool(r.Delete)
	e.String(r.Key)
	if !r.Delete {
		e.BytesField(r.Value)
	}
}

// DecodeRecord reads a Record.
func DecodeRecord(d *wire.Decoder) Record {
	var r Record
	r.Delete = d.Bool()
	r.Key = d.String()
	if !r.Delete {
		r.Value = d.BytesField()
	}
	return r
}

type item struct {
	key   string
	value []byte
}

func less(a, b item) bool { return a.key < b.key }

// Store is the in-memory ordered map plus the records not yet handed to the
// driver.
type Store struct {
	tree    *btree.BTreeG[item]
	pending []Record
	bytes   int
	ranging int // Range calls in progress: changing the tree under them is a bug
}

// New returns an empty store.
func New() *Store { return &Store{tree: btree.NewG(32, less)} }

// Get returns the value at key.
func (s *Store) Get(key string) ([]byte, bool) {
	it, ok := s.tree.Get(item{key: key})
	return it.value, ok
}

// Put sets key to value and records the change. The store keeps value; the
// caller must not modify it afterwards.
func (s *Store) Put(key string, value []byte) {
	s.set(key, value)
	s.pending = append(s.pending, Record{Key: key, Value: value})
}

// Delete removes key and records the change.
func (s *Store) Delete(key string) {
	if s.remove(key) {
		s.pending = append(s.pending, Record{Key: key, Delete: true})
	}
}

// Replay applies a recovered record without recording it again.
func (s *Store) Replay(r Record) {
	if r.Delete {
		s.remove(r.Key)
	} else {
		s.set(r.Key, r.Value)
	}
}

// mustNotRange catches a change made from inside a Range callback, which
// would make the B-tree iteration skip or repeat keys silently.
func (s *Store) mustNotRange() {
	if s.ranging > 0 {
		panic("meta: store changed during Range")
	}
}

func (s *Store) set(key string, value []byte) {
	s.mustNotRange()
	if old, ok := s.tree.ReplaceOrInsert(item{key: key, value: value}); ok {
		s.bytes -= len(old.key) + len(old.value)
	}
	s.bytes += len(key) + len(value)
}

func (s *Store) remove(key string) bool {
	s.mustNotRange()
	old, ok := s.tree.Delete(item{key: key})
	if ok {
		s.bytes -= len(old.key) + len(old.value)
	}
	return ok
}

// Range calls fn for each key in [from, to) in order until fn returns false.
// An empty to means no upper bound. fn must not modify the store.
func (s *Store) Range(from, to string, fn func(key string, value []byte) bool) {
	s.ranging++
	defer func() { s.ranging-- }()
	visit := func(it item) bool { return fn(it.key, it.value) }
	if to == "" {
		s.tree.AscendGreaterOrEqual(item{key: from}, visit)
	} else {
		s.tree.AscendRange(item{key: from}, item{key: to}, visit)
	}
}

// RangeDesc calls fn for each key in (above, from] in descending order
// until fn returns false. fn must not modify the store.
func (s *Store) RangeDesc(from, above string, fn func(key string, value []byte) bool) {
	s.ranging++
	defer func() { s.ranging-- }()
	s.tree.DescendLessOrEqual(item{key: from}, func(it item) bool {
		return it.key > above && fn(it.key, it.value)
	})
}

// Len is the number of keys.
func (s *Store) Len() int { return s.tree.Len() }

// Bytes is the total size of keys and values held.
func (s *Store) Bytes() int { return s.bytes }

// TakePending returns the records changed since the last call and forgets
// them: the caller now owns making them durable.
func (s *Store) TakePending() []Record {
	p := s.pending
	s.pending = nil
	return p
}

// HasPending reports whether changes await persistence.
func (s *Store) HasPending() bool { return len(s.pending) > 0 }

// Snapshot is a read-only copy that shares structure with the store, cheap
// to take; the production driver writes it out from another goroutine while
// the node goes on (the B-tree is copy-on-write after a clone).
func (s *Store) Snapshot() *Snapshot { return &Snapshot{tree: s.tree.Clone()} }

// Snapshot is a frozen view of a Store.
type Snapshot struct{ tree *btree.BTreeG[item] }

// Each calls fn for every key in order until fn returns false.
func (s *Snapshot) Each(fn func(key string, value []byte) bool) {
	s.tree.Ascend(func(it item) bool { return fn(it.key, it.value) })
}

// Len is the number of keys in the snapshot.
func (s *Snapshot) Len() int { return s.tree.Len() }
