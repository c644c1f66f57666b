package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/garagego/garage/client/k2v"
)

// List is one shopping list as one instance of the app sees it. Each list
// is a K2V partition key ("list:" + its name) and each item a sort key
// (the item's name, lower-cased) holding an ItemState.
//
// Every change is read, merge, apply, write: the read returns the item's
// siblings with a causality token, the siblings are merged, the change is
// applied to the merge and the result is written with the token, which
// supersedes every sibling read. Two instances that change an item
// without seeing each other's write (through different nodes during a
// network cut, or simply at the same moment) leave two siblings; the next
// read of either instance merges them, and Items writes that merge back,
// so the siblings disappear and every instance converges.
type List struct {
	c       *k2v.Client
	name    string
	replica string // this instance's name in the counters: unique per instance
}

// NewList opens the list name for the instance replica.
func NewList(c *k2v.Client, name, replica string) (*List, error) {
	if name == "" || replica == "" {
		return nil, errors.New("a list needs a name and the instance a replica name")
	}
	return &List{c: c, name: name, replica: replica}, nil
}

func (l *List) partition() string { return "list:" + l.name }

func itemKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// Entry is an item on the list.
type Entry struct {
	Name string
	Qty  int
}

// Add puts qty of an item on the list (again), or changes its quantity.
func (l *List) Add(ctx context.Context, name string, qty int) error {
	if itemKey(name) == "" {
		return errors.New("an item needs a name")
	}
	return l.update(ctx, itemKey(name), func(s ItemState) ItemState { return s.added(l.replica, strings.TrimSpace(name), qty) })
}

// Remove takes an item off the list. An add this instance has not seen
// yet (concurrent) survives it: add wins.
func (l *List) Remove(ctx context.Context, name string) error {
	return l.update(ctx, itemKey(name), func(s ItemState) ItemState { return s.removed() })
}

// update is read, merge, apply, write-with-token for one item.
func (l *List) update(ctx context.Context, key string, change func(ItemState) ItemState) error {
	values, token, err := l.c.ReadItem(ctx, l.partition(), key)
	if err != nil && !errors.Is(err, k2v.ErrNotFound) {
		return fmt.Errorf("reading %q: %w", key, err)
	}
	// On ErrNotFound the token is "": the write is a first write.
	state, err := mergeValues(values)
	if err != nil {
		return fmt.Errorf("item %q: %w", key, err)
	}
	if err := l.c.InsertItem(ctx, l.partition(), key, change(state).encode(), token); err != nil {
		return fmt.Errorf("writing %q: %w", key, err)
	}
	return nil
}

// Items lists what is on the list, in key order. Items that hold siblings
// are merged and the merge is written back with their tokens (one
// InsertBatch), so a read also repairs: afterwards no sibling remains
// unless a new concurrent write arrived meanwhile.
func (l *List) Items(ctx context.Context) ([]Entry, error) {
	var entries []Entry
	var repairs []k2v.BatchInsert
	start := ""
	for {
		res, err := l.c.ReadBatch(ctx, []k2v.BatchReadOp{{PartitionKey: l.partition(), Filter: k2v.Filter{Start: start}}})
		if err != nil {
			return nil, fmt.Errorf("reading list %q: %w", l.name, err)
		}
		page := res[0]
		for _, it := range page.Items {
			state, err := mergeValues(it.Values)
			if err != nil {
				return nil, fmt.Errorf("item %q: %w", it.SK, err)
			}
			if len(it.Values) > 1 {
				repairs = append(repairs, k2v.BatchInsert{PK: l.partition(), SK: it.SK, Token: it.Token, Value: state.encode()})
			}
			if state.Present() {
				entries = append(entries, Entry{Name: state.Name, Qty: state.Qty})
			}
		}
		if !page.More {
			break
		}
		start = page.NextStart
	}
	if len(repairs) > 0 {
		if err := l.c.InsertBatch(ctx, repairs); err != nil {
			return nil, fmt.Errorf("writing merged items back: %w", err)
		}
	}
	return entries, nil
}
