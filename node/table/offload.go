package table

import (
	"bytes"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/rpc"
)

// offloadBatch names a partition of a table being handed over.
type offloadBatch struct {
	table ID
	part  cluster.Partition
}

// offload hands the entries of partitions this node no longer stores in any
// live layout version (the old version retired) to every node that stores
// them now, and drops them here only once all of them took the batch. Up to
// MaxSyncSessions batches are in flight; each one that lands starts the
// next, so a node that left hands everything over without waiting for
// ticks.
func (e *Engine) offload(now cluster.Time) {
	h := e.layout()
	e.offloadDue = false
	if h.Current().IsEmpty() {
		return
	}
	if e.offloading == nil {
		e.offloading = map[offloadBatch]bool{}
	}
	stored := h.StoredBy(e.self)
	for _, id := range e.ids {
		t := e.tables[id]
		if t.replication != Sharded {
			continue
		}
		for p := range cluster.NumPartitions {
			if len(e.offloading) >= e.cfg.MaxSyncSessions {
				e.offloadDue = true // more to do once a batch lands
				return
			}
			batch := offloadBatch{id, cluster.Partition(p)}
			if stored[batch.part] || t.peek(batch.part).Len() == 0 || e.offloading[batch] {
				continue
			}
			e.handOver(now, t, batch)
		}
	}
}

// handOver sends one batch of a partition's entries to all its holders in
// every live version, then drops what they took.
func (e *Engine) handOver(now cluster.Time, t *tableState, batch offloadBatch) {
	entries := e.LocalEntries(batch.table, batch.part)
	entries = entries[:min(len(entries), e.cfg.MaxSyncItems)]
	var sets [][]cluster.NodeID
	var quorums []int
	for _, s := range e.layout().WriteSets(batch.part) {
		sets = append(sets, s.Nodes)
		quorum := len(s.Nodes) // every new holder: one that missed the batch would be the last to miss it
		if e.cfg.Bugs.OffloadQuorumOnly {
			_, quorum = e.quorumsFor(s.ReplicationFactor)
		}
		quorums = append(quorums, quorum)
	}
	e.offloading[batch] = true
	e.calls.Start(now, rpc.Call{Sets: sets, Quorums: quorums, Body: Update{Table: batch.table, Entries: entries}, Timeout: e.cfg.RequestTimeout},
		func(now cluster.Time, _ []rpc.Response, err error) {
			delete(e.offloading, batch)
			if err != nil {
				e.offloadDue = true // retried at the next tick
				return
			}
			if e.layout().StoresAny(e.self, batch.part) {
				return // the partition came back
			}
			for _, kv := range entries {
				if cur, ok := e.store.Get(kv.Key); ok && bytes.Equal(cur, kv.Value) {
					e.drop(now, t, kv.Key, cur)
				}
			}
			e.offload(now)
		})
}

// drop removes an entry this node no longer stores.
func (e *Engine) drop(now cluster.Time, t *tableState, key string, value []byte) {
	e.store.Delete(key)
	t.tree(partitionOfStorageKey(key)).Remove(key)
	e.stats.Offloaded++
	t.codec.dropped(now, value)
}

// Settling reports whether the engine still has layout-change work under
// way: entries to hand over, partitions being exchanged, a sync round.
func (e *Engine) Settling() bool {
	return e.offloadDue || len(e.offloading) > 0 || len(e.sync.queue) > 0 || e.sync.sessions > 0 || e.sync.round != nil || e.collecting()
}
