package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/garagego/garage/client/k2v"
	"github.com/garagego/garage/internal/localcluster"
)

// rendezvous holds each item write (PUT) until the other instance writes
// the same item, then lets both go at once: both instances have read the
// item before either writes it, so neither write can know the other — the
// situation of a network cut between two sites, made deterministic.
type rendezvous struct {
	mu      sync.Mutex
	waiting map[string]chan struct{}
	next    http.RoundTripper
}

func (r *rendezvous) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPut {
		key := req.URL.Path + "?" + req.URL.Query().Get("sort_key")
		r.mu.Lock()
		ch, ok := r.waiting[key]
		if ok {
			delete(r.waiting, key)
			close(ch) // the other instance's write is waiting: both go
		} else {
			ch = make(chan struct{})
			r.waiting[key] = ch
		}
		r.mu.Unlock()
		if !ok {
			select {
			case <-ch:
			case <-time.After(30 * time.Second):
				return nil, fmt.Errorf("the other instance never wrote %s", key)
			case <-req.Context().Done():
				return nil, req.Context().Err()
			}
		}
	}
	return r.next.RoundTrip(req)
}

// Two instances edit the same list through two different nodes while the
// third node is down, each without seeing the other's writes: one removes
// milk while the other buys more of it, and both add bread for the first
// time. K2V keeps both edits as siblings; each instance's next read merges
// them the same way (add wins; the later quantity stamp wins), writes the
// merge back, and no sibling remains.
func TestConcurrentEditsAcrossACutConverge(t *testing.T) {
	cl, err := localcluster.Start(localcluster.Options{Nodes: 3, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	meet := &rendezvous{waiting: map[string]chan struct{}{}, next: http.DefaultTransport}
	client := func(node int, rt http.RoundTripper) *k2v.Client {
		c, err := k2v.New(k2v.Config{Endpoint: cl.Nodes[node].K2VEndpoint, Region: localcluster.Region,
			AccessKeyID: cl.KeyID, SecretAccessKey: cl.Secret, Bucket: cl.Bucket, HTTPClient: &http.Client{Transport: rt}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	list := func(c *k2v.Client, replica string) *List {
		l, err := NewList(c, "groceries", replica)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	alice := list(client(0, http.DefaultTransport), "alice")
	bob := list(client(1, http.DefaultTransport), "bob")

	// Before the cut: alice writes, bob sees it.
	must(t, alice.Add(ctx, "Milk", 1))
	must(t, alice.Add(ctx, "Eggs", 6))
	wantItems(t, ctx, bob, []Entry{{"Eggs", 6}, {"Milk", 1}})

	// The cut: node 2 goes down; alice and bob write through nodes 0 and
	// 1, each edit held until the other's is sent.
	if err := cl.Kill(2); err != nil {
		t.Fatal(err)
	}
	aliceCut := list(client(0, meet), "alice")
	bobCut := list(client(1, meet), "bob")
	var wg sync.WaitGroup
	errs := make([]error, 2)
	wg.Add(2)
	go func() {
		defer wg.Done()
		if errs[0] = aliceCut.Remove(ctx, "milk"); errs[0] == nil {
			errs[0] = aliceCut.Add(ctx, "Bread", 1)
		}
	}()
	go func() {
		defer wg.Done()
		if errs[1] = bobCut.Add(ctx, "Milk", 3); errs[1] == nil {
			errs[1] = bobCut.Add(ctx, "bread", 2)
		}
	}()
	wg.Wait()
	must(t, errs[0])
	must(t, errs[1])

	// K2V kept both edits of each item as siblings.
	raw := client(0, http.DefaultTransport)
	for _, item := range []string{"milk", "bread"} {
		values, _, err := raw.ReadItem(ctx, "list:groceries", item)
		must(t, err)
		if len(values) != 2 {
			t.Fatalf("%s holds %d values after two concurrent edits, want 2 siblings: %q", item, len(values), values)
		}
	}

	// Each instance's read merges the siblings the same way and writes the
	// merge back: milk stays (bob's add wins over alice's concurrent
	// remove), bread has bob's quantity (equal counters, "bob" > "alice").
	want := []Entry{{"bread", 2}, {"Eggs", 6}, {"Milk", 3}}
	wantItems(t, ctx, alice, want)
	wantItems(t, ctx, bob, want)

	// No sibling remains.
	res, err := raw.ReadBatch(ctx, []k2v.BatchReadOp{{PartitionKey: "list:groceries", ConflictsOnly: true}})
	must(t, err)
	if len(res[0].Items) != 0 {
		t.Fatalf("siblings remain after the merge: %+v", res[0].Items)
	}
	for _, item := range []string{"milk", "bread", "eggs"} {
		values, _, err := raw.ReadItem(ctx, "list:groceries", item)
		must(t, err)
		if len(values) != 1 {
			t.Fatalf("%s holds %d values after the merge, want 1", item, len(values))
		}
	}

	// A remove that saw every add takes the item off, for both.
	must(t, alice.Remove(ctx, "milk"))
	wantItems(t, ctx, bob, []Entry{{"bread", 2}, {"Eggs", 6}})

	// The command line, as the README runs it.
	t.Setenv("GARAGE_K2V_KEY_ID", cl.KeyID)
	t.Setenv("GARAGE_K2V_SECRET", cl.Secret)
	cli := func(args ...string) string {
		var out, errOut bytes.Buffer
		base := []string{"-endpoint", cl.Nodes[1].K2VEndpoint, "-bucket", cl.Bucket, "-replica", "carol"}
		if code := run(append(base, args...), &out, &errOut); code != 0 {
			t.Fatalf("shoppinglist %q: exit %d: %s", args, code, errOut.String())
		}
		return out.String()
	}
	cli("add", "Tea", "2")
	cli("remove", "bread")
	if got, want := cli("show"), "6 × Eggs\n2 × Tea\n"; got != want {
		t.Fatalf("shoppinglist show: %q, want %q", got, want)
	}
}

func wantItems(t *testing.T, ctx context.Context, l *List, want []Entry) {
	t.Helper()
	got, err := l.Items(ctx)
	must(t, err)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s sees %v, want %v", l.replica, got, want)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
