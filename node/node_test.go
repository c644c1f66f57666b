package node

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/layout"
	"github.com/garagego/garage/node/lwwmap"
	"github.com/garagego/garage/node/meta"
	"github.com/garagego/garage/node/rpc"
	"github.com/garagego/garage/node/table"
	"github.com/garagego/garage/node/wire"
)

// testCluster is the smallest possible driver: a FIFO of messages, nodes
// that can be marked down (their inbox is dropped), and durable stores that
// survive restarts. It follows the Ready contract exactly.
type testCluster struct {
	t       testing.TB
	now     cluster.Time
	ids     []cluster.NodeID
	nodes   map[cluster.NodeID]*Node
	disks   map[cluster.NodeID][]meta.Record
	down    map[cluster.NodeID]bool
	skew    map[cluster.NodeID]time.Duration
	queue   []rpc.Message
	replies map[uint64]Reply
	nextReq uint64
	cfg     Config
	history *layout.History
	// volatile drops the records instead of keeping them for restarts
	// (a large benchmark's memory); stores are the nodes' live stores.
	volatile bool
	stores   map[cluster.NodeID]*meta.Store
	// delivered counts the messages run delivered, and their encoded
	// size when countBytes is set.
	delivered, deliveredBytes int
	countBytes                bool
	// sent, if set, sees every message a node queues.
	sent func(rpc.Message)
}

// newEmptyCluster starts nodes with no layout, as `garage serve` does on a
// fresh cluster.
func newEmptyCluster(t *testing.T, n int) *testCluster {
	c := &testCluster{t: t, now: cluster.Time(time.Hour), nodes: map[cluster.NodeID]*Node{},
		disks: map[cluster.NodeID][]meta.Record{}, down: map[cluster.NodeID]bool{}, skew: map[cluster.NodeID]time.Duration{}, replies: map[uint64]Reply{}}
	c.cfg = Config{Table: table.DefaultConfig(), ReplicationFactor: min(3, n), StatusInterval: time.Second}
	c.cfg.Table.RequestTimeout = time.Second
	c.cfg.Table.SyncInterval = 10 * time.Second
	for i := range n {
		c.ids = append(c.ids, cluster.NodeID(cluster.SumString(fmt.Sprint("n", i))))
	}
	for _, id := range c.ids {
		c.start(id)
	}
	c.connectAll()
	c.run()
	return c
}

// connectAll reports every node connected to every other, as the
// transport would.
func (c *testCluster) connectAll() {
	for _, a := range c.ids {
		for _, b := range c.ids {
			if a != b {
				c.nodes[a].PeerConnected(c.now, b, "")
			}
		}
		c.drain(a)
	}
}

func newTestCluster(t testing.TB, zones ...string) *testCluster {
	c := &testCluster{t: t, now: cluster.Time(time.Hour), nodes: map[cluster.NodeID]*Node{},
		disks: map[cluster.NodeID][]meta.Record{}, down: map[cluster.NodeID]bool{}, skew: map[cluster.NodeID]time.Duration{}, replies: map[uint64]Reply{}}
	var members []layout.Member
	for i, z := range zones {
		id := cluster.NodeID(cluster.SumString(fmt.Sprint("n", i)))
		c.ids = append(c.ids, id)
		members = append(members, layout.Member{ID: id, Role: layout.Role{Zone: z, Capacity: 1}})
	}
	v, err := layout.Assign(1, members, min(3, len(zones)), 0)
	if err != nil {
		t.Fatal(err)
	}
	c.history = layout.NewHistory(v)
	c.cfg = Config{Table: table.DefaultConfig()}
	c.cfg.Table.RequestTimeout = time.Second
	c.cfg.Table.SyncInterval = 10 * time.Second
	for _, id := range c.ids {
		c.start(id)
	}
	return c
}

func (c *testCluster) start(id cluster.NodeID) {
	store := meta.New()
	for _, r := range c.disks[id] {
		store.Replay(r)
	}
	if c.stores == nil {
		c.stores = map[cluster.NodeID]*meta.Store{}
	}
	c.stores[id] = store
	cfg := c.cfg
	cfg.ID = id
	n, err := New(cfg, store, c.history)
	if err != nil {
		c.t.Fatal(err)
	}
	c.nodes[id] = n
	c.drain(id)
}

func (c *testCluster) drain(id cluster.NodeID) {
	n := c.nodes[id]
	for n.HasReady() {
		rd := n.Ready()
		if !c.volatile {
			c.disks[id] = append(c.disks[id], rd.Records...) // durable first...
		}
		c.queue = append(c.queue, rd.Messages...) // ...then send
		if c.sent != nil {
			for _, m := range rd.Messages {
				c.sent(m)
			}
		}
		for _, r := range rd.Replies {
			c.replies[r.ID] = r
		}
	}
}

// run delivers messages until none are left, ticking now and then.
func (c *testCluster) run() {
	for steps := 0; len(c.queue) > 0; steps++ {
		if steps > 100000 && !c.volatile {
			c.t.Fatal("no quiescence")
		}
		m := c.queue[0]
		c.queue = c.queue[1:]
		if c.down[m.To] || c.down[m.From] {
			continue
		}
		c.now += cluster.Time(time.Millisecond)
		c.delivered++
		if c.countBytes {
			var e wire.Encoder
			m.Encode(&e)
			c.deliveredBytes += len(e.Bytes())
		}
		c.nodes[m.To].Step(c.now.Add(c.skew[m.To]), m)
		c.drain(m.To)
	}
}

func (c *testCluster) tick(d time.Duration) {
	end := c.now.Add(d)
	for c.now < end {
		c.now += cluster.Time(100 * time.Millisecond)
		for _, id := range c.ids {
			if !c.down[id] {
				c.nodes[id].Tick(c.now.Add(c.skew[id]))
				c.drain(id)
			}
		}
		c.run()
	}
}

func (c *testCluster) do(via int, op Op) Reply {
	c.nextReq++
	id := c.nextReq
	c.nodes[c.ids[via]].Submit(c.now, Request{ID: id, Op: op})
	c.drain(c.ids[via])
	c.run()
	for range 100 {
		if r, ok := c.replies[id]; ok {
			return r
		}
		c.tick(200 * time.Millisecond)
	}
	c.t.Fatalf("no reply to %v", op)
	return Reply{}
}

var k = lwwmap.Key{Partition: "bucket", Sort: "object"}

func TestPutGetThroughAnyNode(t *testing.T) {
	c := newTestCluster(t, "a", "b", "c")
	w := c.do(0, lwwmap.Put{Key: k, Value: []byte("v1")})
	if w.Err != nil {
		t.Fatal(w.Err)
	}
	got := c.do(2, lwwmap.Get{Key: k}).Result.(lwwmap.Value)
	if !got.Found || string(got.Value) != "v1" || got.Stamp != w.Result.(lwwmap.Written).Stamp {
		t.Fatalf("read %+v after writing v1", got)
	}
	if d := c.do(1, lwwmap.Delete{Key: k}); d.Err != nil {
		t.Fatal(d.Err)
	}
	if got := c.do(0, lwwmap.Get{Key: k}).Result.(lwwmap.Value); got.Found || got.Stamp.IsZero() {
		t.Fatalf("read %+v after delete, want tombstone", got)
	}
}

// TestMessagesCarryTheirCause: what a node sends while working for a
// client request carries that request's id, through every round of calls
// it takes; its peers' answers and its own timers' traffic carry none.
func TestMessagesCarryTheirCause(t *testing.T) {
	c := newTestCluster(t, "a", "b", "c")
	type seen struct{ caused, uncaused, peers int }
	var got seen
	c.sent = func(m rpc.Message) {
		switch {
		case m.From != c.ids[0]:
			got.peers++
			if m.Cause != 0 {
				t.Errorf("%v from a peer carries cause %d", m, m.Cause)
			}
		case m.Cause == c.nextReq:
			got.caused++
		default:
			got.uncaused++
			t.Errorf("%v sent for request %d carries cause %d", m, c.nextReq, m.Cause)
		}
	}
	if r := c.do(0, lwwmap.Put{Key: k, Value: []byte("v")}); r.Err != nil {
		t.Fatal(r.Err)
	}
	if r := c.do(0, lwwmap.Get{Key: k}); r.Err != nil {
		t.Fatal(r.Err)
	}
	if got.caused < 6 || got.peers == 0 {
		t.Fatalf("%+v: want the write's and the read's requests to every replica caused", got)
	}
	var timers int
	c.sent = func(m rpc.Message) {
		if m.Cause != 0 {
			t.Errorf("%v sent from a timer carries cause %d", m, m.Cause)
		}
		timers++
	}
	c.tick(15 * time.Second) // statuses, anti-entropy
	if timers == 0 {
		t.Fatal("no timer traffic to check")
	}
}

func TestQuorumSurvivesOneNodeDown(t *testing.T) {
	c := newTestCluster(t, "a", "b", "c")
	c.down[c.ids[2]] = true
	if r := c.do(0, lwwmap.Put{Key: k, Value: []byte("v")}); r.Err != nil {
		t.Fatalf("write with 2 of 3 up: %v", r.Err)
	}
	c.down[c.ids[1]] = true
	r := c.do(0, lwwmap.Get{Key: k})
	if !errors.Is(r.Err, rpc.ErrTimeout) {
		t.Fatalf("read with 1 of 3 up: want timeout, got %+v", r)
	}
}

func TestAntiEntropyRepairsAReturningNode(t *testing.T) {
	c := newTestCluster(t, "a", "b", "c")
	c.down[c.ids[2]] = true
	for i := range 50 {
		if r := c.do(0, lwwmap.Put{Key: lwwmap.Key{Partition: fmt.Sprint("p", i%5), Sort: fmt.Sprint(i)}, Value: []byte("x")}); r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	// Node 2 restarts from its disk, having missed every write.
	c.down[c.ids[2]] = false
	c.start(c.ids[2])
	if c.nodes[c.ids[2]].Tables().Stats().LocalUpdates != 0 {
		t.Fatal("restarted node should hold nothing yet")
	}
	c.tick(15 * time.Second) // more than one SyncInterval
	for p := range cluster.NumPartitions {
		part := cluster.Partition(p)
		r0 := c.nodes[c.ids[0]].Tables().MerkleRoot(lwwmap.TableID, part)
		for _, id := range c.ids[1:] {
			if c.nodes[id].Tables().MerkleRoot(lwwmap.TableID, part) != r0 {
				t.Fatalf("partition %d differs after anti-entropy", p)
			}
		}
	}
	if c.nodes[c.ids[2]].Tables().Stats().LocalUpdates != 50 {
		t.Fatalf("node 2 received %d entries, want 50", c.nodes[c.ids[2]].Tables().Stats().LocalUpdates)
	}
}

// A node whose clock jumps back (NTP correction, a VM restored) must keep
// running anti-entropy on schedule, not wait for its old deadline to come
// round again. The simulator found this.
func TestAntiEntropySurvivesClockJumpingBack(t *testing.T) {
	c := newTestCluster(t, "a", "b", "c")
	c.tick(time.Second) // every node has scheduled its next pass
	c.down[c.ids[2]] = true
	if r := c.do(0, lwwmap.Put{Key: k, Value: []byte("v")}); r.Err != nil {
		t.Fatal(r.Err)
	}
	c.down[c.ids[2]] = false
	for _, id := range c.ids {
		c.skew[id] = -time.Hour
	}
	c.tick(15 * time.Second)
	if c.nodes[c.ids[2]].Tables().Stats().LocalUpdates != 1 {
		t.Fatal("node 2 did not sync after its clock jumped back an hour")
	}
}

func TestRestartKeepsDataAndLayout(t *testing.T) {
	c := newTestCluster(t, "a", "b", "c")
	c.do(0, lwwmap.Put{Key: k, Value: []byte("durable")})
	for _, id := range c.ids {
		c.start(id) // every node restarts from its records alone
	}
	got := c.do(1, lwwmap.Get{Key: k}).Result.(lwwmap.Value)
	if string(got.Value) != "durable" {
		t.Fatalf("after restart: %+v", got)
	}
}

func TestRangeReadsAcrossReplicas(t *testing.T) {
	c := newTestCluster(t, "a", "b", "c")
	for i := range 12 {
		c.do(i%3, lwwmap.Put{Key: lwwmap.Key{Partition: "b", Sort: fmt.Sprintf("k%02d", i)}, Value: []byte{byte(i)}})
	}
	c.do(0, lwwmap.Delete{Key: lwwmap.Key{Partition: "b", Sort: "k03"}})
	var all []string
	start := ""
	for {
		r := c.do(1, lwwmap.Range{Partition: "b", Start: start, Limit: 5})
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		l := r.Result.(lwwmap.Listing)
		for _, e := range l.Entries {
			all = append(all, e.Sort)
		}
		if !l.More {
			break
		}
		start = l.Next
	}
	want := "[k00 k01 k02 k04 k05 k06 k07 k08 k09 k10 k11]"
	if fmt.Sprint(all) != want {
		t.Fatalf("paged listing %v, want %s", all, want)
	}
}

func TestUnknownOpIsRefused(t *testing.T) {
	c := newTestCluster(t, "a")
	if r := c.do(0, bogusOp{}); !errors.Is(r.Err, ErrUnknownOp) {
		t.Fatalf("want ErrUnknownOp, got %+v", r)
	}
}

type bogusOp struct{}

func (bogusOp) OpName() string { return "bogus" }
