package table

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/layout"
	"github.com/garagego/garage/node/merkle"
	"github.com/garagego/garage/node/meta"
	"github.com/garagego/garage/node/rpc"
)

// codec is what the engine needs of a table's entries, whatever their Go
// type: a canonical re-encoding (which also validates bytes from a peer) and
// the join of two encoded entries.
type codec interface {
	canonical(v []byte) ([]byte, error)
	merge(old, incoming []byte) ([]byte, error)
	// updated runs the table's hook after a local change (old is nil
	// when the entry is new).
	updated(now cluster.Time, old, new []byte)
	// dropped runs the table's hook after this node dropped an entry it no
	// longer stores.
	dropped(now cluster.Time, old []byte)
	// isTombstone reports whether an encoded entry only records a
	// deletion, and may be collected once every replica holds it.
	isTombstone(v []byte) bool
	// tiedForBug serves the planted ReadJoinTies.
	tiedForBug(a, b []byte) bool
}

// Engine runs every table of one node: it answers replicas' requests,
// coordinates clients' quorum operations and drives anti-entropy.
type Engine struct {
	cfg    Config
	self   cluster.NodeID
	store  *meta.Store
	out    *rpc.Outbox
	calls  *rpc.Caller
	layout func() *layout.History

	tables map[ID]*tableState
	ids    []ID // sorted, so every walk over tables is deterministic

	sync  syncState
	queue insertQueue
	gc    gcState
	stats Stats

	updateLayout UpdateLayout
	idle         idleState
	ackLocks     map[uint64]int        // writes in flight per layout version they started under
	offloading   map[offloadBatch]bool // batches handed over, waiting for their holders
	// offloadDue asks the next tick to look for entries to hand over: the
	// layout changed, an entry landed in a partition this node does not
	// store, or a hand-over failed.
	offloadDue bool
}

type tableState struct {
	id          ID
	name        string
	codec       codec
	replication Replication
	// rawPartitionKeys: partition keys are 32 random bytes used as their
	// own hash (see partitionHash).
	rawPartitionKeys bool
	trees            [cluster.NumPartitions]*merkle.Tree // allocated on first use
	// synced is, for a full-copy table, the start of the last completed
	// exchange with each peer (fresh.go).
	synced map[cluster.NodeID]cluster.Time
}

// Stats counts what the engine did, for summaries and metrics.
type Stats struct {
	LocalUpdates      uint64 // entries whose stored value changed
	ReadRepairs       uint64 // reads that wrote a joined value back
	SyncPasses        uint64 // root comparisons sent (one per peer and table per pass)
	SyncSessions      uint64 // partitions found differing and exchanged
	SyncRounds        uint64 // tracked passes for a layout change
	SyncRoundFailures uint64
	Offloaded         uint64 // entries handed to their new holders and dropped here
	SyncItemsSent     uint64
	SyncItemsRecvd    uint64
	BadRequests       uint64 // requests refused as malformed
	// NotHolderReads: reads refused for a partition this node does not
	// hold (a coordinator's layout behind ours).
	NotHolderReads uint64
	// FullCopyWritesShort: full-copy writes some holder did not take
	// within FullCopyWriteLinger, acknowledged by all but one.
	FullCopyWritesShort uint64
	// Tombstone collection: entries deleted here, rounds that collected a
	// batch, rounds that could not reach every holder (retried).
	TombstonesCollected uint64
	GCRounds            uint64
	GCFailures          uint64
}

// NewEngine returns an engine over store, sending through out and calls,
// reading the current layout history from layoutFn at each use.
func NewEngine(cfg Config, self cluster.NodeID, store *meta.Store, out *rpc.Outbox, calls *rpc.Caller, layoutFn func() *layout.History) *Engine {
	if cfg.GCBatch <= 0 {
		cfg.GCBatch = 256
	}
	if cfg.MaxGCRounds <= 0 {
		cfg.MaxGCRounds = 4
	}
	return &Engine{cfg: cfg, self: self, store: store, out: out, calls: calls, layout: layoutFn, tables: map[ID]*tableState{}, offloadDue: true}
}

// Stats reports the engine's counters.
func (e *Engine) Stats() Stats { return e.stats }

func (e *Engine) register(id ID, name string, r Replication, raw bool, c codec) *tableState {
	if _, dup := e.tables[id]; dup {
		panic(fmt.Sprintf("table: id %d registered twice", id))
	}
	t := &tableState{id: id, name: name, codec: c, replication: r, rawPartitionKeys: raw}
	e.tables[id] = t
	e.ids = append(e.ids, id)
	slices.Sort(e.ids)
	// Rebuild the Merkle trees from what the store recovered.
	e.store.Range(tablePrefix(id), tablePrefix(id+1), func(key string, value []byte) bool {
		t.tree(partitionOfStorageKey(key)).Set(key, cluster.Sum(value))
		return true
	})
	return t
}

// emptyTree stands in, read-only, for partitions with no entries yet.
var emptyTree merkle.Tree

// peek returns the Merkle tree of partition p for reading, without
// allocating one for an empty partition.
func (t *tableState) peek(p cluster.Partition) *merkle.Tree {
	if t.trees[p] == nil {
		return &emptyTree
	}
	return t.trees[p]
}

// tree returns the Merkle tree of partition p, creating it on first use:
// a node stores only some partitions, and an empty tree costs 2 KiB.
func (t *tableState) tree(p cluster.Partition) *merkle.Tree {
	if t.trees[p] == nil {
		t.trees[p] = &merkle.Tree{}
	}
	return t.trees[p]
}

// apply joins incoming into the stored entry at key. The store records the
// change, which the node persists before sending any reply.
func (e *Engine) apply(now cluster.Time, t *tableState, key string, incoming []byte) error {
	if !validStorageKey(t.id, key) {
		return fmt.Errorf("table %s: malformed key %q", t.name, key)
	}
	var merged []byte
	var err error
	old, ok := e.store.Get(key)
	if ok {
		merged, err = t.codec.merge(old, incoming)
		if err == nil && bytes.Equal(merged, old) {
			return nil
		}
	} else {
		merged, err = t.codec.canonical(incoming)
	}
	if err != nil {
		return fmt.Errorf("table %s: entry %x: %w", t.name, key, err)
	}
	e.store.Put(key, merged)
	p := partitionOfStorageKey(key)
	t.tree(p).Set(key, cluster.Sum(merged))
	if t.replication == Sharded && !e.layout().StoresAny(e.self, p) {
		e.offloadDue = true
	}
	e.stats.LocalUpdates++
	if t.codec.isTombstone(merged) {
		e.queueTombstone(now, t, key, merged)
	}
	t.codec.updated(now, old, merged)
	return nil
}

// Step handles a table message; it reports false for messages of other
// components.
func (e *Engine) Step(now cluster.Time, m rpc.Message) bool {
	if m.Response {
		return false // responses belong to the caller
	}
	switch b := m.Body.(type) {
	case Update:
		e.reply(m, e.handleUpdate(now, b))
	case Read:
		e.reply(m, e.handleRead(b))
	case ReadRange:
		e.reply(m, e.handleReadRange(b))
	case SyncRoots:
		e.reply(m, e.handleSyncRoots(b))
	case SyncRoot:
		e.reply(m, e.handleSyncRoot(b))
	case SyncItems:
		e.reply(m, e.handleSyncItems(b))
	case GCDelete:
		e.reply(m, e.handleGCDelete(b))
	default:
		return false
	}
	return true
}

func (e *Engine) reply(req rpc.Message, body rpc.Body) { e.out.Reply(req, body) }

// malformed refuses a request no correct peer sends, and counts it.
func (e *Engine) malformed(format string, args ...any) rpc.Body {
	e.stats.BadRequests++
	return rpc.Error{Message: fmt.Sprintf(format, args...)}
}

func (e *Engine) table(id ID) (*tableState, rpc.Body) {
	t, ok := e.tables[id]
	if !ok {
		return nil, e.malformed("no table %d", id)
	}
	return t, nil
}

func (e *Engine) handleUpdate(now cluster.Time, b Update) rpc.Body {
	t, fail := e.table(b.Table)
	if fail != nil {
		return fail
	}
	for _, kv := range b.Entries {
		if err := e.apply(now, t, kv.Key, kv.Value); err != nil {
			return e.malformed("%s", err)
		}
	}
	return Ack{}
}

func (e *Engine) handleRead(b Read) rpc.Body {
	t, fail := e.table(b.Table)
	if fail != nil {
		return fail
	}
	if !validStorageKey(t.id, b.Key) {
		return e.malformed("malformed key")
	}
	if refusal, ok := e.notAHolder(t, partitionOfStorageKey(b.Key)); !ok {
		return refusal
	}
	if v, ok := e.store.Get(b.Key); ok {
		return Entries{Entries: []KV{{Key: b.Key, Value: v}}}
	}
	return Entries{}
}

// notAHolder refuses a read of partition p of sharded table t when this
// node does not store p in any live version of its layout: it has handed
// its entries over (or never had them), and answering "nothing here" would
// let a coordinator whose layout is behind — a node removed from the
// layout, cut off while the others moved on — take an empty read quorum
// for an empty partition. Refused, the read fails instead of lying.
func (e *Engine) notAHolder(t *tableState, p cluster.Partition) (rpc.Body, bool) {
	if t.replication == FullCopy || e.layout().StoresAny(e.self, p) {
		return nil, true
	}
	e.stats.NotHolderReads++
	return rpc.Error{Message: fmt.Sprintf("node %s does not hold partition %d at layout version %d", e.self, p, e.layout().Current().Number)}, false
}

func (e *Engine) handleReadRange(b ReadRange) rpc.Body {
	t, fail := e.table(b.Table)
	if fail != nil {
		return fail
	}
	if refusal, ok := e.notAHolder(t, partitionOfStorageKey(t.partitionPrefix(b.PartitionKey))); !ok {
		return refusal
	}
	limit := b.Limit
	if limit <= 0 || limit > e.cfg.MaxRangeLimit {
		limit = e.cfg.MaxRangeLimit
	}
	prefix := t.partitionPrefix(b.PartitionKey)
	var res Entries
	visit := func(key string, value []byte) bool {
		if len(res.Entries) == limit {
			res.Full = true
			return false
		}
		res.Entries = append(res.Entries, KV{Key: key, Value: value})
		return true
	}
	if b.Reverse {
		from, above := prefix+b.Start, prefix+b.End
		if b.Start == "" {
			from = PrefixEnd(prefix)
		}
		if b.End == "" {
			above = ""
		}
		e.store.RangeDesc(from, above, func(key string, value []byte) bool {
			switch {
			case strings.HasPrefix(key, prefix):
				return visit(key, value)
			case key < prefix:
				return false // past the partition key's first entry
			}
			return true // prefixEnd itself
		})
		return res
	}
	from, to := prefix+b.Start, prefix+b.End
	if b.End == "" {
		to = PrefixEnd(prefix)
	}
	e.store.Range(from, to, visit)
	return res
}

// PrefixEnd is the smallest key greater than every key starting with
// prefix ("" if there is none: a prefix of 0xff bytes only).
func PrefixEnd(prefix string) string {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] != 0xff {
			b[i]++
			return string(b[:i+1])
		}
	}
	return "" // unreachable for table prefixes, which start with 't'
}

// LocalEntries lists the entries this node holds for one partition of one
// table, in key order: the simulator's convergence check compares them
// across replicas.
func (e *Engine) LocalEntries(id ID, p cluster.Partition) []KV {
	var out []KV
	prefix := tablePrefix(id) + string([]byte{byte(p)})
	e.store.Range(prefix, PrefixEnd(prefix), func(key string, value []byte) bool {
		out = append(out, KV{Key: key, Value: value})
		return true
	})
	return out
}

// Count is the number of entries (tombstones included) this node holds in
// table id.
func (e *Engine) Count(id ID) int {
	n := 0
	e.store.Range(tablePrefix(id), tablePrefix(id+1), func(string, []byte) bool { n++; return true })
	return n
}

// MerkleRoot is this node's root for one partition of one table.
func (e *Engine) MerkleRoot(id ID, p cluster.Partition) cluster.Hash {
	return e.tables[id].peek(p).Root()
}

// Tables lists the registered table ids, sorted.
func (e *Engine) Tables() []ID { return slices.Clone(e.ids) }

// Replication is how table id is replicated.
func (e *Engine) Replication(id ID) Replication { return e.tables[id].replication }

// TableName is the name a table was registered with.
func (e *Engine) TableName(id ID) string { return e.tables[id].name }
