package k2vapi

import (
	"math"
	"net/http"
	"sync"

	"github.com/garagego/garage/node/k2v"
)

// batchConcurrency bounds the searches of one ReadBatch or DeleteBatch
// that run at once (Garage runs them all at once).
const batchConcurrency = 8

// insertBatch is InsertBatch: POST /bucket with a JSON array of items. It
// is not a transaction: on an error some items may be written.
func (rq *request) insertBatch() error {
	body, err := rq.readBody()
	if err != nil {
		return err
	}
	items, err := parseInsertBatch(body)
	if err != nil {
		return err
	}
	if len(items) > 0 {
		if _, err := rq.api.backend.Do(rq.ctx, k2v.InsertBatch{Bucket: rq.bucket, Items: items}); err != nil {
			return err
		}
	}
	rq.w.WriteHeader(http.StatusNoContent)
	return nil
}

// batchItem is an item as ReadBatch and PollRange answer it.
type batchItem struct {
	SK string    `json:"sk"`
	CT string    `json:"ct"`
	V  []*string `json:"v"`
}

func batchItems(items []k2v.RangeItem) []batchItem {
	out := make([]batchItem, 0, len(items))
	for _, it := range items {
		out = append(out, batchItem{SK: it.Sort, CT: it.Item.Context().Token(), V: jsonValues(it.Item.Values())})
	}
	return out
}

// readBatchResult is one search's answer: the query echoed, its items.
type readBatchResult struct {
	PartitionKey  string      `json:"partitionKey"`
	Prefix        *string     `json:"prefix"`
	Start         *string     `json:"start"`
	End           *string     `json:"end"`
	Limit         *uint64     `json:"limit"`
	Reverse       bool        `json:"reverse"`
	SingleItem    bool        `json:"singleItem"`
	ConflictsOnly bool        `json:"conflictsOnly"`
	Tombstones    bool        `json:"tombstones"`
	Items         []batchItem `json:"items"`
	More          bool        `json:"more"`
	NextStart     *string     `json:"nextStart"`
}

// readBatch is ReadBatch: POST /bucket?search or SEARCH /bucket with a
// JSON array of searches, answered by a JSON array of their results.
func (rq *request) readBatch() error {
	body, err := rq.readBody()
	if err != nil {
		return err
	}
	queries, err := parseSearches(body, false)
	if err != nil {
		return err
	}
	results := make([]readBatchResult, len(queries))
	err = forEach(len(queries), func(i int) error {
		q := queries[i]
		s := k2v.Search{Partition: *q.PartitionKey, Prefix: deref(q.Prefix), Start: deref(q.Start), End: deref(q.End),
			Reverse: q.Reverse, SingleItem: q.SingleItem, ConflictsOnly: q.ConflictsOnly, Tombstones: q.Tombstones}
		items, more, next, err := rq.search(s, q.Limit)
		if err != nil {
			return err
		}
		results[i] = readBatchResult{PartitionKey: *q.PartitionKey, Prefix: q.Prefix, Start: q.Start, End: q.End, Limit: q.Limit,
			Reverse: q.Reverse, SingleItem: q.SingleItem, ConflictsOnly: q.ConflictsOnly, Tombstones: q.Tombstones,
			Items: batchItems(items), More: more, NextStart: next}
		return nil
	})
	if err != nil {
		return err
	}
	return rq.writeJSON(results)
}

// search runs one search to Garage's limit (none: to the end of the
// range), over as many of the core's pages as it takes.
func (rq *request) search(s k2v.Search, limit *uint64) ([]k2v.RangeItem, bool, *string, error) {
	if s.SingleItem {
		res, err := rq.api.backend.Do(rq.ctx, k2v.ReadRange{Bucket: rq.bucket, Search: s})
		if err != nil {
			return nil, false, nil, err
		}
		return res.(k2v.RangeResult).Items, false, nil, nil
	}
	sortKey := func(it k2v.RangeItem) string { return it.Sort }
	return paginate(limit, s.Start, sortKey, func(start string, n int) ([]k2v.RangeItem, bool, string, error) {
		s.Start, s.Limit = start, n
		res, err := rq.api.backend.Do(rq.ctx, k2v.ReadRange{Bucket: rq.bucket, Search: s})
		if err != nil {
			return nil, false, "", err
		}
		r := res.(k2v.RangeResult)
		return r.Items, r.More, r.NextStart, nil
	})
}

// paginate lists up to limit entries (nil: all of them) from start,
// reading page after page (page(start, n): at most n entries, 0 for the
// core's default, and where the next page starts if there is one). It
// answers as Garage's range reads do: more and the next start when the
// limit stopped it before the end; a limit of 0 lists nothing and tells
// whether there was anything.
func paginate[T any](limit *uint64, start string, keyOf func(T) string, page func(start string, n int) ([]T, bool, string, error)) ([]T, bool, *string, error) {
	out := []T{}
	for {
		n := 0
		if limit != nil {
			n = int(min(*limit-uint64(len(out)), math.MaxInt32))
			if n == 0 {
				// Garage's answer to a limit of 0: nothing, and where the
				// first entry is, if any.
				items, _, _, err := page(start, 1)
				if err != nil || len(items) == 0 {
					return out, false, nil, err
				}
				next := keyOf(items[0])
				return out, true, &next, nil
			}
		}
		items, more, next, err := page(start, n)
		if err != nil {
			return nil, false, nil, err
		}
		out = append(out, items...)
		if !more {
			return out, false, nil, nil
		}
		if limit != nil && uint64(len(out)) >= *limit || len(items) == 0 {
			return out, true, &next, nil
		}
		start = next
	}
}

// deleteBatchResult is one search's answer in DeleteBatch.
type deleteBatchResult struct {
	PartitionKey string  `json:"partitionKey"`
	Prefix       *string `json:"prefix"`
	Start        *string `json:"start"`
	End          *string `json:"end"`
	SingleItem   bool    `json:"singleItem"`
	DeletedItems int     `json:"deletedItems"`
}

// deleteBatch is DeleteBatch: POST /bucket?delete with a JSON array of
// searches, each deleting what it selects; answered by how many items
// each deleted.
func (rq *request) deleteBatch() error {
	body, err := rq.readBody()
	if err != nil {
		return err
	}
	queries, err := parseSearches(body, true)
	if err != nil {
		return err
	}
	results := make([]deleteBatchResult, len(queries))
	err = forEach(len(queries), func(i int) error {
		q := queries[i]
		s := k2v.Search{Partition: *q.PartitionKey, Prefix: deref(q.Prefix), Start: deref(q.Start), End: deref(q.End), SingleItem: q.SingleItem}
		res, err := rq.api.backend.Do(rq.ctx, k2v.DeleteRange{Bucket: rq.bucket, Search: s})
		if err != nil {
			return err
		}
		results[i] = deleteBatchResult{PartitionKey: *q.PartitionKey, Prefix: q.Prefix, Start: q.Start, End: q.End,
			SingleItem: q.SingleItem, DeletedItems: res.(k2v.Deleted).Count}
		return nil
	})
	if err != nil {
		return err
	}
	return rq.writeJSON(results)
}

// pollRangeResult is PollRange's answer.
type pollRangeResult struct {
	Items      []batchItem `json:"items"`
	SeenMarker string      `json:"seenMarker"`
}

// pollRange is PollRange: POST or SEARCH /bucket/pk?poll_range with a
// JSON object {prefix, start, end, timeout, seenMarker}. Without a marker
// it answers at once with the range; with one, when something in the
// range changed since, or 304 when the timeout passes first.
func (rq *request) pollRange() error {
	body, err := rq.readBody()
	if err != nil {
		return err
	}
	q, err := parsePollRange(body)
	if err != nil {
		return err
	}
	op := k2v.PollRange{Bucket: rq.bucket, Marker: deref(q.SeenMarker), Timeout: pollTimeout(q.Timeout),
		Search: k2v.Search{Partition: rq.ep.partition, Prefix: deref(q.Prefix), Start: deref(q.Start), End: deref(q.End)}}
	res, err := rq.api.backend.Do(rq.ctx, op)
	if err != nil {
		return err
	}
	r := res.(k2v.PollRangeResult)
	if !r.Changed {
		rq.w.WriteHeader(http.StatusNotModified)
		return nil
	}
	return rq.writeJSON(pollRangeResult{Items: batchItems(r.Items), SeenMarker: r.Marker})
}

// forEach runs f(0), …, f(n-1), batchConcurrency at a time, and returns
// the error of the first (by index) that failed.
func forEach(n int, f func(i int) error) error {
	errs := make([]error, n)
	sem := make(chan struct{}, batchConcurrency)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = f(i)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
