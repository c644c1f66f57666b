package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/garagego/garage/node"
	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/lwwmap"
	"github.com/garagego/garage/node/runtime/blockstore"
	"github.com/garagego/garage/node/runtime/dirlock"
	"github.com/garagego/garage/node/runtime/metastore"
	"github.com/garagego/garage/node/runtime/transport"
	"github.com/garagego/garage/node/table"
)

var testSecret = [32]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}

func startServer(t testing.TB, dir string, rf int, bootstrap ...transport.Peer) *Server {
	t.Helper()
	return startTuned(t, dir, rf, nil, bootstrap...)
}

func startTuned(t testing.TB, dir string, rf int, tune func(*Config), bootstrap ...transport.Peer) *Server {
	t.Helper()
	cfg := Config{
		Node:        node.Config{Table: table.DefaultConfig(), ReplicationFactor: rf, StatusInterval: time.Second},
		MetadataDir: dir,
		DataDirs:    []blockstore.Dir{{Path: filepath.Join(dir, "data")}},
		Fsync:       metastore.FsyncNever,
		Transport:   transport.Config{ListenAddr: "127.0.0.1:0", Secret: testSecret, Bootstrap: bootstrap},
	}
	if tune != nil {
		tune(&cfg)
	}
	s, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func do(t testing.TB, s *Server, op node.Op) any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r, err := s.Do(ctx, op)
	if err != nil {
		t.Fatalf("%s: %v", op.OpName(), err)
	}
	return r
}

// twoNodes starts two servers replicating everything on both.
func twoNodes(t testing.TB) (*Server, *Server) {
	a := startServer(t, t.TempDir(), 2)
	b := startServer(t, t.TempDir(), 2, transport.Peer{ID: a.ID(), Addr: a.RPCAddr()})
	deadline := time.Now().Add(10 * time.Second)
	for len(do(t, a, admin.GetStatus{}).(admin.ClusterStatus).Nodes) < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the nodes did not meet")
		}
		time.Sleep(20 * time.Millisecond)
	}
	do(t, a, admin.AssignRole{Nodes: []string{a.ID().Hex()}, Zone: "z1", Capacity: 1 << 30})
	do(t, a, admin.AssignRole{Nodes: []string{b.ID().Hex()}, Zone: "z2", Capacity: 1 << 30})
	do(t, a, admin.ApplyLayout{Version: 1})
	for do(t, b, admin.GetLayout{}).(admin.LayoutInfo).Version != 1 {
		if time.Now().After(deadline) {
			t.Fatal("node b never saw the layout")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return a, b
}

func TestWritesPersistAcrossRestart(t *testing.T) {
	dirA := t.TempDir()
	a := startServer(t, dirA, 1)
	do(t, a, admin.AssignRole{Nodes: []string{a.ID().Hex()}, Zone: "z", Capacity: 1 << 30})
	do(t, a, admin.ApplyLayout{Version: 1})
	for i := range 100 {
		do(t, a, lwwmap.Put{Key: lwwmap.Key{Partition: "p", Sort: fmt.Sprint(i)}, Value: []byte("v")})
	}
	id := a.ID()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	a = startServer(t, dirA, 1)
	if a.ID() != id {
		t.Fatal("the node's identity changed across a restart")
	}
	l := do(t, a, lwwmap.Range{Partition: "p"}).(lwwmap.Listing)
	if len(l.Entries) != 100 {
		t.Fatalf("%d entries after restart, want 100", len(l.Entries))
	}
}

func TestSecondProcessOnSameDirsRefused(t *testing.T) {
	meta, data := t.TempDir(), t.TempDir()
	cfg := func(metaDir string) Config {
		return Config{Node: node.Config{Table: table.DefaultConfig(), ReplicationFactor: 1}, MetadataDir: metaDir, DataDirs: []blockstore.Dir{{Path: data}},
			Transport: transport.Config{ListenAddr: "127.0.0.1:0", Secret: testSecret}}
	}
	a, err := Start(cfg(meta))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := Start(cfg(meta)); !errors.Is(err, dirlock.ErrLocked) {
		t.Fatalf("same metadata dir: %v, want ErrLocked", err)
	}
	if _, err := Start(cfg(t.TempDir())); !errors.Is(err, dirlock.ErrLocked) {
		t.Fatalf("same data dir: %v, want ErrLocked", err)
	}
}

func TestUnreachablePeerFailsFast(t *testing.T) {
	a, b := twoNodes(t)
	b.Close()
	time.Sleep(200 * time.Millisecond) // let the transport notice
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// With rf 2 a write needs both nodes.
	_, err := a.Do(ctx, lwwmap.Put{Key: lwwmap.Key{Partition: "p", Sort: "s"}, Value: []byte("v")})
	if err == nil {
		t.Fatal("a write needing both nodes succeeded with one down")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("failing took %v: an unreachable peer must fail the call at once, not at its deadline", d)
	}
}

// BenchmarkQuorumReads: reads through node A of a two-node cluster (rf 2;
// each read asks both nodes, one loopback round trip to B, and answers
// after the first, as R = 1), 64 in flight. Reports reads per second and
// the share of A's event loop busy.
func BenchmarkQuorumReads(b *testing.B) {
	a, _ := twoNodes(b)
	key := lwwmap.Key{Partition: "p", Sort: "s"}
	do(b, a, lwwmap.Put{Key: key, Value: []byte("v")})
	before := a.LoopStats()
	start := time.Now()
	b.ResetTimer()
	var wg sync.WaitGroup
	work := make(chan struct{}, b.N)
	for range b.N {
		work <- struct{}{}
	}
	close(work)
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work {
				if _, err := a.Do(context.Background(), lwwmap.Get{Key: key}); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	after := a.LoopStats()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "reads/s")
	b.ReportMetric(100*float64(after.Busy-before.Busy)/float64(elapsed), "loop-busy-%")
}

// TestOpenDirectoriesAreRestricted: a metadata or data directory others can
// read (the secrets and objects inside are in clear) is tightened to its
// owner at start, unless the operator allowed it; it was once used as is.
func TestOpenDirectoriesAreRestricted(t *testing.T) {
	for _, allow := range []bool{false, true} {
		t.Run(fmt.Sprintf("allow=%v", allow), func(t *testing.T) {
			meta := filepath.Join(t.TempDir(), "meta")
			data := filepath.Join(meta, "data")
			for _, d := range []string{meta, data} {
				if err := os.MkdirAll(d, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			startTuned(t, meta, 1, func(c *Config) { c.AllowOpenDirs = allow })
			for _, d := range []string{meta, data} {
				info, err := os.Stat(d)
				if err != nil {
					t.Fatal(err)
				}
				want := os.FileMode(0o700)
				if allow {
					want = 0o755
				}
				if got := info.Mode().Perm(); got != want {
					t.Errorf("%s has mode %#o, want %#o", d, got, want)
				}
			}
			err := filepath.Walk(meta, func(path string, info os.FileInfo, err error) error {
				if err == nil && info.Mode().IsRegular() && !strings.HasSuffix(path, ".pub") && info.Mode().Perm()&0o077 != 0 {
					t.Errorf("%s is readable by others: %#o", path, info.Mode().Perm())
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
