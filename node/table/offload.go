package table

import (
	"bytes"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/rpc"
)

// offload hands the entries of partitions this node no longer stores in any
// live layout version (the old version retired) to every node that stores
// them now, and drops them here only once all of them took the batch. One
// batch at a time.
func (e *Engine) offload(now cluster.Time) {
	h := e.layout()
	if e.offloading || h.Current().IsEmpty() {
		return
	}
	for _, id := range e.ids {
		t := e.tables[id]
		if t.replication != Sharded {
			continue
		}
		for p := range cluster.NumPartitions {
			part := cluster.Partition(p)
			if h.StoresAny(e.self, part) || t.peek(part).Len() == 0 {
				continue
			}
			entries := e.LocalEntries(id, part)
			entries = entries[:min(len(entries), e.cfg.MaxSyncItems)]
			var sets [][]cluster.NodeID
			var quorums []int
			for _, s := range h.WriteSets(part) {
				sets = append(sets, s.Nodes)
				quorums = append(quorums, len(s.Nodes))
			}
			e.offloading = true
			e.calls.Start(now, rpc.Call{Sets: sets, Quorums: quorums, Body: Update{Table: id, Entries: entries}, Timeout: e.cfg.RequestTimeout},
				func(now cluster.Time, _ []rpc.Response, err error) {
					e.offloading = false
					if err != nil || e.layout().StoresAny(e.self, part) {
						return // retried at a later tick, or the partition came back
					}
					for _, kv := range entries {
						if cur, ok := e.store.Get(kv.Key); ok && bytes.Equal(cur, kv.Value) {
							e.drop(now, t, kv.Key, cur)
						}
					}
				})
			return
		}
	}
}

// drop removes an entry this node no longer stores.
func (e *Engine) drop(now cluster.Time, t *tableState, key string, value []byte) {
	e.store.Delete(key)
	t.tree(partitionOfStorageKey(key)).Remove(key)
	e.stats.Offloaded++
	t.codec.dropped(now, value)
}
