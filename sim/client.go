package sim

import (
	"errors"
	"fmt"
	"math"
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
	node   int
	req    uint64
	queued []queuedOp // final-phase reads, in order
	issued int
}

type queuedOp struct {
	node int
	op   node.Op
}

// nextHistSeq numbers call and return points in the order they happen.
func (s *Sim) nextHistSeq() int64 {
	s.histSeq++
	return s.histSeq
}

func (s *Sim) clientNext(c *client) {
	c.cur = -1
	var nodeIdx int
	var op node.Op
	if s.phase == phaseSafety {
		if s.issued() >= s.opts.Ops {
			c.done = true
			return
		}
		up := s.upNodes()
		if len(up) == 0 {
			s.push(event{at: s.now + int64(100*time.Millisecond), kind: evClientNext, client: int32(c.idx)})
			return
		}
		nodeIdx = up[s.rng.IntN(len(up))]
		op = s.randomOp(c)
	} else {
		if len(c.queued) == 0 {
			c.done = true
			return
		}
		nodeIdx, op = c.queued[0].node, c.queued[0].op
		c.queued = c.queued[1:]
	}
	c.issued++
	nd := s.nodes[nodeIdx]
	if nd.n == nil { // final phase: every node is up, so this cannot happen
		panic("sim: client chose a node that is down")
	}
	c.cur, c.node = len(s.history), nodeIdx
	s.history = append(s.history, historyOp(len(s.history), c.idx, op, s.nextHistSeq()))
	nd.nextReq++
	c.req = nd.nextReq
	nd.waiting[c.req] = c.idx
	s.hash.add2(c.req, uint64(c.idx)<<32|uint64(nodeIdx))
	nd.n.Submit(s.localNow(nd), node.Request{ID: c.req, Op: op})
	s.drive(nd)
	s.push(event{at: s.now + int64(s.opts.ClientDeadline), kind: evClientDeadline, client: int32(c.idx), req: c.req})
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

// randomOp draws the next operation: 40% puts, 35% gets, 10% deletes, 15%
// range reads. Put values are unique across the run.
func (s *Sim) randomOp(c *client) node.Op {
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

func historyOp(id, clientIdx int, op node.Op, call int64) checker.Op {
	h := checker.Op{ID: id, Client: clientIdx, Call: call}
	switch op := op.(type) {
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
	op := &s.history[c.cur]
	op.Return = s.nextHistSeq()
	s.hash.add2(r.ID, uint64(op.Return))
	switch {
	case r.Err == nil:
		op.Outcome = checker.OK
		s.stats.OpsOK++
		fillResult(op, r.Result)
	case errors.Is(r.Err, lwwmap.ErrNotWritten) || !isWrite(op.Kind):
		op.Outcome = checker.Failed
		s.stats.OpsFailed++
	default:
		op.Outcome, op.Return = checker.Unknown, math.MaxInt64
		s.stats.OpsUnknown++
	}
	if s.tracing() {
		s.tracef(s.nodes[c.node], "client %d: %v -> %v", c.idx, op.Kind, op.Outcome)
	}
	s.scheduleNext(c)
}

// clientDeadline gives up on an operation that got no reply: its outcome is
// unknown (the node may have crashed with it, or still be working on it).
func (s *Sim) clientDeadline(c *client, req uint64) {
	if c.cur < 0 || c.req != req {
		return
	}
	delete(s.nodes[c.node].waiting, req)
	op := &s.history[c.cur]
	if isWrite(op.Kind) {
		op.Outcome, op.Return = checker.Unknown, math.MaxInt64
		s.stats.OpsUnknown++
	} else {
		op.Outcome, op.Return = checker.Failed, s.nextHistSeq()
		s.stats.OpsFailed++
	}
	s.scheduleNext(c)
}

func (s *Sim) scheduleNext(c *client) {
	c.cur = -1
	think := s.jitter(s.opts.ThinkTime)
	if s.phase != phaseSafety {
		think = 0
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
				ops = append(ops, queuedOp{node: nd.idx, op: lwwmap.Get{Key: lwwmap.Key{Partition: p, Sort: k}}})
			}
			ops = append(ops, queuedOp{node: nd.idx, op: lwwmap.Range{Partition: p}})
		}
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
