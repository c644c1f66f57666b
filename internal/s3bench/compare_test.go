package s3bench

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{9, 1, 5}, 5},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{100, 1, 2}, 2}, // an outlier round does not move it
	} {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %g, want %g", tc.in, got, tc.want)
		}
	}
}

func result(op, size string, bytes int64, objPerS, p50, p99 float64) Result {
	return Result{Op: op, Size: size, SizeBytes: bytes, Clients: 8, Objects: int(objPerS), Seconds: 1,
		ObjectsPerS: objPerS, MiBPerS: objPerS * float64(bytes) / (1 << 20), LatencyP50Ms: p50, LatencyP99Ms: p99, LatencyMaxMs: p99 + 1}
}

// Every rate and latency is the median over rounds, each figure on its
// own; counts and seconds add up.
func TestMedianResults(t *testing.T) {
	rounds := [][]Result{
		{result("PUT", "1MiB", 1<<20, 300, 20, 90), result("GET", "1MiB", 1<<20, 1000, 5, 30)},
		{result("PUT", "1MiB", 1<<20, 100, 40, 50), result("GET", "1MiB", 1<<20, 1200, 4, 20)},
		{result("PUT", "1MiB", 1<<20, 200, 30, 70), result("GET", "1MiB", 1<<20, 800, 9, 10)},
	}
	rounds[1][1].Errors, rounds[1][1].FirstError = 1, "get x: EOF"
	got, err := MedianResults(rounds)
	if err != nil {
		t.Fatal(err)
	}
	want := []Result{
		{Op: "PUT", Size: "1MiB", SizeBytes: 1 << 20, Clients: 8, Objects: 600, Seconds: 3, ObjectsPerS: 200, MiBPerS: 200, LatencyP50Ms: 30, LatencyP99Ms: 70, LatencyMaxMs: 71},
		{Op: "GET", Size: "1MiB", SizeBytes: 1 << 20, Clients: 8, Objects: 3000, Errors: 1, FirstError: "get x: EOF", Seconds: 3, ObjectsPerS: 1000, MiBPerS: 1000, LatencyP50Ms: 5, LatencyP99Ms: 20, LatencyMaxMs: 21},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
	rounds[2] = rounds[2][:1]
	if _, err := MedianResults(rounds); err == nil || err.Error() != "round 3's phases differ from round 1's" {
		t.Errorf("rounds of different phases: %v", err)
	}
	if _, err := MedianResults(nil); err == nil {
		t.Error("no round: no error")
	}
}

func TestComparisonPairs(t *testing.T) {
	got := ComparisonPairs([]string{"garage-1node", "garage-3node", "minio1", "minio4"}, "minio1",
		[]Pair{{"garage-1node", "minio1"}, {"garage-3node", "minio4"}, {"garage-3node", "garage-1node"}})
	want := []Pair{{"garage-1node", "minio1"}, {"garage-3node", "minio1"}, {"minio4", "minio1"}, {"garage-3node", "minio4"}, {"garage-3node", "garage-1node"}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
}

func TestRatios(t *testing.T) {
	cols := []Column{
		{Name: "a", Median: []Result{result("PUT", "4KiB", 4096, 300, 1, 2), result("GET", "4KiB", 4096, 0, 0, 0)}},
		{Name: "b", Median: []Result{result("PUT", "4KiB", 4096, 200, 1, 2), result("GET", "4KiB", 4096, 50, 1, 2)}},
	}
	got := Ratios(cols, []Pair{{"a", "b"}, {"b", "a"}})
	want := []Ratio{
		{Target: "a", Baseline: "b", Phases: []PhaseFigure{{"PUT", "4KiB", 1.5}, {"GET", "4KiB", 0}}},
		{Target: "b", Baseline: "a", Phases: []PhaseFigure{{"PUT", "4KiB", 200.0 / 300}, {"GET", "4KiB", 0}}}, // nothing to divide by
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestLatencyBudgets(t *testing.T) {
	without := Column{Median: []Result{result("PUT", "1MiB", 1<<20, 100, 40, 80), result("GET", "1MiB", 1<<20, 500, 6, 12)}}
	with := Column{Median: []Result{result("PUT", "1MiB", 1<<20, 10, 240, 400), result("GET", "1MiB", 1<<20, 90, 106, 130)}}
	got := LatencyBudgets(without, with, 50*time.Millisecond)
	want := []LatencyBudget{
		{Op: "PUT", Size: "1MiB", OneWayMs: 50, BaseP50Ms: 40, BaseP99Ms: 80, P50Ms: 240, P99Ms: 400, BudgetMs: 140,
			Rule: "one round trip + transfer (p50 without latency)", WithinP50: false, RoundTrips: 2},
		{Op: "GET", Size: "1MiB", OneWayMs: 50, BaseP50Ms: 6, BaseP99Ms: 12, P50Ms: 106, P99Ms: 130, BudgetMs: 110,
			Rule: "one round trip + 10 ms", WithinP50: true, RoundTrips: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
}

// The table as garage bench --compare prints it.
func TestComparisonPrint(t *testing.T) {
	c := Comparison{Clients: 8, PhaseSeconds: 20, Rounds: 3, GoVersion: "go1.26.8", CPUs: 2, LoadBefore: "1.00 1.00 1.00", LoadAfter: "2.00 1.50 1.10",
		Columns: []Column{
			{Name: "garage-1node", Description: "this store, 1 node", Median: []Result{result("PUT", "1MiB", 1<<20, 318, 24.4, 61), result("PUT", "4KiB", 4096, 2646, 2.9, 9.1)},
				Nodes: []NodeUsage{{Node: 1, PID: 7, PeakRSSBytes: 100 << 20, CPUSeconds: 12.5}}},
			{Name: "minio1", Description: "http://127.0.0.1:9000", Median: []Result{result("PUT", "1MiB", 1<<20, 222, 35, 1500), result("PUT", "4KiB", 4096, 1378, 5.5, 20)}},
		},
		Ratios: []Ratio{{Target: "garage-1node", Baseline: "minio1", Phases: []PhaseFigure{{"PUT", "1MiB", 318.0 / 222}, {"PUT", "4KiB", 2646.0 / 1378}}}},
		Latency: []LatencyBudget{{Op: "GET", Size: "1MiB", OneWayMs: 50, BaseP50Ms: 6, BaseP99Ms: 12, P50Ms: 520, P99Ms: 1200, BudgetMs: 110,
			Rule: "one round trip + 10 ms", RoundTrips: 5.1}},
	}
	var b bytes.Buffer
	c.Print(&b)
	want := `8 clients, 20s per phase, median of 3 rounds (columns interleaved); go1.26.8, 2 CPUs, load average 1.00 1.00 1.00 before, 2.00 1.50 1.10 after
  garage-1node: this store, 1 node
  minio1: http://127.0.0.1:9000

| workload | garage-1node                       | minio1                             |
| -------- | ---------------------------------- | ---------------------------------- |
| PUT 1MiB | 318 MiB/s (p50 24.4ms, p99 61.0ms) | 222 MiB/s (p50 35.0ms, p99 1.50s)  |
| PUT 4KiB | 2646 obj/s (p50 2.9ms, p99 9.1ms)  | 1378 obj/s (p50 5.5ms, p99 20.0ms) |

| ratio    | garage-1node / minio1 |
| -------- | --------------------- |
| PUT 1MiB | 1.43x                 |
| PUT 4KiB | 1.92x                 |

50 ms one way between zones:
| workload | p50 / p99 without | p50 / p99 with  | p50 budget                       | within | round trips added (p50) |
| -------- | ----------------- | --------------- | -------------------------------- | ------ | ----------------------- |
| GET 1MiB | 6.0ms / 12.0ms    | 520.0ms / 1.20s | 110.0ms (one round trip + 10 ms) | no     | 5.1                     |

garage-1node node 1  peak RSS  100.0 MiB  CPU   12.5s  log: 0 warnings, 0 errors
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

// fakeS3 is just enough of S3 for a workload: PUT, GET, ListObjectsV2
// and DeleteObjects on one bucket, counting the PUTs; it answers every
// request after delay.
type fakeS3 struct {
	delay   time.Duration
	mu      sync.Mutex
	objects map[string][]byte
	puts    int
}

func (f *fakeS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	time.Sleep(f.delay)
	f.mu.Lock()
	defer f.mu.Unlock()
	_, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	switch {
	case r.Method == http.MethodPut:
		body, _ := io.ReadAll(r.Body)
		f.objects[key] = body
		f.puts++
		w.Header().Set("ETag", `"x"`)
	case r.Method == http.MethodGet && key != "":
		body, ok := f.objects[key]
		if !ok {
			http.Error(w, "<Error><Code>NoSuchKey</Code></Error>", http.StatusNotFound)
			return
		}
		w.Write(body)
	case r.Method == http.MethodGet:
		fmt.Fprint(w, "<ListBucketResult><IsTruncated>false</IsTruncated>")
		for k := range f.objects {
			fmt.Fprintf(w, "<Contents><Key>%s</Key></Contents>", k)
		}
		fmt.Fprint(w, "</ListBucketResult>")
	case r.Method == http.MethodPost && r.URL.Query().Has("delete"):
		var req struct {
			Objects []struct{ Key string } `xml:"Object"`
		}
		if err := xml.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		for _, o := range req.Objects {
			delete(f.objects, o.Key)
		}
		fmt.Fprint(w, "<DeleteResult></DeleteResult>")
	default:
		http.Error(w, "unexpected "+r.Method, http.StatusNotImplemented)
	}
}

// Compare runs every contender once a round, each round starting one
// further down the list, against the contender's own store; it deletes
// what each run wrote and sums the rounds up. The stores answer after 0,
// 20 and 40 ms: only the right columns have latencies of at least those.
func TestCompare(t *testing.T) {
	var stores []*fakeS3
	var contenders []Contender
	var order []string
	for i, name := range []string{"a", "b", "c"} {
		f := &fakeS3{delay: time.Duration(i) * 20 * time.Millisecond, objects: map[string][]byte{}}
		srv := httptest.NewServer(f)
		defer srv.Close()
		stores = append(stores, f)
		contenders = append(contenders, Contender{Name: name, Target: func() (*Target, error) {
			order = append(order, name)
			return NewTarget(TargetConfig{Endpoints: []string{srv.URL}, Region: "r", AccessKey: "k", SecretKey: "s", Bucket: "bucket", Clients: 2}), nil
		}})
	}
	w := Workload{Sizes: []Size{{"1KiB", 1024}}, Clients: 2, Count: 5}
	var before []string
	columns, err := w.Compare(context.Background(), contenders, CompareOptions{Rounds: 3, BeforeRun: func(c string) error {
		before = append(before, c)
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a", "b", "c", "b", "c", "a", "c", "a", "b"}; !slices.Equal(order, want) || !slices.Equal(before, want) {
		t.Errorf("runs in order %v (checked before: %v), want %v", order, before, want)
	}
	for i, col := range columns {
		if col.Name != contenders[i].Name || len(col.Rounds) != 3 || len(col.Median) != 2 {
			t.Fatalf("column %d: %s with %d rounds, %d phases", i, col.Name, len(col.Rounds), len(col.Median))
		}
		if m := col.Median[0]; m.Op != "PUT" || m.Objects != 15 || m.Errors != 0 || col.Median[1].Objects != 15 {
			t.Errorf("%s: %+v", col.Name, col.Median)
		}
		for _, m := range col.Median {
			if m.LatencyP50Ms < ms(stores[i].delay) {
				t.Errorf("%s %s: p50 %.1f ms, under its store's delay %v", col.Name, m.Op, m.LatencyP50Ms, stores[i].delay)
			}
		}
		if stores[i].puts != 15 || len(stores[i].objects) != 0 {
			t.Errorf("store %s got %d PUTs and holds %d objects after the run", col.Name, stores[i].puts, len(stores[i].objects))
		}
	}
	// A failing run stops the comparison and names its column and round.
	contenders[1].Target = func() (*Target, error) { return nil, fmt.Errorf("no target") }
	if _, err := w.Compare(context.Background(), contenders, CompareOptions{Rounds: 1}); err == nil || err.Error() != "b, round 1: no target" {
		t.Errorf("failing contender: %v", err)
	}
	if _, err := w.Compare(context.Background(), contenders, CompareOptions{Rounds: 0}); err == nil {
		t.Error("0 rounds accepted")
	}
}

// The comparison's JSON field names are what scripts read.
func TestComparisonWriteJSON(t *testing.T) {
	c := Comparison{Started: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Command: "garage bench --compare", Clients: 8, PhaseSeconds: 20, Rounds: 1, Baseline: "m",
		Columns: []Column{{Name: "m", Description: "d", Median: []Result{result("PUT", "4KiB", 4096, 10, 1, 2)}, Rounds: [][]Result{{result("PUT", "4KiB", 4096, 10, 1, 2)}}}},
		Ratios:  []Ratio{{Target: "g", Baseline: "m", Phases: []PhaseFigure{{"PUT", "4KiB", 1}}}},
		Latency: []LatencyBudget{{Op: "GET", Size: "1MiB"}}}
	path := t.TempDir() + "/c.json"
	if err := c.WriteJSON(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var fields struct {
		Top     map[string]any   `json:"-"`
		Columns []map[string]any `json:"columns"`
		Ratios  []map[string]any `json:"ratios"`
		Latency []map[string]any `json:"zone_latency"`
	}
	if err := json.Unmarshal(b, &fields.Top); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &fields); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		object map[string]any
		want   string
	}{
		{fields.Top, "baseline clients columns command cpus go_version phase_seconds ratios rounds started zone_latency"},
		{fields.Columns[0], "description median name rounds"},
		{fields.Ratios[0], "baseline phases target"},
		{fields.Latency[0], "budget_p50_ms budget_rule one_way_ms op p50_ms p50_within_budget p99_ms round_trips_added_p50 size without_latency_p50_ms without_latency_p99_ms"},
	} {
		keys := slices.Sorted(maps.Keys(tc.object))
		if got := strings.Join(keys, " "); got != tc.want {
			t.Errorf("fields %s, want %s", got, tc.want)
		}
	}
}
