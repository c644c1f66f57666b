package k2vapi_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Benchmarks on a local 3-node cluster over HTTP, as a client sees the
// API (each request signed with SigV4):
//
//	go test -run '^$' -bench . -benchtime 2000x ./node/runtime/k2vapi/
//
// They report throughput (ops/s) and latency percentiles (p50-ms,
// p99-ms) besides Go's ns/op.

const benchClients = 16

var benchValue = strings.Repeat("v", 100)

// runClients runs n operations spread over benchClients concurrent
// clients and reports ops/s and the latency percentiles.
func runClients(b *testing.B, n int, op func(client, i int)) {
	b.Helper()
	lat := make([]time.Duration, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for c := range benchClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				t0 := time.Now()
				op(c, i)
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(n)/elapsed.Seconds(), "ops/s")
	reportPercentiles(b, lat)
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))]) / 1e6 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkInsertItem: 16 clients inserting 100-byte values (new items,
// no token), spread over the three nodes.
func BenchmarkInsertItem(b *testing.B) {
	e := startEnv(b)
	runClients(b, b.N, func(c, i int) {
		e.insert(b, i%3, fmt.Sprint("bench-insert-", c), fmt.Sprint(i), benchValue, "")
	})
}

// BenchmarkReadItem: 16 clients reading 100-byte values (of 1,000 items)
// as raw bytes, spread over the three nodes.
func BenchmarkReadItem(b *testing.B) {
	e := startEnv(b)
	const items = 1000
	var batch []batchItem
	for i := range items {
		batch = append(batch, batchItem{PK: "bench-read", SK: fmt.Sprintf("%04d", i), V: str(b64(benchValue))})
	}
	e.insertBatch(b, 0, batch)
	raw := http.Header{"Accept": {"application/octet-stream"}}
	runClients(b, b.N, func(c, i int) {
		r := e.do(b, call{node: i % 3, method: "GET", pk: "bench-read", query: sortKey(fmt.Sprintf("%04d", i%items)), header: raw})
		if r.status != http.StatusOK || len(r.body) != 100 {
			b.Errorf("ReadItem: %d, %d bytes", r.status, len(r.body))
		}
	})
}

// BenchmarkPollLatency: the time from sending an insert through node 2
// to the return of a PollItem waiting on node 0 for it (p50, p99).
func BenchmarkPollLatency(b *testing.B) {
	e := startEnv(b)
	e.insert(b, 0, "bench-poll", "k", "v0", "")
	_, tok := e.readJSON(b, 0, "bench-poll", "k")
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		done := make(chan reply, 1)
		go func() {
			done <- e.do(b, call{node: 0, method: "GET", pk: "bench-poll", query: url.Values{"sort_key": {"k"}, "causality_token": {tok}, "timeout": {"30"}}})
		}()
		time.Sleep(20 * time.Millisecond) // let the poll reach the storage nodes
		sent := time.Now()
		e.insert(b, 2, "bench-poll", "k", fmt.Sprint("v", i+1), tok)
		r := <-done
		lat = append(lat, time.Since(sent))
		if r.status != http.StatusOK {
			b.Fatalf("PollItem: %s", r)
		}
		tok = r.header.Get("X-Garage-Causality-Token")
	}
	b.StopTimer()
	reportPercentiles(b, lat)
}

// BenchmarkReadBatch1000: a ReadBatch of the 1,000 items of one
// partition key (100-byte values), one search.
func BenchmarkReadBatch1000(b *testing.B) {
	e := startEnv(b)
	var batch []batchItem
	for i := range 1000 {
		batch = append(batch, batchItem{PK: "bench-batch", SK: fmt.Sprintf("%04d", i), V: str(b64(benchValue))})
	}
	e.insertBatch(b, 0, batch)
	search := []map[string]any{{"partitionKey": "bench-batch"}}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		t0 := time.Now()
		res := e.readBatch(b, i%3, search)
		lat = append(lat, time.Since(t0))
		if len(res[0].Items) != 1000 || res[0].More {
			b.Fatalf("ReadBatch: %d items, more=%v", len(res[0].Items), res[0].More)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "items/s")
	reportPercentiles(b, lat)
}
