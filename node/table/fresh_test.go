package table

import (
	"fmt"
	"testing"
	"time"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/crdt"
	"github.com/garagego/garage/node/layout"
	"github.com/garagego/garage/node/meta"
	"github.com/garagego/garage/node/rpc"
)

// trio is three engines holding one full-copy table, whose messages a
// test delivers by hand; cut[i] drops everything to and from node i.
type trio struct {
	ids    []cluster.NodeID
	outs   []*rpc.Outbox
	calls  []*rpc.Caller
	engs   []*Engine
	tables []*Table[crdt.Register]
	cut    map[int]bool
	// hold keeps messages to node i back until released.
	hold map[int]bool
	held []rpc.Message
}

func newTrio(t *testing.T, tune func(*Config)) *trio {
	t.Helper()
	tr := &trio{cut: map[int]bool{}, hold: map[int]bool{}}
	var members []layout.Member
	for i := range 3 {
		id := cluster.NodeID{byte(i + 1)}
		tr.ids = append(tr.ids, id)
		members = append(members, layout.Member{ID: id, Role: layout.Role{Zone: fmt.Sprint("z", i), Capacity: 1}})
	}
	v, err := layout.Assign(1, members, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	h := layout.NewHistory(v)
	cfg := DefaultConfig()
	if tune != nil {
		tune(&cfg)
	}
	for _, id := range tr.ids {
		out := rpc.NewOutbox(id)
		calls := rpc.NewCaller(out, 1)
		e := NewEngine(cfg, id, meta.New(), out, calls, func() *layout.History { return h })
		tr.outs, tr.calls, tr.engs = append(tr.outs, out), append(tr.calls, calls), append(tr.engs, e)
		tr.tables = append(tr.tables, Register(e, Schema[crdt.Register]{ID: 1, Name: "keys", Decode: crdt.DecodeRegister, Replication: FullCopy}))
	}
	return tr
}

func (tr *trio) index(id cluster.NodeID) int {
	for i, x := range tr.ids {
		if x == id {
			return i
		}
	}
	panic("unknown node")
}

// deliver routes messages until none are left, all at time now.
func (tr *trio) deliver(now cluster.Time) {
	for moved := true; moved; {
		moved = false
		for i, out := range tr.outs {
			for _, m := range out.Take() {
				moved = true
				to := tr.index(m.To)
				if tr.cut[i] || tr.cut[to] {
					continue
				}
				if tr.hold[to] {
					tr.held = append(tr.held, m)
					continue
				}
				tr.route(now, m)
			}
		}
	}
}

func (tr *trio) route(now cluster.Time, m rpc.Message) {
	to := tr.index(m.To)
	if m.Response {
		tr.calls[to].Handle(now, m)
	} else {
		tr.engs[to].Step(now, m)
	}
}

// release delivers the held messages, and what follows from them.
func (tr *trio) release(now cluster.Time) {
	tr.hold = map[int]bool{}
	held := tr.held
	tr.held = nil
	for _, m := range held {
		tr.route(now, m)
	}
	tr.deliver(now)
}

var freshKey = Key{Sort: "GK1"}

// put writes v under freshKey through node i and reports whether it was
// acknowledged.
func (tr *trio) put(now cluster.Time, i int, v string) bool {
	acked := false
	tr.tables[i].Insert(now, freshKey, crdt.Put(crdt.Stamp{TS: uint64(now), Node: tr.ids[i]}, []byte(v)), func(_ cluster.Time, err error) {
		acked = err == nil
	})
	tr.deliver(now)
	if !acked {
		// A holder cut off: the write settles for all but one after the
		// linger.
		later := now + cluster.Time(DefaultConfig().FullCopyWriteLinger)
		tr.calls[i].Tick(later)
		tr.deliver(later)
	}
	return acked
}

// TestLocalFreshFollowsAntiEntropy: a full-copy table's local copy serves
// reads only while a complete exchange with every peer started at most
// LocalReadMaxAge ago; a write the node missed is never served stale
// beyond that bound, and a sync that started after it brings it.
func TestLocalFreshFollowsAntiEntropy(t *testing.T) {
	tr := newTrio(t, nil)
	sec := func(s int) cluster.Time { return cluster.Time(time.Duration(s) * time.Second) }
	maxAge := DefaultConfig().LocalReadMaxAge
	if !tr.put(sec(1), 1, "v1") {
		t.Fatal("write of v1 not acknowledged")
	}
	if _, _, ok := tr.tables[0].LocalFresh(sec(1), freshKey); ok {
		t.Fatal("fresh before any exchange with the peers")
	}
	tr.engs[0].Tick(sec(2)) // a full-copy pass with both peers
	tr.deliver(sec(2))
	v, found, ok := tr.tables[0].LocalFresh(sec(2), freshKey)
	if !ok || !found || string(v.Value) != "v1" {
		t.Fatalf("after a complete pass: %q found=%v fresh=%v, want v1 from a fresh copy", v.Value, found, ok)
	}

	// Node 0 misses v2 (acknowledged by nodes 1 and 2 alone).
	tr.cut[0] = true
	if !tr.put(sec(3), 1, "v2") {
		t.Fatal("write of v2 not acknowledged by two of three")
	}
	tr.cut[0] = false
	// Within the bound the stale copy may serve (the documented window)...
	if v, _, ok := tr.tables[0].LocalFresh(sec(3), freshKey); ok && string(v.Value) != "v1" {
		t.Fatalf("unexpected %q", v.Value)
	}
	// ...never past it: with no exchange since, the copy stops serving.
	late := sec(2) + cluster.Time(maxAge) + 1
	if _, _, ok := tr.tables[0].LocalFresh(late, freshKey); ok {
		t.Fatalf("served past LocalReadMaxAge (%v) after the last exchange", maxAge)
	}
	// A pass that started after v2's acknowledgement brings it.
	tr.engs[0].SyncNow(sec(4))
	tr.deliver(sec(4))
	v, _, ok = tr.tables[0].LocalFresh(sec(4), freshKey)
	if !ok || string(v.Value) != "v2" {
		t.Fatalf("after a pass past the missed write: %q fresh=%v, want v2", v.Value, ok)
	}

	// An exchange with one peer only is not enough: the other may hold a
	// write neither of us has.
	tr.cut[2] = true
	tr.engs[0].SyncNow(sec(40))
	tr.deliver(sec(40))
	if _, _, ok := tr.tables[0].LocalFresh(sec(40), freshKey); ok {
		t.Fatal("fresh with one peer unreachable since the last complete pass with it expired")
	}
}

// TestLocalFreshNeedsCompleteExchange: an exchange cut short by
// MaxSyncItems does not make the copy fresh, the one that finishes does.
func TestLocalFreshNeedsCompleteExchange(t *testing.T) {
	tr := newTrio(t, func(c *Config) { c.MaxSyncItems = 1 })
	// Many entries node 0 lacks, in many leaves.
	tr.cut[0] = true
	for i := range 40 {
		tr.tables[1].Insert(1, Key{Sort: fmt.Sprint("k", i)}, crdt.Put(crdt.Stamp{TS: 1, Node: tr.ids[1]}, []byte("v")), func(cluster.Time, error) {})
	}
	tr.deliver(1)
	tr.cut[0] = false
	// And many of its own in the same leaves, so that what it sends of
	// them exceeds MaxSyncItems.
	for i := range 40 {
		if err := tr.tables[0].JoinLocal(1, Key{Sort: fmt.Sprint("mine", i)}, crdt.Put(crdt.Stamp{TS: 1, Node: tr.ids[0]}, []byte("v"))); err != nil {
			t.Fatal(err)
		}
	}
	tr.engs[0].SyncNow(2)
	tr.deliver(2)
	if _, _, ok := tr.tables[0].LocalFresh(2, freshKey); ok {
		t.Fatal("fresh after exchanges cut short by MaxSyncItems")
	}
	for s := cluster.Time(3); s < 200; s++ {
		tr.engs[0].SyncNow(s)
		tr.deliver(s)
		if _, _, ok := tr.tables[0].LocalFresh(s, freshKey); ok {
			if n := tr.engs[0].Count(1); n != 80 {
				t.Fatalf("fresh holding %d entries, want all 80", n)
			}
			return
		}
	}
	t.Fatal("never fresh after repeated passes")
}

// TestFullCopyWriteWaitsForEveryHolder: a write to a full-copy table is
// acknowledged once every holder took it (so every local copy serves it),
// not at the first two of three; with a holder silent past the linger, it
// settles for all but one.
func TestFullCopyWriteWaitsForEveryHolder(t *testing.T) {
	tr := newTrio(t, nil)
	acked := false
	tr.hold[2] = true
	tr.tables[0].Insert(1, freshKey, crdt.Put(crdt.Stamp{TS: 1, Node: tr.ids[0]}, []byte("v")), func(_ cluster.Time, err error) { acked = err == nil })
	tr.deliver(1)
	if acked {
		t.Fatal("acknowledged before the third holder took the write")
	}
	tr.release(2)
	if !acked {
		t.Fatal("not acknowledged once every holder took it")
	}
	if _, ok := tr.tables[2].Local(freshKey); !ok {
		t.Fatal("the third holder lacks an acknowledged write")
	}

	// A silent holder: acknowledged by all but one after the linger.
	acked = false
	tr.cut[2] = true
	tr.tables[0].Insert(3, freshKey, crdt.Put(crdt.Stamp{TS: 3, Node: tr.ids[0]}, []byte("w")), func(_ cluster.Time, err error) { acked = err == nil })
	tr.deliver(3)
	if acked {
		t.Fatal("acknowledged within the linger without the third holder")
	}
	later := 3 + cluster.Time(DefaultConfig().FullCopyWriteLinger)
	tr.calls[0].Tick(later)
	tr.deliver(later)
	if !acked {
		t.Fatal("not acknowledged by two of three after the linger")
	}
	if tr.engs[0].Stats().FullCopyWritesShort != 1 {
		t.Errorf("FullCopyWritesShort = %d, want 1", tr.engs[0].Stats().FullCopyWritesShort)
	}
}
