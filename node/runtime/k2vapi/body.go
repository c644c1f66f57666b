package k2vapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/garagego/garage/node/k2v"
)

// The JSON bodies of the batch endpoints, with Garage's field names. A
// field that may be null or absent is a pointer; required fields are
// pointers too, so that their absence is told from an empty string.
// Parsing is pure (bytes in, operations' arguments out) and fuzzed.

// insertBatchItem is one item of an InsertBatch body.
type insertBatchItem struct {
	PK *string `json:"pk"`
	SK *string `json:"sk"`
	CT *string `json:"ct"` // null or absent: a first write
	V  *string `json:"v"`  // base64; null or absent: a tombstone
}

// searchQuery is one search of a ReadBatch or DeleteBatch body.
type searchQuery struct {
	PartitionKey  *string `json:"partitionKey"`
	Prefix        *string `json:"prefix"`
	Start         *string `json:"start"`
	End           *string `json:"end"`
	Limit         *uint64 `json:"limit"`
	Reverse       bool    `json:"reverse"`
	SingleItem    bool    `json:"singleItem"`
	ConflictsOnly bool    `json:"conflictsOnly"`
	Tombstones    bool    `json:"tombstones"`
}

// pollRangeQuery is the body of a PollRange.
type pollRangeQuery struct {
	Prefix     *string `json:"prefix"`
	Start      *string `json:"start"`
	End        *string `json:"end"`
	Timeout    *uint64 `json:"timeout"`
	SeenMarker *string `json:"seenMarker"`
}

// decodeJSON reads a body that must be one JSON value of the kind open
// announces ('[' or '{'). Go's decoder would take null for an empty list
// and replace invalid UTF-8 silently; Garage's refuses both, and so does
// this.
func decodeJSON(body []byte, open byte, v any) error {
	if !utf8.Valid(body) {
		return badRequest("Invalid JSON: the body is not UTF-8")
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != open {
		return badRequest("Invalid JSON: expected a JSON %s", map[byte]string{'[': "array", '{': "object"}[open])
	}
	if err := json.Unmarshal(body, v); err != nil {
		return badRequest("Invalid JSON: %v", err)
	}
	return nil
}

// parseInsertBatch reads an InsertBatch body: a JSON array of
// {pk, sk, ct, v}.
func parseInsertBatch(body []byte) ([]k2v.BatchItem, error) {
	var raw []*insertBatchItem
	if err := decodeJSON(body, '[', &raw); err != nil {
		return nil, err
	}
	items := make([]k2v.BatchItem, 0, len(raw))
	for i, it := range raw {
		if it == nil || it.PK == nil || it.SK == nil {
			return nil, badRequest("Invalid JSON: item %d needs a pk and an sk", i)
		}
		bi := k2v.BatchItem{Partition: *it.PK, Sort: *it.SK}
		if it.CT != nil {
			ctx, err := k2v.ParseToken(*it.CT)
			if err != nil {
				return nil, errBadToken
			}
			bi.Context = &ctx
		}
		if it.V == nil {
			bi.Value.Deleted = true
		} else {
			data, err := base64.StdEncoding.DecodeString(*it.V)
			if err != nil {
				return nil, badRequest("Invalid base64 value for item %d", i)
			}
			bi.Value.Data = data
		}
		items = append(items, bi)
	}
	return items, nil
}

// parseSearches reads a ReadBatch body (or, with deleting, a DeleteBatch
// body): a JSON array of searches, each checked as Garage checks it.
func parseSearches(body []byte, deleting bool) ([]searchQuery, error) {
	var raw []*searchQuery
	if err := decodeJSON(body, '[', &raw); err != nil {
		return nil, err
	}
	out := make([]searchQuery, 0, len(raw))
	for i, q := range raw {
		if q == nil || q.PartitionKey == nil {
			return nil, badRequest("Invalid JSON: search %d needs a partitionKey", i)
		}
		if err := q.check(deleting); err != nil {
			return nil, err
		}
		out = append(out, *q)
	}
	return out, nil
}

// check refuses a search whose parameters contradict each other, with
// Garage's messages.
func (q *searchQuery) check(deleting bool) error {
	if q.SingleItem {
		if deleting && (q.Prefix != nil || q.End != nil) {
			return badRequest("Batch query parameters 'prefix' and 'end' must not be set when singleItem is true.")
		}
		if !deleting && (q.Prefix != nil || q.End != nil || q.Limit != nil || q.Reverse) {
			return badRequest("Batch query parameters 'prefix', 'end', 'limit' and 'reverse' must not be set when singleItem is true.")
		}
		if q.Start == nil {
			return badRequest("start should be specified if single_item is set")
		}
		return nil
	}
	return checkStart(q.Prefix, q.Start)
}

// checkStart refuses a start outside the prefix, as Garage does.
func checkStart(prefix, start *string) error {
	if prefix != nil && start != nil && !strings.HasPrefix(*start, *prefix) {
		return badRequest("Start key '%s' does not start with prefix '%s'", *start, *prefix)
	}
	return nil
}

// parsePollRange reads a PollRange body: a JSON object.
func parsePollRange(body []byte) (pollRangeQuery, error) {
	var q pollRangeQuery
	if err := decodeJSON(body, '{', &q); err != nil {
		return pollRangeQuery{}, err
	}
	return q, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
