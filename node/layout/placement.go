package layout

import (
	"math/bits"
	"math/rand/v2"
	"slices"
)

// placement is the abstract problem behind AssignOptimal: put rf copies of
// each of a number of partitions on storage nodes. The partition count is
// a parameter (256 in production) so that tests can compare with a brute
// force on a handful of partitions.
type placement struct {
	partitions int
	rf         int
	// zoneRedundancy is the effective minimum number of distinct zones per
	// partition, 1 ≤ zoneRedundancy ≤ rf.
	zoneRedundancy int
	capacity       []uint64 // per storage node, > 0
	zone           []int    // per storage node, in [0, zones)
	zones          int      // every zone has at least one node
	// previous[p] lists the nodes that held partition p before; copies
	// kept there are copies that need not move. May be nil.
	previous [][]int
	// seed shuffles the order in which each partition tries the nodes of
	// a zone, so that partitions do not all pile onto the first nodes and
	// co-replicas spread over the cluster, without breaking determinism.
	seed [2]uint64
}

// network is the flow network of a placement:
//
//	source → up(p)   capacity zoneRedundancy
//	source → down(p) capacity rf − zoneRedundancy
//	up(p)   → zone(p, z) capacity 1    (so up reaches zoneRedundancy distinct zones)
//	down(p) → zone(p, z) capacity rf − zoneRedundancy
//	zone(p, z) → node(n) capacity 1, n in z  (distinct nodes per partition)
//	node(n) → sink capacity floor(capacity_n / size)
//
// A flow of partitions×rf saturates every source arc and is exactly an
// assignment of rf distinct nodes per partition spanning at least
// zoneRedundancy zones, within every node's share; conversely every such
// assignment routes one unit through up for a node in each of
// zoneRedundancy distinct zones and the rest through down.
type network struct {
	*flowNetwork
	source, sink int
	// holding[p][k] is the arc zone(p, ·) → node(k): its flow says whether
	// node k holds partition p.
	holding   [][]int
	nodeArcs  []int // node(n) → sink
	placement *placement
}

func (pl *placement) copies() int { return pl.partitions * pl.rf }

func (pl *placement) network() *network {
	p, z, n := pl.partitions, pl.zones, len(pl.capacity)
	const source, sink = 0, 1
	up := func(i int) int { return 2 + 2*i }
	down := func(i int) int { return 3 + 2*i }
	zoneOf := func(i, zone int) int { return 2 + 2*p + i*z + zone }
	node := func(k int) int { return 2 + 2*p + p*z + k }

	g := &network{
		flowNetwork: newFlowNetwork(2 + 2*p + p*z + n),
		source:      source,
		sink:        sink,
		holding:     make([][]int, p),
		nodeArcs:    make([]int, n),
		placement:   pl,
	}
	rng := rand.New(rand.NewPCG(pl.seed[0], pl.seed[1]))
	order := make([]int, n)
	spare := pl.rf - pl.zoneRedundancy
	for i := range p {
		g.addArc(source, up(i), pl.zoneRedundancy, 0)
		if spare > 0 {
			g.addArc(source, down(i), spare, 0)
		}
		for zone := range z {
			g.addArc(up(i), zoneOf(i, zone), 1, 0)
			if spare > 0 {
				g.addArc(down(i), zoneOf(i, zone), spare, 0)
			}
		}
		g.holding[i] = make([]int, n)
		for k := range order {
			order[k] = k
		}
		rng.Shuffle(n, func(a, b int) { order[a], order[b] = order[b], order[a] })
		for _, k := range order {
			cost := 0
			if i < len(pl.previous) && slices.Contains(pl.previous[i], k) {
				cost = -1 // keeping a copy in place saves a transfer
			}
			g.holding[i][k] = g.addArc(zoneOf(i, pl.zone[k]), node(k), 1, cost)
		}
	}
	for k := range n {
		g.nodeArcs[k] = g.addArc(node(k), sink, 0, 0)
	}
	return g
}

// share is how many copies a node of the given capacity can hold with
// partitions of the given size: never more than one per partition.
func (pl *placement) share(capacity, size uint64) int {
	return int(min(capacity/size, uint64(pl.partitions)))
}

// setSize sets the node → sink capacities for a partition size and removes
// all flow.
func (g *network) setSize(size uint64) {
	g.reset()
	for k, id := range g.nodeArcs {
		g.arcs[id].capacity = g.placement.share(g.placement.capacity[k], size)
	}
}

// fits reports whether every copy can be placed with partitions of size.
func (g *network) fits(size uint64) bool {
	pl := g.placement
	room := 0
	for _, c := range pl.capacity {
		room += pl.share(c, size)
	}
	if room < pl.copies() {
		return false // not even counting the zone and distinctness rules
	}
	g.setSize(size)
	return g.maxFlow(g.source, g.sink) == pl.copies()
}

// maxSizeBound is an upper bound on the partition size: all copies must fit
// in the total capacity. It is 0 if not even one byte per copy fits.
func (pl *placement) maxSizeBound() uint64 {
	var total, largest uint64
	for _, c := range pl.capacity {
		sum, carry := bits.Add64(total, c, 0)
		if carry != 0 {
			sum = ^uint64(0) // AssignOptimal refuses this; stay correct anyway
		}
		total = sum
		largest = max(largest, c)
	}
	return min(total/uint64(pl.copies()), largest)
}

// solve returns the largest partition size at which every copy fits and,
// at that size, an assignment (holders[p] = nodes holding partition p, in
// increasing order) that keeps as many copies as possible where previous
// had them. ok is false if not even a size of one byte fits.
func (pl *placement) solve() (size uint64, holders [][]int, ok bool) {
	g := pl.network()
	// Feasibility only gets easier as the size shrinks (every share grows),
	// so binary search finds the largest feasible size.
	lo, hi := uint64(1), pl.maxSizeBound()
	if hi < lo || !g.fits(lo) {
		return 0, nil, false
	}
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		if g.fits(mid) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	size = lo

	g.setSize(size)
	if flow, _ := g.minCostMaxFlow(g.source, g.sink); flow != pl.copies() {
		panic("layout: a feasible partition size lost its flow") // fits(size) held
	}
	holders = make([][]int, pl.partitions)
	for i, arcs := range g.holding {
		for k, id := range arcs {
			if g.arcs[id].flow > 0 {
				holders[i] = append(holders[i], k)
			}
		}
	}
	return size, holders, true
}

// moves counts the copies in holders whose node did not hold that
// partition in previous: each is a transfer.
func moves(holders, previous [][]int) int {
	n := 0
	for p, nodes := range holders {
		for _, k := range nodes {
			if p >= len(previous) || !slices.Contains(previous[p], k) {
				n++
			}
		}
	}
	return n
}
