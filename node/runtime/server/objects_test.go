package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/runtime/transport"
)

// threeNodes starts three servers, rf 3, with a layout and a bucket.
func threeNodes(t testing.TB, tune func(*Config)) ([]*Server, model.BucketID) {
	var servers []*Server
	for i := range 3 {
		dir := t.TempDir()
		var boot []transport.Peer
		if i > 0 {
			boot = []transport.Peer{{ID: servers[0].ID(), Addr: servers[0].RPCAddr()}}
		}
		servers = append(servers, startTuned(t, dir, 3, tune, boot...))
	}
	a := servers[0]
	waitFor(t, "three nodes", func() bool { return len(do(t, a, admin.GetStatus{}).(admin.ClusterStatus).Nodes) == 3 })
	for i, s := range servers {
		do(t, a, admin.AssignRole{Nodes: []string{s.ID().Hex()}, Zone: fmt.Sprint("z", i), Capacity: 1 << 30})
	}
	do(t, a, admin.ApplyLayout{Version: 1})
	for _, s := range servers {
		waitFor(t, "layout everywhere", func() bool { return do(t, s, admin.GetLayout{}).(admin.LayoutInfo).Version == 1 })
	}
	b := do(t, a, admin.CreateBucket{Name: "test", ID: NewBucketID()}).(admin.BucketInfo)
	id, _ := model.ParseBucketID(b.ID)
	return servers, id
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestObjectsRoundTripAcrossNodes(t *testing.T) {
	level := 3
	servers, bucket := threeNodes(t, func(c *Config) { c.BlockSize = 64 << 10; c.CompressionLevel = &level })
	ctx := context.Background()
	for _, size := range []int{0, 100, 3071, 3072, 64 << 10, 300_000} {
		body := make([]byte, size)
		r := rand.New(rand.NewPCG(uint64(size), 1))
		for i := range body {
			body[i] = byte('a' + r.IntN(4)) // compressible
		}
		key := "obj-" + strconv.Itoa(size)
		_, meta, err := servers[0].PutObject(ctx, bucket, key, []model.Header{{Name: "content-type", Value: "text/plain"}}, bytes.NewReader(body))
		if err != nil {
			t.Fatalf("put %d bytes: %v", size, err)
		}
		if meta.Size != uint64(size) {
			t.Fatalf("put %d bytes: size %d", size, meta.Size)
		}
		var got bytes.Buffer
		obj, err := servers[2].GetObject(ctx, bucket, key, &got)
		if err != nil {
			t.Fatalf("get %d bytes from another node: %v", size, err)
		}
		if !bytes.Equal(got.Bytes(), body) || obj.Meta.ETag != meta.ETag || obj.Meta.Headers[0].Value != "text/plain" {
			t.Fatalf("%d bytes: read back %d bytes, etag %s vs %s", size, got.Len(), obj.Meta.ETag, meta.ETag)
		}
	}
}

// TestScrubRepairsAFlippedByte: one node's copy of a block gets a flipped
// byte on disk; the scrub finds it, sets it aside and fetches a good copy
// from a peer.
func TestScrubRepairsAFlippedByte(t *testing.T) {
	servers, bucket := threeNodes(t, func(c *Config) { c.BlockSize = 16 << 10 })
	body := bytes.Repeat([]byte("garage!"), 10_000) // 70 kB: 5 blocks
	if _, _, err := servers[0].PutObject(context.Background(), bucket, "k", nil, bytes.NewReader(body)); err != nil {
		t.Fatal(err)
	}
	victim := servers[1]
	var files []string
	filepath.WalkDir(victim.cfg.DataDirs[0].Path, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && len(filepath.Base(p)) == 64 {
			files = append(files, p)
		}
		return nil
	})
	waitFor(t, "the victim to hold every block", func() bool {
		files = files[:0]
		filepath.WalkDir(victim.cfg.DataDirs[0].Path, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && len(filepath.Base(p)) == 64 {
				files = append(files, p)
			}
			return nil
		})
		return len(files) == 5
	})
	target := files[2]
	good, _ := os.ReadFile(target)
	bad := bytes.Clone(good)
	bad[100] ^= 0x40
	if err := os.WriteFile(target, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	do(t, victim, admin.RepairScrub{})
	waitFor(t, "scrub to repair the block", func() bool {
		now, err := os.ReadFile(target)
		return err == nil && bytes.Equal(now, good)
	})
	if _, err := os.Stat(target + ".corrupted"); err != nil {
		t.Errorf("the corrupt copy was not kept aside: %v", err)
	}
	st := do(t, victim, admin.ListWorkers{}).(admin.Workers)
	if st.Scrub.Corruptions == 0 {
		t.Errorf("scrub reports no corruption: %+v", st.Scrub)
	}
}

// TestLargeObjectBoundedMemory streams a 1 GiB object in and out of a node
// and checks the process never held more than 128 MiB (VmHWM).
func TestLargeObjectBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and reads 1 GiB")
	}
	runtime.GC()
	debug.FreeOSMemory()
	dir := t.TempDir()
	s := startServer(t, dir, 1)
	do(t, s, admin.AssignRole{Nodes: []string{s.ID().Hex()}, Zone: "z", Capacity: 1 << 40})
	do(t, s, admin.ApplyLayout{Version: 1})
	b := do(t, s, admin.CreateBucket{Name: "big", ID: NewBucketID()}).(admin.BucketInfo)
	bucket, _ := model.ParseBucketID(b.ID)

	const size = 1 << 30
	want := sha256.New()
	src := io.TeeReader(io.LimitReader(&pseudoRandom{r: rand.New(rand.NewPCG(1, 2))}, size), want)
	ctx := context.Background()
	if _, meta, err := s.PutObject(ctx, bucket, "big", nil, src); err != nil || meta.Size != size {
		t.Fatalf("put: %v (size %d)", err, meta.Size)
	}
	got := sha256.New()
	if _, err := s.GetObject(ctx, bucket, "big", got); err != nil {
		t.Fatalf("get: %v", err)
	}
	if !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		t.Fatal("the object read back differs from the one written")
	}
	peak := peakRSS(t)
	t.Logf("peak resident memory: %d MiB", peak>>20)
	if peak > 128<<20 {
		t.Fatalf("peak resident memory %d MiB exceeds 128 MiB", peak>>20)
	}
}

type pseudoRandom struct{ r *rand.Rand }

func (p *pseudoRandom) Read(b []byte) (int, error) {
	for i := 0; i < len(b); i += 8 {
		v := p.r.Uint64()
		for j := 0; j < 8 && i+j < len(b); j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return len(b), nil
}

// peakRSS reads the process's high-water resident set size.
func peakRSS(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	t.Skip("no VmHWM")
	return 0
}
