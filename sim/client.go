package sim

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/garagego/garage/checker"
	"github.com/garagego/garage/node"
	"github.com/garagego/garage/node/crdt"
	"github.com/garagego/garage/node/lwwmap"
)

// client is a sequential client: one operation at a time, through a node
// it picks, recorded in the history from call to return.
type client struct {
	idx    int
	done   bool
	cur    int // index of the operation in flight in the history, -1 if none
	task   task
	node   int
	req    uint64
	queued []queuedOp // final-phase reads, in order
	// k2v marks a K2V operation in flight: cur indexes s.k2v.ops, and
	// scratch takes the outcome the task machinery sets.
	k2v     bool
	scratch checker.Op
	issued  int
	// followUp, if set, is the next operation, at once: a range read right
	// after a put (RangeAfterWrite).
	followUp *queuedOp
}

// tieWriter reports whether c is one of the clients that put to the hot
// key in lockstep (TieWriters).
func (s *Sim) tieWriter(c *client) bool { return c.idx < s.opts.TieWriters }

// hotKey is the key the tie writers share.
func (s *Sim) hotKey() lwwmap.Key {
	return lwwmap.Key{Partition: s.partitionKeys[0], Sort: s.sortKeys[0]}
}

// tieInterval is the lockstep of the tie writers.
const tieInterval = int64(20 * time.Millisecond)

type queuedOp struct {
	node int
	task task
}

// A task is one client operation as the history records it. Most take one
// request; an object put takes several (begin, blocks, complete) and an
// object get one per block after the first.
type task interface {
	// first is the first request to send.
	first() node.Op
	// advance takes the reply to the last request. It returns the next
	// request, or nil once the task is over, having filled op.
	advance(r node.Reply, op *checker.Op) node.Op
	// abandon ends the task after an error or a deadline: it sets op's
	// outcome and may return a request to clean up, sent without waiting.
	abandon(err error, op *checker.Op) node.Op
}

// single is a task of one request (the register operations).
type single struct{ op node.Op }

func (t single) first() node.Op { return t.op }

func (t single) advance(r node.Reply, op *checker.Op) node.Op {
	fillResult(op, r.Result)
	op.Outcome = checker.OK
	return nil
}

func (t single) abandon(err error, op *checker.Op) node.Op {
	switch {
	case !isWrite(op.Kind) || errors.Is(err, lwwmap.ErrNotWritten):
		op.Outcome = checker.Failed
	default:
		op.Outcome = checker.Unknown
	}
	return nil
}

// nextHistSeq numbers call and return points in the order they happen.
func (s *Sim) nextHistSeq() int64 {
	s.histSeq++
	return s.histSeq
}

func (s *Sim) clientNext(c *client) {
	c.cur = -1
	var nodeIdx int
	var t task
	switch s.phase {
	case phasePreload:
		if s.preloaded >= s.opts.Preload {
			c.done = true
			return
		}
		nodeIdx = s.preloaded % len(s.nodes)
		t = s.newPut(preloadKey(s.preloaded), fmt.Sprint("pre-", s.preloaded), s.opts.PreloadSize)
		s.preloaded++
		c.cur, c.node, c.task = len(s.history), nodeIdx, t
		s.history = append(s.history, historyOp(len(s.history), c.idx, t, s.nextHistSeq()))
		s.submit(c, t.first())
		return
	case phaseSafety:
		if s.issued() >= s.opts.Ops || (s.opts.Duration > 0 && s.now-s.safetyStart >= int64(s.opts.Duration)) {
			c.done = true
			return
		}
		up := s.upNodes()
		if len(up) == 0 {
			s.push(event{at: s.now + int64(100*time.Millisecond), kind: evClientNext, client: int32(c.idx)})
			return
		}
		switch {
		case c.followUp != nil && s.nodes[c.followUp.node].n != nil:
			nodeIdx, t = c.followUp.node, c.followUp.task
		case s.tieWriter(c) && s.nodes[0].n != nil && c.issued%2 == 0:
			// In lockstep through node 0: puts, and a delete now and
			// then, which ties with them too.
			nodeIdx = 0
			t = single{op: lwwmap.Put{Key: s.hotKey(), Value: fmt.Appendf(nil, "c%d-%d", c.idx, c.issued)}}
			if c.idx == 0 && c.issued%6 == 0 {
				t = single{op: lwwmap.Delete{Key: s.hotKey()}}
			}
		case s.tieWriter(c):
			// Between lockstep puts, a read of the hot key through a node
			// the tied writes may not have reached alike.
			nodeIdx = up[s.rng.IntN(len(up))]
			t = single{op: lwwmap.Get{Key: s.hotKey()}}
		default:
			nodeIdx = up[s.rng.IntN(len(up))]
			t = s.randomTask(c)
		}
		c.followUp = nil
	default:
		if len(c.queued) == 0 {
			c.done = true
			return
		}
		nodeIdx, t = c.queued[0].node, c.queued[0].task
		c.queued = c.queued[1:]
	}
	c.issued++
	nd := s.nodes[nodeIdx]
	if nd.n == nil { // final phase: every node is up, so this cannot happen
		panic("sim: client chose a node that is down")
	}
	c.node, c.task = nodeIdx, t
	if kt, ok := t.(*k2vTask); ok {
		s.beginK2V(c, kt)
	} else {
		c.cur = len(s.history)
		s.history = append(s.history, historyOp(len(s.history), c.idx, t, s.nextHistSeq()))
	}
	s.submit(c, t.first())
}

// submit sends the client's next request to its node and arms a deadline.
func (s *Sim) submit(c *client, op node.Op) {
	nd := s.nodes[c.node]
	nd.nextReq++
	c.req = nd.nextReq
	nd.waiting[c.req] = c.idx
	s.hash.add2(c.req, uint64(c.idx)<<32|uint64(c.node))
	nd.n.Submit(s.localNow(nd), node.Request{ID: c.req, Op: op})
	s.drive(nd)
	deadline := s.opts.ClientDeadline
	if p, ok := c.task.(interface{ extraDeadline() time.Duration }); ok {
		deadline += p.extraDeadline()
	}
	s.push(event{at: s.now + int64(deadline), kind: evClientDeadline, client: int32(c.idx), node: int32(c.node), req: c.req})
}

// fireAndForget sends a request whose answer nobody waits for (cleanup
// after an abandoned task).
func (s *Sim) fireAndForget(nodeIdx int, op node.Op) {
	nd := s.nodes[nodeIdx]
	if nd.n == nil {
		return
	}
	nd.nextReq++
	nd.n.Submit(s.localNow(nd), node.Request{ID: nd.nextReq, Op: op})
	s.drive(nd)
}

func (s *Sim) issued() int {
	n := 0
	for _, c := range s.clients {
		n += c.issued
	}
	return n
}

func (s *Sim) upNodes() []int {
	var up []int
	for _, nd := range s.nodes {
		if nd.n != nil {
			up = append(up, nd.idx)
		}
	}
	return up
}

func (s *Sim) key() lwwmap.Key {
	return lwwmap.Key{Partition: s.partitionKeys[s.rng.IntN(len(s.partitionKeys))], Sort: s.sortKeys[s.rng.IntN(len(s.sortKeys))]}
}

// randomTask draws the next operation: a K2V operation with probability
// K2VShare percent, else an object operation with probability ObjectShare
// percent, else a register operation.
func (s *Sim) randomTask(c *client) task {
	if s.opts.K2VShare > 0 && s.rng.IntN(100) < s.opts.K2VShare {
		return s.randomK2VTask()
	}
	if s.rng.IntN(100) < s.opts.ObjectShare {
		return s.randomObjectTask(c)
	}
	return single{op: s.randomRegisterOp(c)}
}

// randomRegisterOp draws a register operation: 40% puts, 35% gets, 10%
// deletes, 15% range reads. Put values are unique across the run.
func (s *Sim) randomRegisterOp(c *client) node.Op {
	switch r := s.rng.IntN(100); {
	case r < 40:
		return lwwmap.Put{Key: s.key(), Value: fmt.Appendf(nil, "c%d-%d", c.idx, c.issued)}
	case r < 75:
		return lwwmap.Get{Key: s.key()}
	case r < 85:
		return lwwmap.Delete{Key: s.key()}
	default:
		k := s.key()
		start := ""
		if s.rng.IntN(2) == 0 {
			start = k.Sort
		}
		return lwwmap.Range{Partition: k.Partition, Start: start, Limit: s.opts.RangeLimit}
	}
}

func historyOp(id, clientIdx int, t task, call int64) checker.Op {
	h := checker.Op{ID: id, Client: clientIdx, Call: call}
	if ot, ok := t.(objectTask); ok {
		ot.describe(&h)
		return h
	}
	switch op := t.first().(type) {
	case lwwmap.Put:
		h.Kind, h.Key, h.Value = checker.Put, checker.Key(op.Key), string(op.Value)
	case lwwmap.Delete:
		h.Kind, h.Key = checker.Delete, checker.Key(op.Key)
	case lwwmap.Get:
		h.Kind, h.Key = checker.Get, checker.Key(op.Key)
	case lwwmap.Range:
		h.Kind, h.Key = checker.Range, checker.Key{Partition: op.Partition}
		h.Start, h.End, h.Limit = op.Start, op.End, op.Limit
	}
	return h
}

func (s *Sim) clientReply(c *client, r node.Reply) {
	if c.cur < 0 || r.ID != c.req {
		return
	}
	op := s.curOp(c)
	s.hash.add2(r.ID, uint64(s.histSeq))
	if r.Err != nil {
		if s.tracing() {
			s.tracef(s.nodes[c.node], "client %d: error %v", c.idx, r.Err)
		}
		s.finish(c, c.task.abandon(r.Err, op))
		return
	}
	if next := c.task.advance(r, op); next != nil {
		s.submit(c, next)
		return
	}
	s.finish(c, nil)
}

// clientDeadline gives up on a request that got no reply: the node may have
// crashed with it, or still be working on it.
// Request ids count per node, so the deadline names the node too.
func (s *Sim) clientDeadline(c *client, nodeIdx int, req uint64) {
	if c.cur < 0 || c.node != nodeIdx || c.req != req {
		return
	}
	delete(s.nodes[c.node].waiting, req)
	if s.tracing() {
		s.tracef(s.nodes[c.node], "client %d: no reply to request %d", c.idx, req)
	}
	s.finish(c, c.task.abandon(errDeadline, s.curOp(c)))
}

var errDeadline = errors.New("client deadline passed")

// curOp is the operation in flight as the task machinery fills it: its
// register history entry, or a K2V operation's scratch entry.
func (s *Sim) curOp(c *client) *checker.Op {
	if c.k2v {
		return &c.scratch
	}
	return &s.history[c.cur]
}

// finish records the end of the client's task and schedules its next one.
func (s *Sim) finish(c *client, cleanup node.Op) {
	op := s.curOp(c)
	op.Return = s.nextHistSeq()
	switch op.Outcome {
	case checker.OK:
		s.stats.OpsOK++
	case checker.Failed:
		s.stats.OpsFailed++
	default:
		op.Outcome, op.Return = checker.Unknown, math.MaxInt64
		s.stats.OpsUnknown++
	}
	if s.tracing() {
		s.tracef(s.nodes[c.node], "client %d: %v -> %v", c.idx, op.Kind, op.Outcome)
	}
	if cleanup != nil {
		s.fireAndForget(c.node, cleanup)
	}
	if c.k2v {
		s.endK2V(c, *op)
	}
	s.noteAcked(*op)
	if f, ok := c.task.(interface{ followUp(checker.Op) task }); ok && s.phase == phaseSafety {
		if next := f.followUp(*op); next != nil {
			c.followUp = &queuedOp{node: c.node, task: next}
		}
	}
	if _, register := c.task.(single); register && isWrite(op.Kind) && s.opts.RangeAfterWrite > 0 &&
		s.phase == phaseSafety && s.rng.IntN(100) < s.opts.RangeAfterWrite {
		other := (c.node + 1 + s.rng.IntN(len(s.nodes)-1)) % len(s.nodes)
		if len(s.nodes) == 1 {
			other = c.node
		}
		// From RangeLimit keys before the one just written: a replica the
		// write has not reached yet stops its page elsewhere than one it
		// reached, and the join must stop where the first of them did.
		start := ""
		if i := slices.Index(s.sortKeys, op.Key.Sort); i > s.opts.RangeLimit {
			start = s.sortKeys[i-s.opts.RangeLimit]
		}
		c.followUp = &queuedOp{node: other, task: single{op: lwwmap.Range{Partition: op.Key.Partition, Start: start, Limit: s.opts.RangeLimit}}}
	}
	s.scheduleNext(c)
}

func (s *Sim) scheduleNext(c *client) {
	c.cur = -1
	think := s.jitter(s.opts.ThinkTime)
	switch {
	case s.phase != phaseSafety || c.followUp != nil:
		think = 0
	case s.tieWriter(c) && c.issued%2 == 0:
		think = tieInterval - (s.now-epoch)%tieInterval // the next lockstep instant, for a put
	case s.tieWriter(c):
		think = 0 // the read right after
	}
	s.push(event{at: s.now + think, kind: evClientNext, client: int32(c.idx)})
}

func isWrite(k checker.Kind) bool { return k == checker.Put || k == checker.Delete }

// fillResult copies an acknowledged result into the history.
func fillResult(op *checker.Op, result any) {
	switch r := result.(type) {
	case lwwmap.Written:
		reg := crdt.Put(r.Stamp, []byte(op.Value))
		if op.Kind == checker.Delete {
			reg = crdt.Tombstone(r.Stamp)
		}
		op.Stamp = checker.Stamp(lwwmap.StampOrder(reg))
	case lwwmap.Value:
		op.Found, op.Value = r.Found, string(r.Value)
		reg := crdt.Put(r.Stamp, r.Value)
		if !r.Found {
			reg = crdt.Tombstone(r.Stamp)
		}
		op.Stamp = checker.Stamp(lwwmap.StampOrder(reg))
	case lwwmap.Listing:
		op.More, op.Next = r.More, r.Next
		for _, e := range r.Entries {
			op.Entries = append(op.Entries, checker.Entry{
				Sort:  e.Sort,
				Value: string(e.Value),
				Stamp: checker.Stamp(lwwmap.StampOrder(crdt.Put(e.Stamp, e.Value))),
			})
		}
	}
}

// startFinalReads queues, on every client, reads of every key and a full
// listing of every partition key, through every node in turn.
func (s *Sim) startFinalReads() {
	s.finalCall = s.histSeq
	var ops []queuedOp
	for _, nd := range s.nodes {
		for _, p := range s.partitionKeys {
			for _, k := range s.sortKeys {
				ops = append(ops, queuedOp{node: nd.idx, task: single{op: lwwmap.Get{Key: lwwmap.Key{Partition: p, Sort: k}}}})
			}
			ops = append(ops, queuedOp{node: nd.idx, task: single{op: lwwmap.Range{Partition: p}}})
		}
		if s.opts.ObjectShare > 0 {
			for _, k := range s.objectKeys {
				ops = append(ops, queuedOp{node: nd.idx, task: &getObject{sim: s, key: k}})
			}
			ops = append(ops, queuedOp{node: nd.idx, task: listObjects{bucket: s.bucket}})
			if s.opts.Versioned {
				for _, k := range s.objectKeys {
					ops = append(ops, queuedOp{node: nd.idx, task: listVersions{sim: s, key: k}})
				}
			}
		}
	}
	for _, nd := range s.nodes {
		ops = append(ops, s.k2vFinalOps(nd.idx)...)
	}
	// Each preloaded object once, through the nodes in turn.
	for i := range s.opts.Preload {
		ops = append(ops, queuedOp{node: i % len(s.nodes), task: &getObject{sim: s, key: preloadKey(i)}})
	}
	for i, op := range ops {
		c := s.clients[i%len(s.clients)]
		c.queued = append(c.queued, op)
	}
	for _, c := range s.clients {
		c.done = false
		s.push(event{at: s.now, kind: evClientNext, client: int32(c.idx)})
	}
}

// preloadKey names the i-th preloaded object.
func preloadKey(i int) string { return fmt.Sprintf("pre/%06d", i) }
