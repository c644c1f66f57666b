package k2v

import (
	"bytes"
	"cmp"
	"slices"

	"github.com/garagego/garage/node/wire"
)

// Value is one value of an item: bytes, or a tombstone (Deleted) left by a
// deletion.
type Value struct {
	Deleted bool
	Data    []byte
}

// Stamped is a value with the dot that made it: the coordinating node and
// its counter then.
type Stamped struct {
	Time  uint64
	Value Value
}

// Entry is one node's part of an item: the values that node stamped that
// no write has discarded yet, and the time up to which its values are
// discarded.
type Entry struct {
	Node    NodeID
	Discard uint64
	Values  []Stamped // sorted by Time, each time once, all > Discard
}

// Item is one K2V item: per node, its entry (sorted by node, each once).
// The zero Item holds nothing.
type Item struct{ Entries []Entry }

// Context is what a reader of the item has seen: per node, the newest of
// its discard time and its values' times.
func (it Item) Context() Context {
	var dots []Dot
	for _, e := range it.Entries {
		t := e.Discard
		if n := len(e.Values); n > 0 {
			t = max(t, e.Values[n-1].Time)
		}
		if t > 0 {
			dots = append(dots, Dot{e.Node, t})
		}
	}
	return Context{Dots: dots}
}

// Values lists the item's current values, siblings when there are
// several, in (node, time) order, each distinct value once (a write
// retried through two coordinators stores the same value twice).
func (it Item) Values() []Value {
	var out []Value
	for _, e := range it.Entries {
		for _, s := range e.Values {
			if !slices.ContainsFunc(out, func(v Value) bool { return v.equal(s.Value) }) {
				out = append(out, s.Value)
			}
		}
	}
	return out
}

func (v Value) equal(o Value) bool { return v.Deleted == o.Deleted && bytes.Equal(v.Data, o.Data) }

// IsTombstone reports whether every value is a tombstone (or there is
// none): nothing to read.
func (it Item) IsTombstone() bool {
	for _, e := range it.Entries {
		for _, s := range e.Values {
			if !s.Value.Deleted {
				return false
			}
		}
	}
	return true
}

// Insert is a write coordinated by node: the values ctx covers are
// discarded, then v is added stamped after everything node has stamped for
// this item and after floor (the coordinator's persisted counter, or its
// clock in milliseconds, whichever is greater), so that a node's stamps
// never repeat even across restarts. It returns the new item and the
// stamp. Without a context (nil) nothing is discarded: the value joins the
// others as a sibling.
func (it Item) Insert(node NodeID, ctx *Context, v Value, floor uint64) (Item, uint64) {
	out := it.clone()
	if ctx != nil {
		for _, d := range ctx.Dots {
			out = out.Join(Item{Entries: []Entry{{Node: d.Node, Discard: d.Time}}})
		}
	}
	i := out.entry(node)
	e := &out.Entries[i]
	newest := e.Discard
	if n := len(e.Values); n > 0 {
		newest = max(newest, e.Values[n-1].Time)
	}
	t := max(newest, floor) + 1
	e.Values = append(e.Values, Stamped{Time: t, Value: v})
	return out, t
}

// entry returns the index of node's entry, adding an empty one if needed.
func (it *Item) entry(node NodeID) int {
	i, ok := slices.BinarySearchFunc(it.Entries, node, func(e Entry, n NodeID) int { return cmp.Compare(e.Node, n) })
	if !ok {
		it.Entries = slices.Insert(it.Entries, i, Entry{Node: node})
	}
	return i
}

func (it Item) clone() Item {
	out := Item{Entries: slices.Clone(it.Entries)}
	for i := range out.Entries {
		out.Entries[i].Values = slices.Clone(out.Entries[i].Values)
	}
	return out
}

// Join merges two states of an item: per node, the greater discard time,
// and the union of the values above it (for one stamp, the greater value,
// which only a node reusing a stamp could make differ). It is commutative,
// associative and idempotent whatever order writes arrive in.
func (it Item) Join(o Item) Item {
	all := slices.Concat(it.Entries, o.Entries)
	slices.SortStableFunc(all, func(a, b Entry) int { return cmp.Compare(a.Node, b.Node) })
	var out []Entry
	for _, e := range all {
		if n := len(out); n > 0 && out[n-1].Node == e.Node {
			out[n-1] = joinEntries(out[n-1], e)
			continue
		}
		out = append(out, joinEntries(Entry{Node: e.Node}, e))
	}
	out = slices.DeleteFunc(out, func(e Entry) bool { return e.Discard == 0 && len(e.Values) == 0 })
	if len(out) == 0 {
		out = nil
	}
	return Item{Entries: out}
}

func joinEntries(a, b Entry) Entry {
	out := Entry{Node: a.Node, Discard: max(a.Discard, b.Discard)}
	vs := slices.Concat(a.Values, b.Values)
	slices.SortFunc(vs, func(x, y Stamped) int {
		if c := cmp.Compare(x.Time, y.Time); c != 0 {
			return c
		}
		return -compareValues(x.Value, y.Value) // greatest first
	})
	vs = slices.CompactFunc(vs, func(x, y Stamped) bool { return x.Time == y.Time })
	vs = slices.DeleteFunc(vs, func(s Stamped) bool { return s.Time <= out.Discard })
	if len(vs) > 0 {
		out.Values = vs
	}
	return out
}

func compareValues(a, b Value) int {
	if a.Deleted != b.Deleted {
		if a.Deleted {
			return -1
		}
		return 1
	}
	return bytes.Compare(a.Data, b.Data)
}

// Encode writes the item canonically.
func (it Item) Encode(e *wire.Encoder) {
	it = it.Join(Item{})
	e.Uvarint(uint64(len(it.Entries)))
	for _, en := range it.Entries {
		e.Uint64(uint64(en.Node))
		e.Uvarint(en.Discard)
		e.Uvarint(uint64(len(en.Values)))
		for _, s := range en.Values {
			e.Uvarint(s.Time)
			e.Bool(s.Value.Deleted)
			if !s.Value.Deleted {
				e.BytesField(s.Value.Data)
			}
		}
	}
}

// DecodeItem reads an item, refusing any form Encode would not write:
// nodes or stamps out of order or repeated, a value at or below its
// entry's discard time.
func DecodeItem(d *wire.Decoder) Item {
	var it Item
	n := d.Len(10)
	for range n {
		en := Entry{Node: NodeID(d.Uint64()), Discard: d.Uvarint()}
		if k := len(it.Entries); k > 0 && it.Entries[k-1].Node >= en.Node {
			d.Failf("k2v item entries not strictly sorted")
			return Item{}
		}
		m := d.Len(2)
		for range m {
			s := Stamped{Time: d.Uvarint()}
			if s.Value.Deleted = d.Bool(); !s.Value.Deleted {
				s.Value.Data = d.BytesField()
			}
			if s.Time <= en.Discard || len(en.Values) > 0 && en.Values[len(en.Values)-1].Time >= s.Time {
				d.Failf("k2v item values not strictly sorted above their discard time")
				return Item{}
			}
			en.Values = append(en.Values, s)
		}
		if en.Discard == 0 && len(en.Values) == 0 {
			d.Failf("k2v item entry holds nothing")
			return Item{}
		}
		it.Entries = append(it.Entries, en)
	}
	return it
}
