package metrics_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// BenchmarkMetricsCost measures what metrics cost a node under S3 load,
// on a 3-node cluster in this process:
//
//   - scrape: one full /metrics scrape of a node (its ns/op and the CPU
//     the whole process spent on it, cpu-µs/op);
//   - s3/unscraped and s3/scraped-1s: the CPU the process spends per S3
//     request (a PUT then a GET of 4 KiB through node 0, 8 clients), with
//     nobody scraping and with every node's /metrics scraped every second
//     as a Prometheus server would. The difference of their cpu-µs/op is
//     the cost of being watched, per request.
//
// go test -run '^$' -bench MetricsCost -benchtime 4000x ./node/runtime/metrics/
func BenchmarkMetricsCost(b *testing.B) {
	e := startEnv(b)
	b.Run("scrape", func(b *testing.B) {
		cpu := cpuTime()
		for range b.N {
			if status, _ := e.getMetrics(2, ""); status != http.StatusOK {
				b.Fatalf("scrape: %d", status)
			}
		}
		b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
	})
	b.Run("s3/unscraped", func(b *testing.B) { e.s3Load(b, false) })
	b.Run("s3/scraped-1s", func(b *testing.B) { e.s3Load(b, true) })
}

// s3Load runs b.N PUT+GET pairs of 4 KiB objects from 8 clients and
// reports the process's CPU time per pair; scrape adds a scraper of every
// node once a second for the duration.
func (e *env) s3Load(b *testing.B, scrape bool) {
	const clients = 8
	data := bytes.Repeat([]byte("m"), 4<<10)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	stop := make(chan struct{})
	var scrapes atomic.Int64
	var scraper sync.WaitGroup
	if scrape {
		scraper.Add(1)
		go func() {
			defer scraper.Done()
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
				}
				for i := range e.c.Nodes {
					e.scrape(i)
					scrapes.Add(1)
				}
			}
		}()
	}
	var next atomic.Int64
	var failed atomic.Value
	n := e.c.Nodes[0]
	b.ResetTimer()
	cpu := cpuTime()
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(b.N) || failed.Load() != nil {
					return
				}
				url := fmt.Sprintf("%s/%s/load-%d-%d", n.Endpoint, e.c.Bucket, c, i)
				for _, method := range []string{http.MethodPut, http.MethodGet} {
					body := data
					if method == http.MethodGet {
						body = nil
					}
					status, err := e.send(ctx, method, url, "s3", body, "")
					if err == nil && status != http.StatusOK {
						err = fmt.Errorf("%s %s: status %d", method, url, status)
					}
					if err != nil {
						failed.Store(err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	used := cpuTime() - cpu
	b.StopTimer()
	close(stop)
	scraper.Wait()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(used.Microseconds())/float64(b.N), "cpu-µs/op")
	if scrape {
		b.ReportMetric(float64(scrapes.Load()), "scrapes")
	}
}

// cpuTime is the user and system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
