package k2v

import (
	"testing"
)

// A marker reports exactly the items that hold something it has not
// seen, and survives its text form.
func TestMarkerSeesWhatItMarked(t *testing.T) {
	n1, n2 := NodeID(1), NodeID(2)
	a, _ := Item{}.Insert(n1, nil, Value{Data: []byte("a")}, 10)
	b, _ := Item{}.Insert(n2, nil, Value{Data: []byte("b")}, 20)
	var m marker
	m.markItems([]RangeItem{{Sort: "a", Item: a}})
	if m.isNew("a", a) || !m.isNew("b", b) {
		t.Fatal("marked item new, or unmarked item not new")
	}
	a2, _ := a.Insert(n1, nil, Value{Data: []byte("a2")}, 0)
	if !m.isNew("a", a2) {
		t.Fatal("an item with a newer value must be new")
	}
	// Node 1 answered with every new item of its copy: its stamps up to
	// a2's are seen, so the per-item entry is dropped.
	m.markItems([]RangeItem{{Sort: "a", Item: a2}})
	m.markNode(n1, []RangeItem{{Sort: "a", Item: a2}})
	m.compact()
	if len(m.Items) != 0 || m.isNew("a", a2) {
		t.Fatalf("marker %+v after compaction", m)
	}
	m.markItems([]RangeItem{{Sort: "b", Item: b}, {Sort: "z", Item: b}})
	m.restrict("", "", "c")
	got, err := parseMarker(m.String())
	if err != nil || len(got.Items) != 1 || got.Items[0].Sort != "b" || got.isNew("b", b) || got.isNew("a", a2) {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	if _, err := parseMarker("AQ"); err == nil {
		t.Fatal("a truncated marker must be refused")
	}
}

// FuzzParseMarker: no input panics the decoder, and whatever it accepts
// re-encodes to a marker that decodes the same.
func FuzzParseMarker(f *testing.F) {
	var m marker
	it, _ := Item{}.Insert(7, nil, Value{Data: []byte("x")}, 3)
	m.markItems([]RangeItem{{Sort: "a", Item: it}, {Sort: "b", Item: it}})
	m.markNode(7, nil)
	f.Add(m.String())
	f.Add("")
	f.Add("AQA")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := parseMarker(s)
		if err != nil {
			return
		}
		again, err := parseMarker(m.String())
		if err != nil || again.String() != m.String() {
			t.Fatalf("re-encoded marker %q does not round-trip: %v", m.String(), err)
		}
	})
}
