package k2v

import (
	"cmp"
	"encoding/base64"
	"slices"
	"strings"

	"github.com/garagego/garage/node/wire"
)

// marker is PollRange's seen marker: what a client has seen of a range.
// Items holds, per sort key, the context of what it saw of that item;
// Clock compresses them: Clock's time for node n means the client saw
// every value n stamped in the range up to that time. It is sound because
// a coordinator applies its stamps to its own copy before anything else
// (handleInsert), so when node n answers a poll with every new item of its
// copy, no value n stamped at or below the newest stamp it reported can
// be missing from that copy.
type marker struct {
	Clock Context
	Items []markedItem // sorted by sort key, each once
}

type markedItem struct {
	Sort    string
	Context Context
}

// seen is what the marker saw of the item at sort.
func (m marker) seen(sort string) Context {
	c := m.Clock
	if i, ok := m.find(sort); ok {
		c = c.Merge(m.Items[i].Context)
	}
	return c
}

func (m marker) find(sort string) (int, bool) {
	return slices.BinarySearchFunc(m.Items, sort, func(it markedItem, s string) int { return cmp.Compare(it.Sort, s) })
}

// isNew reports whether the item holds something the marker has not seen.
func (m marker) isNew(sort string, it Item) bool { return it.Context().NewerThan(m.seen(sort)) }

// markItems records the items as seen.
func (m *marker) markItems(items []RangeItem) {
	for _, it := range items {
		ctx := it.Item.Context()
		if i, ok := m.find(it.Sort); ok {
			m.Items[i].Context = m.Items[i].Context.Merge(ctx)
		} else {
			m.Items = slices.Insert(m.Items, i, markedItem{Sort: it.Sort, Context: ctx})
		}
	}
}

// markNode records that node answered with every new item of its copy:
// its clock rises to the newest of its stamps among them.
func (m *marker) markNode(node NodeID, items []RangeItem) {
	var t uint64
	for _, it := range items {
		t = max(t, it.Item.Context().Time(node))
	}
	if t > 0 {
		m.Clock = m.Clock.Merge(Context{Dots: []Dot{{Node: node, Time: t}}})
	}
}

// compact drops the items the clock covers.
func (m *marker) compact() {
	m.Items = slices.DeleteFunc(m.Items, func(it markedItem) bool { return !it.Context.NewerThan(m.Clock) })
}

// restrict drops the items outside a range: a marker is valid for the
// range it was made for and any sub-range of it.
func (m *marker) restrict(prefix, start, end string) {
	m.Items = slices.DeleteFunc(m.Items, func(it markedItem) bool { return !inRange(it.Sort, prefix, start, end) })
}

func inRange(sort, prefix, start, end string) bool {
	return strings.HasPrefix(sort, prefix) && sort >= start && (end == "" || sort < end)
}

// markerVersion tags the encoding, so a later format can tell old markers.
const markerVersion = 1

func (m marker) encode(e *wire.Encoder) {
	e.Uint8(markerVersion)
	encodeContext(e, m.Clock)
	e.Uvarint(uint64(len(m.Items)))
	for _, it := range m.Items {
		e.String(it.Sort)
		encodeContext(e, it.Context)
	}
}

func decodeMarker(d *wire.Decoder) marker {
	var m marker
	if v := d.Uint8(); v != markerVersion {
		d.Failf("seen marker version %d", v)
		return marker{}
	}
	m.Clock = decodeContext(d)
	n := d.Len(2)
	for range n {
		it := markedItem{Sort: d.String(), Context: decodeContext(d)}
		if k := len(m.Items); k > 0 && m.Items[k-1].Sort >= it.Sort {
			d.Failf("seen marker items not sorted")
			return marker{}
		}
		m.Items = append(m.Items, it)
	}
	return m
}

// String is the marker as clients carry it: URL-safe base64 of its
// encoding.
func (m marker) String() string {
	e := wire.NewEncoder(nil)
	m.encode(e)
	return base64.RawURLEncoding.EncodeToString(e.Bytes())
}

// parseMarker reads a marker as String writes it.
func parseMarker(s string) (marker, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return marker{}, ErrBadMarker
	}
	d := wire.NewDecoder(b)
	m := decodeMarker(d)
	if d.Finish() != nil {
		return marker{}, ErrBadMarker
	}
	return m, nil
}
