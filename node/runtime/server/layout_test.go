package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/garagego/garage/checker"
	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/runtime/transport"
)

// recorder builds a checker history from concurrent clients: call and
// return points are numbered in the order they happen.
type recorder struct {
	mu   sync.Mutex
	seq  int64
	hist checker.History
}

func (r *recorder) call() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	return r.seq
}

func (r *recorder) done(op checker.Op) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	op.ID, op.Return = len(r.hist), r.seq
	if op.Outcome == checker.Unknown {
		op.Return = math.MaxInt64
	}
	r.hist = append(r.hist, op)
}

// objectClient puts and gets objects through random nodes, recording
// each operation. Values are unique; the body begins with the value and
// the metadata names it, so a read proves what it got.
type objectClient struct {
	id      int
	rng     *rand.Rand
	rec     *recorder
	buckets []model.BucketID
	keys    []string
	written int
}

func (c *objectClient) step(ctx context.Context, via *Server) {
	bucket, key := c.buckets[c.rng.IntN(len(c.buckets))], c.keys[c.rng.IntN(len(c.keys))]
	op := checker.Op{Client: c.id, Key: checker.Key{Partition: bucket.String(), Sort: key}}
	if c.rng.IntN(2) == 0 {
		c.written++
		value := fmt.Sprintf("c%d-%d", c.id, c.written)
		size := []int{100, 5_000, 40_000}[c.rng.IntN(3)] // inline, one block, several blocks
		body := bytes.Repeat([]byte(value+"|"), size/len(value)+1)[:size]
		op.Kind, op.Value, op.Call = checker.Put, value, c.rec.call()
		w, _, err := via.PutObject(ctx, bucket, key, []model.Header{{Name: "x-amz-meta-value", Value: value}}, bytes.NewReader(body))
		op.Outcome = checker.OK
		if err != nil {
			op.Outcome = checker.Unknown
		}
		op.Stamp = versionStamp(w.Timestamp, w.Version)
		c.rec.done(op)
		return
	}
	op.Kind, op.Call = checker.Get, c.rec.call()
	var body bytes.Buffer
	obj, err := via.GetObject(ctx, bucket, key, &body)
	switch {
	case errors.Is(err, ErrNoSuchObject):
		op.Outcome = checker.OK
	case err != nil:
		op.Outcome = checker.Failed
	default:
		op.Outcome, op.Found = checker.OK, true
		op.Value = obj.Meta.Headers[0].Value
		if want := bytes.Repeat([]byte(op.Value+"|"), body.Len()/(len(op.Value)+1)+1)[:body.Len()]; !bytes.Equal(body.Bytes(), want) {
			op.Value = "corrupt:" + op.Value
		}
	}
	op.Stamp = versionStamp(obj.Timestamp, obj.Version)
	c.rec.done(op)
}

func versionStamp(ts uint64, id model.VersionID) checker.Stamp {
	return checker.Stamp(object.Stamp(ts, id))
}

// layoutSettled reports whether s sees one live layout version, number v.
func layoutSettled(t testing.TB, s *Server, v uint64) bool {
	h := do(t, s, admin.GetLayoutHistory{}).(admin.LayoutHistory)
	return h.Current == v && len(h.Versions) == 1
}

// TestAddFourthNodeUnderLoad adds a node to a live three-node cluster
// while clients put and get objects through every node, over TCP. Every
// operation must succeed, the history must show no stale read, and once
// the new version settled every object reads back from every node, the new
// one included, which now stores its share of the partitions.
func TestAddFourthNodeUnderLoad(t *testing.T) {
	tune := func(c *Config) { c.BlockSize = 16 << 10 }
	servers, bucket := threeNodes(t, tune)
	fourth := startTuned(t, t.TempDir(), 3, tune, transport.Peer{ID: servers[0].ID(), Addr: servers[0].RPCAddr()})
	waitFor(t, "the fourth node to learn the layout", func() bool { return layoutSettled(t, fourth, 1) })
	servers = append(servers, fourth)

	// Objects are partitioned by bucket: eight buckets spread them over
	// eight partitions, of which the new node will store about 3/4.
	buckets := []model.BucketID{bucket}
	for i := range 7 {
		b := do(t, servers[0], admin.CreateBucket{Name: fmt.Sprint("bucket-", i), ID: NewBucketID()}).(admin.BucketInfo)
		id, _ := model.ParseBucketID(b.ID)
		buckets = append(buckets, id)
	}
	rec := &recorder{}
	var keys []string
	for i := range 8 {
		keys = append(keys, fmt.Sprintf("obj-%02d", i))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for id := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &objectClient{id: id, rng: rand.New(rand.NewPCG(uint64(id), 1)), rec: rec, buckets: buckets, keys: keys}
			for n := 0; n < 5000; n++ {
				select {
				case <-stop:
					return
				default:
				}
				c.step(ctx, servers[c.rng.IntN(len(servers))])
			}
		}()
	}

	time.Sleep(300 * time.Millisecond)
	a := servers[0]
	do(t, a, admin.AssignRole{Nodes: []string{fourth.ID().Hex()}, Zone: "z3", Capacity: 1 << 30})
	info := do(t, a, admin.ApplyLayout{Version: 2}).(admin.LayoutInfo)
	applied := time.Now()
	for _, s := range servers {
		waitFor(t, "version 2 to settle everywhere", func() bool { return layoutSettled(t, s, 2) })
	}
	settled := time.Since(applied)
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()

	// Final reads: every key through every node.
	for _, s := range servers {
		for _, b := range buckets {
			for _, k := range keys {
				op := checker.Op{Client: 4, Kind: checker.Get, Key: checker.Key{Partition: b.String(), Sort: k}, Call: rec.call()}
				var body bytes.Buffer
				obj, err := s.GetObject(ctx, b, k, &body)
				if err != nil && !errors.Is(err, ErrNoSuchObject) {
					t.Errorf("final read of %s via %s: %v", k, s.ID(), err)
					continue
				}
				op.Outcome, op.Found = checker.OK, obj.Found
				if obj.Found {
					op.Value = obj.Meta.Headers[0].Value
				}
				op.Stamp = versionStamp(obj.Timestamp, obj.Version)
				rec.done(op)
			}
		}
	}

	var failed, puts, gets int
	for _, op := range rec.hist {
		switch {
		case op.Outcome != checker.OK:
			failed++
		case op.Kind == checker.Put:
			puts++
		default:
			gets++
		}
	}
	t.Logf("%d puts, %d gets, %d failed; version 2 settled on every node %v after apply", puts, gets, failed, settled.Round(time.Millisecond))
	if failed > 0 {
		t.Errorf("%d operations failed during the layout change", failed)
	}
	if puts < 20 || gets < 20 {
		t.Errorf("too little load during the change: %d puts, %d gets", puts, gets)
	}
	if report := checker.Check(rec.hist); !report.Ok() {
		t.Errorf("history violates read-after-write:\n%s", report)
	}
	var share int
	for _, r := range info.Roles {
		if r.ID == fourth.ID().Hex() {
			share = r.Partitions
		}
	}
	if share == 0 {
		t.Fatalf("the fourth node got no partitions: %+v", info.Roles)
	}
	// The old nodes each gave up a quarter of their partitions: they hand
	// the entries over, then drop them.
	waitFor(t, "the old nodes to hand over moved entries", func() bool {
		var offloaded, rounds uint64
		for _, s := range servers[:3] {
			st := do(t, s, admin.GetStats{}).(admin.NodeStats)
			offloaded, rounds = offloaded+st.Offloaded, rounds+st.SyncRounds
		}
		return offloaded > 0 && rounds >= 3
	})
	st := do(t, fourth, admin.GetStats{}).(admin.NodeStats)
	t.Logf("the fourth node stores %d partitions; tables %+v", share, st.Tables)
	for _, ts := range st.Tables {
		// Fails only if none of eight buckets' partitions went to the new
		// node: (1/4)^8.
		if ts.Name == "objects" && ts.Entries == 0 {
			t.Errorf("the fourth node holds no object entries")
		}
	}
}
