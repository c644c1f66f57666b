package table

import (
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/wire"
)

// Entry is what a table stores: a CRDT value that joins with others of its
// type and encodes canonically.
type Entry[E any] interface {
	Join(E) E
	Encode(*wire.Encoder)
}

// Replication says which nodes hold a table's entries.
type Replication uint8

const (
	// Sharded: the layout's nodes for the entry's partition (objects,
	// versions, block references...).
	Sharded Replication = iota
	// FullCopy: every node of the layout, gateways included; small tables
	// read on every request (buckets, keys, aliases). A write needs all
	// nodes but one; a quorum read needs the rest.
	FullCopy
)

// Schema describes one table.
type Schema[E Entry[E]] struct {
	ID          ID
	Name        string
	Decode      func(*wire.Decoder) E
	Replication Replication
	// RawPartitionKeys: every partition key is 32 uniformly random bytes
	// (a block hash) and places itself, unhashed: its first byte is the
	// partition. Other keys are hashed.
	RawPartitionKeys bool
	// Updated, if set, runs on every replica after its copy of an entry
	// changed: old is the previous value (existed false for a new entry).
	// It is how changes cascade (a superseded object version deletes its
	// block list, which drops block references, which lowers reference
	// counts). It runs inside the node's step: it may start table
	// operations and change local state, never block.
	Updated func(now cluster.Time, old E, existed bool, new E)
	// Dropped, if set, runs after this node handed an entry to its new
	// holders and dropped its own copy (its partition moved away).
	Dropped func(now cluster.Time, old E)
	// TieBreakBug, if set, is the planted ReadJoinTies: on a read, two
	// replies it calls tied are not joined, the first one is kept. Only
	// tests plant it.
	TieBreakBug func(a, b E) bool
	// Tombstone, if set, tells an entry that only records a deletion: it
	// must dominate (by Join) every older value of its key, and it is
	// collected once every replica holds it (see gc.go). Without it the
	// table's entries are never collected.
	Tombstone func(E) bool
}

// Table is the typed handle through which node logic uses one table.
type Table[E Entry[E]] struct {
	engine *Engine
	state  *tableState
	schema Schema[E]
}

// Register adds a table to the engine, rebuilding its Merkle trees from the
// entries the store recovered.
func Register[E Entry[E]](e *Engine, s Schema[E]) *Table[E] {
	t := &Table[E]{engine: e, schema: s}
	t.state = e.register(s.ID, s.Name, s.Replication, s.RawPartitionKeys, t)
	return t
}

func (t *Table[E]) decode(b []byte) (E, error) {
	d := wire.NewDecoder(b)
	v := t.schema.Decode(d)
	return v, d.Finish()
}

func encode[E Entry[E]](v E) []byte {
	e := wire.NewEncoder(nil)
	v.Encode(e)
	return e.Bytes()
}

func (t *Table[E]) canonical(b []byte) ([]byte, error) {
	v, err := t.decode(b)
	if err != nil {
		return nil, err
	}
	return encode(v), nil
}

func (t *Table[E]) updated(now cluster.Time, old, new []byte) {
	if t.schema.Updated == nil {
		return
	}
	var oldEntry E
	existed := old != nil
	if existed {
		oldEntry, _ = t.decode(old) // stored values decoded before
	}
	newEntry, _ := t.decode(new)
	t.schema.Updated(now, oldEntry, existed, newEntry)
}

func (t *Table[E]) dropped(now cluster.Time, old []byte) {
	if t.schema.Dropped == nil {
		return
	}
	if entry, err := t.decode(old); err == nil {
		t.schema.Dropped(now, entry)
	}
}

func (t *Table[E]) isTombstone(b []byte) bool {
	if t.schema.Tombstone == nil {
		return false
	}
	v, err := t.decode(b)
	return err == nil && t.schema.Tombstone(v)
}

// tiedForBug reports whether the planted read-join bug keeps a over b.
func (t *Table[E]) tiedForBug(a, b []byte) bool {
	if t.schema.TieBreakBug == nil {
		return false
	}
	x, errA := t.decode(a)
	y, errB := t.decode(b)
	return errA == nil && errB == nil && t.schema.TieBreakBug(x, y)
}

func (t *Table[E]) merge(old, incoming []byte) ([]byte, error) {
	a, err := t.decode(old)
	if err != nil {
		return nil, err
	}
	b, err := t.decode(incoming)
	if err != nil {
		return nil, err
	}
	return encode(a.Join(b)), nil
}

// Insert joins entry into the entry at key on a write quorum of every live
// layout version's set, then calls done.
func (t *Table[E]) Insert(now cluster.Time, key Key, entry E, done func(now cluster.Time, err error)) {
	sk := t.state.storageKey(key)
	t.engine.insert(now, t.state, partitionOfStorageKey(sk), []KV{{Key: sk, Value: encode(entry)}}, done)
}

// InsertMany writes entries[i] at keys[i], one quorum write per
// partition instead of one per entry, and calls done once all are
// written (with the first error if some failed).
func (t *Table[E]) InsertMany(now cluster.Time, keys []Key, entries []E, done func(now cluster.Time, err error)) {
	byPartition := map[cluster.Partition][]KV{}
	var order []cluster.Partition // first appearance: deterministic
	for i, k := range keys {
		sk := t.state.storageKey(k)
		p := partitionOfStorageKey(sk)
		if _, ok := byPartition[p]; !ok {
			order = append(order, p)
		}
		byPartition[p] = append(byPartition[p], KV{Key: sk, Value: encode(entries[i])})
	}
	if len(order) == 0 {
		done(now, nil)
		return
	}
	waiting := len(order)
	var failed error
	for _, p := range order {
		t.engine.insert(now, t.state, p, byPartition[p], func(now cluster.Time, err error) {
			if err != nil && failed == nil {
				failed = err
			}
			if waiting--; waiting == 0 {
				done(now, failed)
			}
		})
	}
}

// Get reads the entry at key from a read quorum and joins the answers;
// found is false when no replica holds it.
func (t *Table[E]) Get(now cluster.Time, key Key, done func(now cluster.Time, entry E, found bool, err error)) {
	t.engine.get(now, t.state, t.state.storageKey(key), func(now cluster.Time, v []byte, err error) {
		var zero E
		if err != nil || v == nil {
			done(now, zero, false, err)
			return
		}
		entry, err := t.decode(v)
		done(now, entry, err == nil, err)
	})
}

// Item is an entry with its sort key, as a range read returns it.
type Item[E any] struct {
	Sort  string
	Entry E
}

// Range is a range read's result. When More is set, it covers sort keys in
// [start, Next) only.
type Range[E any] struct {
	Items []Item[E]
	More  bool
	Next  string
}

// ReadRange reads the entries under one partition key with sort keys in
// [start, end) (end "" = unbounded), at most limit of them (0 = the
// engine's maximum), joined across a read quorum.
func (t *Table[E]) ReadRange(now cluster.Time, partitionKey, start, end string, limit int, done func(cluster.Time, Range[E], error)) {
	t.readRange(now, partitionKey, start, end, limit, false, done)
}

// ReadRangeDesc is ReadRange in descending order: sort keys in (end,
// start], start "" unbounded, end "" meaning no lower bound. When More is
// set, Next is where to continue and may be the last key returned, which
// the caller skips.
func (t *Table[E]) ReadRangeDesc(now cluster.Time, partitionKey, start, end string, limit int, done func(cluster.Time, Range[E], error)) {
	t.readRange(now, partitionKey, start, end, limit, true, done)
}

func (t *Table[E]) readRange(now cluster.Time, partitionKey, start, end string, limit int, reverse bool, done func(cluster.Time, Range[E], error)) {
	t.engine.readRange(now, t.state, partitionKey, start, end, limit, reverse, func(now cluster.Time, raw RawRange, err error) {
		if err != nil {
			done(now, Range[E]{}, err)
			return
		}
		res := Range[E]{More: raw.More, Next: raw.Next}
		for _, kv := range raw.Entries {
			entry, err := t.decode(kv.Value)
			if err != nil {
				done(now, Range[E]{}, err)
				return
			}
			res.Items = append(res.Items, Item[E]{Sort: sortKeyOf(kv.Key), Entry: entry})
		}
		done(now, res, nil)
	})
}

// JoinLocal joins entry into this node's own copy at once, as a replica
// applies an update (hooks run); the caller still writes it to a quorum.
func (t *Table[E]) JoinLocal(now cluster.Time, key Key, entry E) error {
	return t.engine.apply(now, t.state, t.state.storageKey(key), encode(entry))
}

// LocalRange calls fn with this node's own entries under one partition
// key with sort keys in [start, end) (end "" = unbounded), in order, until
// fn returns false. Undecodable entries are skipped.
func (t *Table[E]) LocalRange(partitionKey, start, end string, fn func(sort string, entry E) bool) {
	prefix := t.state.partitionPrefix(partitionKey)
	to := prefix + end
	if end == "" {
		to = PrefixEnd(prefix)
	}
	t.engine.store.Range(prefix+start, to, func(key string, value []byte) bool {
		entry, err := t.decode(value)
		if err != nil {
			return true
		}
		return fn(sortKeyOf(key), entry)
	})
}

// Local reads this node's own copy of the entry at key, without a quorum.
func (t *Table[E]) Local(key Key) (E, bool) {
	var zero E
	v, ok := t.engine.store.Get(t.state.storageKey(key))
	if !ok {
		return zero, false
	}
	entry, err := t.decode(v)
	return entry, err == nil
}

// ID is the table's id.
func (t *Table[E]) ID() ID { return t.schema.ID }

// PartitionOf is the partition an entry's partition key falls in.
func (t *Table[E]) PartitionOf(partitionKey string) cluster.Partition {
	return partitionHash(t.schema.RawPartitionKeys, partitionKey).Partition()
}

// PartitionOf is the partition a (hashed) partition key falls in.
func PartitionOf(partitionKey string) cluster.Partition {
	return cluster.SumString(partitionKey).Partition()
}

// QueueInsert joins entry into the local insert queue, which writes it to a
// write quorum in the background and retries until it succeeds. The queue is
// persisted, so a restart does not lose it. Hooks use it: a cascade must
// happen even if the cluster is partitioned when it starts.
func (t *Table[E]) QueueInsert(key Key, entry E) {
	t.engine.queueInsert(t.state, t.state.storageKey(key), encode(entry))
}
