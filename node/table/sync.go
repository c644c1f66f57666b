package table

import (
	"slices"
	"strings"
	"time"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/layout"
	"github.com/garagego/garage/node/merkle"
	"github.com/garagego/garage/node/rpc"
)

// Anti-entropy runs in passes. Every SyncInterval (FullCopySyncInterval for
// full-copy tables), and when a peer connects, a node sends each peer it
// shares partitions with one SyncRoots message per table, carrying the
// Merkle roots of every shared partition; the peer answers with the
// partitions whose roots differ. Each differing partition becomes a job:
// compare the 256 leaf digests, then swap the entries of differing leaves.
// At most MaxSyncSessions jobs run at once, so a node that comes back after
// missing many writes catches up at a bounded pace.
type syncState struct {
	nextPass [2]cluster.Time // per Replication
	queue    []syncJob
	sessions int
	// round is the tracked pass in progress for a layout change (nil if
	// none); roundRetry is when a failed one may start again.
	round      *syncRound
	roundRetry cluster.Time
	// shared caches sharedPartitions per replication mode, and its peers
	// in order, for the layout history it was computed from (a new
	// history is a new pointer).
	shared      [2]map[cluster.NodeID][]cluster.Partition
	sharedPeers [2][]cluster.NodeID
	sharedFrom  *layout.History
}

type syncJob struct {
	table ID
	part  cluster.Partition
	peer  cluster.NodeID
	round *syncRound // the tracked pass waiting for this job, if any
}

// syncRound tracks a full pass made for a layout version: it succeeds once
// every root comparison was answered and every exchange it started ended
// well, so every entry this node holds reached every other holder of every
// live version.
type syncRound struct {
	target  uint64 // the layout version this round syncs for
	pending int    // root comparisons and exchanges not finished
	failed  bool
	started bool // every comparison has been sent
}

// interval is how often tables replicated by r are compared.
func (e *Engine) interval(r Replication) time.Duration {
	if r == FullCopy && e.cfg.FullCopySyncInterval > 0 {
		return e.cfg.FullCopySyncInterval
	}
	return e.cfg.SyncInterval
}

// Tick writes queued inserts, starts the sync passes that are due, and
// queued sync jobs while there is room.
func (e *Engine) Tick(now cluster.Time) {
	e.flushQueue(now)
	e.collectGarbage(now)
	if len(e.ids) == 0 || e.cfg.SyncInterval <= 0 {
		return
	}
	for _, r := range []Replication{Sharded, FullCopy} {
		every := e.interval(r)
		next := &e.sync.nextPass[r]
		if gap := now.Sub(*next); *next == 0 || gap > every || gap < -every {
			// First pass, resuming after a long pause, or the clock jumped
			// back: start the schedule again from now.
			*next = now
		}
		if now >= *next {
			*next = next.Add(every)
			e.startPass(now, r, nil, nil)
		}
	}
	e.advanceLayout(now)
	if e.offloadDue {
		e.offload(now)
	}
	e.runSyncJobs(now)
}

// SyncNow starts a full pass at once (on an operator's `repair tables`).
func (e *Engine) SyncNow(now cluster.Time) {
	e.offloadDue = true // the layout may have changed
	e.startPass(now, Sharded, nil, nil)
	e.startPass(now, FullCopy, nil, nil)
	e.runSyncJobs(now)
}

// SyncWith starts a pass with one peer at once: a peer that just connected
// may have missed writes, or we may have.
func (e *Engine) SyncWith(now cluster.Time, peer cluster.NodeID) {
	e.startPass(now, Sharded, &peer, nil)
	e.startPass(now, FullCopy, &peer, nil)
	e.runSyncJobs(now)
}

// startPass asks every peer (or only one) which shared partitions of the
// tables replicated by r differ, table by table. With a round, every
// comparison and exchange is counted in it.
func (e *Engine) startPass(now cluster.Time, r Replication, only *cluster.NodeID, round *syncRound) {
	if e.layout().Current().IsEmpty() || e.cfg.Bugs.NoAntiEntropy {
		return
	}
	if h := e.layout(); e.sync.sharedFrom != h {
		e.sync.shared, e.sync.sharedPeers = [2]map[cluster.NodeID][]cluster.Partition{}, [2][]cluster.NodeID{}
		e.sync.sharedFrom = h
	}
	for _, id := range e.ids {
		t := e.tables[id]
		if t.replication != r {
			continue
		}
		shared := e.sync.shared[t.replication]
		if shared == nil {
			shared = e.sharedPartitions(t)
			e.sync.shared[t.replication] = shared
			e.sync.sharedPeers[t.replication] = sortedPeers(shared)
		}
		for _, peer := range e.sync.sharedPeers[t.replication] {
			if only != nil && peer != *only {
				continue
			}
			parts := shared[peer]
			// Only partitions we hold entries of: the peer's own pass
			// covers those where only it holds some.
			roots := SyncRoots{Table: id}
			for _, p := range parts {
				if tree := t.peek(p); tree.Len() > 0 {
					roots.Roots = append(roots.Roots, PartitionRoot{Partition: p, Root: tree.Root()})
				}
			}
			if len(roots.Roots) == 0 {
				continue
			}
			e.stats.SyncPasses++
			if round != nil {
				round.pending++
			}
			start := now
			e.calls.Start(now, rpc.Call{
				Sets: [][]cluster.NodeID{{peer}}, Quorum: 1, Body: roots, Timeout: e.cfg.RequestTimeout,
			}, func(now cluster.Time, resps []rpc.Response, err error) {
				if err == nil {
					differing := resps[0].Body.(SyncDiffering).Partitions
					if len(differing) == 0 {
						// Every root we sent was the peer's: we held all it
						// held when this pass started.
						e.markSynced(t, peer, start)
					}
					for _, p := range differing {
						if !slices.Contains(parts, p) || (round == nil && e.queued(id, p, peer)) {
							continue
						}
						if round != nil {
							round.pending++
						}
						e.sync.queue = append(e.sync.queue, syncJob{table: id, part: p, peer: peer, round: round})
					}
				}
				// An unreachable peer fails a round; a plain pass just
				// waits for the next one.
				e.endOfRoundStep(now, round, err)
				e.runSyncJobs(now)
			})
		}
	}
}

// sharedPartitions maps each peer to the partitions of table t that both
// it and this node store in some live layout version, in partition order.
func (e *Engine) sharedPartitions(t *tableState) map[cluster.NodeID][]cluster.Partition {
	h := e.layout()
	shared := map[cluster.NodeID][]cluster.Partition{}
	var seen []cluster.NodeID
	for p := range cluster.NumPartitions {
		part := cluster.Partition(p)
		seen = seen[:0]
		add := func(nodes []cluster.NodeID) {
			for _, id := range nodes {
				if id != e.self && !slices.Contains(seen, id) {
					seen = append(seen, id)
					shared[id] = append(shared[id], part)
				}
			}
		}
		if t.replication == FullCopy {
			if slices.Contains(h.Nodes(), e.self) {
				add(h.Nodes())
			}
			continue
		}
		if !h.StoresAny(e.self, part) {
			continue
		}
		for _, set := range h.WriteSets(part) {
			add(set.Nodes)
		}
	}
	return shared
}

func sortedPeers(m map[cluster.NodeID][]cluster.Partition) []cluster.NodeID {
	peers := make([]cluster.NodeID, 0, len(m))
	for id := range m {
		peers = append(peers, id)
	}
	slices.SortFunc(peers, cluster.NodeID.Compare)
	return peers
}

func (e *Engine) queued(id ID, p cluster.Partition, peer cluster.NodeID) bool {
	return slices.ContainsFunc(e.sync.queue, func(j syncJob) bool { return j.table == id && j.part == p && j.peer == peer })
}

// runSyncJobs starts queued jobs while fewer than MaxSyncSessions run.
func (e *Engine) runSyncJobs(now cluster.Time) {
	for len(e.sync.queue) > 0 && e.sync.sessions < max(e.cfg.MaxSyncSessions, 1) {
		job := e.sync.queue[0]
		e.sync.queue = e.sync.queue[1:]
		e.syncPartition(now, e.tables[job.table], job.part, job.peer, func(now cluster.Time, err error) {
			e.endOfRoundStep(now, job.round, err)
		})
	}
}

// syncPartition runs one job with peer: compare leaf digests, then swap the
// entries of the differing leaves, each side sending what the other lacks or
// holds older. finish runs once the job is over.
func (e *Engine) syncPartition(now cluster.Time, t *tableState, p cluster.Partition, peer cluster.NodeID, finish func(cluster.Time, error)) {
	// A job that swapped every differing leaf leaves this node holding all
	// the peer held when it started (fresh.go); one cut short by
	// MaxSyncItems does not.
	start, complete := now, true
	jobDone := finish
	finish = func(now cluster.Time, err error) {
		if err == nil && complete {
			e.markSynced(t, peer, start)
		}
		jobDone(now, err)
	}
	e.sync.sessions++
	e.stats.SyncSessions++
	tree := t.peek(p)
	e.callOne(now, peer, finish, SyncRoot{Table: t.id, Partition: p, Root: tree.Root()}, func(now cluster.Time, body rpc.Body) bool {
		digests := body.(SyncLeaves).Digests
		if digests == nil {
			return false // converged meanwhile
		}
		tree := t.peek(p)
		items := SyncItems{Table: t.id, Partition: p}
		budget := e.cfg.MaxSyncItems
		for i, d := range digests {
			leaf := uint8(i)
			if d == tree.LeafDigest(leaf) {
				continue
			}
			mine := tree.LeafItems(leaf)
			if len(items.Leaves) > 0 && len(mine) > budget {
				complete = false
				break // the rest waits for the next pass
			}
			items.Leaves = append(items.Leaves, LeafItems{Leaf: leaf, Items: slices.Clone(mine)})
			budget -= len(mine)
		}
		e.callOne(now, peer, finish, items, func(now cluster.Time, body rpc.Body) bool {
			diff := body.(SyncDiff)
			e.stats.SyncItemsRecvd += uint64(len(diff.Push))
			for _, kv := range diff.Push {
				if partitionOfStorageKey(kv.Key) != p || e.apply(now, t, kv.Key, kv.Value) != nil {
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
			e.callOne(now, peer, finish, Update{Table: t.id, Entries: back}, func(cluster.Time, rpc.Body) bool { return false })
			return true
		})
		return true
	})
}

// callOne makes a single-node call for a sync step. next handles the reply
// and reports whether it started a further step; when it did not (or the
// call failed), the job is over: finish runs and the next queued job may
// start.
func (e *Engine) callOne(now cluster.Time, peer cluster.NodeID, finish func(cluster.Time, error), body rpc.Body, next func(cluster.Time, rpc.Body) bool) {
	e.calls.Start(now, rpc.Call{
		Sets:    [][]cluster.NodeID{{peer}},
		Quorum:  1,
		Body:    body,
		Timeout: e.cfg.RequestTimeout,
	}, func(now cluster.Time, resps []rpc.Response, err error) {
		if err != nil || !next(now, resps[0].Body) {
			e.sync.sessions--
			finish(now, err)
			e.runSyncJobs(now)
		}
	})
}

func (e *Engine) handleSyncRoots(b SyncRoots) rpc.Body {
	t, fail := e.table(b.Table)
	if fail != nil {
		return fail
	}
	var diff SyncDiffering
	for _, r := range b.Roots {
		if t.peek(r.Partition).Root() != r.Root {
			diff.Partitions = append(diff.Partitions, r.Partition)
		}
	}
	return diff
}

func (e *Engine) handleSyncRoot(b SyncRoot) rpc.Body {
	t, fail := e.table(b.Table)
	if fail != nil {
		return fail
	}
	tree := t.peek(b.Partition)
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
	tree := t.peek(b.Partition)
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
