package rpc

import (
	"container/heap"
	"slices"
	"time"

	"github.com/garagego/garage/node/cluster"
)

// Response is one node's successful answer to a call.
type Response struct {
	From cluster.NodeID
	Body Body
}

// Done receives the outcome of a call at time now: the successful responses
// gathered so far (in arrival order) and nil, or an error saying why quorum
// failed.
type Done func(now cluster.Time, responses []Response, err error)

// Call describes a quorum request.
type Call struct {
	// Sets are the node sets to reach, one per live layout version; the same
	// node may sit in several. Every node of every set gets the request.
	Sets [][]cluster.NodeID
	// Quorum is the number of successes needed in each set, unless
	// Quorums gives one per set (versions with different replication
	// factors).
	Quorum  int
	Quorums []int
	Body    Body
	// Timeout bounds the wait for quorum.
	Timeout time.Duration
	// Decisive, if set, ends the call with success at the first response
	// it accepts, quorum or not (a poll answered by a replica that saw a
	// change).
	Decisive func(Body) bool
}

func (c Call) quorum(set int) int {
	if c.Quorums != nil {
		return c.Quorums[set]
	}
	return c.Quorum
}

// Caller tracks calls in flight: it matches responses to them, counts
// quorums per node set and expires them on their deadline.
type Caller struct {
	out      *Outbox
	idBase   uint64
	nextID   uint64
	inflight map[uint64]*pending
	expiry   deadlines
}

type pending struct {
	call      Call
	deadline  cluster.Time
	done      Done
	answered  []cluster.NodeID
	successes []Response
	okIn      []int // successes per set
	failedIn  []int // failures per set
	cause     uint64
}

// NewCaller returns a caller sending through out. Request ids start at
// incarnation<<32, so responses to requests sent before a restart are never
// mistaken for responses to new ones.
func NewCaller(out *Outbox, incarnation uint64) *Caller {
	return &Caller{out: out, idBase: incarnation << 32, inflight: map[uint64]*pending{}}
}

// Start sends c.Body to every node of every set and returns the call id;
// done runs exactly once, from a later Handle or Tick (or at once if the
// quorum can never be met). The call inherits the outbox's cause, and done
// runs under it (Outbox.SetCause), whatever input ends the call: work that
// goes on from a response is still the request's.
func (c *Caller) Start(now cluster.Time, call Call, done Done) uint64 {
	c.nextID++
	id := c.idBase | c.nextID
	p := &pending{
		call:     call,
		deadline: now.Add(call.Timeout),
		done:     done,
		okIn:     make([]int, len(call.Sets)),
		failedIn: make([]int, len(call.Sets)),
		cause:    c.out.cause,
	}
	for i, set := range call.Sets {
		if len(set) < call.quorum(i) {
			done(now, nil, ErrQuorum)
			return id
		}
	}
	c.inflight[id] = p
	heap.Push(&c.expiry, deadline{at: p.deadline, id: id})
	var sent []cluster.NodeID
	for _, set := range call.Sets {
		for _, node := range set {
			if !slices.Contains(sent, node) {
				sent = append(sent, node)
				c.out.request(node, id, call.Body)
			}
		}
	}
	if call.Quorum == 0 && call.Quorums == nil {
		c.finish(now, id, p, nil)
	}
	return id
}

// Handle takes a response message. It reports whether the message belonged
// to a call in flight (late and duplicate responses are absorbed silently).
func (c *Caller) Handle(now cluster.Time, m Message) bool {
	if !m.Response {
		return false
	}
	p, ok := c.inflight[m.ID]
	if !ok || slices.Contains(p.answered, m.From) {
		return ok
	}
	p.answered = append(p.answered, m.From)
	_, failed := m.Body.(Error)
	if !failed {
		p.successes = append(p.successes, Response{From: m.From, Body: m.Body})
	}
	reached, impossible := true, false
	for i, set := range p.call.Sets {
		if slices.Contains(set, m.From) {
			if failed {
				p.failedIn[i]++
			} else {
				p.okIn[i]++
			}
		}
		if p.okIn[i] < p.call.quorum(i) {
			reached = false
		}
		if len(set)-p.failedIn[i] < p.call.quorum(i) {
			impossible = true
		}
	}
	switch {
	case reached || !failed && p.call.Decisive != nil && p.call.Decisive(m.Body):
		c.finish(now, m.ID, p, nil)
	case impossible:
		c.finish(now, m.ID, p, ErrQuorum)
	}
	return true
}

// PeerLost fails, as if node had answered with an error, every call still
// waiting for node's answer: the connection that carried the request, and
// would have carried the answer, is gone. A call that can no longer reach
// its quorum fails at once instead of at its deadline; one that can still
// reach it goes on with the other nodes.
func (c *Caller) PeerLost(now cluster.Time, node cluster.NodeID) {
	ids := make([]uint64, 0, len(c.inflight))
	for id, p := range c.inflight {
		if !slices.Contains(p.answered, node) && p.call.reaches(node) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids) // done callbacks run in call order, not map order
	lost := Error{Message: "connection to " + node.String() + " lost"}
	for _, id := range ids {
		c.Handle(now, Message{From: node, ID: id, Response: true, Body: lost})
	}
}

// reaches reports whether node is in one of the call's sets.
func (c Call) reaches(node cluster.NodeID) bool {
	for _, set := range c.Sets {
		if slices.Contains(set, node) {
			return true
		}
	}
	return false
}

// Tick fails every call whose deadline has passed.
func (c *Caller) Tick(now cluster.Time) {
	for c.expiry.Len() > 0 && c.expiry[0].at <= now {
		d := heap.Pop(&c.expiry).(deadline)
		if p, ok := c.inflight[d.id]; ok {
			c.finish(now, d.id, p, ErrTimeout)
		}
	}
}

// InFlight is the number of calls awaiting an outcome.
func (c *Caller) InFlight() int { return len(c.inflight) }

func (c *Caller) finish(now cluster.Time, id uint64, p *pending, err error) {
	delete(c.inflight, id)
	prev := c.out.cause
	c.out.cause = p.cause
	p.done(now, p.successes, err)
	c.out.cause = prev
}

// deadline is a min-heap entry ordered by time, then call id, so expiry order
// never depends on map iteration.
type deadline struct {
	at cluster.Time
	id uint64
}

type deadlines []deadline

func (d deadlines) Len() int { return len(d) }
func (d deadlines) Less(i, j int) bool {
	if d[i].at != d[j].at {
		return d[i].at < d[j].at
	}
	return d[i].id < d[j].id
}
func (d deadlines) Swap(i, j int) { d[i], d[j] = d[j], d[i] }
func (d *deadlines) Push(x any)   { *d = append(*d, x.(deadline)) }
func (d *deadlines) Pop() any {
	old := *d
	x := old[len(old)-1]
	*d = old[:len(old)-1]
	return x
}
