package k2v_test

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/garagego/garage/client/k2v"
	"github.com/garagego/garage/internal/localcluster"
)

// Every call against a real 3-node cluster, through two different nodes,
// with keys that need escaping.
func TestAgainstACluster(t *testing.T) {
	cl, err := localcluster.Start(localcluster.Options{Nodes: 3, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	client := func(node int, secret string) *k2v.Client {
		c, err := k2v.New(k2v.Config{Endpoint: cl.Nodes[node].K2VEndpoint, Region: localcluster.Region,
			AccessKeyID: cl.KeyID, SecretAccessKey: secret, Bucket: cl.Bucket})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a, b := client(0, cl.Secret), client(1, cl.Secret)
	const pk, sk = "/lead/slash and space é", "sk/ü 日本 %2F+"
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	// Not found, then siblings from two tokenless writes through two nodes.
	if _, _, err := a.ReadItem(ctx, pk, sk); err != k2v.ErrNotFound {
		t.Fatalf("unwritten item: %v, want ErrNotFound", err)
	}
	must(a.InsertItem(ctx, pk, sk, []byte("one"), ""))
	must(b.InsertItem(ctx, pk, sk, []byte{}, ""))
	values, token, err := b.ReadItem(ctx, pk, sk)
	must(err)
	if got := sortedStrings(values); !reflect.DeepEqual(got, []string{"", "one"}) {
		t.Fatalf("siblings %q", values)
	}

	// A write with the token supersedes both.
	must(a.InsertItem(ctx, pk, sk, []byte("merged"), token))
	values, token, err = a.ReadItem(ctx, pk, sk)
	must(err)
	if len(values) != 1 || string(values[0]) != "merged" {
		t.Fatalf("after the merge: %q", values)
	}

	// PollItem: nothing new within a second, then a change made meanwhile.
	if _, _, changed, err := b.PollItem(ctx, pk, sk, token, time.Second); err != nil || changed {
		t.Fatalf("poll with nothing new: changed %v, %v", changed, err)
	}
	done := make(chan error, 1)
	go func() {
		time.Sleep(200 * time.Millisecond)
		done <- a.InsertItem(ctx, pk, sk, []byte("polled"), token)
	}()
	values, _, changed, err := b.PollItem(ctx, pk, sk, token, 30*time.Second)
	must(err)
	must(<-done)
	if !changed || len(values) != 1 || string(values[0]) != "polled" {
		t.Fatalf("poll: changed %v, %q", changed, values)
	}

	// PollRange: the first call lists the range; the next waits for a change.
	items, marker, changed, err := a.PollRange(ctx, pk, k2v.PollRangeFilter{Prefix: "sk/"}, "", time.Second)
	must(err)
	if !changed || marker == "" || len(items) != 1 || items[0].SK != sk {
		t.Fatalf("first PollRange: %v %q %+v", changed, marker, items)
	}
	if _, _, changed, err := a.PollRange(ctx, pk, k2v.PollRangeFilter{Prefix: "sk/"}, marker, time.Second); err != nil || changed {
		t.Fatalf("PollRange with nothing new: %v %v", changed, err)
	}
	go func() {
		time.Sleep(200 * time.Millisecond)
		done <- b.InsertItem(ctx, pk, "sk/2", []byte("two"), "")
	}()
	items, marker2, changed, err := a.PollRange(ctx, pk, k2v.PollRangeFilter{Prefix: "sk/"}, marker, 30*time.Second)
	must(err)
	must(<-done)
	if !changed || marker2 == "" || len(items) != 1 || items[0].SK != "sk/2" || string(items[0].Values[0]) != "two" {
		t.Fatalf("PollRange after a write: %v %+v", changed, items)
	}

	// Batches: insert (one tombstone), read with and without tombstones, delete.
	_, tok2, err := a.ReadItem(ctx, pk, "sk/2")
	must(err)
	must(a.InsertBatch(ctx, []k2v.BatchInsert{
		{PK: "p2", SK: "a", Value: []byte("A")},
		{PK: "p2", SK: "b", Value: []byte("B")},
		{PK: pk, SK: "sk/2", Token: tok2}, // nil Value: a tombstone
	}))
	res, err := b.ReadBatch(ctx, []k2v.BatchReadOp{
		{PartitionKey: pk},
		{PartitionKey: pk, Tombstones: true},
		{PartitionKey: "p2", Filter: k2v.Filter{Limit: 1}},
		{PartitionKey: "p2", Filter: k2v.Filter{Start: "b"}, SingleItem: true},
	})
	must(err)
	if len(res[0].Items) != 1 || res[0].Items[0].SK != sk {
		t.Errorf("without tombstones: %+v", res[0].Items)
	}
	if len(res[1].Items) != 2 || res[1].Items[0].SK != "sk/2" || res[1].Items[0].Values[0] != nil { // "sk/2" < "sk/ü…" as bytes
		t.Errorf("with tombstones: %+v", res[1].Items)
	}
	if len(res[2].Items) != 1 || !res[2].More || res[2].NextStart != "b" {
		t.Errorf("limit 1: %+v", res[2])
	}
	if len(res[3].Items) != 1 || string(res[3].Items[0].Values[0]) != "B" {
		t.Errorf("single item: %+v", res[3])
	}

	// The index counts both partition keys, eventually.
	deadline := time.Now().Add(30 * time.Second)
	for {
		idx, err := a.ReadIndex(ctx, k2v.Filter{})
		must(err)
		counts := map[string]int64{}
		for _, p := range idx.Partitions {
			counts[p.PK] = p.Entries
		}
		if counts[pk] == 1 && counts["p2"] == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("index never counted 1 and 2 entries: %+v", idx)
		}
		time.Sleep(100 * time.Millisecond)
	}

	counts, err := a.DeleteBatch(ctx, []k2v.BatchDeleteOp{{PartitionKey: "p2"}, {PartitionKey: pk, Start: sk, SingleItem: true}})
	must(err)
	if !reflect.DeepEqual(counts, []int{2, 1}) {
		t.Fatalf("DeleteBatch counts %v", counts)
	}
	values, token, err = b.ReadItem(ctx, pk, sk)
	must(err)
	if len(values) != 1 || values[0] != nil {
		t.Fatalf("after DeleteBatch: %q, want a tombstone", values)
	}
	must(b.DeleteItem(ctx, pk, sk, token))

	// Refusals are *Error with Garage's code.
	var e *k2v.Error
	if err := client(0, "wrong").InsertItem(ctx, "p", "s", nil, ""); !errors.As(err, &e) || e.Status != 403 {
		t.Errorf("a wrong secret: %v", err)
	}
	other, _ := k2v.New(k2v.Config{Endpoint: cl.Nodes[0].K2VEndpoint, AccessKeyID: cl.KeyID, SecretAccessKey: cl.Secret, Bucket: "nope"})
	if _, _, err := other.ReadItem(ctx, "p", "s"); !errors.As(err, &e) || e.Status != 404 || e.Code != "NoSuchBucket" || errors.Is(err, k2v.ErrNotFound) {
		t.Errorf("a missing bucket: %v", err)
	}
	if err := a.InsertItem(ctx, "p", "s", nil, "not-a-token!"); !errors.As(err, &e) || e.Status != 400 {
		t.Errorf("a garbled token: %v", err)
	}
	if _, _, _, err := a.PollRange(ctx, "p", k2v.PollRangeFilter{}, "garbled marker", time.Second); !errors.As(err, &e) || e.Status != 400 {
		t.Errorf("a garbled marker: %v", err)
	}
}

func sortedStrings(values [][]byte) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	sort.Strings(out)
	return out
}
