package k2vapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestE2EKillDuringInsertBatch stops a node while InsertBatch requests are
// under way through the others: each batch either answers 2xx, and then
// every one of its items is readable afterwards, or answers an error
// status; never a success for items that were not stored.
func TestE2EKillDuringInsertBatch(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end tests start a cluster")
	}
	e := startEnv(t)
	const batches, perBatch = 160, 50
	type outcome struct {
		batch  int
		status int
		body   string
	}
	var (
		mu       sync.Mutex
		outcomes []outcome
		wg       sync.WaitGroup
	)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := w; b < batches; b += 4 {
				var items []batchItem
				for i := range perBatch {
					items = append(items, batchItem{PK: fmt.Sprintf("kill-%02d", b), SK: fmt.Sprintf("%03d", i), V: str(b64(fmt.Sprint(b, "/", i)))})
				}
				r := e.do(t, call{node: b % 2, method: "POST", body: jsonBody(t, items)})
				mu.Lock()
				outcomes = append(outcomes, outcome{b, r.status, string(r.body)})
				mu.Unlock()
			}
		}()
	}
	// Stop node 2 once a few batches are in, with most still to come and
	// some in flight.
	for {
		mu.Lock()
		n := len(outcomes)
		mu.Unlock()
		if n >= 8 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if err := e.c.Kill(2); err != nil {
		t.Logf("kill node 2: %v", err)
	}
	mu.Lock()
	before := len(outcomes)
	mu.Unlock()
	wg.Wait()
	t.Logf("node 2 stopped after %d of %d batches had answered", before, batches)

	ok, failed := 0, 0
	for _, o := range outcomes {
		switch {
		case o.status == http.StatusNoContent:
			ok++
			res := e.readBatch(t, 0, []map[string]any{{"partitionKey": fmt.Sprintf("kill-%02d", o.batch)}})
			if got := len(res[0].Items); got != perBatch {
				t.Errorf("batch %d answered 204 but %d of its %d items are readable", o.batch, got, perBatch)
				continue
			}
			for i, it := range res[0].Items {
				if v := values(t, it.V); !slices.Equal(v, []string{fmt.Sprint(o.batch, "/", i)}) {
					t.Errorf("batch %d item %s: %q", o.batch, it.SK, v)
				}
			}
		case o.status >= 500:
			failed++
		default:
			t.Errorf("batch %d: unexpected answer %d %s", o.batch, o.status, o.body)
		}
	}
	t.Logf("%d batches acknowledged (all read back whole), %d failed with a 5xx", ok, failed)
	if ok == 0 {
		t.Fatalf("no batch succeeded with two of three nodes up")
	}
}
