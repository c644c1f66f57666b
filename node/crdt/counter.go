package crdt

import (
	"slices"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/wire"
)

// Max is a register that only grows; Join takes the larger value. Layout
// trackers (a node's acknowledged, synced version) are Max values.
type Max uint64

// Join keeps the larger value.
func (m Max) Join(o Max) Max { return max(m, o) }

// Counter is a grow-only counter: each node increments its own slot and Join
// keeps each slot's maximum, so the total never double-counts a replayed
// increment. Slots stay sorted by node id, which makes the encoding canonical.
type Counter struct {
	slots []counterSlot
}

type counterSlot struct {
	Node  cluster.NodeID
	Value uint64
}

// Add increments node's slot by delta.
func (c Counter) Add(node cluster.NodeID, delta uint64) Counter {
	i, found := c.find(node)
	slots := slices.Clone(c.slots)
	if found {
		slots[i].Value += delta
	} else {
		slots = slices.Insert(slots, i, counterSlot{Node: node, Value: delta})
	}
	return Counter{slots: slots}
}

// Total sums every node's slot.
func (c Counter) Total() uint64 {
	var t uint64
	for _, s := range c.slots {
		t += s.Value
	}
	return t
}

// Join keeps each node's larger slot.
func (c Counter) Join(o Counter) Counter {
	out := make([]counterSlot, 0, len(c.slots)+len(o.slots))
	i, j := 0, 0
	for i < len(c.slots) || j < len(o.slots) {
		switch {
		case j == len(o.slots) || (i < len(c.slots) && c.slots[i].Node.Compare(o.slots[j].Node) < 0):
			out = append(out, c.slots[i])
			i++
		case i == len(c.slots) || o.slots[j].Node.Compare(c.slots[i].Node) < 0:
			out = append(out, o.slots[j])
			j++
		default:
			out = append(out, counterSlot{Node: c.slots[i].Node, Value: max(c.slots[i].Value, o.slots[j].Value)})
			i++
			j++
		}
	}
	return Counter{slots: out}
}

func (c Counter) find(node cluster.NodeID) (int, bool) {
	return slices.BinarySearchFunc(c.slots, node, func(s counterSlot, n cluster.NodeID) int { return s.Node.Compare(n) })
}

// Encode writes c canonically.
func (c Counter) Encode(e *wire.Encoder) {
	e.Uvarint(uint64(len(c.slots)))
	for _, s := range c.slots {
		e.Raw(s.Node[:])
		e.Uvarint(s.Value)
	}
}

// DecodeCounter reads a Counter, rejecting unsorted or duplicate slots so a
// decoded value is always canonical.
func DecodeCounter(d *wire.Decoder) Counter {
	n := d.Len(33)
	slots := make([]counterSlot, 0, n)
	for range n {
		var s counterSlot
		d.Fixed(s.Node[:])
		s.Value = d.Uvarint()
		if len(slots) > 0 && slots[len(slots)-1].Node.Compare(s.Node) >= 0 {
			d.Failf("counter slots not strictly sorted")
			return Counter{}
		}
		slots = append(slots, s)
	}
	return Counter{slots: slots}
}
