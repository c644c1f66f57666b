package layout

import (
	"math"
	"math/bits"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// drawPlacement draws a placement small enough to brute-force: at most 5
// nodes, rf ≤ 3 and 1–4 partitions, with tiny capacities so that node
// shares bind (and sometimes nothing fits), and sometimes an arbitrary
// previous assignment (not necessarily a valid one).
func drawPlacement(t *rapid.T) *placement {
	n := rapid.IntRange(1, 5).Draw(t, "nodes")
	drawn := make([]int, n)
	for k := range drawn {
		drawn[k] = rapid.IntRange(0, min(3, n)-1).Draw(t, "zone")
	}
	// Renumber zones densely: every zone of a placement has a node.
	dense := map[int]int{}
	pl := &placement{partitions: rapid.IntRange(1, 4).Draw(t, "partitions")}
	for _, z := range drawn {
		if _, ok := dense[z]; !ok {
			dense[z] = len(dense)
		}
		pl.zone = append(pl.zone, dense[z])
		pl.capacity = append(pl.capacity, uint64(rapid.IntRange(1, 20).Draw(t, "capacity")))
	}
	pl.zones = len(dense)
	pl.rf = rapid.IntRange(1, min(3, n)).Draw(t, "rf")
	pl.zoneRedundancy = rapid.IntRange(1, min(pl.zones, pl.rf)).Draw(t, "zoneRedundancy")
	if rapid.Bool().Draw(t, "hasPrevious") {
		pl.previous = make([][]int, pl.partitions)
		for p := range pl.previous {
			for k := range n {
				if rapid.Bool().Draw(t, "held") {
					pl.previous[p] = append(pl.previous[p], k)
				}
			}
		}
	}
	pl.seed = [2]uint64{rapid.Uint64().Draw(t, "seed0"), rapid.Uint64().Draw(t, "seed1")}
	return pl
}

// bruteForce tries every assignment and returns the best partition size (0
// if none fits) and the fewest moves among assignments reaching it.
func bruteForce(pl *placement) (bestSize uint64, fewestMoves int) {
	n := len(pl.capacity)
	var candidates [][]int // node sets one partition may use
	for mask := range 1 << n {
		if bits.OnesCount(uint(mask)) != pl.rf {
			continue
		}
		var set []int
		zones := map[int]bool{}
		for k := range n {
			if mask>>k&1 == 1 {
				set = append(set, k)
				zones[pl.zone[k]] = true
			}
		}
		if len(zones) >= pl.zoneRedundancy {
			candidates = append(candidates, set)
		}
	}
	counts := make([]int, n)
	fewestMoves = math.MaxInt
	var walk func(p, moved int)
	walk = func(p, moved int) {
		if p == pl.partitions {
			size := uint64(math.MaxUint64)
			for k, c := range counts {
				if c > 0 {
					size = min(size, pl.capacity[k]/uint64(c))
				}
			}
			switch {
			case size > bestSize:
				bestSize, fewestMoves = size, moved
			case size == bestSize:
				fewestMoves = min(fewestMoves, moved)
			}
			return
		}
		for _, set := range candidates {
			m := moved
			for _, k := range set {
				counts[k]++
				if p >= len(pl.previous) || !slices.Contains(pl.previous[p], k) {
					m++
				}
			}
			walk(p+1, m)
			for _, k := range set {
				counts[k]--
			}
		}
	}
	walk(0, 0)
	return bestSize, fewestMoves
}

func TestPlacementMatchesBruteForce(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pl := drawPlacement(t)
		wantSize, wantMoves := bruteForce(pl)
		size, holders, ok := pl.solve()
		if !ok {
			if wantSize != 0 {
				t.Fatalf("solver found nothing; brute force fits partitions of %d", wantSize)
			}
			return
		}
		if size != wantSize {
			t.Fatalf("partition size %d, brute force %d", size, wantSize)
		}
		checkHolders(t, pl, size, holders)
		if got := moves(holders, pl.previous); got != wantMoves {
			t.Fatalf("%d moves, brute force minimum %d (previous %v, got %v)", got, wantMoves, pl.previous, holders)
		}
	})
}

// checkHolders checks the placement rules on an assignment.
func checkHolders(t interface{ Fatalf(string, ...any) }, pl *placement, size uint64, holders [][]int) {
	if len(holders) != pl.partitions {
		t.Fatalf("%d partitions assigned, want %d", len(holders), pl.partitions)
	}
	counts := make([]int, len(pl.capacity))
	for p, nodes := range holders {
		if len(nodes) != pl.rf || !slices.IsSorted(nodes) || len(slices.Compact(slices.Clone(nodes))) != pl.rf {
			t.Fatalf("partition %d on %v, want %d distinct nodes in order", p, nodes, pl.rf)
		}
		zones := map[int]bool{}
		for _, k := range nodes {
			zones[pl.zone[k]] = true
			counts[k]++
		}
		if len(zones) < pl.zoneRedundancy {
			t.Fatalf("partition %d spans %d zones, want %d", p, len(zones), pl.zoneRedundancy)
		}
	}
	for k, c := range counts {
		if uint64(c) > pl.capacity[k]/size {
			t.Fatalf("node %d holds %d copies of %d bytes, capacity %d", k, c, size, pl.capacity[k])
		}
	}
}

// The partition size is the largest that fits, so the flow must fail one
// byte above it; and the search never looks past the total capacity.
func TestPlacementSizeIsTight(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pl := drawPlacement(t)
		size, _, ok := pl.solve()
		if !ok {
			return
		}
		g := pl.network()
		if !g.fits(size) || g.fits(size+1) {
			t.Fatalf("size %d: fits %v, size+1 fits %v", size, g.fits(size), g.fits(size+1))
		}
		if size > pl.maxSizeBound() {
			t.Fatalf("size %d above bound %d", size, pl.maxSizeBound())
		}
	})
}

func TestMinCostMaxFlowSmallGraph(t *testing.T) {
	// Two parallel routes from 0 to 3, one cheaper: one unit must take the
	// cheap route, the second the expensive one.
	g := newFlowNetwork(4)
	cheap := g.addArc(0, 1, 1, -2)
	g.addArc(0, 2, 1, 0)
	g.addArc(1, 3, 1, 0)
	g.addArc(2, 3, 1, 1)
	flow, cost := g.minCostMaxFlow(0, 3)
	if flow != 2 || cost != -1 || g.arcs[cheap].flow != 1 {
		t.Fatalf("flow %d cost %d, want 2 and -1", flow, cost)
	}

	// Minimum cost needs rerouting an earlier path: the only maximum flow
	// of value 2 avoids the cheap diagonal 1→2 (a unit through it would
	// block both others).
	g = newFlowNetwork(4)
	g.addArc(0, 1, 1, 0)
	g.addArc(0, 2, 1, 0)
	diagonal := g.addArc(1, 2, 1, -5)
	g.addArc(1, 3, 1, 0)
	g.addArc(2, 3, 1, 0)
	if flow, _ := g.minCostMaxFlow(0, 3); flow != 2 || g.arcs[diagonal].flow != 0 {
		t.Fatalf("flow %d with %d on the diagonal, want 2 and 0", flow, g.arcs[diagonal].flow)
	}
}
