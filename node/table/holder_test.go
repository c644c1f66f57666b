package table

import (
	"fmt"
	"strings"
	"testing"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/crdt"
	"github.com/garagego/garage/node/layout"
	"github.com/garagego/garage/node/meta"
	"github.com/garagego/garage/node/rpc"
)

// TestReadsOfPartitionsNotHeldAreRefused: a node that holds no partition
// in its layout (it was removed, and handed its entries over) refuses
// reads of a sharded table instead of answering "nothing here", which a
// coordinator whose layout is behind would count towards an empty read
// quorum; full-copy tables, held by every node, still answer.
func TestReadsOfPartitionsNotHeldAreRefused(t *testing.T) {
	self := cluster.NodeID{9}
	var members []layout.Member
	for i := range 3 {
		members = append(members, layout.Member{ID: cluster.NodeID{byte(i + 1)}, Role: layout.Role{Zone: fmt.Sprint("z", i), Capacity: 1}})
	}
	v, err := layout.Assign(1, members, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	h := layout.NewHistory(v)
	out := rpc.NewOutbox(self)
	e := NewEngine(DefaultConfig(), self, meta.New(), out, rpc.NewCaller(out, 1), func() *layout.History { return h })
	sharded := Register(e, Schema[crdt.Register]{ID: 1, Name: "objects", Decode: crdt.DecodeRegister})
	full := Register(e, Schema[crdt.Register]{ID: 2, Name: "keys", Decode: crdt.DecodeRegister, Replication: FullCopy})
	ask := func(body rpc.Body) rpc.Body {
		t.Helper()
		e.Step(1, rpc.Message{From: cluster.NodeID{1}, To: self, ID: 7, Body: body})
		msgs := out.Take()
		if len(msgs) != 1 {
			t.Fatalf("%d answers, want 1", len(msgs))
		}
		return msgs[0].Body
	}
	for _, body := range []rpc.Body{
		Read{Table: 1, Key: sharded.state.storageKey(Key{Partition: "p", Sort: "s"})},
		ReadRange{Table: 1, PartitionKey: "p"},
	} {
		if err, ok := ask(body).(rpc.Error); !ok || !strings.Contains(err.Message, "does not hold partition") {
			t.Errorf("%T of a partition not held: answered %#v, want a refusal", body, err)
		}
	}
	if _, ok := ask(Read{Table: 2, Key: full.state.storageKey(Key{Sort: "GK1"})}).(Entries); !ok {
		t.Error("a full-copy read was refused")
	}
	if st := e.Stats(); st.NotHolderReads != 2 || st.BadRequests != 0 {
		t.Errorf("stats: %d reads refused as not held, %d bad requests; want 2 and 0", st.NotHolderReads, st.BadRequests)
	}
}
