package block

import (
	"fmt"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/layout"
	"github.com/garagego/garage/node/meta"
	"github.com/garagego/garage/node/rpc"
	"github.com/garagego/garage/node/table"
)

// Manager is one node's block manager.
type Manager struct {
	cfg         Config
	consistency table.Consistency
	self        cluster.NodeID
	store       *meta.Store
	out         *rpc.Outbox
	calls       *rpc.Caller
	layout      func() *layout.History

	io     []IORequest
	nextIO uint64
	waitIO map[uint64]ioWait

	resync resyncState
	scrub  scrubRun
	stats  Stats
}

// Stats counts the manager's work.
type Stats struct {
	BlocksWritten  uint64 // local disk writes
	BlocksRead     uint64 // local disk reads
	BlocksDeleted  uint64 // blocks garbage-collected
	BlocksFetched  uint64 // missing blocks fetched from a peer by resync
	ResyncDone     uint64
	ResyncErrors   uint64
	Corruptions    uint64 // corrupt blocks found (scrub or read)
	ScrubbedBlocks uint64
	ScrubPasses    uint64
	ReadFallbacks  uint64 // client reads that needed another holder
}

// New returns a manager. consistency gives the write quorum.
func New(cfg Config, consistency table.Consistency, self cluster.NodeID, store *meta.Store, out *rpc.Outbox, calls *rpc.Caller, layoutFn func() *layout.History) *Manager {
	cfg = cfg.withDefaults()
	m := &Manager{cfg: cfg, consistency: consistency, self: self, store: store, out: out, calls: calls, layout: layoutFn,
		waitIO: map[uint64]ioWait{}}
	m.scrub.load(store)
	m.loadSettings()
	return m
}

// Stats reports the counters.
func (m *Manager) Stats() Stats { return m.stats }

// TakeIO returns the disk operations to perform and forgets them.
func (m *Manager) TakeIO() []IORequest {
	io := m.io
	m.io = nil
	return io
}

// PendingIO reports whether disk operations wait to be taken.
func (m *Manager) PendingIO() bool { return len(m.io) > 0 }

// Complete takes the result of a disk operation.
func (m *Manager) Complete(now cluster.Time, r IOResult) {
	w, ok := m.waitIO[r.ID]
	if !ok {
		return // from before a restart, or answered twice
	}
	delete(m.waitIO, r.ID)
	defer m.out.SetCause(m.out.SetCause(w.cause))
	w.done(now, r)
}

// ioWait is a disk operation's callback and the client request it works
// for (rpc.Outbox.SetCause), so that what it starts is still that
// request's.
type ioWait struct {
	done  func(cluster.Time, IOResult)
	cause uint64
}

func (m *Manager) doIO(req IORequest, done func(cluster.Time, IOResult)) {
	m.nextIO++
	req.ID = m.nextIO
	m.waitIO[req.ID] = ioWait{done: done, cause: m.out.Cause()}
	m.io = append(m.io, req)
}

// holders lists the nodes storing partition p in any live layout version,
// current version first.
func (m *Manager) holders(h cluster.Hash) []cluster.NodeID {
	hist := m.layout()
	var out []cluster.NodeID
	for i := len(hist.Versions) - 1; i >= 0; i-- {
		for _, id := range hist.Versions[i].NodesOf(h.Partition()) {
			if !contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out
}

// readOrder sorts candidates for a read: this node, then its zone, then the
// others in ring order.
func (m *Manager) readOrder(nodes []cluster.NodeID) []cluster.NodeID {
	cur := m.layout().Current()
	myZone := ""
	if me, ok := cur.Member(m.self); ok {
		myZone = me.Zone
	}
	var self, zone, rest []cluster.NodeID
	for _, id := range nodes {
		switch mem, ok := cur.Member(id); {
		case id == m.self:
			self = append(self, id)
		case ok && myZone != "" && mem.Zone == myZone:
			zone = append(zone, id)
		default:
			rest = append(rest, id)
		}
	}
	return append(append(self, zone...), rest...)
}

func contains(ids []cluster.NodeID, id cluster.NodeID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// Put writes a block to the holders of its partition in the current layout
// version and calls done once a write quorum stored it.
func (m *Manager) Put(now cluster.Time, h cluster.Hash, data []byte, compressed bool, done func(cluster.Time, error)) {
	cur := m.layout().Current()
	if cur.IsEmpty() {
		done(now, table.ErrNoLayout)
		return
	}
	_, w := m.consistency.Quorums(cur.ReplicationFactor)
	m.calls.Start(now, rpc.Call{
		Sets:    [][]cluster.NodeID{cur.NodesOf(h.Partition())},
		Quorum:  w,
		Body:    PutBlock{Hash: h, Compressed: compressed, Data: data},
		Timeout: m.cfg.WriteTimeout,
	}, func(now cluster.Time, _ []rpc.Response, err error) {
		if err != nil {
			err = fmt.Errorf("write block %s: %w", h, err)
		}
		done(now, err)
	})
}

// Get reads a block from the best holder, falling back on the others.
func (m *Manager) Get(now cluster.Time, h cluster.Hash, done func(now cluster.Time, data []byte, compressed bool, err error)) {
	m.getFrom(now, h, m.readOrder(m.holders(h)), nil, done)
}

func (m *Manager) getFrom(now cluster.Time, h cluster.Hash, candidates []cluster.NodeID, lastErr error, done func(cluster.Time, []byte, bool, error)) {
	if len(candidates) == 0 {
		if lastErr == nil {
			lastErr = ErrNotFound
		}
		done(now, nil, false, fmt.Errorf("read block %s: no holder could serve it: %w", h, lastErr))
		return
	}
	if lastErr != nil {
		m.stats.ReadFallbacks++
	}
	next := func(now cluster.Time, data []byte, compressed bool, err error) {
		if err != nil {
			m.getFrom(now, h, candidates[1:], err, done)
			return
		}
		done(now, data, compressed, nil)
	}
	if candidates[0] == m.self {
		m.readLocal(h, next)
		return
	}
	m.calls.Start(now, rpc.Call{Sets: [][]cluster.NodeID{{candidates[0]}}, Quorum: 1, Body: GetBlock{Hash: h}, Timeout: m.cfg.ReadTimeout},
		func(now cluster.Time, resps []rpc.Response, err error) {
			if err != nil {
				next(now, nil, false, err)
				return
			}
			b := resps[0].Body.(BlockData)
			next(now, b.Data, b.Compressed, nil)
		})
}

// readLocal reads a block from this node's disk; a corrupt one is
// quarantined and queued to be fetched again.
func (m *Manager) readLocal(h cluster.Hash, done func(cluster.Time, []byte, bool, error)) {
	m.doIO(IORequest{Kind: IORead, Hash: h}, func(now cluster.Time, r IOResult) {
		if r.Err != nil {
			if isCorrupt(r.Err) {
				m.corrupt(now, h)
			}
			done(now, nil, false, r.Err)
			return
		}
		m.stats.BlocksRead++
		done(now, r.Data, r.Compressed, nil)
	})
}

func (m *Manager) corrupt(now cluster.Time, h cluster.Hash) {
	m.stats.Corruptions++
	m.doIO(IORequest{Kind: IOQuarantine, Hash: h}, func(now cluster.Time, _ IOResult) {
		m.enqueue(h, now)
	})
}

// Step handles block messages.
func (m *Manager) Step(now cluster.Time, msg rpc.Message) bool {
	if msg.Response {
		return false
	}
	switch b := msg.Body.(type) {
	case PutBlock:
		m.doIO(IORequest{Kind: IOWrite, Hash: b.Hash, Data: b.Data, Compressed: b.Compressed}, func(now cluster.Time, r IOResult) {
			if r.Err != nil {
				m.out.Reply(msg, rpc.Error{Message: fmt.Sprintf("store block %s: %v", b.Hash, r.Err)})
				return
			}
			m.stats.BlocksWritten++
			if m.RefCount(b.Hash).Count == 0 {
				// Not referenced (yet, or any more): the reference of the
				// put that wrote it usually follows at once, so the block
				// gets a grace period from now. An older zero count must
				// not let it be collected in the window between the write
				// and the reference (a block written again after its last
				// reference went). If no reference comes (the writer
				// crashed), it is collected after the grace period.
				m.setRefCount(b.Hash, RefCount{ZeroSince: now})
				m.enqueue(b.Hash, now.Add(m.cfg.GCDelay))
			}
			m.out.Reply(msg, BlockAck{})
		})
	case NeedBlock:
		if m.RefCount(b.Hash).Count == 0 {
			m.out.Reply(msg, Need{})
			return true
		}
		m.doIO(IORequest{Kind: IOStat, Hash: b.Hash}, func(now cluster.Time, r IOResult) {
			if r.Err != nil {
				m.out.Reply(msg, rpc.Error{Message: fmt.Sprintf("stat block %s: %v", b.Hash, r.Err)})
				return
			}
			m.out.Reply(msg, Need{Referenced: true, Missing: !r.Present})
		})
	case GetBlock:
		m.readLocal(b.Hash, func(now cluster.Time, data []byte, compressed bool, err error) {
			if err != nil {
				m.out.Reply(msg, rpc.Error{Message: fmt.Sprintf("block %s: %v", b.Hash, err)})
				return
			}
			m.out.Reply(msg, BlockData{Data: data, Compressed: compressed})
		})
	default:
		return false
	}
	return true
}
