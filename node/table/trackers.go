package table

import (
	"time"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/layout"
)

// Layout changes keep read-after-write by three per-node trackers, which
// this engine advances for its node and which gossip with the layout:
//
//   - ack: the oldest layout version some write still in flight started
//     under (each insert holds a lock on the version current when it
//     began), else the current version. Once every node acked v, no write
//     that ignores v's nodes is in flight anywhere.
//   - sync: the version v for which a full sync round succeeded — started
//     only once every node acked v, it pushes everything this node holds to
//     every holder of every live version, so v's nodes hold every write
//     acknowledged before.
//   - sync-ack: the version this node reads from (the newest every node
//     synced). Once every current node moved past an old version, it
//     retires.
//
// Reads go to the read version (layout.History.ReadVersion); writes go to
// every live version's set.

// UpdateLayout changes the gossiped layout history (persisting and
// spreading it); membership provides it.
type UpdateLayout func(now cluster.Time, change func(*layout.History) error) error

// SetLayoutUpdater lets the engine advance its node's trackers.
func (e *Engine) SetLayoutUpdater(update UpdateLayout) { e.updateLayout = update }

// lockVersion marks a write in flight under the current layout version and
// returns the release to call when it ends.
func (e *Engine) lockVersion() func(cluster.Time) {
	v := e.layout().Current().Number
	if e.ackLocks == nil {
		e.ackLocks = map[uint64]int{}
	}
	e.ackLocks[v]++
	return func(now cluster.Time) {
		if e.ackLocks[v]--; e.ackLocks[v] == 0 {
			delete(e.ackLocks, v)
			e.advanceLayout(now)
		}
	}
}

// ackVersion is the version this node acknowledges.
func (e *Engine) ackVersion() uint64 {
	ack := e.layout().Current().Number
	for v := range e.ackLocks { // a minimum: map order does not matter
		ack = min(ack, v)
	}
	return ack
}

// idleState is the history and ack version for which advanceLayout last
// found nothing to do; histories are replaced, never changed, so the same
// pointer means the same trackers.
type idleState struct {
	history *layout.History
	ack     uint64
}

// roundRetryDelay spaces attempts at a sync round that failed.
const roundRetryDelay = time.Second

// advanceLayout raises this node's trackers as far as they may go and
// starts a sync round when one is due.
func (e *Engine) advanceLayout(now cluster.Time) {
	h := e.layout()
	if e.updateLayout == nil || h.Current().IsEmpty() {
		return
	}
	ack := e.ackVersion()
	if e.idle == (idleState{h, ack}) {
		return // nothing changed since the last call found nothing to do
	}
	read := h.ReadVersion().Number
	if h.Trackers.Ack.Get(e.self) < ack || h.Trackers.SyncAck.Get(e.self) < read {
		e.updateLayout(now, func(h *layout.History) error { //nolint:errcheck // the change cannot fail
			h.Trackers.Ack.Raise(e.self, ack)
			h.Trackers.SyncAck.Raise(e.self, h.ReadVersion().Number)
			h.Prune()
			return nil
		})
		h = e.layout()
	}
	target := min(h.Trackers.Ack.MinOver(h.Nodes()), h.Current().Number)
	if target <= h.Trackers.Sync.Get(e.self) {
		e.idle = idleState{h, ack}
		return
	}
	if e.sync.round != nil || now < e.sync.roundRetry {
		return
	}
	if len(h.Versions) == 1 {
		// Nothing to move: a single version is synced by definition.
		e.raiseSync(now, target)
		return
	}
	round := &syncRound{target: target}
	e.sync.round = round
	e.stats.SyncRounds++
	round.pending++ // held while the comparisons are sent
	e.startPass(now, Sharded, nil, round)
	e.startPass(now, FullCopy, nil, round)
	e.endOfRoundStep(now, round, nil)
}

// endOfRoundStep records the end of one comparison or exchange of a round,
// and concludes the round when it was the last.
func (e *Engine) endOfRoundStep(now cluster.Time, round *syncRound, err error) {
	if round == nil {
		return
	}
	if err != nil {
		round.failed = true
	}
	if round.pending--; round.pending > 0 {
		return
	}
	if e.sync.round == round {
		e.sync.round = nil
	}
	if round.failed {
		e.stats.SyncRoundFailures++
		e.sync.roundRetry = now.Add(roundRetryDelay)
		return
	}
	e.raiseSync(now, round.target)
	e.advanceLayout(now)
}

func (e *Engine) raiseSync(now cluster.Time, v uint64) {
	e.updateLayout(now, func(h *layout.History) error { //nolint:errcheck // the change cannot fail
		h.Trackers.Sync.Raise(e.self, v)
		h.Trackers.SyncAck.Raise(e.self, h.ReadVersion().Number)
		h.Prune()
		return nil
	})
}
