package table

import (
	"slices"

	"github.com/garagego/garage/node/cluster"
)

// Local reads of full-copy tables.
//
// Every request reads the access key, the bucket alias and the bucket:
// full-copy tables, whose quorum read asks all but one node but for one.
// A node's own copy answers just as well when it is known to be recent,
// and that is known from anti-entropy: a write to a full-copy table is
// acknowledged once all nodes but one hold it, so a node that lacks an
// acknowledged write learns it from any complete exchange with a peer that
// starts after the acknowledgement. The engine records, per table and
// peer, the start of the last exchange that completed (roots found equal,
// or every differing leaf swapped); while such an exchange with EVERY
// other node of the layout started at most LocalReadMaxAge ago, the local
// copy reflects every write acknowledged before that, and Local reads may
// serve. Requiring every peer, not one, keeps the rule true across layout
// changes, when a node that joined may not hold older writes yet.
//
// Only positive answers should be served this way (see node/admin): a
// local copy may lag by a write, so an entry it lacks, or a right it does
// not show, is read again with a quorum.

// markSynced records a completed exchange of full-copy table t with peer
// that started at start.
func (e *Engine) markSynced(t *tableState, peer cluster.NodeID, start cluster.Time) {
	if t.replication != FullCopy {
		return
	}
	if t.synced == nil {
		t.synced = map[cluster.NodeID]cluster.Time{}
	}
	if start > t.synced[peer] {
		t.synced[peer] = start
	}
}

// fresh reports whether this node's copy of full-copy table t holds every
// write acknowledged more than LocalReadMaxAge before now.
func (e *Engine) fresh(t *tableState, now cluster.Time) bool {
	maxAge := e.cfg.LocalReadMaxAge
	if t.replication != FullCopy || maxAge <= 0 || e.cfg.Bugs.NoAntiEntropy {
		return false
	}
	h := e.layout()
	nodes := h.Nodes()
	if h.Current().IsEmpty() || !slices.Contains(nodes, e.self) {
		return false
	}
	for _, n := range nodes {
		if n == e.self {
			continue
		}
		at, ok := t.synced[n]
		if !ok || now.Sub(at) > maxAge {
			return false
		}
	}
	return true
}

// LocalFresh reads this node's own copy of the entry at key when that copy
// is known to reflect every write acknowledged more than LocalReadMaxAge
// ago (ok); otherwise ok is false and the caller reads with a quorum.
func (t *Table[E]) LocalFresh(now cluster.Time, key Key) (entry E, found, ok bool) {
	if !t.engine.fresh(t.state, now) {
		return entry, false, false
	}
	entry, found = t.Local(key)
	return entry, found, true
}
