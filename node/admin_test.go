package node

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/lwwmap"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/table"
)

func mustDo(t *testing.T, c *testCluster, via int, op Op) any {
	t.Helper()
	r := c.do(via, op)
	if r.Err != nil {
		t.Fatalf("%s via node %d: %v", op.OpName(), via, r.Err)
	}
	return r.Result
}

func TestLayoutFromEmptyThroughAdmin(t *testing.T) {
	c := newEmptyCluster(t, 3)
	if r := c.do(0, lwwmap.Put{Key: k, Value: []byte("x")}); !errors.Is(r.Err, table.ErrNoLayout) {
		t.Fatalf("write before any layout: want ErrNoLayout, got %v", r.Err)
	}
	for i, z := range []string{"dc1", "dc2", "dc3"} {
		mustDo(t, c, 0, admin.AssignRole{Nodes: []string{c.ids[i].Hex()[:8]}, Zone: z, Capacity: 1 << 30})
	}
	info := mustDo(t, c, 1, admin.GetLayout{}).(admin.LayoutInfo) // staging gossiped to node 1
	if len(info.Staged) != 3 || len(info.Preview) != 3 {
		t.Fatalf("node 1 sees %d staged roles and a preview of %d (%s)", len(info.Staged), len(info.Preview), info.PreviewError)
	}
	if r := c.do(1, admin.ApplyLayout{Version: 2}); r.Err == nil {
		t.Fatal("applying version 2 first must be refused")
	}
	mustDo(t, c, 1, admin.ApplyLayout{Version: 1})
	c.tick(3 * time.Second) // status rounds spread the new layout
	for i, id := range c.ids {
		if v := c.nodes[id].Layout().Current().Number; v != 1 {
			t.Fatalf("node %d is at layout version %d", i, v)
		}
	}
	if r := c.do(2, lwwmap.Put{Key: k, Value: []byte("x")}); r.Err != nil {
		t.Fatalf("write after layout applied: %v", r.Err)
	}
	st := mustDo(t, c, 2, admin.GetStatus{}).(admin.ClusterStatus)
	if len(st.Nodes) != 3 || !st.Nodes[0].HasRole || st.LayoutVersion != 1 {
		t.Fatalf("status: %+v", st)
	}
	if r := c.do(0, admin.AssignRole{Nodes: []string{"ffffffff"}, Zone: "x", Capacity: 1}); !errors.Is(r.Err, admin.ErrNotFound) {
		t.Fatalf("unknown node prefix: %v", r.Err)
	}
}

func TestKeysAndBucketsAcrossNodes(t *testing.T) {
	c := newTestCluster(t, "a", "b", "c")
	secret := strings.Repeat("ab", 32)
	key := mustDo(t, c, 0, admin.CreateKey{Name: "alice", ID: "GK0123456789abcdef01234567", Secret: secret}).(admin.KeyInfo)
	if key.Secret != secret {
		t.Fatal("a new key's secret is shown once")
	}
	if r := c.do(1, admin.ImportKey{ID: key.ID, Secret: secret}); !errors.Is(r.Err, admin.ErrConflict) {
		t.Fatalf("importing an existing id: %v", r.Err)
	}
	bid := strings.Repeat("c", 64)
	mustDo(t, c, 1, admin.CreateBucket{Name: "photos", ID: bid})
	if r := c.do(2, admin.CreateBucket{Name: "photos", ID: strings.Repeat("d", 64)}); !errors.Is(r.Err, admin.ErrConflict) {
		t.Fatalf("duplicate bucket name: %v", r.Err)
	}
	mustDo(t, c, 2, admin.SetBucketPerms{Bucket: "photos", Key: "alice", Read: true, Write: true, Allow: true})

	// Any node sees the result.
	b := mustDo(t, c, 0, admin.GetBucket{Name: "photos"}).(admin.BucketInfo)
	if len(b.Keys) != 1 || !b.Keys[0].Read || !b.Keys[0].Write || b.Keys[0].Owner || b.Keys[0].Name != "alice" {
		t.Fatalf("bucket info: %+v", b)
	}
	k := mustDo(t, c, 1, admin.GetKey{Pattern: "GK0123"}).(admin.KeyInfo)
	if len(k.Buckets) != 1 || k.Buckets[0].Aliases[0] != "photos" || k.Secret != "" {
		t.Fatalf("key info: %+v", k)
	}

	mustDo(t, c, 0, admin.AliasBucket{Bucket: "photos", Alias: "pics"})
	if r := c.do(0, admin.AliasBucket{Bucket: "pics", Alias: "pics", Remove: true}); r.Err != nil {
		t.Fatal(r.Err)
	}
	if r := c.do(0, admin.AliasBucket{Bucket: "photos", Alias: "photos", Remove: true}); !errors.Is(r.Err, admin.ErrConflict) {
		t.Fatalf("removing the last alias must be refused: %v", r.Err)
	}
	mustDo(t, c, 2, admin.AliasBucket{Bucket: "photos", Alias: "mine", LocalKey: "alice"})

	mustDo(t, c, 1, admin.DeleteBucket{Name: "photos"})
	if r := c.do(2, admin.GetBucket{Name: "photos"}); !errors.Is(r.Err, admin.ErrNotFound) {
		t.Fatalf("deleted bucket still found: %v", r.Err)
	}
	k = mustDo(t, c, 0, admin.GetKey{Pattern: "alice"}).(admin.KeyInfo)
	if len(k.Buckets) != 0 || len(k.LocalAliases) != 0 {
		t.Fatalf("deleting the bucket left the key's rights or aliases: %+v", k)
	}
	mustDo(t, c, 0, admin.CreateBucket{Name: "photos", ID: strings.Repeat("e", 64)}) // the name is free again

	mustDo(t, c, 0, admin.DeleteKey{Pattern: "alice"})
	keys := mustDo(t, c, 2, admin.ListKeys{}).([]admin.KeyInfo)
	if len(keys) != 0 {
		t.Fatalf("deleted key still listed: %+v", keys)
	}
	if r := c.do(0, admin.ImportKey{ID: key.ID, Secret: secret}); !errors.Is(r.Err, admin.ErrConflict) {
		t.Fatalf("a deleted key id must not be reused: %v", r.Err)
	}
}

func TestAdminSurvivesOneNodeDown(t *testing.T) {
	c := newTestCluster(t, "a", "b", "c")
	c.down[c.ids[2]] = true
	for i := range 5 {
		mustDo(t, c, i%2, admin.CreateBucket{Name: fmt.Sprintf("bucket-%d", i), ID: strings.Repeat(fmt.Sprint(i), 64)})
	}
	c.down[c.ids[2]] = false
	c.start(c.ids[2])
	c.tick(15 * time.Second) // anti-entropy brings node 2 up to date
	local := c.nodes[c.ids[2]].Tables().LocalEntries(model.BucketsTable, table.PartitionOf(""))
	if len(local) != 5 {
		t.Fatalf("node 2 holds %d buckets itself after anti-entropy, want 5", len(local))
	}
	c.down[c.ids[0]] = true
	buckets := mustDo(t, c, 2, admin.ListBuckets{}).([]admin.BucketInfo)
	if len(buckets) != 5 {
		t.Fatalf("node 2 lists %d buckets after catching up, want 5", len(buckets))
	}
}
