package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/runtime/transport"
)

// BenchmarkBlockThroughput puts and gets 64 MiB objects of 1 MiB blocks
// through the block manager, on one node and on three nodes on loopback,
// with data_fsync off and on, and measures the disk's raw sequential write
// speed in the same run for comparison.
func BenchmarkBlockThroughput(b *testing.B) {
	const size = 64 << 20
	body := make([]byte, size)
	r := rand.New(rand.NewPCG(7, 7))
	for i := range body {
		body[i] = byte(r.Uint64())
	}
	for _, fsync := range []bool{false, true} {
		b.Run(fmt.Sprintf("raw-disk/fsync=%v", fsync), func(b *testing.B) {
			f, err := os.Create(filepath.Join(b.TempDir(), "raw"))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			b.SetBytes(size)
			for b.Loop() {
				f.Seek(0, io.SeekStart)
				for off := 0; off < size; off += 1 << 20 {
					f.Write(body[off : off+1<<20])
					if fsync {
						f.Sync()
					}
				}
			}
		})
		for _, nodes := range []int{1, 3} {
			b.Run(fmt.Sprintf("put/nodes=%d/fsync=%v", nodes, fsync), func(b *testing.B) {
				s, bucket := benchCluster(b, nodes, fsync)
				b.SetBytes(size)
				i := 0
				for b.Loop() {
					i++
					if _, _, err := s.PutObject(context.Background(), bucket, fmt.Sprint("k", i), nil, bytes.NewReader(body)); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(fmt.Sprintf("get/nodes=%d/fsync=%v", nodes, fsync), func(b *testing.B) {
				s, bucket := benchCluster(b, nodes, fsync)
				if _, _, err := s.PutObject(context.Background(), bucket, "k", nil, bytes.NewReader(body)); err != nil {
					b.Fatal(err)
				}
				b.SetBytes(size)
				for b.Loop() {
					if _, err := s.GetObject(context.Background(), bucket, "k", io.Discard); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func benchCluster(b *testing.B, nodes int, fsync bool) (*Server, model.BucketID) {
	if nodes == 3 {
		servers, bucket := threeNodes(b, func(c *Config) { c.DataFsync = fsync })
		return servers[0], bucket
	}
	s := startTuned(b, b.TempDir(), 1, func(c *Config) { c.DataFsync = fsync })
	do(b, s, admin.AssignRole{Nodes: []string{s.ID().Hex()}, Zone: "z", Capacity: 1 << 40})
	do(b, s, admin.ApplyLayout{Version: 1})
	info := do(b, s, admin.CreateBucket{Name: "bench", ID: NewBucketID()}).(admin.BucketInfo)
	bucket, _ := model.ParseBucketID(info.ID)
	time.Sleep(10 * time.Millisecond)
	return s, bucket
}

// BenchmarkNewNodeSync measures, on loopback, how long a fourth node
// joining a three-node cluster that holds N one-block objects takes to be
// fully synced: from the apply until every node reads from the new layout
// version and retired the old one (metadata), and until the newcomer also
// fetched every block it now holds (blocks, at the default resync
// settings: one worker, tranquility 2). Run once:
// go test -run '^$' -bench NewNodeSync -benchtime 1x ./node/runtime/server
func BenchmarkNewNodeSync(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			var meta, blocks time.Duration
			var fetched uint64
			for b.Loop() {
				b.StopTimer()
				servers, bucket := threeNodes(b, nil)
				preload(b, servers, bucket, n, model.InlineThreshold+100)
				fourth := startTuned(b, b.TempDir(), 3, nil, transport.Peer{ID: servers[0].ID(), Addr: servers[0].RPCAddr()})
				waitFor(b, "the fourth node to learn the layout", func() bool { return layoutSettled(b, fourth, 1) })
				all := append(servers, fourth)
				b.StartTimer()

				start := time.Now()
				do(b, servers[0], admin.AssignRole{Nodes: []string{fourth.ID().Hex()}, Zone: "z3", Capacity: 1 << 30})
				do(b, servers[0], admin.ApplyLayout{Version: 2})
				poll(b, 10*time.Minute, func() bool {
					for _, s := range all {
						if !layoutSettled(b, s, 2) {
							return false
						}
					}
					return true
				})
				meta += time.Since(start)
				poll(b, time.Hour, func() bool { return do(b, fourth, admin.ListWorkers{}).(admin.Workers).Resync.Queue == 0 })
				blocks += time.Since(start)
				fetched = do(b, fourth, admin.ListWorkers{}).(admin.Workers).Resync.Fetched
				b.StopTimer()
				for _, s := range all {
					s.Close()
				}
				b.StartTimer()
			}
			b.ReportMetric(meta.Seconds()/float64(b.N), "s/metadata")
			b.ReportMetric(blocks.Seconds()/float64(b.N), "s/blocks")
			b.ReportMetric(float64(fetched), "blocks-fetched")
		})
	}
}

// preload puts n distinct objects of size bytes (so n distinct blocks)
// through the servers, 32 at a time.
func preload(b *testing.B, servers []*Server, bucket model.BucketID, n, size int) {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for w := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)); i <= n; i = int(next.Add(1)) {
				s := servers[(w+i)%len(servers)]
				key := fmt.Sprintf("pre/%07d", i)
				body := append([]byte(key), bytes.Repeat([]byte("x"), size-len(key))...)
				if _, _, err := s.PutObject(context.Background(), bucket, key, nil, bytes.NewReader(body)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatalf("preload: %v", err)
	}
}

// poll waits for cond, checking every 20 ms, for at most limit.
func poll(b *testing.B, limit time.Duration, cond func() bool) {
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatalf("not done after %v", limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
