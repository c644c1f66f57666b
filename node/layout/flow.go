package layout

import (
	"container/heap"
	"math"
)

// flowNetwork is a directed graph with integer capacities and small integer
// costs per arc, on which AssignOptimal solves its placement problems: a
// maximum flow (Dinic) to test whether a partition size fits, and a
// minimum-cost maximum flow (primal-dual) to keep as many partition copies
// in place as possible.
//
// Arcs come in pairs: arc i^1 is the reverse of arc i, with capacity 0, so
// that residual(i^1) is the flow on i that can be cancelled.
type flowNetwork struct {
	adj  [][]int // arc ids leaving each vertex, in insertion order
	arcs []arc

	// scratch for Dinic, kept to avoid reallocating on every search step
	level []int
	next  []int
	queue []int
}

type arc struct {
	to       int
	capacity int
	flow     int
	cost     int
}

func newFlowNetwork(vertices int) *flowNetwork {
	return &flowNetwork{
		adj:   make([][]int, vertices),
		level: make([]int, vertices),
		next:  make([]int, vertices),
		queue: make([]int, 0, vertices),
	}
}

// addArc adds an arc and its reverse, returning the forward arc's id.
func (g *flowNetwork) addArc(from, to, capacity, cost int) int {
	id := len(g.arcs)
	g.arcs = append(g.arcs, arc{to: to, capacity: capacity, cost: cost}, arc{to: from, cost: -cost})
	g.adj[from] = append(g.adj[from], id)
	g.adj[to] = append(g.adj[to], id+1)
	return id
}

func (g *flowNetwork) residual(id int) int { return g.arcs[id].capacity - g.arcs[id].flow }

func (g *flowNetwork) push(id, amount int) {
	g.arcs[id].flow += amount
	g.arcs[id^1].flow -= amount
}

// reset removes all flow, keeping arcs and capacities.
func (g *flowNetwork) reset() {
	for i := range g.arcs {
		g.arcs[i].flow = 0
	}
}

// admissibleFunc restricts which residual arcs an augmenting path may use;
// from is the arc's tail.
type admissibleFunc func(from, id int) bool

func anyArc(int, int) bool { return true }

// maxFlow pushes as much additional flow from source to sink as the residual
// arcs allow, and returns how much it pushed.
func (g *flowNetwork) maxFlow(source, sink int) int {
	return g.dinic(source, sink, anyArc)
}

// dinic augments along shortest paths of admissible residual arcs, one
// blocking flow per BFS layering, until the sink is cut off.
func (g *flowNetwork) dinic(source, sink int, admissible admissibleFunc) int {
	total := 0
	for g.layer(source, sink, admissible) {
		clear(g.next)
		for {
			pushed := g.augment(source, sink, math.MaxInt, admissible)
			if pushed == 0 {
				break
			}
			total += pushed
		}
	}
	return total
}

// layer computes BFS levels from source over admissible residual arcs and
// reports whether the sink is reachable.
func (g *flowNetwork) layer(source, sink int, admissible admissibleFunc) bool {
	for i := range g.level {
		g.level[i] = -1
	}
	g.level[source] = 0
	g.queue = append(g.queue[:0], source)
	for head := 0; head < len(g.queue); head++ {
		v := g.queue[head]
		for _, id := range g.adj[v] {
			to := g.arcs[id].to
			if g.level[to] < 0 && g.residual(id) > 0 && admissible(v, id) {
				g.level[to] = g.level[v] + 1
				g.queue = append(g.queue, to)
			}
		}
	}
	return g.level[sink] >= 0
}

// augment finds one path from v to sink along the level graph and pushes
// its bottleneck (at most limit). next[v] skips arcs already found dead in
// this phase, which is what bounds Dinic's running time.
func (g *flowNetwork) augment(v, sink, limit int, admissible admissibleFunc) int {
	if v == sink {
		return limit
	}
	for ; g.next[v] < len(g.adj[v]); g.next[v]++ {
		id := g.adj[v][g.next[v]]
		to := g.arcs[id].to
		if g.level[to] != g.level[v]+1 || g.residual(id) <= 0 || !admissible(v, id) {
			continue
		}
		if pushed := g.augment(to, sink, min(limit, g.residual(id)), admissible); pushed > 0 {
			g.push(id, pushed)
			return pushed
		}
	}
	return 0
}

// minCostMaxFlow pushes a maximum flow from source to sink, starting from
// zero flow, whose total cost is minimal among maximum flows. It returns
// the flow value and its cost.
//
// This is the primal-dual method: vertex potentials keep every residual
// arc's reduced cost non-negative, so Dijkstra finds shortest paths; each
// round raises the potentials by the distances and then saturates, with
// Dinic, every path made only of zero-reduced-cost arcs. Augmenting along
// such arcs creates reverse arcs of reduced cost zero too, so the invariant
// survives; and since every augmentation uses a currently shortest path,
// the flow stays minimum-cost for its value at every step (the classic
// successive-shortest-paths argument). Rounds are few because path costs
// take few distinct values here.
func (g *flowNetwork) minCostMaxFlow(source, sink int) (flow, cost int) {
	potential := g.initialPotential(source)
	reducedZero := func(from, id int) bool {
		a := &g.arcs[id]
		return a.cost+potential[from]-potential[a.to] == 0
	}
	for {
		dist := g.shortestDistances(source, potential)
		if dist[sink] == unreachable {
			break
		}
		// Vertices unreachable now stay unreachable (augmentations only
		// add arcs between reachable vertices), so their potentials no
		// longer matter.
		for v, d := range dist {
			if d != unreachable {
				potential[v] += d
			}
		}
		flow += g.dinic(source, sink, reducedZero)
	}
	for i := 0; i < len(g.arcs); i += 2 {
		cost += g.arcs[i].flow * g.arcs[i].cost
	}
	return flow, cost
}

const unreachable = math.MaxInt

// initialPotential returns shortest distances from source over the
// residual arcs (Bellman-Ford in queue form), 0 where unreachable. The
// zero flow has no negative cycle on the networks built here (they are
// acyclic), so this terminates and makes all reduced costs non-negative.
func (g *flowNetwork) initialPotential(source int) []int {
	dist := make([]int, len(g.adj))
	for i := range dist {
		dist[i] = unreachable
	}
	queued := make([]bool, len(g.adj))
	dist[source] = 0
	queue := []int{source}
	queued[source] = true
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		queued[v] = false
		for _, id := range g.adj[v] {
			a := &g.arcs[id]
			if g.residual(id) <= 0 || dist[v]+a.cost >= dist[a.to] {
				continue
			}
			dist[a.to] = dist[v] + a.cost
			if !queued[a.to] {
				queued[a.to] = true
				queue = append(queue, a.to)
			}
		}
	}
	for i, d := range dist {
		if d == unreachable {
			dist[i] = 0
		}
	}
	return dist
}

// shortestDistances runs Dijkstra from source over the residual arcs,
// measuring each arc by its reduced cost, which the potentials keep
// non-negative.
func (g *flowNetwork) shortestDistances(source int, potential []int) []int {
	dist := make([]int, len(g.adj))
	for i := range dist {
		dist[i] = unreachable
	}
	dist[source] = 0
	pending := &vertexHeap{{vertex: source}}
	for pending.Len() > 0 {
		top := heap.Pop(pending).(queuedVertex)
		v := top.vertex
		if top.dist > dist[v] {
			continue // stale entry
		}
		for _, id := range g.adj[v] {
			if g.residual(id) <= 0 {
				continue
			}
			a := &g.arcs[id]
			d := dist[v] + a.cost + potential[v] - potential[a.to]
			if d < dist[a.to] {
				dist[a.to] = d
				heap.Push(pending, queuedVertex{vertex: a.to, dist: d})
			}
		}
	}
	return dist
}

type queuedVertex struct{ vertex, dist int }

// vertexHeap orders by distance, then vertex, so that the search is the
// same on every run.
type vertexHeap []queuedVertex

func (h vertexHeap) Len() int { return len(h) }
func (h vertexHeap) Less(i, j int) bool {
	if h[i].dist != h[j].dist {
		return h[i].dist < h[j].dist
	}
	return h[i].vertex < h[j].vertex
}
func (h vertexHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *vertexHeap) Push(x any)   { *h = append(*h, x.(queuedVertex)) }
func (h *vertexHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
