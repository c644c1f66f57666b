package k2vapi

import "github.com/garagego/garage/node/k2v"

// indexEntry is one partition key's counts in ReadIndex's answer.
type indexEntry struct {
	PK        string `json:"pk"`
	Entries   int64  `json:"entries"`
	Conflicts int64  `json:"conflicts"`
	Values    int64  `json:"values"`
	Bytes     int64  `json:"bytes"`
}

// readIndexResult is ReadIndex's answer: the query echoed, the partition
// keys.
type readIndexResult struct {
	Prefix        *string      `json:"prefix"`
	Start         *string      `json:"start"`
	End           *string      `json:"end"`
	Limit         *uint64      `json:"limit"`
	Reverse       bool         `json:"reverse"`
	PartitionKeys []indexEntry `json:"partitionKeys"`
	More          bool         `json:"more"`
	NextStart     *string      `json:"nextStart"`
}

// readIndex is ReadIndex: GET /bucket?prefix&start&end&limit&reverse, the
// bucket's partition keys with their (eventually consistent) counts.
func (rq *request) readIndex() error {
	var res readIndexResult
	var err error
	q := rq.query
	if res.Prefix, err = optString(q, "prefix"); err != nil {
		return err
	}
	if res.Start, err = optString(q, "start"); err != nil {
		return err
	}
	if res.End, err = optString(q, "end"); err != nil {
		return err
	}
	if res.Limit, err = optUint(q, "limit"); err != nil {
		return err
	}
	if res.Reverse, err = optBool(q, "reverse"); err != nil {
		return err
	}
	if err := checkStart(res.Prefix, res.Start); err != nil {
		return err
	}
	op := k2v.ReadIndex{Bucket: rq.bucket, Prefix: deref(res.Prefix), End: deref(res.End), Reverse: res.Reverse}
	partition := func(e k2v.IndexEntry) string { return e.Partition }
	entries, more, next, err := paginate(res.Limit, deref(res.Start), partition, func(start string, n int) ([]k2v.IndexEntry, bool, string, error) {
		op.Start, op.Limit = start, n
		r, err := rq.api.backend.Do(rq.ctx, op)
		if err != nil {
			return nil, false, "", err
		}
		ir := r.(k2v.IndexResult)
		return ir.Partitions, ir.More, ir.NextStart, nil
	})
	if err != nil {
		return err
	}
	res.PartitionKeys = make([]indexEntry, 0, len(entries))
	for _, e := range entries {
		c := e.Counts
		res.PartitionKeys = append(res.PartitionKeys, indexEntry{PK: e.Partition, Entries: c.Entries, Conflicts: c.Conflicts, Values: c.Values, Bytes: c.Bytes})
	}
	res.More, res.NextStart = more, next
	return rq.writeJSON(res)
}
