package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/s3/sse"
)

func testSealer(t testing.TB) Sealer {
	var dk [sse.KeySize]byte
	if _, err := rand.Read(dk[:]); err != nil {
		t.Fatal(err)
	}
	return NewSealer(sse.DeriveObjectKey(&dk))
}

// TestSealedObjectsRoundTrip: sealed objects of every shape read back, by
// range too, and no block or inline body is stored as the plaintext.
func TestSealedObjectsRoundTrip(t *testing.T) {
	s := startServer(t, t.TempDir(), 1)
	do(t, s, admin.AssignRole{Nodes: []string{s.ID().Hex()}, Zone: "z", Capacity: 1 << 40})
	do(t, s, admin.ApplyLayout{Version: 1})
	b := do(t, s, admin.CreateBucket{Name: "sealed", ID: NewBucketID()}).(admin.BucketInfo)
	bucket, _ := model.ParseBucketID(b.ID)
	ctx := context.Background()
	seal := testSealer(t)
	bs := s.cfg.BlockSize
	for _, n := range []int{0, 1, model.InlineThreshold - sse.Overhead - 1, model.InlineThreshold - sse.Overhead, model.InlineThreshold, bs - 1, bs, bs + 1, 2*bs + 7} {
		data := make([]byte, n)
		(&pseudoRandom{r: mrand.New(mrand.NewPCG(uint64(n), 3))}).Read(data)
		_, meta, err := s.PutObjectWith(ctx, bucket, "k", nil, bytes.NewReader(data), PutOptions{Seal: seal})
		if err != nil || meta.Size != uint64(n) {
			t.Fatalf("%d bytes: put: %v (size %d)", n, err, meta.Size)
		}
		obj, err := s.HeadObject(ctx, bucket, "k")
		if err != nil {
			t.Fatal(err)
		}
		// A few random bytes turn up in any ciphertext by chance: look
		// for the plaintext only where finding it means something.
		if obj.Blocks == nil && n >= 8 && bytes.Contains(obj.Inline, data) || obj.Blocks == nil && n > 0 && len(obj.Inline) != n+sse.Overhead {
			t.Fatalf("%d bytes: stored inline in plaintext", n)
		}
		var at uint64
		for _, blk := range obj.Blocks {
			raw := do(t, s, object.GetBlock{Hash: blk.Hash}).(object.Block)
			if raw.Compressed || blk.Size >= 8 && bytes.Contains(raw.Data, data[at:at+min(blk.Size, 64)]) {
				t.Fatalf("%d bytes: block at %d stored in plaintext", n, at)
			}
			at += blk.Size
		}
		for _, r := range [][2]uint64{{0, uint64(n)}, {uint64(n) / 3, uint64(n) - uint64(n)/5}, {uint64(max(n-1, 0)), uint64(n)}} {
			var got bytes.Buffer
			if err := s.ReadObjectSealed(ctx, obj, r[0], r[1], &got, seal); err != nil {
				t.Fatalf("%d bytes: read %v: %v", n, r, err)
			}
			if r[0] < r[1] && !bytes.Equal(got.Bytes(), data[r[0]:r[1]]) {
				t.Fatalf("%d bytes: read %v: wrong bytes", n, r)
			}
		}
		// Another object's key opens nothing.
		if n > 0 {
			if err := s.ReadObjectSealed(ctx, obj, 0, uint64(n), io.Discard, testSealer(t)); err == nil {
				t.Fatalf("%d bytes: opened with another key", n)
			}
		}
	}
}

// TestLargeSealedObjectBoundedMemory streams a 1 GiB SSE-C-sealed object,
// drawn from a generator, in and out of a node, and measures the peak
// memory: the process's VmHWM (reset first where the kernel allows it)
// and the Go heap's high-water mark sampled every 5 ms.
func TestLargeSealedObjectBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and reads 1 GiB")
	}
	runtime.GC()
	debug.FreeOSMemory()
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) //nolint:errcheck // resets VmHWM where supported
	dir := t.TempDir()
	s := startServer(t, dir, 1)
	do(t, s, admin.AssignRole{Nodes: []string{s.ID().Hex()}, Zone: "z", Capacity: 1 << 40})
	do(t, s, admin.ApplyLayout{Version: 1})
	b := do(t, s, admin.CreateBucket{Name: "big", ID: NewBucketID()}).(admin.BucketInfo)
	bucket, _ := model.ParseBucketID(b.ID)

	var heapPeak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				runtime.ReadMemStats(&ms)
				heapPeak = max(heapPeak, ms.HeapInuse)
			}
		}
	})
	const size = 1 << 30
	seal := testSealer(t)
	want := sha256.New()
	src := io.TeeReader(io.LimitReader(&pseudoRandom{r: mrand.New(mrand.NewPCG(1, 2))}, size), want)
	ctx := context.Background()
	start := time.Now()
	if _, meta, err := s.PutObjectWith(ctx, bucket, "big", nil, src, PutOptions{Seal: seal}); err != nil || meta.Size != size {
		t.Fatalf("put: %v (size %d)", err, meta.Size)
	}
	put := time.Since(start)
	obj, err := s.HeadObject(ctx, bucket, "big")
	if err != nil {
		t.Fatal(err)
	}
	got := sha256.New()
	start = time.Now()
	if err := s.ReadObjectSealed(ctx, obj, 0, size, got, seal); err != nil {
		t.Fatalf("get: %v", err)
	}
	get := time.Since(start)
	close(stop)
	wg.Wait()
	if !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		t.Fatal("the object read back differs from the one written")
	}
	peak := peakRSS(t)
	t.Logf("1 GiB sealed: put %v (%.0f MiB/s), get %v (%.0f MiB/s); peak resident memory %d MiB, peak Go heap in use %d MiB",
		put.Round(time.Millisecond), 1024/put.Seconds(), get.Round(time.Millisecond), 1024/get.Seconds(), peak>>20, heapPeak>>20)
	if peak > 128<<20 {
		t.Fatalf("peak resident memory %d MiB exceeds 128 MiB", peak>>20)
	}
}

// BenchmarkSealedThroughput puts and gets 1 MiB objects on three nodes on
// loopback, plain and sealed (what SSE-C and SSE-S3 both do here),
// alternately in each iteration so that a shared machine's noise falls on
// both; it reports each one's MB/s and their ratio:
//
//	go test -run '^$' -bench SealedThroughput -benchtime 200x ./node/runtime/server
func BenchmarkSealedThroughput(b *testing.B) {
	servers, bucket := threeNodes(b, nil)
	s := servers[0]
	const size = 1 << 20
	body := make([]byte, size)
	(&pseudoRandom{r: mrand.New(mrand.NewPCG(5, 5))}).Read(body)
	seal := testSealer(b)
	ctx := context.Background()
	report := func(b *testing.B, plain, sealed time.Duration) {
		rate := func(d time.Duration) float64 { return float64(b.N) * size / d.Seconds() / 1e6 }
		b.ReportMetric(rate(plain), "plain-MB/s")
		b.ReportMetric(rate(sealed), "sealed-MB/s")
		b.ReportMetric(rate(sealed)/rate(plain), "sealed/plain")
		b.ReportMetric(0, "ns/op")
	}
	b.Run("put", func(b *testing.B) {
		var plain, sealed time.Duration
		// Fresh content in every call too: the benchmark function may be
		// called more than once on the same cluster.
		rand.Read(body[8:16]) //nolint:errcheck // crypto/rand does not fail
		i := 0
		for b.Loop() {
			i++
			// Content of its own each time: a stored plaintext block would be
			// deduplicated, which a sealed one never is.
			binary.LittleEndian.PutUint64(body, uint64(i))
			start := time.Now()
			if _, _, err := s.PutObject(ctx, bucket, fmt.Sprint("p", i%16), nil, bytes.NewReader(body)); err != nil {
				b.Fatal(err)
			}
			plain += time.Since(start)
			start = time.Now()
			if _, _, err := s.PutObjectWith(ctx, bucket, fmt.Sprint("s", i%16), nil, bytes.NewReader(body), PutOptions{Seal: seal}); err != nil {
				b.Fatal(err)
			}
			sealed += time.Since(start)
		}
		report(b, plain, sealed)
	})
	b.Run("get", func(b *testing.B) {
		if _, _, err := s.PutObject(ctx, bucket, "gp", nil, bytes.NewReader(body)); err != nil {
			b.Fatal(err)
		}
		if _, _, err := s.PutObjectWith(ctx, bucket, "gs", nil, bytes.NewReader(body), PutOptions{Seal: seal}); err != nil {
			b.Fatal(err)
		}
		p, err := s.HeadObject(ctx, bucket, "gp")
		if err != nil {
			b.Fatal(err)
		}
		q, err := s.HeadObject(ctx, bucket, "gs")
		if err != nil {
			b.Fatal(err)
		}
		var plain, sealed time.Duration
		for b.Loop() {
			start := time.Now()
			if err := s.ReadObject(ctx, p, 0, size, io.Discard); err != nil {
				b.Fatal(err)
			}
			plain += time.Since(start)
			start = time.Now()
			if err := s.ReadObjectSealed(ctx, q, 0, size, io.Discard, seal); err != nil {
				b.Fatal(err)
			}
			sealed += time.Since(start)
		}
		report(b, plain, sealed)
	})
}
