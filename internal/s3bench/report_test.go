package s3bench

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 200; i++ {
		d = append(d, time.Duration(i))
	}
	for _, tc := range []struct {
		values []time.Duration
		p      int
		want   time.Duration
	}{
		{d, 50, 100}, {d, 99, 198}, {d, 100, 200}, {d[:1], 99, 1}, {d[:10], 50, 5}, {d[:10], 99, 10}, {nil, 50, 0},
	} {
		if got := percentile(tc.values, tc.p); got != tc.want {
			t.Errorf("p%d of %d values: %d, want %d", tc.p, len(tc.values), got, tc.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	size := Size{"1MiB", 1 << 20}
	// 100 requests of 1 to 100 ms, in no order, the first byte half-way.
	var samples []sample
	for i := range 100 {
		ms := time.Duration((i*37)%100+1) * time.Millisecond
		samples = append(samples, sample{latency: ms, ttfb: ms / 2})
	}
	get := summarize("GET", size, 4, 2*time.Second, samples)
	want := Result{Op: "GET", Size: "1MiB", SizeBytes: 1 << 20, Clients: 4, Objects: 100, Seconds: 2,
		ObjectsPerS: 50, MiBPerS: 50, LatencyP50Ms: 50, LatencyP99Ms: 99, LatencyMaxMs: 100, TTFBP50Ms: 25, TTFBP99Ms: 49.5}
	if !reflect.DeepEqual(get, want) {
		t.Errorf("GET:\n got %+v\nwant %+v", get, want)
	}
	// A PUT has no time to first byte.
	put := summarize("PUT", size, 4, 2*time.Second, samples)
	want.Op, want.TTFBP50Ms, want.TTFBP99Ms = "PUT", 0, 0
	if !reflect.DeepEqual(put, want) {
		t.Errorf("PUT:\n got %+v\nwant %+v", put, want)
	}
	// No sample, no figure: only the time spent.
	none := summarize("GET", size, 4, time.Second, nil)
	if !reflect.DeepEqual(none, Result{Op: "GET", Size: "1MiB", SizeBytes: 1 << 20, Clients: 4, Seconds: 1}) {
		t.Errorf("no sample: %+v", none)
	}
}

func sampleReport() Report {
	return Report{
		Started: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Command: "garage bench", Cluster: "local 2-node cluster, replication factor 2, one zone per node",
		Clients: 4, GoVersion: "go1.26.8", CPUs: 8, LoadBefore: "0.10 0.20 0.30", LoadAfter: "1.00 0.50 0.40",
		Results: []Result{
			{Op: "PUT", Size: "4KiB", SizeBytes: 4 << 10, Clients: 4, Objects: 64, Seconds: 0.4, ObjectsPerS: 160, MiBPerS: 0.625,
				LatencyP50Ms: 22.84, LatencyP99Ms: 59.7, LatencyMaxMs: 61, NodePeakRSSBytes: []int64{32 << 20, 33 << 20}},
			{Op: "GET", Size: "64MiB", SizeBytes: 64 << 20, Clients: 4, Objects: 62, Errors: 2, FirstError: "get x: EOF", Seconds: 12.34, ObjectsPerS: 5.02, MiBPerS: 321.6,
				LatencyP50Ms: 812.3, LatencyP99Ms: 1234.5, LatencyMaxMs: 1500, TTFBP50Ms: 8.26, TTFBP99Ms: 17, NodePeakRSSBytes: []int64{75 << 20, 76 << 20}},
		},
		Nodes: []NodeUsage{
			{Node: 1, PID: 100, PeakRSSBytes: 75 << 20, CPUSeconds: 1.23, Warnings: 0, Errors: 0},
			{Node: 2, PID: 101, PeakRSSBytes: 76 << 20, CPUSeconds: 12.3, Warnings: 1, Errors: 2, FirstProblem: `{"level":"warn","msg":"closing connection"}`},
		},
	}
}

// The table garage bench prints: scripts and eyes rely on its layout.
func TestReportPrint(t *testing.T) {
	var b bytes.Buffer
	r := sampleReport()
	r.Print(&b)
	want := `local 2-node cluster, replication factor 2, one zone per node; go1.26.8, 8 CPUs, load average 0.10 0.20 0.30 before, 1.00 0.50 0.40 after
PUT  4KiB    4 clients    160.0 obj/s     0.6 MiB/s  p50 22.8ms   p99 59.7ms   (64 objects in 0.4s)
GET  64MiB   4 clients      5.0 obj/s   321.6 MiB/s  p50 812.3ms  p99 1.23s    ttfb p50 8.3ms    p99 17.0ms   (62 objects in 12.3s, 2 errors)
node 1  peak RSS   75.0 MiB  CPU    1.2s  log: 0 warnings, 0 errors  (peak after each phase: 32, 75 MiB)
node 2  peak RSS   76.0 MiB  CPU   12.3s  log: 1 warnings, 2 errors  (peak after each phase: 33, 76 MiB)
  first: {"level":"warn","msg":"closing connection"}
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	// Without load averages, memory figures or nodes (an --endpoint run on
	// a system without /proc).
	r.LoadBefore, r.LoadAfter, r.Nodes = "", "", nil
	r.Results = r.Results[:1]
	b.Reset()
	r.Print(&b)
	want = `local 2-node cluster, replication factor 2, one zone per node; go1.26.8, 8 CPUs
PUT  4KiB   4 clients    160.0 obj/s     0.6 MiB/s  p50 22.8ms   p99 59.7ms   (64 objects in 0.4s)
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

// The JSON's field names are what scripts read.
func TestReportWriteJSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bench.json")
	r := sampleReport()
	if err := r.WriteJSON(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var fields struct {
		Report  map[string]any   `json:"-"`
		Results []map[string]any `json:"results"`
		Nodes   []map[string]any `json:"nodes"`
	}
	if err := json.Unmarshal(b, &fields.Report); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &fields); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		object map[string]any
		want   string
	}{
		{fields.Report, "clients cluster command cpus go_version load_average_after load_average_before nodes results started"},
		{fields.Results[0], "clients errors latency_max_ms latency_p50_ms latency_p99_ms mib_per_s node_peak_rss_bytes_so_far objects objects_per_s op seconds size size_bytes"},
		{fields.Results[1], "clients errors first_error latency_max_ms latency_p50_ms latency_p99_ms mib_per_s node_peak_rss_bytes_so_far objects objects_per_s op seconds size size_bytes ttfb_p50_ms ttfb_p99_ms"},
		{fields.Nodes[1], "cpu_seconds first_log_problem log_errors log_warnings node peak_rss_bytes pid"},
	} {
		var keys []string
		for k := range tc.object {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if got := strings.Join(keys, " "); got != tc.want {
			t.Errorf("fields %s, want %s", got, tc.want)
		}
	}
	if !bytes.HasPrefix(b, []byte("{\n  \"started\": \"2026-01-02T03:04:05Z\",\n  \"command\": \"garage bench\",")) || !bytes.HasSuffix(b, []byte("}\n")) {
		t.Errorf("not indented JSON ending with a newline:\n%s", b)
	}
	if err := r.WriteJSON(filepath.Join(t.TempDir(), "missing", "bench.json")); err == nil || !strings.HasPrefix(err.Error(), "write --json ") {
		t.Errorf("writing into a missing directory: %v", err)
	}
}
