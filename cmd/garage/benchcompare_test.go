package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/garagego/garage/internal/localcluster"
	"github.com/garagego/garage/internal/s3bench"
)

// standIn is a slow door to a store: it delays every request by delay
// and counts the object PUTs and GETs it passes on, so the test knows
// which figures are the peer's.
type standIn struct {
	proxy      *httputil.ReverseProxy
	delay      time.Duration
	mu         sync.Mutex
	puts, gets int
}

func (s *standIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	time.Sleep(s.delay)
	if _, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/"); key != "" {
		s.mu.Lock()
		switch r.Method {
		case http.MethodPut:
			s.puts++
		case http.MethodGet:
			s.gets++
		}
		s.mu.Unlock()
	}
	s.proxy.ServeHTTP(w, r)
}

// garage bench --compare with a 1-node store of its own and, as the peer,
// another garage node behind a proxy that adds 40 ms to every request:
// the peer's column must hold the requests the proxy saw and their
// latency, the ratio must be the columns' quotient, and the bucket the
// bench created on the peer must be gone afterwards.
func TestBenchComparePeer(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test with real processes")
	}
	c, err := localcluster.Start(localcluster.Options{Nodes: 1, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	backend, err := url.Parse(c.Nodes[0].Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	const delay = 40 * time.Millisecond
	door := &standIn{proxy: httputil.NewSingleHostReverseProxy(backend), delay: delay}
	srv := httptest.NewServer(door) // the Host header stays the proxy's: the signature covers it
	defer srv.Close()

	tmp := t.TempDir()
	jsonPath := filepath.Join(t.TempDir(), "compare.json")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	peer := fmt.Sprintf("stand-in=%s,%s,%s,%s", srv.URL, c.KeyID, c.Secret, localcluster.Region)
	cmd := exec.CommandContext(ctx, garageBinary(t), "bench", "--compare", "--local", "1", "--peer", peer,
		"--rounds", "1", "--duration", "1500ms", "--clients", "2", "--sizes", "4KiB", "--json", jsonPath)
	cmd.Env = append(cleanEnv(), "TMPDIR="+tmp)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("garage bench --compare: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var r s3bench.Comparison
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("--json: %v\n%s", err, b)
	}
	if len(r.Columns) != 2 || r.Columns[0].Name != "garage-1node" || r.Columns[1].Name != "stand-in" || r.Baseline != "stand-in" || r.Rounds != 1 || r.Clients != 2 {
		t.Fatalf("columns, baseline, rounds, clients: %+v", r)
	}
	local, other := r.Columns[0], r.Columns[1]
	for _, col := range r.Columns {
		if len(col.Median) != 2 || col.Median[0].Op != "PUT" || col.Median[1].Op != "GET" || len(col.Rounds) != 1 {
			t.Fatalf("%s: phases %+v", col.Name, col.Median)
		}
		for _, m := range col.Median {
			if m.Objects == 0 || m.Errors != 0 || m.ObjectsPerS <= 0 {
				t.Errorf("%s %s: %d objects, %d errors (%s)", col.Name, m.Op, m.Objects, m.Errors, m.FirstError)
			}
		}
	}
	door.mu.Lock()
	puts, gets := door.puts, door.gets
	door.mu.Unlock()
	if other.Median[0].Objects != puts || other.Median[1].Objects != gets {
		t.Errorf("the peer's column has %d PUTs and %d GETs; the peer got %d and %d", other.Median[0].Objects, other.Median[1].Objects, puts, gets)
	}
	for i, m := range other.Median {
		if m.LatencyP50Ms < float64(delay.Milliseconds()) {
			t.Errorf("the peer's %s p50 is %.1f ms, under the %v its proxy adds", m.Op, m.LatencyP50Ms, delay)
		}
		// The local store answers without the proxy's 40 ms, so in the
		// same time it moves more objects than the delayed peer.
		if local.Median[i].Objects <= m.Objects {
			t.Errorf("%s: the local column moved %d objects, the delayed peer %d", m.Op, local.Median[i].Objects, m.Objects)
		}
	}
	if len(r.Ratios) != 1 || r.Ratios[0].Target != "garage-1node" || r.Ratios[0].Baseline != "stand-in" {
		t.Fatalf("ratios %+v", r.Ratios)
	}
	for i, p := range r.Ratios[0].Phases {
		if want := local.Median[i].ObjectsPerS / other.Median[i].ObjectsPerS; math.Abs(p.Value-want) > 1e-9*want {
			t.Errorf("%s ratio %g, want %g", p.Op, p.Value, want)
		}
		if !strings.Contains(stdout.String(), fmt.Sprintf("| %.2fx", p.Value)) {
			t.Errorf("the printed ratios lack %.2fx:\n%s", p.Value, stdout.String())
		}
	}
	for _, want := range []string{"| workload | garage-1node", "| stand-in", "| ratio    | garage-1node / stand-in |", "garage-1node node 1  peak RSS"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("the table lacks %q:\n%s", want, stdout.String())
		}
	}
	// The bench created the peer's bucket, so it deleted it with the objects.
	cl := s3bench.NewTarget(s3bench.TargetConfig{Endpoints: []string{c.Nodes[0].Endpoint}, Region: localcluster.Region, AccessKey: c.KeyID, SecretKey: c.Secret, Bucket: "garage-bench", Clients: 1})
	_, err = cl.Client(0).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("garage-bench")})
	if _, gone := errors.AsType[*types.NotFound](err); !gone {
		t.Errorf("the peer's bucket garage-bench after the run: %v, want NotFound", err)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("the bench left %v in its temporary directory", entries)
	}
}

func TestParsePeer(t *testing.T) {
	p, err := parsePeer("minio1=http://127.0.0.1:9000/,minioadmin,secret")
	if err != nil || p != (peer{name: "minio1", endpoint: "http://127.0.0.1:9000", accessKey: "minioadmin", secretKey: "secret", region: "us-east-1"}) {
		t.Errorf("%+v, %v", p, err)
	}
	p, err = parsePeer("g=https://s3.example.com,GK1,s,garage")
	if err != nil || p.region != "garage" || p.endpoint != "https://s3.example.com" {
		t.Errorf("%+v, %v", p, err)
	}
	for _, spec := range []string{
		"http://127.0.0.1:9000,k,s",          // no name
		"m=http://127.0.0.1:9000,k",          // no secret
		"m=http://127.0.0.1:9000,k,s,r,x",    // one field too many
		"m=127.0.0.1:9000,k,s",               // no scheme
		"m=http://127.0.0.1:9000/bucket,k,s", // a path
		"m=http://127.0.0.1:9000,,s",         // empty key
		"m n=http://127.0.0.1:9000,k,s",      // a name that cannot be a --baseline
	} {
		if _, err := parsePeer(spec); err == nil {
			t.Errorf("%q accepted", spec)
		}
	}
}

// Flags that make no comparison are refused before anything starts.
func TestBenchCompareRefusesBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"bench", "--peer", "m=http://127.0.0.1:1,k,s"}, "--peer needs --compare"},
		{[]string{"bench", "--compare", "--rounds", "0"}, "--rounds 0: want at least 1"},
		{[]string{"bench", "--compare", "--local", "0"}, "--local 0: want 1 to 9 nodes"},
		{[]string{"bench", "--compare", "--baseline", "nope"}, "--baseline nope: no such column (the columns are garage-1node, garage-3node)"},
		{[]string{"bench", "--compare", "--local", "1", "--peer", "garage-1node=http://127.0.0.1:1,k,s"}, "two columns are named garage-1node"},
		{[]string{"bench", "--compare", "--endpoint", "http://127.0.0.1:1"}, "--endpoint measures one cluster"},
		{[]string{"bench", "--zone-latency=-5ms"}, "--zone-latency -5ms: want a positive one-way latency"},
		{[]string{"bench", "--compare", "--clients", "0"}, "--clients 0: want at least 1"},
	} {
		var out, errOut bytes.Buffer
		if code := run(tc.args, &out, &errOut); code == 0 || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("%v: exit %d, %s; want a refusal with %q", tc.args, code, errOut.String(), tc.want)
		}
	}
}

// The workload's defaults follow the mode: the for --compare,
// its 1 MiB half for --zone-latency alone; flags given win.
func TestBenchWorkloadDefaults(t *testing.T) {
	two := 2
	for _, tc := range []struct {
		cmd      BenchCmd
		sizes    string
		clients  int
		duration time.Duration
		count    int
	}{
		{BenchCmd{}, "4KiB,1MiB,64MiB", 16, 0, 0},
		{BenchCmd{Compare: true}, "1MiB,4KiB", 8, 20 * time.Second, 0},
		{BenchCmd{ZoneLatency: 50 * time.Millisecond}, "1MiB", 8, 20 * time.Second, 0},
		{BenchCmd{Compare: true, ZoneLatency: time.Millisecond}, "1MiB,4KiB", 8, 20 * time.Second, 0},
		{BenchCmd{Compare: true, Sizes: []string{"64KiB"}, Clients: &two, Count: 10}, "64KiB", 2, 0, 10},
		{BenchCmd{Compare: true, Duration: time.Second}, "1MiB,4KiB", 8, time.Second, 0},
	} {
		w, err := tc.cmd.workload()
		if err != nil {
			t.Fatal(err)
		}
		var sizes []string
		for _, s := range w.Sizes {
			sizes = append(sizes, s.Label)
		}
		if got := strings.Join(sizes, ","); got != tc.sizes || w.Clients != tc.clients || w.Duration != tc.duration || w.Count != tc.count {
			t.Errorf("%+v: sizes %s, %d clients, duration %v, count %d; want %s, %d, %v, %d", tc.cmd, got, w.Clients, w.Duration, w.Count, tc.sizes, tc.clients, tc.duration, tc.count)
		}
	}
}

// garage bench --zone-latency with the real binary: the delayed column's
// requests wait at least one inter-zone round trip (a quorum needs a
// remote node), which they would not if the nodes bypassed the proxies,
// and the budget is computed from the two columns of the same run.
func TestBenchZoneLatency(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test with real processes")
	}
	tmp := t.TempDir()
	jsonPath := filepath.Join(t.TempDir(), "zones.json")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	const oneWay = 30 * time.Millisecond
	cmd := exec.CommandContext(ctx, garageBinary(t), "bench", "--zone-latency", oneWay.String(), "--rounds", "1", "--duration", "1s", "--clients", "2", "--sizes", "64KiB", "--json", jsonPath)
	cmd.Env = append(cleanEnv(), "TMPDIR="+tmp)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("garage bench --zone-latency: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var r s3bench.Comparison
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("--json: %v\n%s", err, b)
	}
	if len(r.Columns) != 2 || r.Columns[0].Name != "garage-3zones" || r.Columns[1].Name != "garage-3zones+30ms" || len(r.Columns[1].Nodes) != 3 {
		t.Fatalf("columns %+v", r.Columns)
	}
	without, with := r.Columns[0].Median, r.Columns[1].Median
	if len(r.Latency) != 2 || len(with) != 2 || len(without) != 2 {
		t.Fatalf("budgets %+v, phases %+v", r.Latency, with)
	}
	rtt := 2 * float64(oneWay.Milliseconds())
	for i, b := range r.Latency {
		if with[i].Errors != 0 || without[i].Errors != 0 || with[i].Objects == 0 {
			t.Errorf("%s: %+v / %+v", b.Op, with[i], without[i])
		}
		if with[i].LatencyP50Ms < rtt {
			t.Errorf("%s p50 with %v one way: %.1f ms, under one round trip", b.Op, oneWay, with[i].LatencyP50Ms)
		}
		if b.P50Ms != with[i].LatencyP50Ms || b.BaseP50Ms != without[i].LatencyP50Ms || b.OneWayMs != 30 {
			t.Errorf("%s budget %+v from the wrong columns", b.Op, b)
		}
	}
	if r.Latency[0].Op != "PUT" || r.Latency[0].BudgetMs != rtt+without[0].LatencyP50Ms || r.Latency[1].Op != "GET" || r.Latency[1].BudgetMs != rtt+10 {
		t.Errorf("budgets %+v", r.Latency)
	}
	if !strings.Contains(stdout.String(), "30 ms one way between zones:") || !strings.Contains(stdout.String(), "| garage-3zones+30ms / garage-3zones |") {
		t.Errorf("output:\n%s", stdout.String())
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("the bench left %v in its temporary directory", entries)
	}
}
