package node

import (
	"errors"
	"fmt"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/layout"
	"github.com/garagego/garage/node/lwwmap"
	"github.com/garagego/garage/node/meta"
	"github.com/garagego/garage/node/rpc"
	"github.com/garagego/garage/node/table"
	"github.com/garagego/garage/node/wire"
)

// Config configures a node.
type Config struct {
	ID    cluster.NodeID
	Table table.Config
}

// Op is a client operation; each component defines its own.
type Op interface{ OpName() string }

// Request is a client operation submitted to a node. The driver picks ID,
// unique among the requests it has in flight on this node.
type Request struct {
	ID uint64
	Op Op
}

// Reply answers a Request: a result of the op's type, or an error.
type Reply struct {
	ID     uint64
	Result any
	Err    error
}

// Ready is the work a driver must do after an input (see the package doc
// for the order).
type Ready struct {
	Records  []meta.Record
	Messages []rpc.Message
	Replies  []Reply
}

// Empty reports whether there is nothing to do.
func (r Ready) Empty() bool {
	return len(r.Records) == 0 && len(r.Messages) == 0 && len(r.Replies) == 0
}

// ErrUnknownOp answers an operation no component handles.
var ErrUnknownOp = errors.New("unknown operation")

// Node is one storage node.
type Node struct {
	cfg     Config
	store   *meta.Store
	history *layout.History
	out     *rpc.Outbox
	calls   *rpc.Caller
	tables  *table.Engine
	regs    *lwwmap.Service
	replies []Reply
}

// Keys of the node's own records in the metadata store.
const (
	keyIncarnation = "n/incarnation"
	keyLayout      = "n/layout"
)

// New builds a node over a metadata store recovered by the driver (empty on
// first start). The layout comes from the store if it holds one, else from
// initial, which is then persisted; a node with neither cannot start.
func New(cfg Config, store *meta.Store, initial *layout.History) (*Node, error) {
	n := &Node{cfg: cfg, store: store, out: rpc.NewOutbox(cfg.ID)}
	if b, ok := store.Get(keyLayout); ok {
		d := wire.NewDecoder(b)
		h := layout.DecodeHistory(d)
		if err := d.Finish(); err != nil {
			return nil, fmt.Errorf("node: stored layout: %w", err)
		}
		n.history = h
	} else if initial != nil {
		n.history = initial
		n.persistLayout()
	} else {
		return nil, errors.New("node: no layout stored and none given")
	}
	n.calls = rpc.NewCaller(n.out, n.nextIncarnation())
	n.tables = table.NewEngine(cfg.Table, cfg.ID, store, n.out, n.calls, n.Layout)
	n.regs = lwwmap.New(cfg.ID, n.tables)
	return n, nil
}

// nextIncarnation counts starts, so request ids never repeat across
// restarts.
func (n *Node) nextIncarnation() uint64 {
	var inc uint64
	if b, ok := n.store.Get(keyIncarnation); ok {
		inc = wire.NewDecoder(b).Uvarint()
	}
	inc++
	e := wire.NewEncoder(nil)
	e.Uvarint(inc)
	n.store.Put(keyIncarnation, e.Bytes())
	return inc
}

func (n *Node) persistLayout() {
	e := wire.NewEncoder(nil)
	n.history.Encode(e)
	n.store.Put(keyLayout, e.Bytes())
}

// ID is the node's id.
func (n *Node) ID() cluster.NodeID { return n.cfg.ID }

// Layout is the node's current layout history.
func (n *Node) Layout() *layout.History { return n.history }

// Tables exposes the table engine for inspection (convergence checks,
// status).
func (n *Node) Tables() *table.Engine { return n.tables }

// Step handles a message from another node.
func (n *Node) Step(now cluster.Time, m rpc.Message) {
	if m.To != n.cfg.ID {
		return // misrouted; the transport should not let this happen
	}
	if m.Response {
		n.calls.Handle(now, m)
		return
	}
	if n.tables.Step(now, m) {
		return
	}
	if m.ID != 0 {
		n.out.Reply(m, rpc.Error{Message: "unhandled request " + rpc.KindName(m.Body.Kind())})
	}
}

// Tick advances timers: expired calls fail, background work starts.
func (n *Node) Tick(now cluster.Time) {
	n.calls.Tick(now)
	n.tables.Tick(now)
}

// Submit starts a client operation; its Reply comes in a later Ready (or
// this one, if it fails at once).
func (n *Node) Submit(now cluster.Time, req Request) {
	done := func(_ cluster.Time, result any, err error) {
		n.replies = append(n.replies, Reply{ID: req.ID, Result: result, Err: err})
	}
	if !n.regs.Submit(now, req.Op, done) {
		done(now, nil, fmt.Errorf("%w: %T", ErrUnknownOp, req.Op))
	}
}

// HasReady reports whether Ready would return work.
func (n *Node) HasReady() bool {
	return n.store.HasPending() || n.out.Len() > 0 || len(n.replies) > 0
}

// Ready drains the node's pending effects.
func (n *Node) Ready() Ready {
	r := Ready{Records: n.store.TakePending(), Messages: n.out.Take(), Replies: n.replies}
	n.replies = nil
	return r
}
