package sim

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/garagego/garage/checker"
	"github.com/garagego/garage/node"
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/k2v"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/table"
)

// The K2V workload (Options.K2VShare percent of operations) works a few
// items hard, so that writes conflict: two buckets, two partition keys
// each, four sort keys each. Clients read and write back with the token
// they got (read-modify-write, a fifth of them deletions: token-carrying
// tombstones), write blind (no token: a sibling of whatever is there),
// read, poll with the token of a read just made (timeouts of a few
// virtual seconds), read ranges and the index. Every written value is
// unique, so a value names its write. The operations go through the
// client machinery every other workload uses and are recorded, from call
// to return, in a K2V history of their own, which checker.CheckK2V
// judges; after healing, the final phase reads every item, range and
// index through every node.

const (
	k2vBuckets    = 2
	k2vPartitions = 2
	k2vSortKeys   = 4
)

// k2vWorkload is the run's K2V state: the key space and the history.
type k2vWorkload struct {
	buckets    []string
	bucketIDs  map[string]model.BucketID
	partitions []string
	sorts      []string
	ops        []checker.K2VOp
	jumps      []checker.K2VClockJump
	values     int // values written so far, naming the next one
	// layoutSigs sum up each node's live layout versions (as last seen
	// up); layoutMoves are the times one was seen to change (at K2V
	// calls and returns).
	layoutSigs  []uint64
	layoutMoves []int64
}

func (s *Sim) initK2V() {
	w := &s.k2v
	w.bucketIDs = map[string]model.BucketID{}
	for b := range k2vBuckets {
		name := fmt.Sprint("kb", b)
		w.buckets = append(w.buckets, name)
		w.bucketIDs[name] = model.BucketID(cluster.SumString("sim-k2v-" + name))
	}
	for p := range k2vPartitions {
		w.partitions = append(w.partitions, fmt.Sprint("kp", p))
	}
	for k := range k2vSortKeys {
		w.sorts = append(w.sorts, fmt.Sprint("ks", k))
	}
}

// noteClockJump records a skew change for the poll property: a node's
// timers may fire early by as much as its clock jumped forward.
func (s *Sim) noteClockJump(nd *simNode, skew time.Duration) {
	if s.opts.K2VShare > 0 && skew != nd.skew {
		s.k2v.jumps = append(s.k2v.jumps, checker.K2VClockJump{At: s.now - epoch, By: skew - nd.skew})
	}
}

func (s *Sim) k2vKey() checker.K2VKey {
	w := &s.k2v
	return checker.K2VKey{Bucket: w.buckets[s.rng.IntN(len(w.buckets))], Partition: w.partitions[s.rng.IntN(len(w.partitions))],
		Sort: w.sorts[s.rng.IntN(len(w.sorts))]}
}

func (s *Sim) itemKey(k checker.K2VKey) k2v.ItemKey {
	return k2v.ItemKey{Bucket: s.k2v.bucketIDs[k.Bucket], Partition: k.Partition, Sort: k.Sort}
}

// newValue names a new value: unique, of a varying length (the index
// counts bytes).
func (s *Sim) newValue() string {
	s.k2v.values++
	return fmt.Sprintf("kv%d-", s.k2v.values) + strings.Repeat("x", s.rng.IntN(12))
}

// What a K2V task does once it succeeded.
type k2vThen uint8

const (
	thenNothing k2vThen = iota
	thenWrite           // write back with the token just read
	thenDelete          // delete with the token just read
	thenPoll            // poll with the token just read
)

// k2vTask is one K2V operation; the history records it from call to
// return (c.cur indexes s.k2v.ops while it runs).
type k2vTask struct {
	sim  *Sim
	op   checker.K2VOp // what the history records, filled as it goes
	idx  int           // its index in s.k2v.ops, once called
	then k2vThen
}

// randomK2VTask draws a K2V operation: 30% read-modify-writes (a fifth of
// them deletions), 12% blind writes, 20% reads, 18% polls after a read,
// 13% range reads, 7% index reads.
func (s *Sim) randomK2VTask() task {
	k := s.k2vKey()
	switch r := s.rng.IntN(100); {
	case r < 30:
		then := thenWrite
		if s.rng.IntN(5) == 0 {
			then = thenDelete
		}
		return s.k2vRead(k, then)
	case r < 42:
		return s.k2vInsert(k, -1, nil, false)
	case r < 62:
		return s.k2vRead(k, thenNothing)
	case r < 80:
		return s.k2vRead(k, thenPoll)
	case r < 93:
		limit := 0
		if s.rng.IntN(2) == 0 {
			limit = 1 + s.rng.IntN(3)
		}
		start := ""
		if s.rng.IntN(3) == 0 {
			start = k.Sort
		}
		return &k2vTask{sim: s, op: checker.K2VOp{Kind: checker.K2VRange, Key: checker.K2VKey{Bucket: k.Bucket, Partition: k.Partition}, Start: start, Limit: limit}}
	default:
		return &k2vTask{sim: s, op: checker.K2VOp{Kind: checker.K2VIndex, Key: checker.K2VKey{Bucket: k.Bucket}}}
	}
}

func (s *Sim) k2vRead(k checker.K2VKey, then k2vThen) *k2vTask {
	return &k2vTask{sim: s, op: checker.K2VOp{Kind: checker.K2VRead, Key: k}, then: then}
}

// k2vInsert writes a new value (or a tombstone) to k with the context
// op from returned (from -1: blind).
func (s *Sim) k2vInsert(k checker.K2VKey, from int, ctx checker.K2VContext, tombstone bool) *k2vTask {
	op := checker.K2VOp{Kind: checker.K2VInsert, Key: k, TokenFrom: from, Token: ctx, Tombstone: tombstone}
	if !tombstone {
		op.Value = s.newValue()
	}
	return &k2vTask{sim: s, op: op}
}

// k2vPollTimeout draws a poll's timeout: one to four virtual seconds.
func (s *Sim) k2vPollTimeout() time.Duration {
	return time.Second + time.Duration(s.rng.Int64N(int64(3*time.Second)))
}

// noteLayoutMove records that some node's live layout versions changed
// since the last K2V call or return, for the poll property.
func (s *Sim) noteLayoutMove() {
	w := &s.k2v
	if w.layoutSigs == nil {
		w.layoutSigs = make([]uint64, len(s.nodes))
	}
	moved := false
	for i, nd := range s.nodes {
		if nd.n == nil {
			continue // a crash moves nothing
		}
		sig := uint64(14695981039346656037)
		for _, v := range nd.n.Layout().Versions {
			sig = (sig ^ v.Number) * 1099511628211
		}
		if w.layoutSigs[i] != 0 && sig != w.layoutSigs[i] {
			moved = true
		}
		w.layoutSigs[i] = sig
	}
	if moved {
		w.layoutMoves = append(w.layoutMoves, s.now-epoch)
	}
}

// beginK2V records the call of a K2V task.
func (s *Sim) beginK2V(c *client, t *k2vTask) {
	s.noteLayoutMove()
	t.op.ID, t.op.Client = len(s.k2v.ops), c.idx
	t.op.Call, t.op.CallAt = s.nextHistSeq(), s.now-epoch
	if t.op.Kind != checker.K2VInsert && t.op.Kind != checker.K2VPoll {
		t.op.TokenFrom = -1
	}
	t.op.Final = s.phase == phaseFinal
	t.idx = len(s.k2v.ops)
	s.k2v.ops = append(s.k2v.ops, t.op)
	c.cur, c.k2v, c.scratch = t.idx, true, checker.Op{}
}

// endK2V records the return of the K2V task in flight, as finish filled
// op (its outcome and return sequence number).
func (s *Sim) endK2V(c *client, op checker.Op) {
	s.noteLayoutMove()
	t := c.task.(*k2vTask)
	t.op.Outcome, t.op.Return, t.op.ReturnAt = op.Outcome, op.Return, s.now-epoch
	s.k2v.ops[t.idx] = t.op
	c.k2v = false
	st := &s.stats.K2V
	switch {
	case op.Outcome != checker.OK:
	case t.op.Kind == checker.K2VInsert:
		st.Inserts++
	case t.op.Kind == checker.K2VRead && len(liveValues(t.op.Values)) > 1:
		st.Siblings++
	case t.op.Kind == checker.K2VPoll && t.op.Changed:
		st.PollsChanged++
	case t.op.Kind == checker.K2VPoll:
		st.PollsTimedOut++
	}
}

func liveValues(vs []checker.K2VValue) []checker.K2VValue {
	return slices.DeleteFunc(slices.Clone(vs), func(v checker.K2VValue) bool { return v.Tombstone })
}

func (t *k2vTask) first() node.Op {
	s, op := t.sim, t.op
	switch op.Kind {
	case checker.K2VInsert:
		ins := k2v.Insert{Key: s.itemKey(op.Key), Value: k2v.Value{Deleted: op.Tombstone, Data: []byte(op.Value)}}
		if op.TokenFrom >= 0 {
			ctx := toContext(op.Token)
			ins.Context = &ctx
		}
		return ins
	case checker.K2VRead:
		return k2v.Read{Key: s.itemKey(op.Key)}
	case checker.K2VPoll:
		return k2v.PollItem{Key: s.itemKey(op.Key), Context: toContext(op.Token), Timeout: op.Timeout}
	case checker.K2VRange:
		return k2v.ReadRange{Bucket: s.k2v.bucketIDs[op.Key.Bucket], Search: k2v.Search{Partition: op.Key.Partition, Start: op.Start, End: op.End, Limit: op.Limit}}
	case checker.K2VIndex:
		return k2v.ReadIndex{Bucket: s.k2v.bucketIDs[op.Key.Bucket]}
	}
	panic(fmt.Sprintf("sim: k2v task of kind %v", op.Kind))
}

// extraDeadline gives a poll its timeout on top of the client's deadline.
func (t *k2vTask) extraDeadline() time.Duration {
	if t.op.Kind == checker.K2VPoll {
		return t.op.Timeout
	}
	return 0
}

func (t *k2vTask) advance(r node.Reply, op *checker.Op) node.Op {
	h := &t.op
	switch res := r.Result.(type) {
	case k2v.ReadResult:
		h.Found = res.Found
		h.Values, h.Context, h.Counts = fromItem(res.Item)
	case k2v.PollResult:
		h.Changed = res.Changed
		if res.Changed {
			h.Values, h.Context, h.Counts = fromItem(res.Item)
		}
	case k2v.RangeResult:
		h.More, h.Next = res.More, res.NextStart
		for _, it := range res.Items {
			values, ctx, _ := fromItem(it.Item)
			h.Items = append(h.Items, checker.K2VItem{Sort: it.Sort, Values: values, Context: ctx})
		}
	case k2v.IndexResult:
		h.More, h.Next = res.More, res.NextStart
		for _, e := range res.Partitions {
			h.Partitions = append(h.Partitions, checker.K2VIndexEntry{Partition: e.Partition, Counts: checker.K2VCounts(e.Counts)})
		}
	}
	op.Outcome = checker.OK
	return nil
}

// abandon: a read has no effect whatever went wrong; a write is unknown
// unless refused before it started.
func (t *k2vTask) abandon(err error, op *checker.Op) node.Op {
	op.Outcome = checker.Failed
	if t.op.Kind == checker.K2VInsert && !errors.Is(err, table.ErrNoLayout) && !errors.Is(err, k2v.ErrBadSearch) {
		op.Outcome = checker.Unknown
	}
	return nil
}

// followUp is what the client does next, at once: write back or poll with
// the token a read returned, write back after a poll that answered.
func (t *k2vTask) followUp(op checker.Op) task {
	if op.Outcome != checker.OK {
		return nil
	}
	s, h := t.sim, t.op
	if h.Kind == checker.K2VPoll && !h.Changed {
		return nil // nothing new to write back from
	}
	switch t.then {
	case thenWrite, thenDelete:
		return s.k2vInsert(h.Key, h.ID, h.Context, t.then == thenDelete)
	case thenPoll:
		then := thenNothing
		if s.rng.IntN(2) == 0 {
			then = thenWrite
		}
		return &k2vTask{sim: s, then: then, op: checker.K2VOp{Kind: checker.K2VPoll, Key: h.Key, TokenFrom: h.ID, Token: h.Context, Timeout: s.k2vPollTimeout()}}
	}
	return nil
}

// fromItem is what the history records of an item.
func fromItem(it k2v.Item) ([]checker.K2VValue, checker.K2VContext, checker.K2VCounts) {
	var values []checker.K2VValue
	for _, e := range it.Entries {
		for _, sv := range e.Values {
			values = append(values, checker.K2VValue{Value: string(sv.Value.Data), Tombstone: sv.Value.Deleted, Dot: checker.K2VDot{Node: uint64(e.Node), Time: sv.Time}})
		}
	}
	var ctx checker.K2VContext
	for _, d := range it.Context().Dots {
		ctx = append(ctx, checker.K2VDot{Node: uint64(d.Node), Time: d.Time})
	}
	return values, ctx, checker.K2VCounts(it.Counts())
}

func toContext(c checker.K2VContext) k2v.Context {
	var dots []k2v.Dot
	for _, d := range c {
		dots = append(dots, k2v.Dot{Node: k2v.NodeID(d.Node), Time: d.Time})
	}
	return k2v.Context{Dots: dots}
}

// k2vFinalOps are the final phase's K2V reads through one node: every
// item, every partition key's range, every bucket's index.
func (s *Sim) k2vFinalOps(nodeIdx int) []queuedOp {
	if s.opts.K2VShare == 0 {
		return nil
	}
	w := &s.k2v
	var ops []queuedOp
	for _, b := range w.buckets {
		for _, p := range w.partitions {
			for _, k := range w.sorts {
				ops = append(ops, queuedOp{node: nodeIdx, task: s.k2vRead(checker.K2VKey{Bucket: b, Partition: p, Sort: k}, thenNothing)})
			}
			ops = append(ops, queuedOp{node: nodeIdx, task: &k2vTask{sim: s, op: checker.K2VOp{Kind: checker.K2VRange, Key: checker.K2VKey{Bucket: b, Partition: p}}}})
		}
		ops = append(ops, queuedOp{node: nodeIdx, task: &k2vTask{sim: s, op: checker.K2VOp{Kind: checker.K2VIndex, Key: checker.K2VKey{Bucket: b}}}})
	}
	return ops
}

// k2vHistory is the run's K2V history, for the checker.
func (s *Sim) k2vHistory() checker.K2VHistory {
	ops := slices.Clone(s.k2v.ops)
	for i := range ops {
		if ops[i].Outcome == 0 { // still in flight at the end: never answered
			ops[i].Outcome, ops[i].Return, ops[i].ReturnAt = checker.Unknown, math.MaxInt64, s.now-epoch
		}
	}
	return checker.K2VHistory{Ops: ops, ClockJumps: s.k2v.jumps, PollMargin: 500*time.Millisecond + 2*s.opts.TickInterval, PollGiveUp: s.opts.Table.RequestTimeout,
		LayoutMoves: s.k2v.layoutMoves}
}

// checkK2V runs the K2V checker and names the final operations that
// failed (liveness).
func (s *Sim) checkK2V(r *Result) {
	if s.opts.K2VShare == 0 {
		return
	}
	h := s.k2vHistory()
	r.K2V = h
	r.Report.Violations = append(r.Report.Violations, checker.CheckK2V(h)...)
	for _, op := range h.Ops {
		if op.Final && op.Outcome != checker.OK {
			r.Liveness = append(r.Liveness, fmt.Sprintf("%v via a healed cluster: %v", op, op.Outcome))
		}
	}
}

// K2VStats count what the K2V workload did.
type K2VStats struct {
	Inserts       int // acknowledged
	Siblings      int // reads that returned several live values
	PollsChanged  int
	PollsTimedOut int
}
