package node

import (
	"errors"
	"fmt"
	"time"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/block"
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/k2v"
	"github.com/garagego/garage/node/layout"
	"github.com/garagego/garage/node/lwwmap"
	"github.com/garagego/garage/node/membership"
	"github.com/garagego/garage/node/meta"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/rpc"
	"github.com/garagego/garage/node/table"
	"github.com/garagego/garage/node/wire"
)

// Config configures a node.
type Config struct {
	ID    cluster.NodeID
	Table table.Config
	Block block.Config
	// ReplicationFactor is the cluster's; the first layout version uses it.
	ReplicationFactor int
	// StatusInterval is how often nodes exchange statuses (default 10 s).
	StatusInterval time.Duration
	// ObjectBugs are faults the simulator plants in the object core.
	ObjectBugs object.Bugs
	// K2VBugs are faults the simulator plants in the K2V core.
	K2VBugs k2v.Bugs
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
	// IO are disk operations on the data directories, each answered by a
	// Complete input. Like Messages, they start once Records are durable.
	IO []block.IORequest
}

// Empty reports whether there is nothing to do.
func (r Ready) Empty() bool {
	return len(r.Records) == 0 && len(r.Messages) == 0 && len(r.Replies) == 0 && len(r.IO) == 0
}

// ErrUnknownOp answers an operation no component handles.
var ErrUnknownOp = errors.New("unknown operation")

// Node is one storage node.
type Node struct {
	cfg     Config
	store   *meta.Store
	out     *rpc.Outbox
	calls   *rpc.Caller
	members *membership.Service
	tables  *table.Engine
	blocks  *block.Manager
	regs    *lwwmap.Service
	model   *model.Tables
	objects *object.Service
	k2v     *k2v.Service
	admin   *admin.Service
	replies []Reply
}

// keyIncarnation is where the node counts its starts.
const keyIncarnation = "n/incarnation"

// New builds a node over a metadata store recovered by the driver (empty on
// first start). The layout comes from the store if it holds one, else from
// initial, else it is the empty version 0 until an operator applies one.
func New(cfg Config, store *meta.Store, initial *layout.History) (*Node, error) {
	if cfg.StatusInterval <= 0 {
		cfg.StatusInterval = 10 * time.Second
	}
	n := &Node{cfg: cfg, store: store, out: rpc.NewOutbox(cfg.ID)}
	history := initial
	if b, ok := store.Get(membership.KeyLayout); ok {
		d := wire.NewDecoder(b)
		history = layout.DecodeHistory(d)
		if err := d.Finish(); err != nil {
			return nil, fmt.Errorf("node: stored layout: %w", err)
		}
	} else if history == nil {
		if cfg.ReplicationFactor < layout.MinReplication || cfg.ReplicationFactor > layout.MaxReplication {
			return nil, fmt.Errorf("node: replication factor %d out of [%d, %d]", cfg.ReplicationFactor, layout.MinReplication, layout.MaxReplication)
		}
		history = layout.NewHistory(layout.Empty(cfg.ReplicationFactor))
	}
	n.members = membership.New(cfg.ID, cfg.StatusInterval, n.out, store, history)
	if _, stored := store.Get(membership.KeyLayout); !stored {
		if err := n.members.UpdateLayout(0, func(*layout.History) error { return nil }); err != nil {
			return nil, err
		}
	}
	n.calls = rpc.NewCaller(n.out, n.nextIncarnation())
	n.tables = table.NewEngine(cfg.Table, cfg.ID, store, n.out, n.calls, n.members.Layout)
	n.members.OnLayoutChange = func(now cluster.Time) {
		n.tables.SyncNow(now)
		if n.k2v != nil {
			n.k2v.LayoutChanged(now)
		}
	}
	n.tables.SetLayoutUpdater(n.members.UpdateLayout)
	n.blocks = block.New(cfg.Block, cfg.Table.Consistency, cfg.ID, store, n.out, n.calls, n.members.Layout)
	n.regs = lwwmap.New(cfg.ID, n.tables)
	n.model = model.Register(n.tables)
	n.objects = object.New(cfg.ID, n.tables, n.blocks)
	n.objects.PlantBugs(cfg.ObjectBugs)
	n.objects.EnableCounting(object.Counting{Store: store, Buckets: n.model.Buckets, Layout: n.members.Layout})
	n.k2v = k2v.New(k2v.Config{Consistency: cfg.Table.Consistency, RequestTimeout: cfg.Table.RequestTimeout, Bugs: cfg.K2VBugs},
		cfg.ID, store, n.out, n.calls, n.tables, n.members.Layout)
	n.admin = admin.New(cfg.ID, n.tables, n.blocks, n.objects.Refs(), n.model, n.members, bucketContents{n.objects, n.k2v}, cfg.StatusInterval)
	n.out.Take() // nothing may be sent before the first input
	return n, nil
}

// bucketContents is what a bucket holds for the admin operations: its
// objects, and its K2V items (a bucket that holds either is not empty).
type bucketContents struct {
	*object.Service
	k2v *k2v.Service
}

func (c bucketContents) BucketEmpty(now cluster.Time, b model.Bucket, done func(cluster.Time, bool, error)) {
	c.Service.BucketEmpty(now, b, func(now cluster.Time, empty bool, err error) {
		if err != nil || !empty {
			done(now, empty, err)
			return
		}
		c.k2v.BucketEmpty(now, b.ID, done)
	})
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

// ID is the node's id.
func (n *Node) ID() cluster.NodeID { return n.cfg.ID }

// Layout is the node's current layout history.
func (n *Node) Layout() *layout.History { return n.members.Layout() }

// Members exposes what the node knows of the cluster.
func (n *Node) Members() *membership.Service { return n.members }

// SetInfo records what the driver measured about this node (host name,
// free space), reported in its statuses.
func (n *Node) SetInfo(info membership.Info) { n.members.SetInfo(info) }

// PeerConnected records that the transport connected to node id.
// A peer that just connected may have missed writes (or we may have), so
// anti-entropy runs with it at once.
func (n *Node) PeerConnected(now cluster.Time, id cluster.NodeID, addr string) {
	n.members.PeerConnected(now, id, addr)
	n.tables.SyncWith(now, id)
}

// PeerDisconnected records that the transport lost node id. What was sent
// to id and not answered is lost with the connection: the calls waiting
// for it count it as failed now, not at their deadline.
func (n *Node) PeerDisconnected(now cluster.Time, id cluster.NodeID) {
	n.members.PeerDisconnected(id)
	n.calls.PeerLost(now, id)
}

// Tables exposes the table engine for inspection (convergence checks,
// status).
func (n *Node) Tables() *table.Engine { return n.tables }

// Step handles a message from another node.
func (n *Node) Step(now cluster.Time, m rpc.Message) {
	if m.To != n.cfg.ID {
		return // misrouted; the transport should not let this happen
	}
	if m.Response {
		n.calls.Handle(now, m) // runs the call's callback under its own cause
		return
	}
	if m.From == n.cfg.ID {
		// A request to itself is still the work of the request that sent
		// it; one from a peer carries no cause of this node's.
		defer n.out.SetCause(n.out.SetCause(m.Cause))
	}
	if n.members.Step(now, m) || n.tables.Step(now, m) || n.blocks.Step(now, m) || n.k2v.Step(now, m) {
		return
	}
	if m.ID != 0 {
		n.out.Reply(m, rpc.Error{Message: "unhandled request " + rpc.KindName(m.Body.Kind())})
	}
}

// Tick advances timers: expired calls fail, background work starts.
func (n *Node) Tick(now cluster.Time) {
	n.calls.Tick(now)
	n.members.Tick(now)
	n.tables.Tick(now)
	n.blocks.Tick(now)
	n.k2v.Tick(now)
}

// Submit starts a client operation; its Reply comes in a later Ready (or
// this one, if it fails at once). Every message it causes, now or from the
// responses to the calls it starts, carries req.ID as its Cause.
func (n *Node) Submit(now cluster.Time, req Request) {
	defer n.out.SetCause(n.out.SetCause(req.ID))
	done := func(_ cluster.Time, result any, err error) {
		n.replies = append(n.replies, Reply{ID: req.ID, Result: result, Err: err})
	}
	if !n.regs.Submit(now, req.Op, done) && !n.objects.Submit(now, req.Op, done) && !n.k2v.Submit(now, req.Op, done) && !n.admin.Submit(now, req.Op, done) {
		done(now, nil, fmt.Errorf("%w: %T", ErrUnknownOp, req.Op))
	}
}

// Complete takes the result of a disk operation requested in Ready.IO.
func (n *Node) Complete(now cluster.Time, r block.IOResult) { n.blocks.Complete(now, r) }

// K2V exposes the K2V service for inspection.
func (n *Node) K2V() *k2v.Service { return n.k2v }

// Blocks exposes the block manager for inspection.
func (n *Node) Blocks() *block.Manager { return n.blocks }

// Objects exposes the object service for inspection.
func (n *Node) Objects() *object.Service { return n.objects }

// HasReady reports whether Ready would return work.
func (n *Node) HasReady() bool {
	return n.store.HasPending() || n.out.Len() > 0 || len(n.replies) > 0 || n.blocks.PendingIO()
}

// Ready drains the node's pending effects.
func (n *Node) Ready() Ready {
	r := Ready{Records: n.store.TakePending(), Messages: n.out.Take(), Replies: n.replies, IO: n.blocks.TakeIO()}
	n.replies = nil
	return r
}
