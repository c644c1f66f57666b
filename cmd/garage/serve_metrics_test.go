package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestServeExposesMetrics: `garage serve` (the embedded default, no
// metrics_token) serves Prometheus metrics on its admin API, with this
// binary's version in garage_build_info, the node's health, and its own
// admin requests counted.
func TestServeExposesMetrics(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test with real processes")
	}
	work := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, garageBinary(t), "serve")
	cmd.Dir = work
	cmd.Env = cleanEnv()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && !strings.HasPrefix(sc.Text(), "garage node ") {
	}
	go io.Copy(io.Discard, stdout) //nolint:errcheck // drain
	scrape := func() string {
		resp, err := http.Get("http://127.0.0.1:3903/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /metrics: %d %s", resp.StatusCode, body)
		}
		return string(body)
	}
	scrape()
	body := scrape()
	for _, want := range []string{`garage_build_info{version="` + version + `"} 1`, "cluster_healthy 1", "cluster_layout_version 1",
		`api_admin_request_counter{api_endpoint="Metrics"} `, "garage_local_disk_total{volume=\"data\"} "} {
		if !strings.Contains(body, "\n"+want) {
			t.Errorf("the exposition lacks %q", want)
		}
	}
}
