package netsim

import (
	"fmt"
	"math/rand/v2"
)

// Network is the simulated network between nodes 0..Nodes()-1. It is not
// safe for concurrent use; the simulator drives it from one thread.
type Network struct {
	zones []int
	cfg   Config
	rng   *rand.Rand

	down        []bool
	incarnation []int

	// group holds each node's partition group, or isolated; nil means no
	// partition is in force.
	group     []int
	cuts      map[link]struct{}
	overrides map[link]LinkProfile
	// busyUntil is when each bandwidth-limited directed link finishes
	// transmitting what was queued on it.
	busyUntil map[link]int64

	stats Stats
}

// link is a directed pair of nodes.
type link struct{ from, to int }

// isolated marks a node that belongs to no group of the current partition.
const isolated = -1

// New returns a healthy network of len(zones) nodes where node i lives in
// zone zones[i]. All random decisions are drawn from rng. It panics if cfg
// is invalid or rng is nil, as both are programming errors in a scenario.
func New(zones []int, cfg Config, rng *rand.Rand) *Network {
	if rng == nil {
		panic("netsim: nil rng")
	}
	if err := cfg.Validate(); err != nil {
		panic(fmt.Sprintf("netsim: invalid config: %v", err))
	}
	return &Network{
		zones:       append([]int(nil), zones...),
		cfg:         cfg,
		rng:         rng,
		down:        make([]bool, len(zones)),
		incarnation: make([]int, len(zones)),
		cuts:        make(map[link]struct{}),
		overrides:   make(map[link]LinkProfile),
		busyUntil:   make(map[link]int64),
	}
}

// Nodes returns the number of nodes.
func (n *Network) Nodes() int { return len(n.zones) }

// Zone returns the zone of node.
func (n *Network) Zone(node int) int {
	n.checkNode(node)
	return n.zones[node]
}

// Link returns the profile currently governing messages from one node to
// another: the override set by SetLink if any, else the zone default.
func (n *Network) Link(from, to int) LinkProfile {
	n.checkNode(from)
	n.checkNode(to)
	return n.profile(from, to)
}

func (n *Network) profile(from, to int) LinkProfile {
	if len(n.overrides) > 0 {
		if p, ok := n.overrides[link{from, to}]; ok {
			return p
		}
	}
	if n.zones[from] == n.zones[to] {
		return n.cfg.IntraZone
	}
	return n.cfg.InterZone
}

func (n *Network) checkNode(node int) {
	if node < 0 || node >= len(n.zones) {
		panic(fmt.Sprintf("netsim: node %d out of range [0, %d)", node, len(n.zones)))
	}
}
