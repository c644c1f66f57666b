package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/model"
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
