package sim

import (
	"fmt"
	"slices"
	"time"

	"github.com/garagego/garage/node"
	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/layout"
)

// ChangeKind names a layout change the simulated operator makes.
type ChangeKind uint8

const (
	AnyChange      ChangeKind = iota // drawn when it strikes, from the layout of the moment
	AddNode                          // give Node (outside the layout) a role in Zone with Capacity, or as a gateway
	RemoveNode                       // take Node's role away
	ChangeZone                       // move Node to Zone
	ChangeCapacity                   // give Node Capacity
	ChangeRF                         // set the replication factor to RF
)

var changeNames = map[ChangeKind]string{
	AnyChange: "any", AddNode: "add", RemoveNode: "remove", ChangeZone: "zone", ChangeCapacity: "capacity", ChangeRF: "replication",
}

func (k ChangeKind) String() string { return changeNames[k] }

// LayoutChange is one change the operator stages and applies, as
// `garage layout assign|remove|config` followed by `garage layout apply`.
type LayoutChange struct {
	Kind     ChangeKind
	Node     int
	Zone     int
	Capacity uint64
	Gateway  bool
	RF       int
}

func (c LayoutChange) String() string {
	switch c.Kind {
	case AddNode:
		if c.Gateway {
			return fmt.Sprintf("add node %d as a gateway in z%d", c.Node, c.Zone)
		}
		return fmt.Sprintf("add node %d in z%d with capacity %d", c.Node, c.Zone, c.Capacity)
	case RemoveNode:
		return fmt.Sprintf("remove node %d", c.Node)
	case ChangeZone:
		return fmt.Sprintf("move node %d to z%d", c.Node, c.Zone)
	case ChangeCapacity:
		return fmt.Sprintf("give node %d capacity %d", c.Node, c.Capacity)
	case ChangeRF:
		return fmt.Sprintf("set replication factor %d", c.RF)
	}
	return "any change"
}

// operator is the cluster's administrator: it makes layout changes one at
// a time through a node that has seen every version applied so far, so two
// applies never race for one version number (which real operators must
// avoid too, and the layout refuses).
type operator struct {
	applied uint64         // newest layout version the operator applied
	pending []LayoutChange // changes waiting for their turn
	// The change in progress: its admin requests, the one in flight, and
	// where.
	busy  bool
	steps []node.Op
	node  int
	req   uint64
	what  LayoutChange
}

// operatorClient marks, in a node's waiting requests, those of the operator.
const operatorClient = -1

// operatorRetry is how long the operator waits when no node can take a
// change (every node that saw the newest version is down).
const operatorRetry = time.Second

// changeLayout queues a layout change and starts it if the operator is idle.
func (s *Sim) changeLayout(c LayoutChange) {
	s.op.pending = append(s.op.pending, c)
	s.operatorNext()
}

// operatorNext starts the next queued change through a suitable node.
func (s *Sim) operatorNext() {
	op := &s.op
	if op.busy || len(op.pending) == 0 || s.phase != phaseSafety {
		return
	}
	var ready []int
	for _, nd := range s.nodes {
		if nd.n != nil && nd.n.Layout().Current().Number == op.applied {
			ready = append(ready, nd.idx)
		}
	}
	if len(ready) == 0 {
		s.push(event{at: s.now + int64(operatorRetry), kind: evOperatorRetry})
		return
	}
	c := op.pending[0]
	op.pending = op.pending[1:]
	nd := s.nodes[ready[s.rng.IntN(len(ready))]]
	if c.Kind == AnyChange {
		var ok bool
		if c, ok = s.drawChange(nd.n.Layout().Current()); !ok {
			s.tracef(nd, "operator: no layout change possible")
			s.operatorNext()
			return
		}
	}
	steps, err := s.changeSteps(nd.n.Layout().Current(), c)
	if err != nil {
		s.tracef(nd, "operator: skip %v: %v", c, err)
		s.operatorNext()
		return
	}
	s.tracef(nd, "operator: %v as version %d", c, op.applied+1)
	op.busy, op.node, op.what = true, nd.idx, c
	op.steps = append(steps, admin.ApplyLayout{Version: op.applied + 1})
	s.operatorSubmit()
}

// operatorSubmit sends the change's next admin request.
func (s *Sim) operatorSubmit() {
	op := &s.op
	nd := s.nodes[op.node]
	next := op.steps[0]
	op.steps = op.steps[1:]
	nd.nextReq++
	op.req = nd.nextReq
	nd.waiting[op.req] = operatorClient
	nd.n.Submit(s.localNow(nd), node.Request{ID: op.req, Op: next})
	s.drive(nd)
	s.push(event{at: s.now + int64(s.opts.ClientDeadline), kind: evOperatorDeadline, node: int32(op.node), req: op.req})
}

// operatorReply takes the answer to the operator's request in flight.
func (s *Sim) operatorReply(r node.Reply) {
	op := &s.op
	if r.Err != nil {
		s.tracef(s.nodes[op.node], "operator: %v refused: %v", op.what, r.Err)
		s.stats.LayoutRefused++
		s.operatorAbandon()
		return
	}
	if len(op.steps) > 0 {
		s.operatorSubmit()
		return
	}
	info := r.Result.(admin.LayoutInfo)
	op.applied = info.Version
	s.stats.LayoutApplied++
	s.stats.Changes[op.what.Kind]++
	s.tracef(s.nodes[op.node], "operator: version %d applied", info.Version)
	op.busy = false
	s.operatorNext()
}

// operatorDeadline gives up on a request that got no answer (its node
// crashed with it).
func (s *Sim) operatorDeadline(nodeIdx int, req uint64) {
	op := &s.op
	if !op.busy || op.node != nodeIdx || op.req != req {
		return
	}
	delete(s.nodes[nodeIdx].waiting, req)
	s.tracef(s.nodes[nodeIdx], "operator: %v got no answer", op.what)
	s.operatorAbandon()
}

// operatorAbandon drops what the failed change staged, as an operator
// would with `garage layout revert`, and moves on.
func (s *Sim) operatorAbandon() {
	op := &s.op
	op.busy = false
	s.fireAndForget(op.node, admin.RevertLayout{})
	s.operatorNext()
}

// changeSteps turns a change into the admin requests that stage it.
func (s *Sim) changeSteps(cur *layout.Version, c LayoutChange) ([]node.Op, error) {
	if c.Kind == ChangeRF {
		rf := c.RF
		return []node.Op{admin.ConfigLayout{ReplicationFactor: &rf}}, nil
	}
	if c.Node < 0 || c.Node >= len(s.nodes) {
		return nil, fmt.Errorf("no node %d", c.Node)
	}
	id := s.nodes[c.Node].id
	_, member := cur.Member(id)
	switch {
	case c.Kind == AddNode && member:
		return nil, fmt.Errorf("node %d already has a role", c.Node)
	case c.Kind != AddNode && !member:
		return nil, fmt.Errorf("node %d has no role", c.Node)
	}
	nodes := []string{id.Hex()}
	switch c.Kind {
	case AddNode:
		return []node.Op{admin.AssignRole{Nodes: nodes, Zone: zoneName(c.Zone), Capacity: c.Capacity, Gateway: c.Gateway}}, nil
	case RemoveNode:
		return []node.Op{admin.RemoveRole{Node: id.Hex()}}, nil
	case ChangeZone:
		return []node.Op{admin.AssignRole{Nodes: nodes, Zone: zoneName(c.Zone)}}, nil
	case ChangeCapacity:
		return []node.Op{admin.AssignRole{Nodes: nodes, Capacity: c.Capacity}}, nil
	}
	return nil, fmt.Errorf("unknown change %d", c.Kind)
}

func zoneName(z int) string { return fmt.Sprint("z", z) }

// drawChange picks a change that the layout cur allows: a node joins (as a
// storage node, sometimes as a gateway), one leaves while enough remain, a
// node changes zone or capacity, or the replication factor changes.
func (s *Sim) drawChange(cur *layout.Version) (LayoutChange, bool) {
	var members, storage, outside []int
	for _, nd := range s.nodes {
		m, ok := cur.Member(nd.id)
		switch {
		case !ok:
			outside = append(outside, nd.idx)
		case m.Gateway:
			members = append(members, nd.idx)
		default:
			members = append(members, nd.idx)
			storage = append(storage, nd.idx)
		}
	}
	capacity := func() uint64 { return []uint64{1, 2, 4}[s.rng.IntN(3)] << 40 }
	zone := func() int { return s.rng.IntN(s.opts.Zones) }
	// A lower replication factor is drawn only where disk faults cannot
	// strike the last copy (they hit one node; two copies survive it).
	minRF := 1
	if s.opts.Faults.DiskFaultEvery > 0 || slices.ContainsFunc(s.schedule, func(f Fault) bool {
		return f.Kind == LoseBlock || f.Kind == CorruptBlock || f.Kind == WipeDisk || f.Kind == LoseMetadata
	}) {
		minRF = 2
	}
	var choices []LayoutChange
	if len(outside) > 0 {
		n := outside[s.rng.IntN(len(outside))]
		choices = append(choices, LayoutChange{Kind: AddNode, Node: n, Zone: zone(), Capacity: capacity()},
			LayoutChange{Kind: AddNode, Node: n, Zone: zone(), Capacity: capacity()})
		if s.rng.IntN(4) == 0 {
			choices = append(choices, LayoutChange{Kind: AddNode, Node: n, Zone: zone(), Gateway: true})
		}
	}
	// Storage nodes leave only while more than the replication factor (and
	// three) remain; gateways leave freely.
	var removable []int
	for _, n := range members {
		if m, _ := cur.Member(s.nodes[n].id); m.Gateway || len(storage) > max(cur.ReplicationFactor, 3) {
			removable = append(removable, n)
		}
	}
	if len(removable) > 0 {
		choices = append(choices, LayoutChange{Kind: RemoveNode, Node: removable[s.rng.IntN(len(removable))]})
	}
	if len(storage) > 0 {
		choices = append(choices,
			LayoutChange{Kind: ChangeZone, Node: storage[s.rng.IntN(len(storage))], Zone: zone()},
			LayoutChange{Kind: ChangeCapacity, Node: storage[s.rng.IntN(len(storage))], Capacity: capacity()})
	}
	var rfs []int
	for rf := minRF; rf <= min(len(storage), 5); rf++ {
		if rf != cur.ReplicationFactor {
			rfs = append(rfs, rf)
		}
	}
	if len(rfs) > 0 {
		choices = append(choices, LayoutChange{Kind: ChangeRF, RF: rfs[s.rng.IntN(len(rfs))]})
	}
	if len(choices) == 0 {
		return LayoutChange{}, false
	}
	return choices[s.rng.IntN(len(choices))], true
}
