package s3api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestE2ENodeKilled writes and reads through nodes 0 and 1 while node 2
// is killed midway: with three replicas and quorums of two, every request
// must succeed, on its first try, and everything written must read back
// intact afterwards.
func TestE2ENodeKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end tests start a cluster")
	}
	e := startEnv(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	const (
		bucket  = "bucket"
		workers = 4
		rounds  = 40 // per worker
		killAt  = workers * rounds / 3
	)
	clients := []*s3.Client{e.s3(t, 0, noRetries), e.s3(t, 1, noRetries)}
	var (
		done     atomic.Int64
		killed   = make(chan struct{})
		mu       sync.Mutex
		failures []string
		written  = map[string][]byte{}
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		failures = append(failures, fmt.Sprintf(format, args...))
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range rounds {
				if ctx.Err() != nil {
					fail("worker %d: out of time at round %d", w, i)
					return
				}
				key := fmt.Sprintf("killed/w%d/%03d", w, i)
				// Mostly small objects, some of several blocks.
				size := 10_000 + 997*i
				if i%8 == 0 {
					size = 2<<20 + i
				}
				data := randomBytes(uint64(1000*w+i), size)
				writer, reader := clients[(w+i)%2], clients[(w+i+1)%2]
				if _, err := writer.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data)}); err != nil {
					fail("put %s: %v", key, err)
					continue
				}
				mu.Lock()
				written[key] = data
				mu.Unlock()
				out, err := reader.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
				if err != nil {
					fail("get %s: %v", key, err)
					continue
				}
				got, err := io.ReadAll(out.Body)
				out.Body.Close()
				if err != nil {
					fail("get %s: reading the body: %v", key, err)
					continue
				}
				if !bytes.Equal(got, data) {
					fail("get %s: %d bytes differ from the %d written", key, len(got), len(data))
				}
				if done.Add(1) == killAt {
					close(killed)
				}
			}
		})
	}
	select {
	case <-killed:
		t.Logf("killing node 2 after %d rounds", done.Load())
		if err := e.c.Kill(2); err != nil {
			t.Logf("kill node 2: %v", err)
		}
	case <-ctx.Done():
		t.Error("the workers never reached the kill point")
	}
	wg.Wait()
	for _, f := range failures {
		t.Error(f)
	}
	if n := done.Load(); n != workers*rounds {
		t.Errorf("%d of %d rounds done", n, workers*rounds)
	}

	// Everything written reads back, through both remaining nodes, and is
	// listed.
	for key, data := range written {
		for i, cl := range clients {
			out, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			if err != nil {
				t.Errorf("node %d: get %s after the kill: %v", i, key, err)
				continue
			}
			if got := readAll(t, out.Body); !bytes.Equal(got, data) {
				t.Errorf("node %d: %s differs after the kill", i, key)
			}
		}
	}
	listed := listV2(t, clients[1], &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("killed/"), MaxKeys: aws.Int32(50)}, 20)
	if len(listed) != len(written) {
		t.Errorf("%d objects listed after the kill, %d written", len(listed), len(written))
	}
}
