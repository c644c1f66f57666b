package k2v

import (
	"cmp"
	"container/heap"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/rpc"
	"github.com/garagego/garage/node/table"
)

// maxPollItems bounds the items one storage node returns to a range poll.
const maxPollItems = 1000

// poll is a poll a storage node holds for a requesting node: it answers
// when its copy changes in a way the poll has not seen, or at deadline.
type poll struct {
	seq       uint64
	req       rpc.Message
	deadline  cluster.Time
	partition string // itemPartition of the watched partition key
	// An item poll watches one sort key against a context; a range poll
	// a range against a seen marker.
	item               bool
	sort               string
	ctx                Context
	prefix, start, end string
	marker             marker
	answered           bool
}

// polls are the polls a node holds, by partition key, with their
// deadlines in a heap ordered by time then arrival, so that expiry order
// never depends on a map.
type polls struct {
	byPartition map[string][]*poll
	expiry      pollHeap
	seq         uint64
	live        int
}

func (ps *polls) init() { ps.byPartition = map[string][]*poll{} }

func (ps *polls) add(p *poll) {
	ps.seq++
	p.seq = ps.seq
	ps.byPartition[p.partition] = append(ps.byPartition[p.partition], p)
	heap.Push(&ps.expiry, p)
	ps.live++
}

func (ps *polls) answer(out *rpc.Outbox, p *poll, body rpc.Body) {
	out.Reply(p.req, body)
	p.answered = true
	ps.live--
	list := slices.DeleteFunc(ps.byPartition[p.partition], func(q *poll) bool { return q == p })
	if len(list) == 0 {
		delete(ps.byPartition, p.partition)
	} else {
		ps.byPartition[p.partition] = list
	}
}

// changed answers the polls a new state of an item satisfies, in arrival
// order.
func (ps *polls) changed(now cluster.Time, out *rpc.Outbox, e entry) {
	for _, p := range slices.Clone(ps.byPartition[itemPartition(e.Bucket, e.Partition)]) {
		switch {
		case p.item && p.sort == e.Sort && e.Item.Context().NewerThan(p.ctx):
			ps.answer(out, p, pollItemResult{Changed: true, Item: e.Item})
		case !p.item && inRange(e.Sort, p.prefix, p.start, p.end) && p.marker.isNew(e.Sort, e.Item):
			// Every other item was seen when the poll began, and every
			// change since has answered at once: the answer is complete.
			ps.answer(out, p, pollRangeResult{Items: []RangeItem{{Sort: e.Sort, Item: e.Item}}, Complete: true})
		}
	}
}

// expire answers the polls whose deadline passed: nothing changed.
func (ps *polls) expire(now cluster.Time, out *rpc.Outbox) {
	for ps.expiry.Len() > 0 && ps.expiry[0].deadline <= now {
		p := heap.Pop(&ps.expiry).(*poll)
		if p.answered {
			continue
		}
		if p.item {
			ps.answer(out, p, pollItemResult{})
		} else {
			ps.answer(out, p, pollRangeResult{})
		}
	}
}

type pollHeap []*poll

func (h pollHeap) Len() int { return len(h) }
func (h pollHeap) Less(i, j int) bool {
	if c := cmp.Compare(h[i].deadline, h[j].deadline); c != 0 {
		return c < 0
	}
	return h[i].seq < h[j].seq
}
func (h pollHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *pollHeap) Push(x any)   { *h = append(*h, x.(*poll)) }
func (h *pollHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// deadline is when a poll this node holds ends, on its own clock.
func (s *Service) deadline(now cluster.Time, timeout int64) cluster.Time {
	if s.cfg.Bugs.PollTimesOutEarly {
		timeout /= 2
	}
	return now + cluster.Time(timeout)
}

func (s *Service) handlePollItem(now cluster.Time, m rpc.Message, b pollItemRequest) {
	e, _ := s.items.Local(itemKey(b.Bucket, b.Partition, b.Sort))
	if e.Item.Context().NewerThan(b.Context) {
		s.out.Reply(m, pollItemResult{Changed: true, Item: e.Item})
		return
	}
	if s.polls.live >= s.cfg.MaxPolls {
		s.out.Reply(m, rpc.Error{Message: ErrTooManyPolls.Error()})
		return
	}
	s.polls.add(&poll{req: m, deadline: s.deadline(now, int64(b.Timeout)), partition: itemPartition(b.Bucket, b.Partition),
		item: true, sort: b.Sort, ctx: b.Context})
}

func (s *Service) handlePollRange(now cluster.Time, m rpc.Message, b pollRangeRequest) {
	partition := itemPartition(b.Bucket, b.Partition)
	var found []RangeItem
	complete := true
	start := max(b.Start, b.Prefix)
	s.items.LocalRange(partition, start, b.End, func(sort string, e entry) bool {
		if !strings.HasPrefix(sort, b.Prefix) {
			return false // from start >= prefix, past every key with it
		}
		if b.Marker.isNew(sort, e.Item) {
			if len(found) == maxPollItems {
				complete = false
				return false
			}
			found = append(found, RangeItem{Sort: sort, Item: e.Item})
		}
		return true
	})
	if len(found) > 0 {
		s.out.Reply(m, pollRangeResult{Items: found, Complete: complete})
		return
	}
	if s.polls.live >= s.cfg.MaxPolls {
		s.out.Reply(m, rpc.Error{Message: ErrTooManyPolls.Error()})
		return
	}
	s.polls.add(&poll{req: m, deadline: s.deadline(now, int64(b.Timeout)), partition: partition,
		prefix: b.Prefix, start: b.Start, end: b.End, marker: b.Marker})
}

// pollSets are the node sets a poll asks: every live layout version's
// storage nodes of the partition key, each needing a read quorum of
// "nothing changed" before the poll may say so, so that the version a
// write is acknowledged in always has a node that received it among those
// answering.
func (s *Service) pollSets(bucket model.BucketID, partition string) ([][]cluster.NodeID, []int) {
	p := s.items.PartitionOf(itemPartition(bucket, partition))
	var sets [][]cluster.NodeID
	var quorums []int
	for _, set := range s.layout().WriteSets(p) {
		r, _ := s.cfg.Consistency.Quorums(set.ReplicationFactor)
		sets, quorums = append(sets, set.Nodes), append(quorums, min(r, len(set.Nodes)))
	}
	return sets, quorums
}

// LayoutChanged ends, with an error, the polls this node holds for
// partition keys it no longer stores in any live version: writes no
// longer come to it, so it could only ever answer "nothing changed".
// The requester counts the error against the poll's quorum; the new
// storage nodes answer for the partition key.
func (s *Service) LayoutChanged(now cluster.Time) {
	h := s.layout()
	partitions := make([]string, 0, len(s.polls.byPartition))
	for p := range s.polls.byPartition {
		partitions = append(partitions, p)
	}
	slices.Sort(partitions) // answers go out in a deterministic order
	for _, p := range partitions {
		if h.StoresAny(s.self, s.items.PartitionOf(p)) {
			continue
		}
		for _, held := range slices.Clone(s.polls.byPartition[p]) {
			s.polls.answer(s.out, held, rpc.Error{Message: "k2v poll: this node no longer stores the partition key"})
		}
	}
}

func checkTimeout(t int64) error {
	if t <= 0 || t > int64(MaxPollTimeout) {
		return fmt.Errorf("%w: poll timeout must be in (0, %s]", ErrBadSearch, MaxPollTimeout)
	}
	return nil
}

// pollItem asks every storage node of the item to poll its copy, and
// answers at the first that saw a change; when a read quorum of them
// timed out instead, nothing changed.
func (s *Service) pollItem(now cluster.Time, op PollItem, done Done) {
	if err := checkTimeout(int64(op.Timeout)); err != nil {
		done(now, nil, err)
		return
	}
	if s.layout().Current().IsEmpty() {
		done(now, nil, table.ErrNoLayout)
		return
	}
	sets, quorums := s.pollSets(op.Key.Bucket, op.Key.Partition)
	s.calls.Start(now, rpc.Call{
		Sets: sets, Quorums: quorums,
		Body:    pollItemRequest{Bucket: op.Key.Bucket, Partition: op.Key.Partition, Sort: op.Key.Sort, Context: op.Context, Timeout: op.Timeout},
		Timeout: op.Timeout + s.cfg.RequestTimeout,
		Decisive: func(b rpc.Body) bool {
			r, ok := b.(pollItemResult)
			return ok && r.Changed
		},
	}, func(now cluster.Time, resps []rpc.Response, err error) {
		if errors.Is(err, rpc.ErrTimeout) {
			done(now, PollResult{}, nil)
			return
		}
		if err != nil {
			done(now, nil, err)
			return
		}
		var res PollResult
		for _, r := range resps {
			if b, ok := r.Body.(pollItemResult); ok && b.Changed {
				res.Changed, res.Item = true, res.Item.Join(b.Item)
			}
		}
		done(now, res, nil)
	})
}

// pollRange answers at once without a marker (the range as a read quorum
// holds it, tombstones included); with one, it asks every storage node of
// the partition key to poll its copy and answers at the first that saw
// new items, or when a read quorum of them timed out.
func (s *Service) pollRange(now cluster.Time, op PollRange, done Done) {
	q := op.Search
	if q.Reverse || q.SingleItem {
		done(now, nil, fmt.Errorf("%w: a range poll is forward and over a range", ErrBadSearch))
		return
	}
	if err := checkTimeout(int64(op.Timeout)); err != nil {
		done(now, nil, err)
		return
	}
	if op.Marker == "" {
		first := Search{Partition: q.Partition, Prefix: q.Prefix, Start: q.Start, End: q.End, Tombstones: true}
		s.readRange(now, ReadRange{Bucket: op.Bucket, Search: first}, func(now cluster.Time, result any, err error) {
			if err != nil {
				done(now, nil, err)
				return
			}
			var m marker
			items := result.(RangeResult).Items
			m.markItems(items)
			done(now, PollRangeResult{Changed: true, Items: items, Marker: m.String()}, nil)
		})
		return
	}
	m, err := parseMarker(op.Marker)
	if err != nil {
		done(now, nil, err)
		return
	}
	m.restrict(q.Prefix, q.Start, q.End)
	if s.layout().Current().IsEmpty() {
		done(now, nil, table.ErrNoLayout)
		return
	}
	sets, quorums := s.pollSets(op.Bucket, q.Partition)
	s.calls.Start(now, rpc.Call{
		Sets: sets, Quorums: quorums,
		Body:    pollRangeRequest{Bucket: op.Bucket, Partition: q.Partition, Prefix: q.Prefix, Start: q.Start, End: q.End, Marker: m, Timeout: op.Timeout},
		Timeout: op.Timeout + s.cfg.RequestTimeout,
		Decisive: func(b rpc.Body) bool {
			r, ok := b.(pollRangeResult)
			return ok && len(r.Items) > 0
		},
	}, func(now cluster.Time, resps []rpc.Response, err error) {
		if errors.Is(err, rpc.ErrTimeout) {
			done(now, PollRangeResult{Marker: op.Marker}, nil)
			return
		}
		if err != nil {
			done(now, nil, err)
			return
		}
		var items []RangeItem
		for _, r := range resps {
			b, ok := r.Body.(pollRangeResult)
			if !ok {
				continue
			}
			for _, it := range b.Items {
				i, found := slices.BinarySearchFunc(items, it.Sort, func(x RangeItem, s string) int { return cmp.Compare(x.Sort, s) })
				if found {
					items[i].Item = items[i].Item.Join(it.Item)
				} else {
					items = slices.Insert(items, i, it)
				}
			}
			m.markItems(b.Items)
			if b.Complete {
				m.markNode(NodeIDOf(r.From), b.Items)
			}
		}
		m.compact()
		if len(items) == 0 {
			done(now, PollRangeResult{Marker: op.Marker}, nil)
			return
		}
		done(now, PollRangeResult{Changed: true, Items: items, Marker: m.String()}, nil)
	})
}
