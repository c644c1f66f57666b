package node

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/table"
)

var quotaVersion byte

func putSmall(c *testCluster, via int, bucket model.BucketID, key string, size int) error {
	quotaVersion++
	data := []byte(strings.Repeat("x", size))
	r := c.do(via, object.PutInline{Bucket: bucket, Key: key, Version: model.VersionID{0xcc, quotaVersion}, Data: data,
		Meta: model.ObjectMeta{Size: uint64(size)}})
	return r.Err
}

func bucketUsage(t *testing.T, c *testCluster, via int, name string) (model.Usage, *model.Quotas) {
	t.Helper()
	info := mustDo(t, c, via, admin.GetBucket{Name: name}).(admin.BucketInfo)
	return *info.Usage, info.Quotas
}

func scanUsage(t *testing.T, c *testCluster, via int, b model.Bucket) model.Usage {
	t.Helper()
	var got model.Usage
	var gotErr error
	replied := false
	c.nodes[c.ids[via]].Objects().UsageScan(c.now, b, func(_ cluster.Time, u model.Usage, err error) { got, gotErr, replied = u, err, true })
	c.drain(c.ids[via])
	c.run()
	if !replied || gotErr != nil {
		t.Fatalf("scan: replied %v, %v", replied, gotErr)
	}
	return got
}

// Every storage node counts the bucket's entries it holds; a node that
// missed writes while down lags, and catches up by anti-entropy; readers
// take the greatest of the holders' counts, so `bucket info` answers the
// scan's numbers through any node, even while one lags.
func TestBucketCountersConvergeAcrossNodes(t *testing.T) {
	c := newTestCluster(t, "a", "b", "c")
	info := mustDo(t, c, 0, admin.CreateBucket{Name: "counted", ID: strings.Repeat("ab", 32)}).(admin.BucketInfo)
	id, _ := model.ParseBucketID(info.ID)
	b := model.Bucket{ID: id}
	for i, key := range []string{"a", "b", "c", "a"} {
		if err := putSmall(c, i%3, id, key, 100*(i+1)); err != nil {
			t.Fatal(err)
		}
	}
	c.down[c.ids[2]] = true
	if err := putSmall(c, 0, id, "d", 50); err != nil {
		t.Fatal(err)
	}
	if r := c.do(1, object.Delete{Bucket: id, Key: "b", Version: model.VersionID{0xdd}}); r.Err != nil {
		t.Fatal(r.Err)
	}
	c.tick(2 * time.Second)
	want := model.Usage{Objects: 3, Versions: 3, Bytes: 400 + 300 + 50}
	if got := scanUsage(t, c, 0, b); got != want {
		t.Fatalf("scan %+v, want %+v", got, want)
	}
	if got, _ := bucketUsage(t, c, 1, "counted"); got != want {
		t.Fatalf("usage with a node down: %+v, want %+v", got, want)
	}
	if _, lagging := c.nodes[c.ids[2]].Objects().LocalCounts(id); lagging.Objects != 3 || lagging.Bytes != 400+200+300 {
		t.Fatalf("the node that was down counts %+v", lagging)
	}
	c.down[c.ids[2]] = false
	c.tick(25 * time.Second) // anti-entropy brings node 2 up to date
	for i, n := range c.ids {
		if _, got := c.nodes[n].Objects().LocalCounts(id); got.Usage(model.VersioningOff) != want {
			t.Fatalf("node %d counts %+v, want %+v", i, got, want)
		}
		if got, _ := bucketUsage(t, c, i, "counted"); got != want {
			t.Fatalf("usage through node %d: %+v, want %+v", i, got, want)
		}
	}
}

// Quotas set through the admin operation hold on every node: a write
// through any of them that would go over is refused before it commits.
func TestQuotasHoldThroughEveryNode(t *testing.T) {
	c := newTestCluster(t, "a", "b", "c")
	info := mustDo(t, c, 0, admin.CreateBucket{Name: "limited", ID: strings.Repeat("cd", 32)}).(admin.BucketInfo)
	id, _ := model.ParseBucketID(info.ID)
	size, objects := uint64(1000), uint64(3)
	mustDo(t, c, 1, admin.SetBucketQuotas{Name: "limited", MaxSize: &size, MaxObjects: &objects})
	c.tick(2 * time.Second)
	if err := putSmall(c, 0, id, "a", 600); err != nil {
		t.Fatal(err)
	}
	c.tick(2 * time.Second)
	if err := putSmall(c, 2, id, "b", 500); !errors.Is(err, object.ErrQuotaExceeded) {
		t.Fatalf("a put over the size quota through node 2: %v", err)
	}
	if err := putSmall(c, 1, id, "a", 900); err != nil {
		t.Fatalf("an overwrite within the quota: %v", err)
	}
	c.tick(2 * time.Second)
	u, q := bucketUsage(t, c, 2, "limited")
	if u != (model.Usage{Objects: 1, Versions: 1, Bytes: 900}) || q == nil || *q.MaxSize != 1000 || *q.MaxObjects != 3 {
		t.Fatalf("bucket info: usage %+v, quotas %+v", u, q)
	}
	mustDo(t, c, 2, admin.SetBucketQuotas{Name: "limited", MaxObjects: &objects}) // no size limit any more
	c.tick(2 * time.Second)
	if err := putSmall(c, 0, id, "b", 500); err != nil {
		t.Fatalf("with the size quota removed: %v", err)
	}
	if _, q := bucketUsage(t, c, 0, "limited"); q == nil || q.MaxSize != nil || *q.MaxObjects != 3 {
		t.Fatalf("quotas %+v", q)
	}
}

// A node that hands the bucket's partition over subtracts what it held
// (the objects table's Dropped hook), the node that takes it counts what
// it receives, and the counters keep answering the scan's numbers.
func TestBucketCountersFollowAHandOver(t *testing.T) {
	c := newEmptyCluster(t, 4)
	for i, z := range []string{"dc1", "dc2", "dc3", "dc4"} {
		mustDo(t, c, 0, admin.AssignRole{Nodes: []string{c.ids[i].Hex()[:8]}, Zone: z, Capacity: 1 << 30})
	}
	mustDo(t, c, 0, admin.ApplyLayout{Version: 1})
	c.tick(3 * time.Second)
	info := mustDo(t, c, 0, admin.CreateBucket{Name: "moving", ID: strings.Repeat("ef", 32)}).(admin.BucketInfo)
	id, _ := model.ParseBucketID(info.ID)
	for i, key := range []string{"a", "b", "c"} {
		if err := putSmall(c, i, id, key, 100); err != nil {
			t.Fatal(err)
		}
	}
	c.tick(3 * time.Second)
	holders := c.nodes[c.ids[0]].Layout().Current().NodesOf(table.PartitionOf(id.String()))
	leaving := -1
	for i, n := range c.ids {
		if n == holders[0] {
			leaving = i
		}
	}
	if _, got := c.nodes[c.ids[leaving]].Objects().LocalCounts(id); got.Objects != 3 {
		t.Fatalf("holder %d counts %+v", leaving, got)
	}
	mustDo(t, c, 0, admin.RemoveRole{Node: c.ids[leaving].Hex()[:8]})
	mustDo(t, c, 0, admin.ApplyLayout{Version: 2})
	c.tick(90 * time.Second)
	want := model.Usage{Objects: 3, Versions: 3, Bytes: 300}
	if _, got := c.nodes[c.ids[leaving]].Objects().LocalCounts(id); got != (model.Counts{}) {
		t.Fatalf("the node that handed the bucket over still counts %+v", got)
	}
	for i := range c.ids {
		if i == leaving {
			continue
		}
		if _, got := c.nodes[c.ids[i]].Objects().LocalCounts(id); got.Usage(model.VersioningOff) != want {
			t.Fatalf("node %d counts %+v", i, got)
		}
		if got, _ := bucketUsage(t, c, i, "moving"); got != want {
			t.Fatalf("usage through node %d: %+v, want %+v", i, got, want)
		}
	}
}
