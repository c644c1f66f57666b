package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/garagego/garage/internal/localcluster"
	"github.com/garagego/garage/internal/s3bench"
)

// The bench against its own cluster: the real binary starting three
// `garage serve` children, with tiny settings.
func TestBenchLocalCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test with real processes")
	}
	tmp := t.TempDir() // the bench's temporary cluster directory goes here
	jsonPath := filepath.Join(t.TempDir(), "bench.json")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, garageBinary(t), "bench", "--sizes", "4KiB,1MiB", "--count", "32", "--clients", "4", "--json", jsonPath)
	cmd.Env = append(cleanEnv(), "TMPDIR="+tmp)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("garage bench: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	for _, want := range []string{"PUT  4KiB", "GET  4KiB", "PUT  1MiB", "GET  1MiB", "4 clients", "ttfb p50", "node 3  peak RSS"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, stdout.String())
		}
	}
	var r s3bench.Report
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("--json: %v\n%s", err, b)
	}
	checkResults(t, r, []string{"PUT 4KiB", "GET 4KiB", "PUT 1MiB", "GET 1MiB"}, 32)
	if len(r.Nodes) != 3 {
		t.Fatalf("%d nodes' figures, want 3: %+v", len(r.Nodes), r.Nodes)
	}
	for i, n := range r.Nodes {
		// A node is a Go program with a few MiB of runtime and buffers of
		// 1 MiB blocks; gigabytes would mean a leak or a misreading.
		if n.PeakRSSBytes < 8<<20 || n.PeakRSSBytes > 4<<30 {
			t.Errorf("node %d: peak RSS %d bytes", n.Node, n.PeakRSSBytes)
		}
		if n.CPUSeconds <= 0 || n.PID == 0 {
			t.Errorf("node %d: CPU %.2fs, pid %d", n.Node, n.CPUSeconds, n.PID)
		}
		if runtime.GOOS != "linux" {
			continue
		}
		// The peaks read from /proc after each phase only grow, up to
		// the one the kernel reports at exit.
		var last int64
		for _, p := range r.Results {
			if len(p.NodePeakRSSBytes) != 3 || p.NodePeakRSSBytes[i] < last || p.NodePeakRSSBytes[i] > n.PeakRSSBytes {
				t.Errorf("%s %s: node peaks %v (node %d's peak at exit %d)", p.Op, p.Size, p.NodePeakRSSBytes, n.Node, n.PeakRSSBytes)
				break
			}
			last = p.NodePeakRSSBytes[i]
		}
	}
	// The children are gone and so is their temporary directory.
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("the bench left %v in its temporary directory", entries)
	}
}

// The bench against an existing cluster: figures, no memory, and the
// objects it wrote deleted afterwards.
func TestBenchEndpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test with a local cluster")
	}
	c, err := localcluster.Start(localcluster.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var endpoints []string
	for _, n := range c.Nodes {
		endpoints = append(endpoints, n.Endpoint)
	}
	jsonPath := filepath.Join(t.TempDir(), "bench.json")
	var out, errOut bytes.Buffer
	args := []string{"bench", "--endpoint", strings.Join(endpoints, ","), "--access-key", c.KeyID, "--secret-key", c.Secret,
		"--bucket", c.Bucket, "--region", localcluster.Region, "--sizes", "10KB", "--count", "20", "--clients", "3", "--json", jsonPath}
	if code := run(args, &out, &errOut); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errOut.String())
	}
	var r s3bench.Report
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	checkResults(t, r, []string{"PUT 10KB", "GET 10KB"}, 20)
	if len(r.Nodes) != 0 || len(r.Results[0].NodePeakRSSBytes) != 0 || strings.Contains(out.String(), "peak RSS") {
		t.Errorf("memory figures for a cluster the bench did not start:\n%s", out.String())
	}
	left := s3bench.NewTarget(s3bench.TargetConfig{Endpoints: endpoints[:1], Region: localcluster.Region, AccessKey: c.KeyID, SecretKey: c.Secret, Bucket: c.Bucket, Clients: 1})
	list, err := left.Client(0).ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(c.Bucket)})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Contents) != 0 {
		t.Errorf("%d objects left in the bucket, e.g. %s", len(list.Contents), aws.ToString(list.Contents[0].Key))
	}
}

func checkResults(t *testing.T, r s3bench.Report, want []string, count int) {
	t.Helper()
	if len(r.Results) != len(want) {
		t.Fatalf("%d results, want %d: %+v", len(r.Results), len(want), r.Results)
	}
	for i, p := range r.Results {
		if got := p.Op + " " + p.Size; got != want[i] {
			t.Errorf("result %d is %s, want %s", i, got, want[i])
		}
		if p.Objects != count || p.Errors != 0 {
			t.Errorf("%s %s: %d objects, %d errors (%s)", p.Op, p.Size, p.Objects, p.Errors, p.FirstError)
		}
		if p.ObjectsPerS <= 0 || p.MiBPerS <= 0 || p.LatencyP50Ms <= 0 || p.LatencyP99Ms < p.LatencyP50Ms || p.LatencyMaxMs < p.LatencyP99Ms {
			t.Errorf("%s %s: implausible figures %+v", p.Op, p.Size, p)
		}
		if got := p.MiBPerS * (1 << 20) / float64(p.SizeBytes); got < p.ObjectsPerS*0.999 || got > p.ObjectsPerS*1.001 {
			t.Errorf("%s %s: %.1f MiB/s does not match %.1f objects/s", p.Op, p.Size, p.MiBPerS, p.ObjectsPerS)
		}
		ttfb := p.TTFBP50Ms > 0 && p.TTFBP99Ms >= p.TTFBP50Ms && p.TTFBP50Ms <= p.LatencyP50Ms
		if (p.Op == "GET") != ttfb {
			t.Errorf("%s %s: time to first byte p50 %.2fms p99 %.2fms", p.Op, p.Size, p.TTFBP50Ms, p.TTFBP99Ms)
		}
	}
}

func TestBenchRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"bench", "--count", "5", "--duration", "1s"},
		{"bench", "--sizes", "4Qi"},
		{"bench", "--sizes", "0"},
		{"bench", "--clients", "0"},
		{"bench", "--endpoint", "http://127.0.0.1:1", "--bucket", "b"}, // no credentials
	} {
		var out, errOut bytes.Buffer
		if code := run(args, &out, &errOut); code == 0 {
			t.Errorf("%v: exit 0, want a refusal", args)
		}
	}
}
