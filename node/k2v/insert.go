package k2v

import (
	"slices"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/rpc"
	"github.com/garagego/garage/node/table"
	"github.com/garagego/garage/node/wire"
)

// insert forwards writes to a storage node of each item's partition key,
// which coordinates them, so vector clocks only ever name storage nodes.
// Items that share their storage nodes travel together. A coordinator
// that fails is replaced by the next storage node; a write retried that
// way may be stored twice, which reads do not show (Item.Values).
func (s *Service) insert(now cluster.Time, bucket model.BucketID, items []BatchItem, done Done) {
	if s.layout().Current().IsEmpty() {
		done(now, nil, table.ErrNoLayout)
		return
	}
	type group struct {
		nodes []cluster.NodeID
		items []BatchItem
	}
	var groups []*group // in order of first appearance: deterministic
	for _, it := range items {
		nodes := s.storageNodes(bucket, it.Partition)
		i := slices.IndexFunc(groups, func(g *group) bool { return slices.Equal(g.nodes, nodes) })
		if i < 0 {
			i = len(groups)
			groups = append(groups, &group{nodes: nodes})
		}
		groups[i].items = append(groups[i].items, it)
	}
	if len(groups) == 0 {
		done(now, Inserted{}, nil)
		return
	}
	waiting, count := len(groups), 0
	var failed error
	for _, g := range groups {
		s.forward(now, s.coordinators(g.nodes), insertItems{Bucket: bucket, Items: g.items}, func(now cluster.Time, err error) {
			if err != nil && failed == nil {
				failed = err
			} else if err == nil {
				count += len(g.items)
			}
			if waiting--; waiting == 0 {
				if failed != nil {
					done(now, nil, failed)
					return
				}
				done(now, Inserted{Count: count}, nil)
			}
		})
	}
}

// coordinators orders the candidates: this node first if it stores the
// partition (no hop), then the others in id order.
func (s *Service) coordinators(nodes []cluster.NodeID) []cluster.NodeID {
	if i := slices.Index(nodes, s.self); i > 0 {
		nodes = slices.Concat([]cluster.NodeID{s.self}, nodes[:i], nodes[i+1:])
	}
	return nodes
}

// forward sends the writes to candidates[0], and to the next one if it
// fails.
func (s *Service) forward(now cluster.Time, candidates []cluster.NodeID, b insertItems, done func(cluster.Time, error)) {
	if len(candidates) == 0 {
		done(now, rpc.ErrQuorum)
		return
	}
	s.calls.Start(now, rpc.Call{
		Sets: [][]cluster.NodeID{candidates[:1]}, Quorum: 1, Body: b,
		// The coordinator's own quorum write has RequestTimeout; give it
		// that long before trying another.
		Timeout: 2 * s.cfg.RequestTimeout,
	}, func(now cluster.Time, _ []rpc.Response, err error) {
		if err != nil && len(candidates) > 1 {
			s.forward(now, candidates[1:], b, done)
			return
		}
		done(now, err)
	})
}

// handleInsert coordinates writes as a storage node: each item is read
// from this node's copy, stamped after everything this node stamped
// before (a persisted counter, raised to the clock in milliseconds),
// applied to this copy at once (the seen marker relies on it), then
// written to a write quorum. It answers once every item is written.
func (s *Service) handleInsert(now cluster.Time, m rpc.Message, b insertItems) {
	keys := make([]table.Key, 0, len(b.Items))
	entries := make([]entry, 0, len(b.Items))
	for _, it := range b.Items {
		key := itemKey(b.Bucket, it.Partition, it.Sort)
		e := s.stamp(now, b.Bucket, it)
		if err := s.items.JoinLocal(now, key, e); err != nil {
			s.out.Reply(m, rpc.Error{Message: "k2v insert: " + err.Error()})
			return
		}
		keys, entries = append(keys, key), append(entries, e)
	}
	s.items.InsertMany(now, keys, entries, func(now cluster.Time, err error) {
		if err != nil {
			s.out.Reply(m, rpc.Error{Message: "k2v insert: " + err.Error()})
			return
		}
		s.out.Reply(m, inserted{})
	})
}

// stamp computes the item after a write coordinated here.
func (s *Service) stamp(now cluster.Time, bucket model.BucketID, it BatchItem) entry {
	old, _ := s.items.Local(itemKey(bucket, it.Partition, it.Sort))
	ctx := it.Context
	switch {
	case s.cfg.Bugs.InsertDiscardsSiblings:
		all := old.Item.Context()
		ctx = &all
	case s.cfg.Bugs.InsertIgnoresContext:
		ctx = nil
	}
	item, t := old.Item.Insert(s.id, ctx, it.Value, max(s.counter(), now.Millis()))
	s.setCounter(t)
	return entry{Bucket: bucket, Partition: it.Partition, Sort: it.Sort, Item: item}
}

func (s *Service) counter() uint64 {
	if b, ok := s.store.Get(keyCounter); ok {
		return wire.NewDecoder(b).Uvarint()
	}
	return 0
}

// setCounter persists the last stamp: the record is in the Ready that
// carries the writes, so no stamp is sent before it is durable.
func (s *Service) setCounter(t uint64) {
	e := wire.NewEncoder(nil)
	e.Uvarint(t)
	s.store.Put(keyCounter, e.Bytes())
}
