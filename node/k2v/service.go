package k2v

import (
	"slices"
	"time"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/layout"
	"github.com/garagego/garage/node/meta"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/rpc"
	"github.com/garagego/garage/node/table"
	"github.com/garagego/garage/node/wire"
)

// Done receives an operation's result or error.
type Done func(now cluster.Time, result any, err error)

// Config tunes the service.
type Config struct {
	Consistency    table.Consistency
	RequestTimeout time.Duration
	// MaxPolls bounds the polls one node holds for others (default 4096).
	MaxPolls int
	Bugs     Bugs
}

// Service runs K2V on one node: it owns the item and index tables,
// coordinates the inserts sent to it as a storage node, holds the polls
// waiting on its copies, and counts its items for the index.
type Service struct {
	cfg    Config
	self   cluster.NodeID
	id     NodeID
	store  *meta.Store
	out    *rpc.Outbox
	calls  *rpc.Caller
	layout func() *layout.History
	items  *table.Table[entry]
	index  *table.Table[Index]
	polls  polls
}

// Store keys of the service's local state.
const (
	keyCounter   = "k/ts" // the last stamp this node gave
	countsPrefix = "k/c/" // + bucket + partition key: this node's counts
)

// New registers K2V's tables on engine.
func New(cfg Config, self cluster.NodeID, store *meta.Store, out *rpc.Outbox, calls *rpc.Caller, engine *table.Engine, layoutFn func() *layout.History) *Service {
	if cfg.MaxPolls <= 0 {
		cfg.MaxPolls = 4096
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 30 * time.Second
	}
	s := &Service{cfg: cfg, self: self, id: NodeIDOf(self), store: store, out: out, calls: calls, layout: layoutFn}
	s.polls.init()
	s.items = table.Register(engine, table.Schema[entry]{
		ID: ItemsTable, Name: "k2v_items", Decode: decodeEntry, Updated: s.itemUpdated,
		Tombstone: func(e entry) bool { return e.Item.IsTombstone() },
		Dropped: func(now cluster.Time, old entry) {
			s.count(old.Bucket, old.Partition, Counts{}.Sub(old.Item.Counts()))
		},
	})
	s.index = table.Register(engine, table.Schema[Index]{ID: IndexTable, Name: "k2v_index", Decode: DecodeIndex})
	return s
}

// itemUpdated runs on every replica when its copy of an item changed:
// polls waiting on it may answer, and the node's counts move.
func (s *Service) itemUpdated(now cluster.Time, old entry, existed bool, new entry) {
	s.polls.changed(now, s.out, new)
	var before Counts
	if existed && !s.cfg.Bugs.IndexCountsFromZero {
		before = old.Item.Counts()
	}
	s.count(new.Bucket, new.Partition, new.Item.Counts().Sub(before))
}

// count adds delta to this node's counts of a partition key and publishes
// them, stamped, to the index table (through the persisted insert queue,
// so a partitioned cluster only delays them).
func (s *Service) count(bucket model.BucketID, partition string, delta Counts) {
	if delta == (Counts{}) {
		return
	}
	key := countsPrefix + itemPartition(bucket, partition)
	var stamp uint64
	var c Counts
	if b, ok := s.store.Get(key); ok {
		d := wire.NewDecoder(b)
		stamp = d.Uvarint()
		c = Counts{d.Varint(), d.Varint(), d.Varint(), d.Varint()}
	}
	stamp++
	c = c.Add(delta)
	e := wire.NewEncoder(nil)
	e.Uvarint(stamp)
	for _, v := range []int64{c.Entries, c.Conflicts, c.Values, c.Bytes} {
		e.Varint(v)
	}
	s.store.Put(key, e.Bytes())
	s.index.QueueInsert(indexKey(bucket, partition), Index{}.Set(s.id, stamp, c))
}

// Submit starts op if it is a K2V operation and reports whether it was.
func (s *Service) Submit(now cluster.Time, op any, done Done) bool {
	switch op := op.(type) {
	case Insert:
		items := []BatchItem{{Partition: op.Key.Partition, Sort: op.Key.Sort, Context: op.Context, Value: op.Value}}
		s.insert(now, op.Key.Bucket, items, done)
	case InsertBatch:
		s.insert(now, op.Bucket, op.Items, done)
	case Read:
		s.read(now, op, done)
	case ReadRange:
		s.readRange(now, op, done)
	case DeleteRange:
		s.deleteRange(now, op, done)
	case ReadIndex:
		s.readIndex(now, op, done)
	case PollItem:
		s.pollItem(now, op, done)
	case PollRange:
		s.pollRange(now, op, done)
	default:
		return false
	}
	return true
}

// Step handles a K2V request from a node; it reports false for messages
// of other components.
func (s *Service) Step(now cluster.Time, m rpc.Message) bool {
	if m.Response {
		return false
	}
	switch b := m.Body.(type) {
	case insertItems:
		s.handleInsert(now, m, b)
	case pollItemRequest:
		s.handlePollItem(now, m, b)
	case pollRangeRequest:
		s.handlePollRange(now, m, b)
	default:
		return false
	}
	return true
}

// Tick ends the polls whose time is up.
func (s *Service) Tick(now cluster.Time) { s.polls.expire(now, s.out) }

// Polls is the number of polls this node holds for others.
func (s *Service) Polls() int { return s.polls.live }

// storageNodes are every node that stores partition key pk of bucket in a
// live layout version, in id order.
func (s *Service) storageNodes(bucket model.BucketID, partition string) []cluster.NodeID {
	p := s.items.PartitionOf(itemPartition(bucket, partition))
	var nodes []cluster.NodeID
	for _, set := range s.layout().WriteSets(p) {
		for _, n := range set.Nodes {
			if !slices.Contains(nodes, n) {
				nodes = append(nodes, n)
			}
		}
	}
	slices.SortFunc(nodes, func(a, b cluster.NodeID) int { return a.Compare(b) })
	return nodes
}

// LocalItem is this node's own copy of an item (for tests and
// inspection).
func (s *Service) LocalItem(key ItemKey) (Item, bool) {
	e, ok := s.items.Local(itemKey(key.Bucket, key.Partition, key.Sort))
	return e.Item, ok
}

// BucketEmpty reports whether the bucket's index counts no item. The
// index is eventually consistent: an item written a moment ago may not be
// counted yet.
func (s *Service) BucketEmpty(now cluster.Time, bucket model.BucketID, done func(cluster.Time, bool, error)) {
	s.readIndex(now, ReadIndex{Bucket: bucket, Limit: 1}, func(now cluster.Time, result any, err error) {
		if err != nil {
			done(now, false, err)
			return
		}
		done(now, len(result.(IndexResult).Partitions) == 0, nil)
	})
}
