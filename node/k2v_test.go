package node

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/k2v"
	"github.com/garagego/garage/node/model"
)

var k2vBucket = model.BucketID{1, 2, 3}

func itemAt(pk, sk string) k2v.ItemKey {
	return k2v.ItemKey{Bucket: k2vBucket, Partition: pk, Sort: sk}
}

func k2vInsert(t *testing.T, c *testCluster, via int, key k2v.ItemKey, ctx *k2v.Context, value string) {
	t.Helper()
	v := k2v.Value{Data: []byte(value)}
	if value == "" {
		v = k2v.Value{Deleted: true}
	}
	if r := c.do(via, k2v.Insert{Key: key, Context: ctx, Value: v}); r.Err != nil {
		t.Fatalf("insert %v: %v", key, r.Err)
	}
}

func k2vRead(t *testing.T, c *testCluster, via int, key k2v.ItemKey) (k2v.Item, []string) {
	t.Helper()
	r := c.do(via, k2v.Read{Key: key})
	if r.Err != nil {
		t.Fatalf("read %v: %v", key, r.Err)
	}
	item := r.Result.(k2v.ReadResult).Item
	return item, valueStrings(item)
}

func valueStrings(item k2v.Item) []string {
	var out []string
	for _, v := range item.Values() {
		if v.Deleted {
			out = append(out, "<deleted>")
		} else {
			out = append(out, string(v.Data))
		}
	}
	slices.Sort(out)
	return out
}

// submit starts an op without waiting for its reply.
func (c *testCluster) submit(via int, op Op) uint64 {
	c.nextReq++
	c.nodes[c.ids[via]].Submit(c.now, Request{ID: c.nextReq, Op: op})
	c.drain(c.ids[via])
	return c.nextReq
}

// A write through any node is read through any other; a write carrying a
// read's token supersedes what it read; writes without a token, or with
// tokens that did not see each other, stay as siblings until a write that
// saw both.
func TestK2VCausality(t *testing.T) {
	c := newTestCluster(t, "a", "b", "c")
	key := itemAt("mailbox", "INBOX")
	k2vInsert(t, c, 0, key, nil, "v1")
	item, vals := k2vRead(t, c, 1, key)
	if fmt.Sprint(vals) != "[v1]" {
		t.Fatalf("read %v, want [v1]", vals)
	}
	seen := item.Context()
	k2vInsert(t, c, 2, key, &seen, "v2")
	if _, vals = k2vRead(t, c, 0, key); fmt.Sprint(vals) != "[v2]" {
		t.Fatalf("after a write that saw v1: %v, want [v2]", vals)
	}
	// Two writers that both read v2, through different coordinators.
	item, _ = k2vRead(t, c, 0, key)
	ctx := item.Context()
	k2vInsert(t, c, 0, key, &ctx, "left")
	k2vInsert(t, c, 1, key, &ctx, "right")
	k2vInsert(t, c, 2, key, nil, "blind")
	item, vals = k2vRead(t, c, 2, key)
	if fmt.Sprint(vals) != "[blind left right]" {
		t.Fatalf("concurrent writes: %v, want three siblings", vals)
	}
	merged := item.Context()
	k2vInsert(t, c, 1, key, &merged, "resolved")
	if _, vals = k2vRead(t, c, 0, key); fmt.Sprint(vals) != "[resolved]" {
		t.Fatalf("after resolving: %v", vals)
	}
	// A token round-trips through its text form.
	tok, err := k2v.ParseToken(merged.Token())
	if err != nil || tok.Token() != merged.Token() {
		t.Fatalf("token %q: %v", merged.Token(), err)
	}
	// Deleting with a token leaves a tombstone that reads as such.
	item, _ = k2vRead(t, c, 0, key)
	ctx = item.Context()
	k2vInsert(t, c, 2, key, &ctx, "")
	if item, vals = k2vRead(t, c, 1, key); !item.IsTombstone() || fmt.Sprint(vals) != "[<deleted>]" {
		t.Fatalf("after delete: %v", vals)
	}
	if r := c.do(0, k2v.Read{Key: itemAt("mailbox", "never")}); r.Err != nil || r.Result.(k2v.ReadResult).Found {
		t.Fatalf("absent item: %+v", r)
	}
}

// A coordinator's stamps never repeat, even after it restarts: the
// counter is persisted with the write.
func TestK2VStampsSurviveRestart(t *testing.T) {
	c := newTestCluster(t, "a", "b", "c")
	key := itemAt("p", "s")
	k2vInsert(t, c, 0, key, nil, "before")
	c.start(c.ids[0]) // restart from its durable records
	c.connectAll()
	c.run()
	c.now -= 1 << 40 // the clock went back: only the counter keeps stamps apart
	k2vInsert(t, c, 0, key, nil, "after")
	if _, vals := k2vRead(t, c, 1, key); fmt.Sprint(vals) != "[after before]" {
		t.Fatalf("got %v: a repeated stamp replaced a value", vals)
	}
}

// PollItem answers when a write through another node changes the item,
// and says nothing changed once its timeout passed.
func TestK2VPollItem(t *testing.T) {
	c := newTestCluster(t, "a", "b", "c")
	key := itemAt("p", "watched")
	k2vInsert(t, c, 0, key, nil, "v1")
	item, _ := k2vRead(t, c, 0, key)
	id := c.submit(1, k2v.PollItem{Key: key, Context: item.Context(), Timeout: 30 * time.Second})
	c.run()
	c.tick(time.Second)
	if _, ok := c.replies[id]; ok {
		t.Fatal("poll answered before any change")
	}
	ctx := item.Context()
	k2vInsert(t, c, 2, key, &ctx, "v2")
	r, ok := c.replies[id]
	if !ok || r.Err != nil {
		t.Fatalf("poll not answered by the write: %+v", r)
	}
	if res := r.Result.(k2v.PollResult); !res.Changed || fmt.Sprint(valueStrings(res.Item)) != "[v2]" {
		t.Fatalf("poll result %+v", res)
	}
	// Nothing changes: the poll times out, and no node keeps it.
	item, _ = k2vRead(t, c, 0, key)
	id = c.submit(0, k2v.PollItem{Key: key, Context: item.Context(), Timeout: 2 * time.Second})
	c.tick(3 * time.Second)
	if r := c.replies[id]; r.Err != nil || r.Result.(k2v.PollResult).Changed {
		t.Fatalf("timed-out poll: %+v", r)
	}
	for _, id := range c.ids {
		if n := c.nodes[id].K2V().Polls(); n != 0 {
			t.Fatalf("node %v still holds %d polls", id, n)
		}
	}
	// A poll with an old token answers at once.
	id = c.submit(2, k2v.PollItem{Key: key, Timeout: time.Second})
	c.run()
	if r := c.replies[id]; !r.Result.(k2v.PollResult).Changed {
		t.Fatalf("poll with an empty token: %+v", r)
	}
	if r := c.do(0, k2v.PollItem{Key: key, Timeout: k2v.MaxPollTimeout + time.Second}); r.Err == nil {
		t.Fatal("a timeout over the maximum must be refused")
	}
}

// PollRange returns the range and a marker at once, then waits for and
// returns only what changed since the marker.
func TestK2VPollRange(t *testing.T) {
	c := newTestCluster(t, "a", "b", "c")
	for _, sk := range []string{"a1", "a2", "b1"} {
		k2vInsert(t, c, 0, itemAt("p", sk), nil, "x"+sk)
	}
	r := c.do(1, k2v.PollRange{Bucket: k2vBucket, Search: k2v.Search{Partition: "p", Prefix: "a"}, Timeout: time.Minute})
	first := r.Result.(k2v.PollRangeResult)
	if r.Err != nil || !first.Changed || len(first.Items) != 2 || first.Marker == "" {
		t.Fatalf("first poll: %+v", r)
	}
	id := c.submit(2, k2v.PollRange{Bucket: k2vBucket, Search: k2v.Search{Partition: "p", Prefix: "a"}, Marker: first.Marker, Timeout: time.Minute})
	c.run()
	k2vInsert(t, c, 0, itemAt("p", "b2"), nil, "outside") // not in the range
	if _, ok := c.replies[id]; ok {
		t.Fatal("range poll answered by a write outside its range")
	}
	k2vInsert(t, c, 1, itemAt("p", "a3"), nil, "new")
	r, ok := c.replies[id]
	if !ok || r.Err != nil {
		t.Fatalf("range poll not answered: %+v", r)
	}
	second := r.Result.(k2v.PollRangeResult)
	if len(second.Items) != 1 || second.Items[0].Sort != "a3" {
		t.Fatalf("second poll items %+v, want only a3", second.Items)
	}
	// With the new marker nothing is new: the poll times out.
	id = c.submit(0, k2v.PollRange{Bucket: k2vBucket, Search: k2v.Search{Partition: "p", Prefix: "a"}, Marker: second.Marker, Timeout: 2 * time.Second})
	c.tick(3 * time.Second)
	if r := c.replies[id]; r.Err != nil || r.Result.(k2v.PollRangeResult).Changed {
		t.Fatalf("poll with an up-to-date marker: %+v", r)
	}
	if r := c.do(0, k2v.PollRange{Bucket: k2vBucket, Search: k2v.Search{Partition: "p"}, Marker: "!!", Timeout: time.Second}); r.Err == nil {
		t.Fatal("a bad marker must be refused")
	}
}

func rangeSorts(t *testing.T, r Reply) ([]string, k2v.RangeResult) {
	t.Helper()
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	res := r.Result.(k2v.RangeResult)
	var out []string
	for _, it := range res.Items {
		out = append(out, it.Sort)
	}
	return out, res
}

// Searches select by prefix, start, end, limit and direction, page
// through More and NextStart, and filter tombstones and conflicts.
func TestK2VReadRangeAndDeleteRange(t *testing.T) {
	c := newTestCluster(t, "a", "b", "c")
	c.cfg.Table.MaxRangeLimit = 3 // several pages per search, from replicas that hit their limit
	for _, id := range c.ids {
		c.start(id)
	}
	for i := range 12 {
		k2vInsert(t, c, i%3, itemAt("p", fmt.Sprintf("k%02d", i)), nil, "v")
	}
	k2vInsert(t, c, 0, itemAt("p", "k05"), nil, "sibling")
	k2vInsert(t, c, 0, itemAt("q", "k00"), nil, "other partition")
	search := func(q k2v.Search) ([]string, k2v.RangeResult) {
		q.Partition = "p"
		return rangeSorts(t, c.do(1, k2v.ReadRange{Bucket: k2vBucket, Search: q}))
	}
	for _, tc := range []struct {
		q    k2v.Search
		want string
		next string
	}{
		{k2v.Search{}, "[k00 k01 k02 k03 k04 k05 k06 k07 k08 k09 k10 k11]", ""},
		{k2v.Search{Start: "k03", End: "k06"}, "[k03 k04 k05]", ""},
		{k2v.Search{Prefix: "k1"}, "[k10 k11]", ""},
		{k2v.Search{Limit: 4}, "[k00 k01 k02 k03]", "k04"},
		{k2v.Search{Reverse: true, Limit: 4}, "[k11 k10 k09 k08]", "k07"},
		{k2v.Search{Reverse: true, Start: "k05", End: "k01"}, "[k05 k04 k03 k02]", ""},
		{k2v.Search{Reverse: true, Prefix: "k0", Limit: 2}, "[k09 k08]", "k07"},
		{k2v.Search{ConflictsOnly: true}, "[k05]", ""},
		{k2v.Search{SingleItem: true, Start: "k07"}, "[k07]", ""},
	} {
		got, res := search(tc.q)
		if fmt.Sprint(got) != tc.want || res.NextStart != tc.next || res.More != (tc.next != "") {
			t.Errorf("%+v: %v next %q more %v, want %s next %q", tc.q, got, res.NextStart, res.More, tc.want, tc.next)
		}
	}
	r := c.do(2, k2v.DeleteRange{Bucket: k2vBucket, Search: k2v.Search{Partition: "p", Start: "k02", End: "k10"}})
	if r.Err != nil || r.Result.(k2v.Deleted).Count != 8 {
		t.Fatalf("delete range: %+v", r)
	}
	if got, _ := search(k2v.Search{}); fmt.Sprint(got) != "[k00 k01 k10 k11]" {
		t.Fatalf("after delete: %v", got)
	}
	if got, _ := search(k2v.Search{Tombstones: true, Start: "k01", Limit: 3}); fmt.Sprint(got) != "[k01 k02 k03]" {
		t.Fatalf("tombstones listed: %v", got)
	}
}

// Index counts follow the items: every storage node counts its copy and
// the index keeps each one's latest counts.
func TestK2VIndex(t *testing.T) {
	c := newTestCluster(t, "a", "b", "c")
	for i := range 5 {
		k2vInsert(t, c, i%3, itemAt("mailbox:INBOX", fmt.Sprint(i)), nil, "12345")
	}
	k2vInsert(t, c, 1, itemAt("mailbox:INBOX", "0"), nil, "678")
	k2vInsert(t, c, 2, itemAt("mailboxes", "INBOX"), nil, "x")
	k2vInsert(t, c, 2, itemAt("gone", "x"), nil, "x")
	item, _ := k2vRead(t, c, 0, itemAt("gone", "x"))
	ctx := item.Context()
	k2vInsert(t, c, 0, itemAt("gone", "x"), &ctx, "")
	c.tick(5 * time.Second) // the insert queues publish the counts
	r := c.do(0, k2v.ReadIndex{Bucket: k2vBucket})
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	res := r.Result.(k2v.IndexResult)
	got := fmt.Sprint(res.Partitions)
	want := "[{mailbox:INBOX {5 1 6 28}} {mailboxes {1 0 1 1}}]"
	if got != want {
		t.Fatalf("index %s, want %s", got, want)
	}
	r = c.do(1, k2v.ReadIndex{Bucket: k2vBucket, Reverse: true, Limit: 1})
	if res := r.Result.(k2v.IndexResult); len(res.Partitions) != 1 || res.Partitions[0].Partition != "mailboxes" || res.NextStart != "mailbox:INBOX" {
		t.Fatalf("reverse index page: %+v", res)
	}
}

// With a storage node down, inserts are coordinated by another and still
// reach a quorum; the node that returns catches up by anti-entropy and
// answers polls from its copy.
func TestK2VNodeDown(t *testing.T) {
	c := newTestCluster(t, "a", "b", "c")
	key := itemAt("p", "s")
	c.down[c.ids[0]] = true
	k2vInsert(t, c, 1, key, nil, "while-down")
	c.down[c.ids[0]] = false
	c.connectAll()
	c.tick(time.Second)
	if e, ok := c.nodes[c.ids[0]].K2V().LocalItem(key); !ok || fmt.Sprint(valueStrings(e)) != "[while-down]" {
		t.Fatalf("the returning node's copy: %v %v", valueStrings(e), ok)
	}
}

// A bucket that holds K2V items is not empty: deleting it is refused
// until they are deleted.
func TestK2VItemsKeepABucket(t *testing.T) {
	c := newTestCluster(t, "a", "b", "c")
	bid := strings.Repeat("ab", 32)
	mustDo(t, c, 0, admin.CreateBucket{Name: "notes", ID: bid})
	id, _ := model.ParseBucketID(bid)
	key := k2v.ItemKey{Bucket: id, Partition: "p", Sort: "s"}
	k2vInsert(t, c, 1, key, nil, "x")
	c.tick(2 * time.Second)
	if r := c.do(2, admin.DeleteBucket{Name: "notes"}); !errors.Is(r.Err, admin.ErrBucketNotEmpty) {
		t.Fatalf("deleting a bucket with K2V items: %v, want ErrBucketNotEmpty", r.Err)
	}
	if r := c.do(2, k2v.DeleteRange{Bucket: id, Search: k2v.Search{Partition: "p"}}); r.Err != nil {
		t.Fatal(r.Err)
	}
	c.tick(2 * time.Second)
	mustDo(t, c, 0, admin.DeleteBucket{Name: "notes"})
}
