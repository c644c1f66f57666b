package k2v

import (
	"fmt"
	"strings"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/table"
)

// DefaultLimit bounds a search given no limit: the rest comes with More
// and NextStart, as a listing's next page.
const DefaultLimit = 1000

// pageSize is how many entries one range read asks of each replica.
const pageSize = 256

func (s *Service) read(now cluster.Time, op Read, done Done) {
	key := itemKey(op.Key.Bucket, op.Key.Partition, op.Key.Sort)
	if s.cfg.Bugs.ReadLocalOnly {
		e, ok := s.items.Local(key)
		done(now, ReadResult{Item: e.Item, Found: ok}, nil)
		return
	}
	s.items.Get(now, key, func(now cluster.Time, e entry, found bool, err error) {
		if err != nil {
			done(now, nil, err)
			return
		}
		done(now, ReadResult{Item: e.Item, Found: found}, nil)
	})
}

// bounds is a search's range as table reads take it, and the test each
// entry must pass.
type bounds struct {
	start, end string // forward: [start, end); reverse: (end, start]
	reverse    bool
	prefix     string
}

func boundsOf(q Search) bounds {
	b := bounds{start: q.Start, end: q.End, reverse: q.Reverse, prefix: q.Prefix}
	switch {
	case q.Prefix == "":
	case !q.Reverse && b.start < q.Prefix:
		b.start = q.Prefix
	case q.Reverse && table.PrefixEnd(q.Prefix) != "" && (b.start == "" || b.start > table.PrefixEnd(q.Prefix)):
		b.start = table.PrefixEnd(q.Prefix) // not itself in the prefix: filtered out
	}
	return b
}

// admits reports whether a sort key is in the search's range, and
// whether the scan may stop (past the prefix, in scan order).
func (b bounds) admits(sort string) (in, stop bool) {
	if strings.HasPrefix(sort, b.prefix) {
		return true, false
	}
	if b.reverse {
		return false, sort < b.prefix
	}
	return false, sort > b.prefix
}

// scan reads a range of one partition key of t page by page, keeping the
// entries keep accepts, until it holds want+1 of them (so it can name the
// first one not returned) or the range ends.
func scan[E table.Entry[E]](now cluster.Time, t *table.Table[E], partition string, b bounds, want int, keep func(sort string, e E) bool, done func(now cluster.Time, items []table.Item[E], more bool, next string, err error)) {
	var got []table.Item[E]
	var page func(now cluster.Time, start string)
	page = func(now cluster.Time, start string) {
		read := t.ReadRange
		if b.reverse {
			read = t.ReadRangeDesc
		}
		read(now, partition, start, b.end, min(pageSize, want+2), func(now cluster.Time, r table.Range[E], err error) {
			if err != nil {
				done(now, nil, false, "", err)
				return
			}
			for _, it := range r.Items {
				if b.reverse && len(got) > 0 && it.Sort >= got[len(got)-1].Sort {
					continue // the page restarted at the last key it covered
				}
				in, stop := b.admits(it.Sort)
				if stop {
					r.More = false
					break
				}
				if in && keep(it.Sort, it.Entry) {
					got = append(got, it)
					if len(got) > want {
						done(now, got[:want], true, got[want].Sort, nil)
						return
					}
				}
			}
			if !r.More {
				done(now, got, false, "", nil)
				return
			}
			page(now, r.Next)
		})
	}
	page(now, b.start)
}

// filter is what a search keeps of the items in its range.
func filter(q Search) func(string, entry) bool {
	return func(_ string, e entry) bool {
		switch {
		case e.Item.IsTombstone() && !q.Tombstones:
			return false
		case q.ConflictsOnly && len(e.Item.Values()) < 2:
			return false
		}
		return true
	}
}

func checkSearch(q Search) error {
	if q.Limit < 0 {
		return fmt.Errorf("%w: negative limit", ErrBadSearch)
	}
	return nil
}

func limitOf(q Search) int {
	if q.Limit == 0 || q.Limit > DefaultLimit {
		return DefaultLimit
	}
	return q.Limit
}

func (s *Service) readRange(now cluster.Time, op ReadRange, done Done) {
	q := op.Search
	if err := checkSearch(q); err != nil {
		done(now, nil, err)
		return
	}
	if q.SingleItem {
		s.read(now, Read{Key: ItemKey{Bucket: op.Bucket, Partition: q.Partition, Sort: q.Start}}, func(now cluster.Time, result any, err error) {
			if err != nil {
				done(now, nil, err)
				return
			}
			r := result.(ReadResult)
			var res RangeResult
			if r.Found && filter(q)(q.Start, entry{Item: r.Item}) {
				res.Items = []RangeItem{{Sort: q.Start, Item: r.Item}}
			}
			done(now, res, nil)
		})
		return
	}
	scan(now, s.items, itemPartition(op.Bucket, q.Partition), boundsOf(q), limitOf(q), filter(q),
		func(now cluster.Time, items []table.Item[entry], more bool, next string, err error) {
			if err != nil {
				done(now, nil, err)
				return
			}
			res := RangeResult{More: more, NextStart: next}
			for _, it := range items {
				res.Items = append(res.Items, RangeItem{Sort: it.Sort, Item: it.Entry.Item})
			}
			done(now, res, nil)
		})
}

// deleteRange reads what the search selects, page by page, and writes a
// tombstone superseding each item read.
func (s *Service) deleteRange(now cluster.Time, op DeleteRange, done Done) {
	q := Search{Partition: op.Search.Partition, Prefix: op.Search.Prefix, Start: op.Search.Start, End: op.Search.End, SingleItem: op.Search.SingleItem}
	deleted := 0
	var step func(now cluster.Time, start string)
	step = func(now cluster.Time, start string) {
		q.Start = start
		s.readRange(now, ReadRange{Bucket: op.Bucket, Search: q}, func(now cluster.Time, result any, err error) {
			if err != nil {
				done(now, nil, err)
				return
			}
			r := result.(RangeResult)
			var batch []BatchItem
			for _, it := range r.Items {
				ctx := it.Item.Context()
				batch = append(batch, BatchItem{Partition: q.Partition, Sort: it.Sort, Context: &ctx, Value: Value{Deleted: true}})
			}
			s.insert(now, op.Bucket, batch, func(now cluster.Time, _ any, err error) {
				if err != nil {
					done(now, nil, err)
					return
				}
				deleted += len(batch)
				if !r.More || q.SingleItem {
					done(now, Deleted{Count: deleted}, nil)
					return
				}
				step(now, r.NextStart)
			})
		})
	}
	step(now, q.Start)
}

// readIndex lists a bucket's partition keys with their counts, as the
// nodes that store each one now report them; partition keys that hold no
// item are left out.
func (s *Service) readIndex(now cluster.Time, op ReadIndex, done Done) {
	q := Search{Prefix: op.Prefix, Start: op.Start, End: op.End, Limit: op.Limit, Reverse: op.Reverse}
	if err := checkSearch(q); err != nil {
		done(now, nil, err)
		return
	}
	counts := func(partition string, x Index) Counts {
		p := s.items.PartitionOf(itemPartition(op.Bucket, partition))
		var holders []NodeID
		for _, n := range s.layout().ReadVersion().NodesOf(p) {
			holders = append(holders, NodeIDOf(n))
		}
		return x.Read(holders)
	}
	keep := func(partition string, x Index) bool { return counts(partition, x).Entries > 0 }
	scan(now, s.index, string(op.Bucket[:]), boundsOf(q), limitOf(q), keep,
		func(now cluster.Time, items []table.Item[Index], more bool, next string, err error) {
			if err != nil {
				done(now, nil, err)
				return
			}
			res := IndexResult{More: more, NextStart: next}
			for _, it := range items {
				res.Partitions = append(res.Partitions, IndexEntry{Partition: it.Sort, Counts: counts(it.Sort, it.Entry)})
			}
			done(now, res, nil)
		})
}
