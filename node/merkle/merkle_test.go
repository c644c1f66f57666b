package merkle

import (
	"testing"

	"github.com/garagego/garage/node/cluster"
	"pgregory.net/rapid"
)

// Property: two trees have equal roots exactly when they hold the same
// items, whatever order the updates came in.
func TestRootsEqualExactlyWhenItemsEqual(t *testing.T) {
	keys := []string{"a", "b", "c", "d", "e"}
	type op struct {
		key    string
		value  byte
		remove bool
	}
	genOps := rapid.SliceOfN(rapid.Custom(func(t *rapid.T) op {
		return op{
			key:    rapid.SampledFrom(keys).Draw(t, "key"),
			value:  rapid.ByteRange(0, 2).Draw(t, "value"),
			remove: rapid.IntRange(0, 3).Draw(t, "remove") == 0,
		}
	}), 0, 12)
	apply := func(ops []op) (*Tree, map[string]byte) {
		tr := &Tree{}
		model := map[string]byte{}
		for _, o := range ops {
			if o.remove {
				tr.Remove(o.key)
				delete(model, o.key)
			} else {
				tr.Set(o.key, cluster.Sum([]byte{o.value}))
				model[o.key] = o.value
			}
			tr.Root() // interleave reads so lazy recomputation is exercised
		}
		return tr, model
	}
	rapid.Check(t, func(t *rapid.T) {
		a, ma := apply(genOps.Draw(t, "a"))
		b, mb := apply(genOps.Draw(t, "b"))
		sameItems := len(ma) == len(mb)
		for k, v := range ma {
			if w, ok := mb[k]; !ok || w != v {
				sameItems = false
			}
		}
		if sameRoot := a.Root() == b.Root(); sameRoot != sameItems {
			t.Fatalf("roots equal=%v but items equal=%v (%v vs %v)", sameRoot, sameItems, ma, mb)
		}
		if a.Len() != len(ma) {
			t.Fatalf("len %d, want %d", a.Len(), len(ma))
		}
		for i := range Leaves {
			if (a.LeafDigest(uint8(i)) == b.LeafDigest(uint8(i))) != sameLeaf(a.LeafItems(uint8(i)), b.LeafItems(uint8(i))) {
				t.Fatalf("leaf %d digest disagrees with its items", i)
			}
		}
	})
}

func sameLeaf(a, b []Item) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestEmptyTreeHasZeroRoot(t *testing.T) {
	tr := &Tree{}
	tr.Set("x", cluster.Sum([]byte("1")))
	tr.Remove("x")
	if tr.Root() != (cluster.Hash{}) {
		t.Fatal("a tree emptied again must have the zero root")
	}
}

func BenchmarkSetAndRoot(b *testing.B) {
	tr := &Tree{}
	keys := make([]string, 4096)
	for i := range keys {
		keys[i] = string(rune('a'+i%26)) + string(rune(i))
	}
	vh := cluster.Sum([]byte("v"))
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		tr.Set(keys[i%len(keys)], vh)
		vh[0]++
		if i%64 == 0 {
			tr.Root()
		}
	}
}

// A key set then removed leaves no trace: its group's digest goes back to
// the zero of a group never touched (found by the rapid test above).
func TestRemovedKeyLeavesNoTrace(t *testing.T) {
	var a, b Tree
	a.Set("c", cluster.Hash{1})
	a.Root()
	a.Remove("c")
	a.Set("d", cluster.Hash{2})
	b.Set("d", cluster.Hash{2})
	if a.Root() != b.Root() {
		t.Fatal("equal items, different roots after a removal")
	}
}
