package table

import (
	"fmt"
	"testing"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/crdt"
	"github.com/garagego/garage/node/layout"
	"github.com/garagego/garage/node/meta"
	"github.com/garagego/garage/node/rpc"
	"github.com/garagego/garage/node/wire"
)

func testEngine(t *testing.T) (*Engine, *Table[crdt.Register]) {
	t.Helper()
	self := cluster.NodeID{1}
	v, err := layout.Assign(1, []layout.Member{{ID: self, Role: layout.Role{Zone: "a", Capacity: 1}}}, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	h := layout.NewHistory(v)
	out := rpc.NewOutbox(self)
	e := NewEngine(DefaultConfig(), self, meta.New(), out, rpc.NewCaller(out, 1), func() *layout.History { return h })
	return e, Register(e, Schema[crdt.Register]{ID: 1, Name: "test", Decode: crdt.DecodeRegister})
}

func encodeReg(r crdt.Register) []byte {
	e := wire.NewEncoder(nil)
	r.Encode(e)
	return e.Bytes()
}

func TestPeerGarbageIsRefusedNotStored(t *testing.T) {
	e, _ := testEngine(t)
	key := e.tables[1].storageKey(Key{Partition: "p", Sort: "s"})
	cases := map[string]Update{
		"unknown table":  {Table: 9, Entries: []KV{{Key: key, Value: encodeReg(crdt.Put(crdt.Stamp{TS: 1}, nil))}}},
		"key of another": {Table: 1, Entries: []KV{{Key: "t\x02" + key[2:], Value: encodeReg(crdt.Put(crdt.Stamp{TS: 1}, nil))}}},
		"short key":      {Table: 1, Entries: []KV{{Key: "t\x01", Value: encodeReg(crdt.Put(crdt.Stamp{TS: 1}, nil))}}},
		"garbage value":  {Table: 1, Entries: []KV{{Key: key, Value: []byte{0xff, 0xff}}}},
		"trailing bytes": {Table: 1, Entries: []KV{{Key: key, Value: append(encodeReg(crdt.Put(crdt.Stamp{TS: 1}, nil)), 0)}}},
	}
	for name, u := range cases {
		if _, ok := e.handleUpdate(0, u).(rpc.Error); !ok {
			t.Errorf("%s: accepted", name)
		}
	}
	if e.store.Len() != 0 {
		t.Fatalf("garbage reached the store: %d entries", e.store.Len())
	}
}

func TestUpdateJoinsAndIsIdempotent(t *testing.T) {
	e, tbl := testEngine(t)
	key := e.tables[1].storageKey(Key{Partition: "p", Sort: "s"})
	newer := encodeReg(crdt.Put(crdt.Stamp{TS: 2}, []byte("new")))
	older := encodeReg(crdt.Put(crdt.Stamp{TS: 1}, []byte("old")))
	for _, v := range [][]byte{newer, older, newer} {
		if _, ok := e.handleUpdate(0, Update{Table: 1, Entries: []KV{{Key: key, Value: v}}}).(Ack); !ok {
			t.Fatal("update refused")
		}
	}
	got, _ := tbl.Local(Key{Partition: "p", Sort: "s"})
	if string(got.Value) != "new" {
		t.Fatalf("stored %q, want the newer write", got.Value)
	}
	if n := len(e.store.TakePending()); n != 1 {
		t.Fatalf("%d records persisted; the older write and the replay must not write", n)
	}
}

// A range read covers only what every answering replica covered: when one
// replica stopped at its limit, keys past its last one are left out even if
// another replica returned them, because the first might hold a newer
// tombstone for them.
func TestJoinRangesStopsAtShortestFullReply(t *testing.T) {
	e, _ := testEngine(t)
	t1 := e.tables[1]
	prefix := t1.partitionPrefix("p")
	kv := func(sort string, ts uint64) KV {
		return KV{Key: prefix + sort, Value: encodeReg(crdt.Put(crdt.Stamp{TS: ts}, []byte(sort)))}
	}
	a := rpc.Response{Body: Entries{Entries: []KV{kv("a", 1), kv("b", 1), kv("c", 1), kv("d", 1)}, Full: true}}
	b := rpc.Response{Body: Entries{Entries: []KV{kv("a", 2), kv("c", 1)}, Full: true}}
	res, repairs, err := e.joinRanges(t1, prefix, []rpc.Response{a, b}, 4, false)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, x := range res.Entries {
		keys = append(keys, sortKeyOf(x.Key))
	}
	if fmt.Sprint(keys) != "[a b c]" || !res.More || res.Next != "c\x00" {
		t.Fatalf("got %v more=%v next=%q, want [a b c] up to c", keys, res.More, res.Next)
	}
	if len(repairs) != 2 { // a differs, b is missing from one replica
		t.Fatalf("want 2 repairs, got %d", len(repairs))
	}
	// A limit smaller than what was covered cuts there instead.
	res, _, _ = e.joinRanges(t1, prefix, []rpc.Response{a, b}, 2, false)
	if len(res.Entries) != 2 || res.Next != "c" {
		t.Fatalf("limit 2: %d entries, next %q", len(res.Entries), res.Next)
	}
}

// In reverse, a replica that stopped at its limit covered down to its last
// key, so the join stops there and the caller continues from that key.
func TestJoinRangesReverse(t *testing.T) {
	e, _ := testEngine(t)
	t1 := e.tables[1]
	prefix := t1.partitionPrefix("p")
	kv := func(sort string) KV {
		return KV{Key: prefix + sort, Value: encodeReg(crdt.Put(crdt.Stamp{TS: 1}, []byte(sort)))}
	}
	a := rpc.Response{Body: Entries{Entries: []KV{kv("d"), kv("c"), kv("b"), kv("a")}}}
	b := rpc.Response{Body: Entries{Entries: []KV{kv("d"), kv("b")}, Full: true}}
	res, _, err := e.joinRanges(t1, prefix, []rpc.Response{a, b}, 10, true)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, x := range res.Entries {
		keys = append(keys, sortKeyOf(x.Key))
	}
	if fmt.Sprint(keys) != "[d c b]" || !res.More || res.Next != "b" {
		t.Fatalf("got %v more=%v next=%q, want [d c b] continuing at b", keys, res.More, res.Next)
	}
}

// A replica's reverse range runs from Start (inclusive) down to End
// (excluded) within its partition key only.
func TestHandleReadRangeReverse(t *testing.T) {
	e, _ := testEngine(t)
	for _, pk := range []string{"p", "q"} {
		for _, sk := range []string{"a", "b", "c"} {
			key := e.tables[1].storageKey(Key{Partition: pk, Sort: sk})
			e.handleUpdate(0, Update{Table: 1, Entries: []KV{{Key: key, Value: encodeReg(crdt.Put(crdt.Stamp{TS: 1}, []byte(sk)))}}})
		}
	}
	for _, c := range []struct {
		start, end string
		limit      int
		want       string
	}{
		{"", "", 0, "[c b a]"}, {"b", "", 0, "[b a]"}, {"", "a", 0, "[c b]"}, {"c", "a", 1, "[c]"}, {"bb", "", 0, "[b a]"},
	} {
		res := e.handleReadRange(ReadRange{Table: 1, PartitionKey: "p", Start: c.start, End: c.end, Limit: c.limit, Reverse: true}).(Entries)
		var keys []string
		for _, x := range res.Entries {
			keys = append(keys, sortKeyOf(x.Key))
		}
		if fmt.Sprint(keys) != c.want {
			t.Errorf("reverse [%q, %q) limit %d: %v, want %s", c.start, c.end, c.limit, keys, c.want)
		}
	}
}

func TestPrefixEnd(t *testing.T) {
	for in, want := range map[string]string{"t\x01ab": "t\x01ac", "t\x01a\xff": "t\x01b", "t\x01\xff\xff": "t\x02"} {
		if got := PrefixEnd(in); got != want {
			t.Errorf("PrefixEnd(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestQuorums(t *testing.T) {
	for _, c := range []struct {
		mode    Consistency
		n, r, w int
	}{
		{Consistent, 3, 2, 2}, {Consistent, 2, 1, 2}, {Consistent, 1, 1, 1}, {Consistent, 5, 3, 3},
		{Consistent, 4, 2, 3}, {Degraded, 3, 1, 2}, {Dangerous, 3, 1, 1},
	} {
		r, w := c.mode.Quorums(c.n)
		if r != c.r || w != c.w {
			t.Errorf("%v n=%d: got R=%d W=%d, want R=%d W=%d", c.mode, c.n, r, w, c.r, c.w)
		}
		if c.mode == Consistent && r+w <= c.n {
			t.Errorf("%v n=%d: quorums do not intersect", c.mode, c.n)
		}
	}
}

// TestHandOverWaitsForEveryNewHolder: a node that no longer stores a
// partition hands its entries to every holder of every live version and
// drops them only once all of them acknowledged. With one new holder not
// answering, the entries stay and nothing counts as offloaded; once it
// answers, they go. The planted OffloadQuorumOnly drops them early.
func TestHandOverWaitsForEveryNewHolder(t *testing.T) {
	for _, planted := range []bool{false, true} {
		t.Run(fmt.Sprintf("planted=%v", planted), func(t *testing.T) {
			self := cluster.NodeID{9}
			holders := []cluster.NodeID{{1}, {2}, {3}}
			var members []layout.Member
			for i, id := range holders {
				members = append(members, layout.Member{ID: id, Role: layout.Role{Zone: fmt.Sprint("z", i), Capacity: 1}})
			}
			v, err := layout.Assign(1, members, 3, 0)
			if err != nil {
				t.Fatal(err)
			}
			h := layout.NewHistory(v) // self is not a member: it stores nothing now
			out := rpc.NewOutbox(self)
			calls := rpc.NewCaller(out, 1)
			cfg := DefaultConfig()
			cfg.Bugs.OffloadQuorumOnly = planted
			e := NewEngine(cfg, self, meta.New(), out, calls, func() *layout.History { return h })
			tbl := Register(e, Schema[crdt.Register]{ID: 1, Name: "test", Decode: crdt.DecodeRegister})
			for i := range 10 {
				key := tbl.state.storageKey(Key{Partition: "p", Sort: fmt.Sprint(i)})
				e.store.Put(key, encodeReg(crdt.Put(crdt.Stamp{TS: 1}, []byte("v"))))
				tbl.state.tree(partitionOfStorageKey(key)).Set(key, cluster.Sum([]byte("v")))
			}
			e.Tick(1)
			reqs := out.Take()
			if len(reqs) != 3 {
				t.Fatalf("hand-over sent %d requests, want one to each of 3 holders", len(reqs))
			}
			for _, r := range reqs[:2] { // two of three new holders answer
				calls.Handle(2, rpc.Message{From: r.To, To: self, ID: r.ID, Response: true, Body: Ack{}})
			}
			left, offloaded := e.Count(1), e.Stats().Offloaded
			if planted {
				if left != 0 {
					t.Fatalf("the planted bug kept %d entries: the test proves nothing", left)
				}
				return
			}
			if left != 10 || offloaded != 0 {
				t.Fatalf("with a new holder silent: %d entries left, %d offloaded; want all 10 kept, 0 offloaded", left, offloaded)
			}
			calls.Handle(3, rpc.Message{From: reqs[2].To, To: self, ID: reqs[2].ID, Response: true, Body: Ack{}})
			if left, offloaded := e.Count(1), e.Stats().Offloaded; left != 0 || offloaded != 10 {
				t.Fatalf("once every holder answered: %d left, %d offloaded; want 0 and 10", left, offloaded)
			}
		})
	}
}
