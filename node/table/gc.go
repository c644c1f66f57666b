package table

import (
	"encoding/binary"
	"math"
	"slices"
	"time"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/merkle"
	"github.com/garagego/garage/node/rpc"
)

// Tombstone collection, as Garage does it. A tombstone (an entry that only
// says "deleted") must outlive every older value it supersedes, or a
// replica that missed the deletion would bring the value back by
// anti-entropy. It may be forgotten once every replica holds it:
//
//  1. When a replica stores a tombstone it queues it for collection after
//     TombstoneDelay (plus a stagger by its rank among the holders, so one
//     holder usually does the work): "g/" + due time + table + key → the
//     tombstone's hash. The queue is in the store, so it survives restarts.
//  2. Once due, the collector checks its copy is still that tombstone, then
//     sends it (Update) to every other holder of every live layout version
//     and waits for all of them: afterwards no holder has anything older.
//  3. It then asks all of them to delete the entry if theirs is still that
//     exact tombstone (GCDelete, by value hash) and, once all answered,
//     deletes its own. A holder with something newer keeps it.
//
// The delay guards against what no holder can confirm: a write stamped
// before the deletion still in flight (a delayed message, an insert queue
// retrying, an anti-entropy exchange or a hand-over under way), which would
// land after the tombstone is gone. A holder that is down or partitioned
// only delays collection: step 2 needs it.
const gcPrefix = "g/"

// gcState tracks collection rounds in flight.
type gcState struct {
	inflight map[string]bool // queue keys in a round
	rounds   int
	// idleUntil is when the first queue entry not in a round falls due, as
	// of the last scan (math.MaxInt64: none is queued; zero: unknown, scan
	// at the next tick). It spares most ticks a look at the queue.
	idleUntil cluster.Time
}

// gcQueueKey is the queue key of a tombstone at storage key key, due at due.
func gcQueueKey(due cluster.Time, t ID, key string) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(due))
	return gcPrefix + string(b[:]) + string([]byte{byte(t)}) + key
}

// parseGCQueueKey splits a queue key; ok is false for a malformed one.
func parseGCQueueKey(qkey string) (due cluster.Time, t ID, key string, ok bool) {
	rest := qkey[len(gcPrefix):]
	if len(rest) < 9 {
		return 0, 0, "", false
	}
	return cluster.Time(binary.BigEndian.Uint64([]byte(rest[:8]))), ID(rest[8]), rest[9:], true
}

// queueTombstone records that the entry at key became the tombstone value,
// to collect once due.
func (e *Engine) queueTombstone(now cluster.Time, t *tableState, key string, value []byte) {
	if e.cfg.TombstoneDelay <= 0 {
		return
	}
	due := now.Add(e.cfg.TombstoneDelay)
	if e.cfg.Bugs.GCIgnoresDelay {
		due = now
	}
	if holders := e.holders(t, partitionOfStorageKey(key)); len(holders) > 1 {
		if rank := slices.Index(holders, e.self); rank > 0 {
			due = due.Add(e.cfg.TombstoneDelay / 8 * time.Duration(rank))
		}
	}
	h := cluster.Sum(value)
	e.store.Put(gcQueueKey(due, t.id, key), h[:])
	e.gc.idleUntil = min(e.gc.idleUntil, due)
}

// holders are the nodes that store partition p of t in some live layout
// version, sorted.
func (e *Engine) holders(t *tableState, p cluster.Partition) []cluster.NodeID {
	h := e.layout()
	var out []cluster.NodeID
	if t.replication == FullCopy {
		out = slices.Clone(h.Nodes())
	} else {
		for _, s := range h.WriteSets(p) {
			out = append(out, s.Nodes...)
		}
	}
	slices.SortFunc(out, cluster.NodeID.Compare)
	return slices.Compact(out)
}

// gcItem is one due tombstone.
type gcItem struct {
	qkey string
	key  string
	hash cluster.Hash
}

// collectGarbage starts collection rounds for due tombstones, at most
// MaxGCRounds at once and GCBatch entries each, validating at most
// 4×GCBatch queue entries per tick.
func (e *Engine) collectGarbage(now cluster.Time) {
	g := &e.gc
	if e.cfg.TombstoneDelay <= 0 || g.rounds >= e.cfg.MaxGCRounds || now < g.idleUntil || e.layout().Current().IsEmpty() {
		return
	}
	if g.inflight == nil {
		g.inflight = map[string]bool{}
	}
	type group struct {
		t ID
		p cluster.Partition
	}
	var due []string
	g.idleUntil = math.MaxInt64
	e.store.Range(gcPrefix, PrefixEnd(gcPrefix), func(qkey string, _ []byte) bool {
		if at, _, _, ok := parseGCQueueKey(qkey); ok && at > now {
			g.idleUntil = at // the queue is in due order
			return false
		}
		if !g.inflight[qkey] {
			due = append(due, qkey)
		}
		if len(due) == 4*e.cfg.GCBatch {
			g.idleUntil = 0 // more may be due
			return false
		}
		return true
	})
	batches := map[group][]gcItem{}
	var order []group
	for _, qkey := range due {
		_, id, key, ok := parseGCQueueKey(qkey)
		if ok && validStorageKey(id, key) {
			gr := group{id, partitionOfStorageKey(key)}
			if full := len(batches[gr]) >= e.cfg.GCBatch; full || (len(batches[gr]) == 0 && g.rounds+len(order) >= e.cfg.MaxGCRounds) {
				g.idleUntil = 0 // no round for it this tick: look again at the next
				continue
			}
		}
		hash, _ := e.store.Get(qkey)
		t := e.tables[id]
		cur, present := e.store.Get(key)
		switch {
		case !ok || t == nil || !validStorageKey(id, key) || len(hash) != len(cluster.Hash{}) || !present:
			e.store.Delete(qkey) // malformed, or the entry is gone already
			continue
		case cluster.Sum(cur) != cluster.Hash(hash) || !t.codec.isTombstone(cur):
			e.store.Delete(qkey) // overwritten since: its new value is queued if it is a tombstone
			continue
		}
		p := partitionOfStorageKey(key)
		if t.replication == Sharded && !e.layout().StoresAny(e.self, p) {
			e.store.Delete(qkey) // handed over with the partition; the new holders collect it
			continue
		}
		gr := group{id, p}
		if len(batches[gr]) == 0 {
			order = append(order, gr)
		}
		if len(batches[gr]) < e.cfg.GCBatch {
			batches[gr] = append(batches[gr], gcItem{qkey: qkey, key: key, hash: cluster.Hash(hash)})
		}
	}
	for _, gr := range order {
		if g.rounds >= e.cfg.MaxGCRounds {
			return
		}
		e.collectRound(now, e.tables[gr.t], gr.p, batches[gr])
	}
}

// collectRound runs steps 2 and 3 for one partition's due tombstones.
func (e *Engine) collectRound(now cluster.Time, t *tableState, p cluster.Partition, items []gcItem) {
	g := &e.gc
	var others []cluster.NodeID
	for _, n := range e.holders(t, p) {
		if n != e.self {
			others = append(others, n)
		}
	}
	entries := make([]KV, 0, len(items))
	hashes := make([]merkle.Item, 0, len(items))
	for _, it := range items {
		g.inflight[it.qkey] = true
		v, _ := e.store.Get(it.key)
		entries = append(entries, KV{Key: it.key, Value: v})
		hashes = append(hashes, merkle.Item{Key: it.key, ValueHash: it.hash})
	}
	g.rounds++
	end := func(now cluster.Time, err error) {
		g.rounds--
		g.idleUntil = 0 // a round's end frees or re-queues its items
		for _, it := range items {
			delete(g.inflight, it.qkey)
		}
		if err != nil {
			// Some holder did not answer: try these again later, behind
			// what else is due.
			e.stats.GCFailures++
			for _, it := range items {
				if _, ok := e.store.Get(it.qkey); ok {
					e.store.Delete(it.qkey)
					e.store.Put(gcQueueKey(now.Add(max(e.cfg.RequestTimeout, time.Second)), t.id, it.key), it.hash[:])
				}
			}
			return
		}
		for _, it := range items {
			e.deleteTombstone(t, it.key, it.hash)
			e.store.Delete(it.qkey)
		}
		e.stats.GCRounds++
	}
	all := func(body rpc.Body, next func(now cluster.Time)) {
		if len(others) == 0 {
			next(now)
			return
		}
		quorum := len(others)
		if e.cfg.Bugs.GCSkipsConfirmation {
			_, quorum = e.quorumsFor(len(others) + 1)
			quorum-- // counting this node
		}
		e.calls.Start(now, rpc.Call{Sets: [][]cluster.NodeID{others}, Quorum: quorum, Body: body, Timeout: e.cfg.RequestTimeout},
			func(now cluster.Time, _ []rpc.Response, err error) {
				if err != nil {
					end(now, err)
					return
				}
				next(now)
			})
	}
	all(Update{Table: t.id, Entries: entries}, func(now cluster.Time) {
		all(GCDelete{Table: t.id, Items: hashes}, func(now cluster.Time) { end(now, nil) })
	})
}

// deleteTombstone drops the entry at key if it is still the tombstone of
// that hash. No hook runs: what the deletion had to do, it did when it was
// written.
func (e *Engine) deleteTombstone(t *tableState, key string, hash cluster.Hash) bool {
	cur, ok := e.store.Get(key)
	if !ok || cluster.Sum(cur) != hash {
		return false
	}
	e.store.Delete(key)
	t.tree(partitionOfStorageKey(key)).Remove(key)
	e.stats.TombstonesCollected++
	return true
}

// handleGCDelete deletes the tombstones a collector found on every holder.
func (e *Engine) handleGCDelete(b GCDelete) rpc.Body {
	t, fail := e.table(b.Table)
	if fail != nil {
		return fail
	}
	for _, it := range b.Items {
		if !validStorageKey(t.id, it.Key) {
			return e.malformed("malformed key")
		}
		if cur, ok := e.store.Get(it.Key); ok && !t.codec.isTombstone(cur) {
			continue // never delete a live value, whatever a peer claims
		}
		e.deleteTombstone(t, it.Key, it.ValueHash)
	}
	return Ack{}
}

// GCQueueLen is the number of tombstones waiting for collection here.
func (e *Engine) GCQueueLen() int {
	n := 0
	e.store.Range(gcPrefix, PrefixEnd(gcPrefix), func(string, []byte) bool { n++; return true })
	return n
}

// Tombstones counts the tombstones this node holds in table id.
func (e *Engine) Tombstones(id ID) int {
	t := e.tables[id]
	n := 0
	e.store.Range(tablePrefix(id), tablePrefix(id+1), func(_ string, v []byte) bool {
		if t.codec.isTombstone(v) {
			n++
		}
		return true
	})
	return n
}

// Uncollected counts the tombstones this node holds whose collection is
// overdue at now (due before it, or never queued): after a quiet period
// with every holder up, there should be none.
func (e *Engine) Uncollected(now cluster.Time) int {
	pending := map[string]bool{}
	e.store.Range(gcPrefix, PrefixEnd(gcPrefix), func(qkey string, _ []byte) bool {
		if due, _, key, ok := parseGCQueueKey(qkey); ok && due > now {
			pending[key] = true
		}
		return true
	})
	n := 0
	for _, id := range e.ids {
		t := e.tables[id]
		e.store.Range(tablePrefix(id), tablePrefix(id+1), func(key string, v []byte) bool {
			if !pending[key] && t.codec.isTombstone(v) {
				n++
			}
			return true
		})
	}
	return n
}

// collecting reports whether a collection round is under way.
func (e *Engine) collecting() bool { return e.gc.rounds > 0 }
