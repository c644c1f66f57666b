package k2vapi_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/garagego/garage/internal/retry"
)

type batchItem struct {
	PK string  `json:"pk"`
	SK string  `json:"sk"`
	CT *string `json:"ct"`
	V  *string `json:"v"`
}

type resultItem struct {
	SK string    `json:"sk"`
	CT string    `json:"ct"`
	V  []*string `json:"v"`
}

type searchResult struct {
	PartitionKey  string       `json:"partitionKey"`
	Prefix        *string      `json:"prefix"`
	Start         *string      `json:"start"`
	End           *string      `json:"end"`
	Limit         *uint64      `json:"limit"`
	Reverse       bool         `json:"reverse"`
	SingleItem    bool         `json:"singleItem"`
	ConflictsOnly bool         `json:"conflictsOnly"`
	Tombstones    bool         `json:"tombstones"`
	Items         []resultItem `json:"items"`
	More          bool         `json:"more"`
	NextStart     *string      `json:"nextStart"`
}

func str(s string) *string { return &s }

func sortKeys(items []resultItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.SK)
	}
	return out
}

// insertBatch writes items with InsertBatch through node.
func (e *env) insertBatch(t testing.TB, node int, items []batchItem) {
	t.Helper()
	want(t, e.do(t, call{node: node, method: "POST", body: jsonBody(t, items)}), http.StatusNoContent, "InsertBatch")
}

// readBatch runs ReadBatch through node, as POST ?search.
func (e *env) readBatch(t testing.TB, node int, searches []map[string]any) []searchResult {
	t.Helper()
	r := e.do(t, call{node: node, method: "POST", query: url.Values{"search": {""}}, body: jsonBody(t, searches)})
	want(t, r, http.StatusOK, "ReadBatch")
	return decode[[]searchResult](t, r)
}

// testBatches: InsertBatch (values and a tombstone), ReadBatch in both
// of its forms with every search parameter, DeleteBatch and the
// tombstones it leaves.
func testBatches(t *testing.T, e *env) {
	const pk = "batch"
	var items []batchItem
	for i := range 10 {
		items = append(items, batchItem{PK: pk, SK: fmt.Sprintf("k%02d", i), V: str(b64(fmt.Sprint("value ", i)))})
	}
	items = append(items, batchItem{PK: pk, SK: "k99"}, batchItem{PK: pk + "-other", SK: "x", V: str(b64("other"))})
	e.insertBatch(t, 0, items)

	res := e.readBatch(t, 1, []map[string]any{
		{"partitionKey": pk},
		{"partitionKey": pk, "start": "k03", "limit": 3},
		{"partitionKey": pk, "start": "k05", "singleItem": true},
		{"partitionKey": pk, "reverse": true, "limit": 2},
		{"partitionKey": pk, "prefix": "k0", "start": "k08"},
		{"partitionKey": pk, "end": "k02"},
		{"partitionKey": pk, "tombstones": true, "start": "k09"},
		{"partitionKey": pk, "limit": 0},
		{"partitionKey": pk + "-other"},
	})
	if len(res) != 9 {
		t.Fatalf("ReadBatch of 9 searches answered %d", len(res))
	}
	all := sortKeys(res[0].Items)
	if want := []string{"k00", "k01", "k02", "k03", "k04", "k05", "k06", "k07", "k08", "k09"}; !slices.Equal(all, want) || res[0].More || res[0].NextStart != nil {
		t.Fatalf("the whole partition: %q more=%v, want %q (the tombstone left out)", all, res[0].More, want)
	}
	if got := values(t, res[0].Items[4].V); !slices.Equal(got, []string{"value 4"}) || res[0].Items[4].CT == "" {
		t.Fatalf("item k04: %q token %q", got, res[0].Items[4].CT)
	}
	if got := sortKeys(res[1].Items); !slices.Equal(got, []string{"k03", "k04", "k05"}) || !res[1].More || res[1].NextStart == nil || *res[1].NextStart != "k06" {
		t.Fatalf("start k03 limit 3: %q more=%v next=%v", got, res[1].More, res[1].NextStart)
	}
	if res[1].PartitionKey != pk || res[1].Start == nil || *res[1].Start != "k03" || res[1].Limit == nil || *res[1].Limit != 3 || res[1].Prefix != nil {
		t.Fatalf("the query is not echoed: %+v", res[1])
	}
	if got := sortKeys(res[2].Items); !slices.Equal(got, []string{"k05"}) || !res[2].SingleItem {
		t.Fatalf("singleItem k05: %q", got)
	}
	if got := sortKeys(res[3].Items); !slices.Equal(got, []string{"k09", "k08"}) || !res[3].More || *res[3].NextStart != "k07" {
		t.Fatalf("reverse limit 2: %q more=%v next=%v", got, res[3].More, res[3].NextStart)
	}
	if got := sortKeys(res[4].Items); !slices.Equal(got, []string{"k08", "k09"}) {
		t.Fatalf("prefix k0 from k08: %q", got)
	}
	if got := sortKeys(res[5].Items); !slices.Equal(got, []string{"k00", "k01"}) {
		t.Fatalf("end k02: %q", got)
	}
	if got := sortKeys(res[6].Items); !slices.Equal(got, []string{"k09", "k99"}) || !slices.Equal(values(t, res[6].Items[1].V), []string{"<nil>"}) {
		t.Fatalf("tombstones from k09: %+v", res[6].Items)
	}
	if len(res[7].Items) != 0 || !res[7].More || res[7].NextStart == nil || *res[7].NextStart != "k00" {
		t.Fatalf("limit 0: %+v, want no items, more, nextStart k00 (as Garage)", res[7])
	}
	if got := sortKeys(res[8].Items); !slices.Equal(got, []string{"x"}) {
		t.Fatalf("another partition key: %q", got)
	}

	// The SEARCH method is ReadBatch too.
	r := e.do(t, call{node: 2, method: "SEARCH", body: jsonBody(t, []map[string]any{{"partitionKey": pk, "limit": 1}})})
	want(t, r, http.StatusOK, "SEARCH /bucket")
	if got := decode[[]searchResult](t, r); len(got) != 1 || !slices.Equal(sortKeys(got[0].Items), []string{"k00"}) {
		t.Fatalf("SEARCH: %s", r)
	}

	// DeleteBatch, then ReadBatch sees tombstones (only when asked).
	r = e.do(t, call{node: 2, method: "POST", query: url.Values{"delete": {""}}, body: jsonBody(t, []map[string]any{
		{"partitionKey": pk, "start": "k00", "end": "k05"},
		{"partitionKey": pk, "start": "k07", "singleItem": true},
		{"partitionKey": pk, "start": "k99", "singleItem": true}, // already a tombstone
	})})
	want(t, r, http.StatusOK, "DeleteBatch")
	type deleted struct {
		PartitionKey string  `json:"partitionKey"`
		Start        *string `json:"start"`
		SingleItem   bool    `json:"singleItem"`
		DeletedItems int     `json:"deletedItems"`
	}
	dels := decode[[]deleted](t, r)
	if len(dels) != 3 || dels[0].DeletedItems != 5 || dels[1].DeletedItems != 1 || dels[2].DeletedItems != 0 || !dels[1].SingleItem || *dels[0].Start != "k00" {
		t.Fatalf("DeleteBatch answered %s, want 5, 1 and 0 deleted", r.body)
	}
	res = e.readBatch(t, 0, []map[string]any{{"partitionKey": pk}, {"partitionKey": pk, "tombstones": true}})
	if got := sortKeys(res[0].Items); !slices.Equal(got, []string{"k05", "k06", "k08", "k09"}) {
		t.Fatalf("after DeleteBatch: %q", got)
	}
	var tombs []string
	for _, it := range res[1].Items {
		if slices.Equal(values(t, it.V), []string{"<nil>"}) {
			tombs = append(tombs, it.SK)
		}
	}
	if want := []string{"k00", "k01", "k02", "k03", "k04", "k07", "k99"}; !slices.Equal(tombs, want) {
		t.Fatalf("tombstones after DeleteBatch: %q, want %q", tombs, want)
	}
	// A tombstone's token lets a write supersede it (no sibling).
	ct := res[1].Items[0].CT
	e.insertBatch(t, 1, []batchItem{{PK: pk, SK: "k00", CT: &ct, V: str(b64("reborn"))}})
	if vs, _ := e.readJSON(t, 2, pk, "k00"); !slices.Equal(values(t, vs), []string{"reborn"}) {
		t.Fatalf("a write with the tombstone's token: %q", values(t, vs))
	}
}

// testReadIndex: the index lists the partition keys with counts that
// converge (eventually consistent, so retried to a deadline); prefix,
// limit with pagination and reverse.
func testReadIndex(t *testing.T, e *env) {
	var items []batchItem
	for p := range 4 {
		for s := range p + 1 {
			items = append(items, batchItem{PK: fmt.Sprintf("idx-%d", p), SK: fmt.Sprint(s), V: str(b64("12345"))})
		}
	}
	e.insertBatch(t, 0, items)
	e.insert(t, 1, "idx-3", "0", "sibling", "") // a conflict in idx-3

	type entry struct {
		PK                                string
		Entries, Conflicts, Values, Bytes int64
	}
	type index struct {
		Prefix, Start, End *string
		Limit              *uint64
		Reverse            bool
		PartitionKeys      []entry
		More               bool
		NextStart          *string
	}
	want := []entry{{"idx-0", 1, 0, 1, 5}, {"idx-1", 2, 0, 2, 10}, {"idx-2", 3, 0, 3, 15}, {"idx-3", 4, 1, 5, 27}}
	var last string
	ctx := testCtx(t)
	err := retry.Until(ctx, 30*time.Second, func() error {
		r := e.do(t, call{node: 2, method: "GET", query: url.Values{"prefix": {"idx-"}}})
		if r.status != http.StatusOK {
			return fmt.Errorf("ReadIndex: %s", r)
		}
		got := decode[index](t, r)
		last = string(r.body)
		if !slices.Equal(got.PartitionKeys, want) || got.More || got.Prefix == nil || *got.Prefix != "idx-" {
			return fmt.Errorf("ReadIndex: %+v", got)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("the index did not converge to %+v: %v\nlast answer: %s", want, err, last)
	}
	r := e.do(t, call{node: 0, method: "GET", query: url.Values{"prefix": {"idx-"}, "limit": {"2"}}})
	got := decode[index](t, r)
	if len(got.PartitionKeys) != 2 || got.PartitionKeys[1].PK != "idx-1" || !got.More || got.NextStart == nil || *got.NextStart != "idx-2" {
		t.Fatalf("limit 2: %s", r.body)
	}
	r = e.do(t, call{node: 1, method: "GET", query: url.Values{"prefix": {"idx-"}, "start": {*got.NextStart}}})
	if got := decode[index](t, r); len(got.PartitionKeys) != 2 || got.PartitionKeys[0].PK != "idx-2" || got.More {
		t.Fatalf("the next page: %s", r.body)
	}
	r = e.do(t, call{node: 1, method: "GET", query: url.Values{"prefix": {"idx-"}, "reverse": {"true"}, "limit": {"1"}}})
	if got := decode[index](t, r); len(got.PartitionKeys) != 1 || got.PartitionKeys[0].PK != "idx-3" || !got.Reverse || *got.NextStart != "idx-2" {
		t.Fatalf("reverse limit 1: %s", r.body)
	}
}

// testPollRange: the first call answers at once with the range and a
// marker; a call with the marker times out with 304 when nothing changed,
// and is woken by a write into the range through another node (not by
// one outside it).
func testPollRange(t *testing.T, e *env) {
	const pk = "poll-range"
	e.insertBatch(t, 0, []batchItem{{PK: pk, SK: "a1", V: str(b64("one"))}, {PK: pk, SK: "b1", V: str(b64("outside"))}})
	type polled struct {
		Items      []resultItem `json:"items"`
		SeenMarker string       `json:"seenMarker"`
	}
	poll := func(node int, body map[string]any) reply {
		return e.do(t, call{node: node, method: "POST", pk: pk, query: url.Values{"poll_range": {""}}, body: jsonBody(t, body)})
	}
	r := poll(0, map[string]any{"prefix": "a"})
	want(t, r, http.StatusOK, "PollRange without a marker")
	first := decode[polled](t, r)
	if !slices.Equal(sortKeys(first.Items), []string{"a1"}) || first.SeenMarker == "" {
		t.Fatalf("first PollRange: %s", r.body)
	}
	r = poll(1, map[string]any{"prefix": "a", "seenMarker": first.SeenMarker, "timeout": 1})
	want(t, r, http.StatusNotModified, "PollRange with nothing new")

	done := make(chan reply, 1)
	go func() {
		done <- e.do(t, call{node: 0, method: "SEARCH", pk: pk, query: url.Values{"poll_range": {""}},
			body: jsonBody(t, map[string]any{"prefix": "a", "seenMarker": first.SeenMarker, "timeout": 30})})
	}()
	time.Sleep(300 * time.Millisecond)
	e.insert(t, 2, pk, "b2", "still outside", "")
	e.insert(t, 2, pk, "a2", "two", "")
	r = <-done
	want(t, r, http.StatusOK, "PollRange woken by a write")
	next := decode[polled](t, r)
	if !slices.Equal(sortKeys(next.Items), []string{"a2"}) || next.SeenMarker == "" || next.SeenMarker == first.SeenMarker {
		t.Fatalf("woken PollRange: %s, want only a2 and a new marker", r.body)
	}
	r = poll(1, map[string]any{"prefix": "a", "seenMarker": next.SeenMarker, "timeout": 1})
	want(t, r, http.StatusNotModified, "PollRange with the new marker")

	r = poll(0, map[string]any{"seenMarker": "garbage!"})
	wantError(t, r, http.StatusBadRequest, "InvalidRequest", "PollRange with a bad marker")
	r = poll(0, nil)
	wantError(t, r, http.StatusBadRequest, "InvalidRequest", "PollRange with a null body")
}

// testLongRange: a search without a limit returns the whole range, past
// the core's pages of 1,000 items, as Garage's does; a limit above 1,000
// is honoured exactly, with more and nextStart.
func testLongRange(t *testing.T, e *env) {
	const pk, n = "long-range", 2300
	var items []batchItem
	for i := range n {
		items = append(items, batchItem{PK: pk, SK: fmt.Sprintf("%05d", i), V: str(b64("x"))})
	}
	e.insertBatch(t, 2, items)
	res := e.readBatch(t, 1, []map[string]any{
		{"partitionKey": pk},
		{"partitionKey": pk, "limit": 1500},
		{"partitionKey": pk, "reverse": true, "limit": 1001},
	})
	if got := len(res[0].Items); got != n || res[0].More || res[0].Items[n-1].SK != fmt.Sprintf("%05d", n-1) {
		t.Fatalf("no limit: %d items, more=%v; want all %d", got, res[0].More, n)
	}
	if got := len(res[1].Items); got != 1500 || !res[1].More || *res[1].NextStart != "01500" {
		t.Fatalf("limit 1500: %d items, more=%v next=%v", got, res[1].More, res[1].NextStart)
	}
	if got := len(res[2].Items); got != 1001 || res[2].Items[0].SK != "02299" || *res[2].NextStart != "01298" {
		t.Fatalf("reverse limit 1001: %d items from %s, next=%v", got, res[2].Items[0].SK, res[2].NextStart)
	}
}
