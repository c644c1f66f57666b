package block

import (
	"errors"
	"testing"
	"time"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/layout"
	"github.com/garagego/garage/node/meta"
	"github.com/garagego/garage/node/rpc"
	"github.com/garagego/garage/node/table"
)

// oneNode drives a block manager alone: messages to itself loop back, disk
// operations run against a map.
type oneNode struct {
	t     *testing.T
	now   cluster.Time
	m     *Manager
	out   *rpc.Outbox
	calls *rpc.Caller
	disk  map[cluster.Hash][]byte
	store *meta.Store
}

func newOneNode(t *testing.T, cfg Config) *oneNode {
	self := cluster.NodeID{7}
	v, err := layout.Assign(1, []layout.Member{{ID: self, Role: layout.Role{Zone: "z", Capacity: 1}}}, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	h := layout.NewHistory(v)
	n := &oneNode{t: t, now: cluster.Time(time.Hour), store: meta.New(), disk: map[cluster.Hash][]byte{}}
	n.out = rpc.NewOutbox(self)
	n.calls = rpc.NewCaller(n.out, 1)
	n.m = New(cfg, table.Consistent, self, n.store, n.out, n.calls, func() *layout.History { return h })
	return n
}

// settle runs messages and disk operations until nothing is left.
func (n *oneNode) settle() {
	for range 1000 {
		msgs, ios := n.out.Take(), n.m.TakeIO()
		if len(msgs) == 0 && len(ios) == 0 {
			return
		}
		for _, m := range msgs {
			if m.Response {
				n.calls.Handle(n.now, m)
			} else {
				n.m.Step(n.now, m)
			}
		}
		for _, req := range ios {
			res := IOResult{ID: req.ID}
			data, ok := n.disk[req.Hash]
			switch req.Kind {
			case IOWrite:
				n.disk[req.Hash] = req.Data
			case IORead:
				if !ok {
					res.Err = ErrNotFound
				}
				res.Data = data
			case IOStat:
				res.Present = ok
			case IODelete, IOQuarantine:
				delete(n.disk, req.Hash)
			}
			n.m.Complete(n.now, res)
		}
	}
	n.t.Fatal("no quiescence")
}

func (n *oneNode) advance(d time.Duration) {
	end := n.now.Add(d)
	for n.now < end {
		n.now = n.now.Add(100 * time.Millisecond)
		n.m.Tick(n.now)
		n.settle()
	}
}

func TestBlockCollectedOnlyAfterGCDelay(t *testing.T) {
	n := newOneNode(t, Config{GCDelay: 10 * time.Second})
	h := cluster.Sum([]byte("data"))
	var putErr error
	n.m.Put(n.now, h, []byte("data"), false, func(_ cluster.Time, err error) { putErr = err })
	n.settle()
	if putErr != nil || n.disk[h] == nil {
		t.Fatalf("put: %v", putErr)
	}
	n.m.Referenced(n.now, h)
	n.advance(time.Second)
	n.m.Unreferenced(n.now, h)
	n.advance(9 * time.Second)
	if n.disk[h] == nil {
		t.Fatal("collected before GCDelay passed")
	}
	n.advance(2 * time.Second)
	if n.disk[h] != nil {
		t.Fatal("not collected after GCDelay")
	}
	if rc := n.m.RefCount(h); rc != (RefCount{}) {
		t.Fatalf("reference count left behind: %+v", rc)
	}
}

func TestReferencedAgainBeforeGCIsKept(t *testing.T) {
	n := newOneNode(t, Config{GCDelay: 10 * time.Second})
	h := cluster.Sum([]byte("x"))
	n.m.Put(n.now, h, []byte("x"), false, func(cluster.Time, error) {})
	n.settle()
	n.m.Referenced(n.now, h)
	n.m.Unreferenced(n.now, h)
	n.advance(5 * time.Second)
	n.m.Referenced(n.now, h) // deduplicated by a new version
	n.advance(20 * time.Second)
	if n.disk[h] == nil {
		t.Fatal("a block referenced again was collected")
	}
}

// A block written again after its last reference went (the same content
// put anew) gets its grace period from the new write: the old zero count's
// deadline, passing between the write and the new reference, must not
// collect it. (Found by the schedule fuzzer: a referenced block gone from
// every holder.)
func TestWriteAgainRestartsTheGracePeriod(t *testing.T) {
	n := newOneNode(t, Config{GCDelay: 10 * time.Second})
	h := cluster.Sum([]byte("again"))
	n.m.Put(n.now, h, []byte("again"), false, func(cluster.Time, error) {})
	n.settle()
	n.m.Referenced(n.now, h)
	n.m.Unreferenced(n.now, h) // zero since now: collectable in 10 s
	n.advance(8 * time.Second)
	n.m.Put(n.now, h, []byte("again"), false, func(cluster.Time, error) {}) // a new put of the same content
	n.settle()
	n.advance(5 * time.Second) // past the old deadline, before the new one
	if n.disk[h] == nil {
		t.Fatal("a block written again was collected on its old deadline, before its reference could land")
	}
	n.m.Referenced(n.now, h)
	n.advance(20 * time.Second)
	if n.disk[h] == nil {
		t.Fatal("a referenced block was collected")
	}
}

func TestUnreferencedWriteIsCollectedEventually(t *testing.T) {
	// The writer crashed before writing the reference: the block must not stay forever.
	n := newOneNode(t, Config{GCDelay: 10 * time.Second})
	h := cluster.Sum([]byte("orphan"))
	n.m.Put(n.now, h, []byte("orphan"), false, func(cluster.Time, error) {})
	n.settle()
	n.advance(11 * time.Second)
	if n.disk[h] != nil {
		t.Fatal("an unreferenced block survived its grace period")
	}
}

func TestReadMissingBlockFails(t *testing.T) {
	n := newOneNode(t, Config{})
	var got error
	n.m.Get(n.now, cluster.Sum([]byte("nope")), func(_ cluster.Time, _ []byte, _ bool, err error) { got = err })
	n.settle()
	if !errors.Is(got, ErrNotFound) {
		t.Fatalf("want ErrNotFound, got %v", got)
	}
}

func TestWorkerSettingsPersist(t *testing.T) {
	n := newOneNode(t, Config{})
	if err := n.m.SetSetting("resync-worker-count", 9); err == nil {
		t.Fatal("resync-worker-count 9 accepted")
	}
	if err := n.m.SetSetting("bogus", 1); err == nil {
		t.Fatal("unknown variable accepted")
	}
	if err := n.m.SetSetting("resync-tranquility", 7); err != nil {
		t.Fatal(err)
	}
	again := New(Config{}, table.Consistent, cluster.NodeID{7}, n.store, n.out, n.calls, n.m.layout)
	if v, _ := again.Setting("resync-tranquility"); v != 7 {
		t.Fatalf("after restart resync-tranquility = %d, want 7", v)
	}
}
