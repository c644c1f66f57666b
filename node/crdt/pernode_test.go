package crdt

import (
	"slices"
	"testing"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/wire"
	"pgregory.net/rapid"
)

// Few nodes, stamps and values, so that equal stamps with different counts
// (ties) happen.
var genPerNode = rapid.Custom(func(t *rapid.T) PerNode {
	var p PerNode
	for range rapid.IntRange(0, 4).Draw(t, "n") {
		counts := rapid.SliceOfN(rapid.Int64Range(-1, 3), 0, 3).Draw(t, "counts")
		p = p.Set(genNode.Draw(t, "node"), rapid.Uint64Range(0, 3).Draw(t, "stamp"), counts)
	}
	return p
})

func TestPerNodeLaws(t *testing.T) { checkJoinLaws(t, genPerNode, DecodePerNode) }

// Reading after a join is monotone in what each node reported: a join
// never lowers a node's counts at its newest stamp, and Read takes, per
// count, the greatest of the holders'.
func TestPerNodeReadTakesTheNewestOfEachHolder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := genPerNode.Draw(t, "a"), genPerNode.Draw(t, "b")
		j := a.Join(b)
		for _, n := range j.Nodes() {
			for _, side := range []PerNode{a, b} {
				for _, m := range side.Nodes() {
					if m.Node == n.Node && m.Stamp > n.Stamp {
						t.Fatalf("node %v: stamp %d kept, %d seen", n.Node, n.Stamp, m.Stamp)
					}
				}
			}
		}
		var holders []cluster.NodeID
		for _, n := range j.Nodes() {
			if rapid.Bool().Draw(t, "holds") {
				holders = append(holders, n.Node)
			}
		}
		got := j.Read(holders)
		for _, n := range j.Nodes() {
			if !slices.Contains(holders, n.Node) {
				continue
			}
			for i, v := range n.Counts {
				if got[i] < v {
					t.Fatalf("read %v below holder %v's %v", got, n.Node, n.Counts)
				}
			}
		}
	})
}

func TestPerNodeRead(t *testing.T) {
	var n1, n2, n3 cluster.NodeID
	n1[0], n2[0], n3[0] = 1, 2, 3
	p := PerNode{}.Set(n1, 5, []int64{3, 30}).Set(n1, 4, []int64{9, 9}) // the older is ignored
	p = p.Set(n2, 1, []int64{2, 40}).Set(n3, 7, []int64{100, 100})
	if got := p.Read([]cluster.NodeID{n1, n2}); !slices.Equal(got, []int64{3, 40}) {
		t.Fatalf("read %v", got)
	}
	if got := p.Read(nil); len(got) != 0 {
		t.Fatalf("no holders: %v", got)
	}
	// A node's newer, lower counts (it deleted or handed data over) win.
	if got := p.Set(n3, 8, []int64{0, 0}).Read([]cluster.NodeID{n3}); !slices.Equal(got, []int64{0, 0}) {
		t.Fatalf("newer lower counts: %v", got)
	}
}

func TestDecodePerNodeRejectsUnsorted(t *testing.T) {
	var n1, n2 cluster.NodeID
	n2[0] = 1
	e := wire.NewEncoder(nil)
	e.Uvarint(2)
	for _, n := range []cluster.NodeID{n2, n1} {
		e.Raw(n[:])
		e.Uvarint(1)
		e.Uvarint(0)
	}
	d := wire.NewDecoder(e.Bytes())
	DecodePerNode(d)
	if d.Err() == nil {
		t.Fatal("unsorted nodes must be rejected")
	}
}
