package k2v

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Filter selects a range of keys, as ReadIndex and ReadBatch take it. Keys
// compare as bytes. Forward, the keys are those in [Start, End) that
// begin with Prefix; with Reverse, Start is the highest key returned and
// End the lowest, excluded. An empty field is unset; Limit 0 is no limit.
type Filter struct {
	Prefix  string
	Start   string
	End     string
	Limit   int
	Reverse bool
}

// PartitionInfo is one partition key of ReadIndex with its counts, which
// are eventually consistent.
type PartitionInfo struct {
	PK        string `json:"pk"`
	Entries   int64  `json:"entries"`   // items, tombstones excluded
	Conflicts int64  `json:"conflicts"` // items with several values
	Values    int64  `json:"values"`    // values, siblings counted
	Bytes     int64  `json:"bytes"`     // bytes of those values
}

// IndexResult answers ReadIndex. More, with NextStart (the first key not
// listed), says Limit stopped the listing; pass NextStart as Start to go
// on.
type IndexResult struct {
	Partitions []PartitionInfo
	More       bool
	NextStart  string
}

// ReadIndex lists the bucket's partition keys that hold items.
func (c *Client) ReadIndex(ctx context.Context, f Filter) (IndexResult, error) {
	q := url.Values{}
	set := func(name, v string) {
		if v != "" {
			q.Set(name, v)
		}
	}
	set("prefix", f.Prefix)
	set("start", f.Start)
	set("end", f.End)
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	if f.Reverse {
		q.Set("reverse", "true")
	}
	res, err := c.do(ctx, request{method: http.MethodGet, query: q})
	if err != nil {
		return IndexResult{}, err
	}
	var wire struct {
		PartitionKeys []PartitionInfo `json:"partitionKeys"`
		More          bool            `json:"more"`
		NextStart     *string         `json:"nextStart"`
	}
	if err := decodeJSON(res, &wire); err != nil {
		return IndexResult{}, err
	}
	return IndexResult{Partitions: wire.PartitionKeys, More: wire.More, NextStart: deref(wire.NextStart)}, nil
}

// BatchInsert is one write of InsertBatch. A nil Value writes a tombstone
// (a delete that keeps causality); []byte{} is the empty value. Token
// supersedes what the read that returned it saw; "" adds a sibling.
type BatchInsert struct {
	PK    string
	SK    string
	Token CausalityToken
	Value []byte
}

// InsertBatch writes many items. It is not a transaction: after an error
// some items may be written and others not.
func (c *Client) InsertBatch(ctx context.Context, items []BatchInsert) error {
	type wireItem struct {
		PK string  `json:"pk"`
		SK string  `json:"sk"`
		CT *string `json:"ct"` // null: no token
		V  *string `json:"v"`  // null: tombstone
	}
	wire := make([]wireItem, len(items))
	for i, it := range items {
		wire[i] = wireItem{PK: it.PK, SK: it.SK}
		if it.Token != "" {
			ct := string(it.Token)
			wire[i].CT = &ct
		}
		if it.Value != nil {
			v := base64.StdEncoding.EncodeToString(it.Value)
			wire[i].V = &v
		}
	}
	body, err := json.Marshal(wire)
	if err != nil {
		return fmt.Errorf("k2v: encoding InsertBatch: %w", err)
	}
	_, err = c.do(ctx, jsonRequest(http.MethodPost, nil, "", body))
	return err
}

// BatchReadOp is one search of ReadBatch, in one partition key.
// SingleItem returns only the item whose sort key is Filter.Start (the
// other Filter fields must then be unset); ConflictsOnly keeps items with
// several values; Tombstones also returns deleted items (all values nil),
// whose tokens let a later insert supersede the deletion.
type BatchReadOp struct {
	PartitionKey string
	Filter
	SingleItem    bool
	ConflictsOnly bool
	Tombstones    bool
}

// Item is an item of a range: its sort key, its token and its values (nil
// for a tombstone).
type Item struct {
	SK     string
	Token  CausalityToken
	Values [][]byte
}

// BatchReadResult is one search's answer, paginated as IndexResult.
type BatchReadResult struct {
	Items     []Item
	More      bool
	NextStart string
}

// wireItem is an item as ReadBatch and PollRange return it.
type wireItem struct {
	SK string    `json:"sk"`
	CT string    `json:"ct"`
	V  []*string `json:"v"`
}

func decodeItems(wire []wireItem) ([]Item, error) {
	items := make([]Item, len(wire))
	for i, w := range wire {
		values, err := decodeValues(w.V)
		if err != nil {
			return nil, fmt.Errorf("%w (item %q)", err, w.SK)
		}
		items[i] = Item{SK: w.SK, Token: CausalityToken(w.CT), Values: values}
	}
	return items, nil
}

// ReadBatch runs several searches at once and returns one result per
// search, in order.
func (c *Client) ReadBatch(ctx context.Context, ops []BatchReadOp) ([]BatchReadResult, error) {
	type wireOp struct {
		PartitionKey  string `json:"partitionKey"`
		Prefix        string `json:"prefix,omitempty"`
		Start         string `json:"start,omitempty"`
		End           string `json:"end,omitempty"`
		Limit         int    `json:"limit,omitempty"`
		Reverse       bool   `json:"reverse,omitempty"`
		SingleItem    bool   `json:"singleItem,omitempty"`
		ConflictsOnly bool   `json:"conflictsOnly,omitempty"`
		Tombstones    bool   `json:"tombstones,omitempty"`
	}
	wire := make([]wireOp, len(ops))
	for i, op := range ops {
		wire[i] = wireOp{op.PartitionKey, op.Prefix, op.Start, op.End, op.Limit, op.Reverse, op.SingleItem, op.ConflictsOnly, op.Tombstones}
	}
	body, err := json.Marshal(wire)
	if err != nil {
		return nil, fmt.Errorf("k2v: encoding ReadBatch: %w", err)
	}
	res, err := c.do(ctx, jsonRequest(http.MethodPost, nil, "search", body))
	if err != nil {
		return nil, err
	}
	var answers []struct {
		Items     []wireItem `json:"items"`
		More      bool       `json:"more"`
		NextStart *string    `json:"nextStart"`
	}
	if err := decodeJSON(res, &answers); err != nil {
		return nil, err
	}
	if len(answers) != len(ops) {
		return nil, fmt.Errorf("k2v: invalid answer: %d results for %d searches", len(answers), len(ops))
	}
	out := make([]BatchReadResult, len(answers))
	for i, a := range answers {
		items, err := decodeItems(a.Items)
		if err != nil {
			return nil, err
		}
		out[i] = BatchReadResult{Items: items, More: a.More, NextStart: deref(a.NextStart)}
	}
	return out, nil
}

// BatchDeleteOp is one range of DeleteBatch: the items of PartitionKey
// that Prefix, Start and End select, or with SingleItem the item at Start.
type BatchDeleteOp struct {
	PartitionKey string
	Prefix       string
	Start        string
	End          string
	SingleItem   bool
}

// DeleteBatch deletes ranges of items without tokens: the server reads
// each range and writes tombstones superseding what it read (values
// written meanwhile survive). It returns how many items each range
// deleted, in order.
func (c *Client) DeleteBatch(ctx context.Context, ops []BatchDeleteOp) ([]int, error) {
	type wireOp struct {
		PartitionKey string `json:"partitionKey"`
		Prefix       string `json:"prefix,omitempty"`
		Start        string `json:"start,omitempty"`
		End          string `json:"end,omitempty"`
		SingleItem   bool   `json:"singleItem,omitempty"`
	}
	wire := make([]wireOp, len(ops))
	for i, op := range ops {
		wire[i] = wireOp{op.PartitionKey, op.Prefix, op.Start, op.End, op.SingleItem}
	}
	body, err := json.Marshal(wire)
	if err != nil {
		return nil, fmt.Errorf("k2v: encoding DeleteBatch: %w", err)
	}
	res, err := c.do(ctx, jsonRequest(http.MethodPost, nil, "delete", body))
	if err != nil {
		return nil, err
	}
	var answers []struct {
		DeletedItems int `json:"deletedItems"`
	}
	if err := decodeJSON(res, &answers); err != nil {
		return nil, err
	}
	if len(answers) != len(ops) {
		return nil, fmt.Errorf("k2v: invalid answer: %d results for %d ranges", len(answers), len(ops))
	}
	counts := make([]int, len(answers))
	for i, a := range answers {
		counts[i] = a.DeletedItems
	}
	return counts, nil
}

// PollRangeFilter selects the items PollRange watches (forward only, no
// limit).
type PollRangeFilter struct {
	Prefix string
	Start  string
	End    string
}

// PollRange watches the items of partition key pk that f selects. With
// seenMarker "", it answers at once with every item of the range
// (tombstones included) and a marker; with a marker from an earlier call,
// it waits until some item changed since, or timeout passes (0: 300s; at
// most 600s), and returns the changed items and a new marker. changed is
// false when the timeout passed (304 Not Modified); keep the old marker
// then.
func (c *Client) PollRange(ctx context.Context, pk string, f PollRangeFilter, seenMarker string, timeout time.Duration) ([]Item, string, bool, error) {
	type wireReq struct {
		Prefix     string `json:"prefix,omitempty"`
		Start      string `json:"start,omitempty"`
		End        string `json:"end,omitempty"`
		SeenMarker string `json:"seenMarker,omitempty"`
		Timeout    int64  `json:"timeout"`
	}
	body, err := json.Marshal(wireReq{f.Prefix, f.Start, f.End, seenMarker, pollSeconds(timeout)})
	if err != nil {
		return nil, "", false, fmt.Errorf("k2v: encoding PollRange: %w", err)
	}
	res, err := c.do(ctx, jsonRequest(http.MethodPost, &pk, "poll_range", body))
	if err != nil {
		return nil, "", false, err
	}
	if res.status == http.StatusNotModified {
		return nil, "", false, nil
	}
	var wire struct {
		Items      []wireItem `json:"items"`
		SeenMarker string     `json:"seenMarker"`
	}
	if err := decodeJSON(res, &wire); err != nil {
		return nil, "", false, err
	}
	if wire.SeenMarker == "" {
		return nil, "", false, fmt.Errorf("k2v: invalid answer: PollRange without seenMarker")
	}
	items, err := decodeItems(wire.Items)
	if err != nil {
		return nil, "", false, err
	}
	return items, wire.SeenMarker, true, nil
}

func jsonRequest(method string, partition *string, keyword string, body []byte) request {
	return request{method: method, partition: partition, keyword: keyword,
		header: http.Header{"Content-Type": {"application/json"}}, body: body}
}

// decodeJSON decodes a 200 answer's body.
func decodeJSON(res *response, v any) error {
	if res.status != http.StatusOK {
		return fmt.Errorf("k2v: invalid answer: status %d, want 200 with a JSON body", res.status)
	}
	if err := json.Unmarshal(res.body, v); err != nil {
		return fmt.Errorf("k2v: invalid answer: %w", err)
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
