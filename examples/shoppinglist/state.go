package main

import (
	"encoding/json"
	"fmt"
	"maps"
)

// ItemState is one shopping-list item as stored in K2V: a small JSON
// document that is a state-based CRDT, so that any set of siblings merges
// into one state, the same whichever instance merges them and in
// whichever order.
//
// Presence is an add-wins observed-remove flag with per-replica counters:
// each add by replica r increments Adds[r]; a remove records the adds it
// has seen (Removes = a copy of Adds at that moment). The item is on the
// list while some replica has added it more often than any remove saw
// (Adds[r] > Removes[r]). An add concurrent with a remove increments a
// counter the remove did not see, so the add wins; a remove that saw
// every add wins over nothing.
//
// The quantity is a last-writer-wins register ordered by a Lamport stamp
// (Counter, then Replica to break ties), so concurrent changes of the
// quantity settle on the same one everywhere.
type ItemState struct {
	Name     string            `json:"name"`
	Adds     map[string]uint64 `json:"adds"`
	Removes  map[string]uint64 `json:"removes,omitempty"`
	Qty      int               `json:"qty"`
	QtyStamp Stamp             `json:"qtyStamp"`
}

// Stamp orders quantity writes: a Lamport counter, then the replica.
type Stamp struct {
	Counter uint64 `json:"c"`
	Replica string `json:"r"`
}

func (s Stamp) after(o Stamp) bool {
	if s.Counter != o.Counter {
		return s.Counter > o.Counter
	}
	return s.Replica > o.Replica
}

// Present reports whether the item is on the list.
func (s ItemState) Present() bool {
	for r, n := range s.Adds {
		if n > s.Removes[r] {
			return true
		}
	}
	return false
}

// Merge joins two states: counters by per-replica maximum, the quantity
// (and the name written with it) from the later stamp. It is commutative,
// associative and idempotent, so siblings merge in any order.
func Merge(a, b ItemState) ItemState {
	out := ItemState{Adds: maxCounters(a.Adds, b.Adds), Removes: maxCounters(a.Removes, b.Removes)}
	win := a
	if b.QtyStamp.after(a.QtyStamp) {
		win = b
	}
	out.Name, out.Qty, out.QtyStamp = win.Name, win.Qty, win.QtyStamp
	return out
}

func maxCounters(a, b map[string]uint64) map[string]uint64 {
	if len(a) == 0 && len(b) == 0 {
		return nil
	}
	out := maps.Clone(a)
	if out == nil {
		out = map[string]uint64{}
	}
	for r, n := range b {
		out[r] = max(out[r], n)
	}
	return out
}

// added is s after replica adds the item (again) with quantity qty.
func (s ItemState) added(replica, name string, qty int) ItemState {
	out := Merge(s, ItemState{}) // a deep copy
	if out.Adds == nil {
		out.Adds = map[string]uint64{}
	}
	out.Adds[replica]++
	out.Name, out.Qty = name, qty
	out.QtyStamp = Stamp{Counter: s.QtyStamp.Counter + 1, Replica: replica}
	return out
}

// removed is s after a remove that saw every add s holds.
func (s ItemState) removed() ItemState {
	out := Merge(s, ItemState{})
	out.Removes = maxCounters(out.Removes, out.Adds)
	return out
}

// mergeValues merges an item's siblings as K2V returns them. A tombstone
// (nil: the item was deleted with the K2V API, not by this app) is the
// empty state, which merging leaves out.
func mergeValues(values [][]byte) (ItemState, error) {
	var out ItemState
	for i, v := range values {
		if v == nil {
			continue
		}
		var s ItemState
		if err := json.Unmarshal(v, &s); err != nil {
			return ItemState{}, fmt.Errorf("sibling %d: %w", i, err)
		}
		out = Merge(out, s)
	}
	return out, nil
}

// encode writes s as JSON. Map keys are sorted, so equal states are equal
// bytes: two instances writing the same merge concurrently leave two
// identical siblings, which K2V returns once.
func (s ItemState) encode() []byte {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err) // a struct of strings and numbers always encodes
	}
	return b
}
