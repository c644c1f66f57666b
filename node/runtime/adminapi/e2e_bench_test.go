package adminapi_test

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/garagego/garage/internal/localcluster"
)

// BenchmarkHealthChecks measures what load balancers poll on a 3-node
// cluster: the authenticated GetClusterHealth and the open /health, from
// 16 concurrent clients with kept-alive connections; req/s is the
// throughput of one node.
//
// go test -run '^$' -bench HealthChecks -benchtime 20000x ./node/runtime/adminapi/
func BenchmarkHealthChecks(b *testing.B) {
	c, err := localcluster.Start(localcluster.Options{Nodes: 3, Dir: b.TempDir()})
	if err != nil {
		b.Fatalf("start cluster: %v", err)
	}
	defer func() {
		if err := c.Close(); err != nil {
			b.Errorf("close cluster: %v", err)
		}
	}()
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	for _, path := range []string{"/v2/GetClusterHealth", "/health"} {
		b.Run(path, func(b *testing.B) {
			b.SetParallelism(8) // 16 clients on 2 cores
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, _ := http.NewRequest(http.MethodGet, c.Nodes[0].AdminEndpoint+path, nil)
					req.Header.Set("Authorization", "Bearer "+c.Nodes[0].AdminToken)
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Errorf("%s: status %d", path, resp.StatusCode)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
		})
	}
}
