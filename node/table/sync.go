package table

import (
	"slices"
	"strings"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/merkle"
	"github.com/garagego/garage/node/rpc"
)

// syncState schedules anti-entropy: a cursor walks (table, partition) pairs
// so that a full pass takes Config.SyncInterval, spreading the work evenly.
type syncState struct {
	cursor   int // index into tables x partitions
	nextAt   cluster.Time
	sessions int
}

// maxSyncStartsPerTick bounds the work one Tick may start, so a node that
// fell behind (after a pause or a restart) catches up gradually.
const maxSyncStartsPerTick = 16

// Tick starts the anti-entropy exchanges that are due.
func (e *Engine) Tick(now cluster.Time) {
	if len(e.ids) == 0 || e.cfg.SyncInterval <= 0 {
		return
	}
	slots := len(e.ids) * cluster.NumPartitions
	stepPer := cluster.Time(int64(e.cfg.SyncInterval) / int64(slots))
	if stepPer <= 0 {
		stepPer = 1
	}
	if e.sync.nextAt == 0 || now.Sub(e.sync.nextAt) > e.cfg.SyncInterval {
		e.sync.nextAt = now // first tick, or far behind: restart the schedule
	}
	for started := 0; started < maxSyncStartsPerTick && now >= e.sync.nextAt && e.sync.sessions < e.cfg.MaxSyncSessions; {
		e.sync.nextAt += stepPer
		slot := e.sync.cursor
		e.sync.cursor = (e.sync.cursor + 1) % slots
		t := e.tables[e.ids[slot/cluster.NumPartitions]]
		p := cluster.Partition(slot % cluster.NumPartitions)
		h := e.layout()
		if !h.StoresAny(e.self, p) {
			continue
		}
		for _, peer := range e.syncPeers(p) {
			e.startSync(now, t, p, peer)
			started++
		}
	}
}

// syncPeers lists the other nodes storing p in any live version, sorted.
func (e *Engine) syncPeers(p cluster.Partition) []cluster.NodeID {
	var peers []cluster.NodeID
	for _, set := range e.layout().WriteSets(p) {
		for _, id := range set {
			if id != e.self && !slices.Contains(peers, id) {
				peers = append(peers, id)
			}
		}
	}
	slices.SortFunc(peers, cluster.NodeID.Compare)
	return peers
}

// SyncNow starts an exchange with every other holder of every partition
// this node stores, regardless of the schedule (after a restart, or on an
// operator's `repair tables`).
func (e *Engine) SyncNow(now cluster.Time) {
	for _, id := range e.ids {
		for p := range cluster.NumPartitions {
			part := cluster.Partition(p)
			if !e.layout().StoresAny(e.self, part) {
				continue
			}
			for _, peer := range e.syncPeers(part) {
				e.startSync(now, e.tables[id], part, peer)
			}
		}
	}
}

// startSync runs one exchange with peer: compare roots; if they differ,
// compare leaf digests; then swap the entries of the differing leaves, each
// side sending what the other lacks or holds older.
func (e *Engine) startSync(now cluster.Time, t *tableState, p cluster.Partition, peer cluster.NodeID) {
	e.sync.sessions++
	e.stats.SyncSessions++
	tree := &t.trees[p]
	e.callOne(now, peer, SyncRoot{Table: t.id, Partition: p, Root: tree.Root()}, func(now cluster.Time, body rpc.Body) bool {
		digests := body.(SyncLeaves).Digests
		if digests == nil {
			return false
		}
		e.stats.SyncDiffering++
		items := SyncItems{Table: t.id, Partition: p}
		budget := e.cfg.MaxSyncItems
		for i, d := range digests {
			leaf := uint8(i)
			if d == tree.LeafDigest(leaf) {
				continue
			}
			mine := tree.LeafItems(leaf)
			if len(items.Leaves) > 0 && len(mine) > budget {
				break // the rest waits for the next pass
			}
			items.Leaves = append(items.Leaves, LeafItems{Leaf: leaf, Items: slices.Clone(mine)})
			budget -= len(mine)
		}
		e.callOne(now, peer, items, func(now cluster.Time, body rpc.Body) bool {
			diff := body.(SyncDiff)
			e.stats.SyncItemsRecvd += uint64(len(diff.Push))
			for _, kv := range diff.Push {
				if partitionOfStorageKey(kv.Key) != p || e.apply(t, kv.Key, kv.Value) != nil {
					e.stats.BadRequests++
				}
			}
			var back []KV
			for _, k := range diff.Want {
				if v, ok := e.store.Get(k); ok && strings.HasPrefix(k, tablePrefix(t.id)) {
					back = append(back, KV{Key: k, Value: v})
				}
			}
			if len(back) == 0 {
				return false
			}
			e.stats.SyncItemsSent += uint64(len(back))
			e.callOne(now, peer, Update{Table: t.id, Entries: back}, func(cluster.Time, rpc.Body) bool { return false })
			return true
		})
		return true
	})
}

// callOne makes a single-node call for a sync step. next handles the reply
// and reports whether it started a further step; when it did not (or the
// call failed), the session is over.
func (e *Engine) callOne(now cluster.Time, peer cluster.NodeID, body rpc.Body, next func(cluster.Time, rpc.Body) bool) {
	e.calls.Start(now, rpc.Call{
		Sets:    [][]cluster.NodeID{{peer}},
		Quorum:  1,
		Body:    body,
		Timeout: e.cfg.RequestTimeout,
	}, func(now cluster.Time, resps []rpc.Response, err error) {
		if err != nil || !next(now, resps[0].Body) {
			e.sync.sessions--
		}
	})
}

func (e *Engine) handleSyncRoot(b SyncRoot) rpc.Body {
	t, fail := e.table(b.Table)
	if fail != nil {
		return fail
	}
	tree := &t.trees[b.Partition]
	if tree.Root() == b.Root {
		return SyncLeaves{}
	}
	return SyncLeaves{Digests: tree.LeafDigests()}
}

// handleSyncItems compares the sender's items of some leaves with ours and
// answers with what it must receive (Push) and what we want (Want).
func (e *Engine) handleSyncItems(b SyncItems) rpc.Body {
	t, fail := e.table(b.Table)
	if fail != nil {
		return fail
	}
	tree := &t.trees[b.Partition]
	var diff SyncDiff
	for _, l := range b.Leaves {
		theirs := l.Items
		mine := tree.LeafItems(l.Leaf)
		i, j := 0, 0
		for i < len(mine) || j < len(theirs) {
			switch {
			case j == len(theirs) || (i < len(mine) && mine[i].Key < theirs[j].Key):
				diff.Push = append(diff.Push, e.entry(mine[i]))
				i++
			case i == len(mine) || theirs[j].Key < mine[i].Key:
				diff.Want = append(diff.Want, theirs[j].Key)
				j++
			default:
				if mine[i].ValueHash != theirs[j].ValueHash {
					diff.Push = append(diff.Push, e.entry(mine[i]))
					diff.Want = append(diff.Want, theirs[j].Key)
				}
				i++
				j++
			}
		}
	}
	e.stats.SyncItemsSent += uint64(len(diff.Push))
	return diff
}

func (e *Engine) entry(it merkle.Item) KV {
	v, _ := e.store.Get(it.Key)
	return KV{Key: it.Key, Value: v}
}
