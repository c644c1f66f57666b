package k2vapi_test

import (
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestE2E runs the end-to-end tests that can share one 3-node cluster,
// in parallel, each on its own partition keys.
func TestE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end tests start a cluster")
	}
	e := startEnv(t)
	for _, tc := range []struct {
		name string
		run  func(*testing.T, *env)
	}{
		{"Items", testItems},
		{"AcceptNegotiation", testAcceptNegotiation},
		{"Siblings", testSiblings},
		{"PollItem", testPollItem},
		{"PollRange", testPollRange},
		{"Batches", testBatches},
		{"LongRange", testLongRange},
		{"ReadIndex", testReadIndex},
		{"Auth", testAuth},
		{"Permissions", testPermissions},
		{"ClientErrors", testClientErrors},
		{"CORS", testCORS},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, e)
		})
	}
}

// testItems: InsertItem, ReadItem, a token-carrying overwrite, DeleteItem
// (token required) and the tombstone it leaves, through different nodes.
func testItems(t *testing.T, e *env) {
	const pk, sk = "items", "a key/with ünïcode & spaces"
	r := e.do(t, call{node: 1, method: "GET", pk: pk, query: sortKey(sk)})
	wantError(t, r, http.StatusNotFound, "NoSuchKey", "ReadItem of an item never written")

	e.insert(t, 0, pk, sk, "v1", "")
	vs, tok := e.readJSON(t, 1, pk, sk)
	if got := values(t, vs); !slices.Equal(got, []string{"v1"}) {
		t.Fatalf("after one insert: %q", got)
	}
	e.insert(t, 2, pk, sk, "v2", tok)
	vs, tok = e.readJSON(t, 0, pk, sk)
	if got := values(t, vs); !slices.Equal(got, []string{"v2"}) {
		t.Fatalf("an insert with the token of v1 left %q, want only v2", got)
	}

	r = e.do(t, call{node: 0, method: "DELETE", pk: pk, query: sortKey(sk)})
	wantError(t, r, http.StatusBadRequest, "InvalidRequest", "DeleteItem without a token")
	h := http.Header{"X-Garage-Causality-Token": {tok}}
	want(t, e.do(t, call{node: 1, method: "DELETE", pk: pk, query: sortKey(sk), header: h}), http.StatusNoContent, "DeleteItem")
	vs, tok = e.readJSON(t, 2, pk, sk)
	if got := values(t, vs); !slices.Equal(got, []string{"<nil>"}) {
		t.Fatalf("after DeleteItem: %q, want one tombstone", got)
	}
	r = e.do(t, call{node: 0, method: "GET", pk: pk, query: sortKey(sk), header: http.Header{"Accept": {"application/octet-stream"}}})
	want(t, r, http.StatusNoContent, "raw ReadItem of a tombstone")
	if r.header.Get("X-Garage-Causality-Token") != tok {
		t.Fatalf("raw ReadItem of a tombstone: token %q, want %q", r.header.Get("X-Garage-Causality-Token"), tok)
	}
	// Writing after the tombstone with its token: one value again.
	e.insert(t, 0, pk, sk, "v3", tok)
	if vs, _ := e.readJSON(t, 1, pk, sk); !slices.Equal(values(t, vs), []string{"v3"}) {
		t.Fatalf("after a write superseding the tombstone: %q", values(t, vs))
	}
	// An empty value is a value, not a tombstone.
	e.insert(t, 0, pk, "empty", "", "")
	r = e.do(t, call{node: 2, method: "GET", pk: pk, query: sortKey("empty"), header: http.Header{"Accept": {"application/octet-stream"}}})
	if r.status != http.StatusOK || len(r.body) != 0 {
		t.Fatalf("raw ReadItem of an empty value: %s, want 200 with no body", r)
	}
}

// testAcceptNegotiation: the formats of ReadItem, as the specification
// lists them, for one value.
func testAcceptNegotiation(t *testing.T, e *env) {
	const pk, sk = "accept", "k"
	e.insert(t, 0, pk, sk, "raw bytes \x00\xff", "")
	for _, tc := range []struct {
		accept   []string
		status   int
		ctype    string
		wantJSON bool
	}{
		{nil, 200, "application/json", true},
		{[]string{"application/json"}, 200, "application/json", true},
		{[]string{"application/octet-stream"}, 200, "application/octet-stream", false},
		{[]string{"application/json, application/octet-stream"}, 200, "application/octet-stream", false},
		{[]string{"application/json", "application/octet-stream"}, 200, "application/octet-stream", false},
		{[]string{"*/*"}, 200, "application/octet-stream", false},
		{[]string{"text/plain"}, 406, "application/json", false},
	} {
		h := http.Header{}
		if tc.accept != nil {
			h["Accept"] = tc.accept
		}
		r := e.do(t, call{node: 1, method: "GET", pk: pk, query: sortKey(sk), header: h})
		if r.status != tc.status || r.header.Get("Content-Type") != tc.ctype {
			t.Errorf("Accept %q: %d %s, want %d %s", tc.accept, r.status, r.header.Get("Content-Type"), tc.status, tc.ctype)
			continue
		}
		switch {
		case tc.status == 406:
			wantError(t, r, 406, "NotAcceptable", "Accept: text/plain")
		case tc.wantJSON:
			if got := values(t, decode[[]*string](t, r)); !slices.Equal(got, []string{"raw bytes \x00\xff"}) {
				t.Errorf("Accept %q: %q", tc.accept, got)
			}
		case string(r.body) != "raw bytes \x00\xff":
			t.Errorf("Accept %q: body %q", tc.accept, r.body)
		}
		if tc.status == 200 && r.header.Get("X-Garage-Causality-Token") == "" {
			t.Errorf("Accept %q: no causality token", tc.accept)
		}
	}
}

// testSiblings: two writes without tokens, sent at once through two
// nodes, both stay as siblings (409 in raw mode, JSON when acceptable);
// a write with the token that saw both resolves them.
func testSiblings(t *testing.T, e *env) {
	const pk, sk = "siblings", "cart"
	var wg sync.WaitGroup
	for i, v := range []string{"apples", "pears"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.insert(t, i, pk, sk, v, "")
		}()
	}
	wg.Wait()
	vs, tok := e.readJSON(t, 2, pk, sk)
	got := values(t, vs)
	slices.Sort(got)
	if !slices.Equal(got, []string{"apples", "pears"}) {
		t.Fatalf("two concurrent writes without tokens: %q, want both as siblings", got)
	}
	r := e.do(t, call{node: 0, method: "GET", pk: pk, query: sortKey(sk), header: http.Header{"Accept": {"application/octet-stream"}}})
	want(t, r, http.StatusConflict, "raw ReadItem of siblings")
	if r.header.Get("X-Garage-Causality-Token") != tok {
		t.Fatalf("409 carries token %q, want %q", r.header.Get("X-Garage-Causality-Token"), tok)
	}
	r = e.do(t, call{node: 0, method: "GET", pk: pk, query: sortKey(sk), header: http.Header{"Accept": {"application/octet-stream,application/json"}}})
	if r.status != 200 || r.header.Get("Content-Type") != "application/json" || len(decode[[]*string](t, r)) != 2 {
		t.Fatalf("siblings with both formats acceptable: %s, want the JSON array", r)
	}
	e.insert(t, 1, pk, sk, "apples+pears", tok)
	if vs, _ := e.readJSON(t, 2, pk, sk); !slices.Equal(values(t, vs), []string{"apples+pears"}) {
		t.Fatalf("the merged write left %q", values(t, vs))
	}
}

// testPollItem: a PollItem waiting on node 0 is woken by an InsertItem
// through node 2; a poll whose token has seen everything times out with
// 304; a poll with a bad token is refused.
func testPollItem(t *testing.T, e *env) {
	const pk, sk = "poll-item", "k"
	e.insert(t, 0, pk, sk, "before", "")
	_, tok := e.readJSON(t, 0, pk, sk)

	start := time.Now()
	r := e.do(t, call{node: 1, method: "GET", pk: pk, query: url.Values{"sort_key": {sk}, "causality_token": {tok}, "timeout": {"1"}}})
	want(t, r, http.StatusNotModified, "PollItem with nothing new")
	if took := time.Since(start); took < 900*time.Millisecond || took > 15*time.Second {
		t.Fatalf("PollItem with timeout=1 answered 304 after %v", took)
	}

	type polled struct {
		r  reply
		at time.Time
	}
	done := make(chan polled, 1)
	go func() {
		r := e.do(t, call{node: 0, method: "GET", pk: pk, query: url.Values{"sort_key": {sk}, "causality_token": {tok}, "timeout": {"30"}}})
		done <- polled{r, time.Now()}
	}()
	time.Sleep(300 * time.Millisecond) // let the poll reach the storage nodes
	select {
	case p := <-done:
		t.Fatalf("PollItem answered before any write: %s", p.r)
	default:
	}
	sent := time.Now()
	e.insert(t, 2, pk, sk, "after", tok)
	acked := time.Now()
	p := <-done
	want(t, p.r, http.StatusOK, "PollItem woken by a write")
	if got := values(t, decode[[]*string](t, p.r)); !slices.Equal(got, []string{"after"}) {
		t.Fatalf("PollItem answered %q, want the new value", got)
	}
	// The poll may answer before the insert's acknowledgement reaches its
	// client: a storage node wakes it as soon as it holds the write.
	t.Logf("PollItem on node 0 answered %v after the insert through node 2 was sent (%v after it was acknowledged)", p.at.Sub(sent), p.at.Sub(acked))

	r = e.do(t, call{node: 0, method: "GET", pk: pk, query: url.Values{"sort_key": {sk}, "causality_token": {"not-a-token"}}})
	wantError(t, r, http.StatusBadRequest, "InvalidRequest", "PollItem with a bad token")
	r = e.do(t, call{node: 0, method: "GET", pk: pk, query: url.Values{"sort_key": {sk}, "causality_token": {tok}, "timeout": {"soon"}}})
	wantError(t, r, http.StatusBadRequest, "InvalidRequest", "PollItem with a bad timeout")
}
