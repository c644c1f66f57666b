package chaos

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/garagego/garage/internal/faultnet"
	"github.com/garagego/garage/netsim"
	"github.com/garagego/garage/sim"
	"github.com/garagego/garage/sim/scenario"
)

// Plan is what a run does to the cluster: its shape, how long the clients
// run, the links' base shapes and the timeline of faults.
type Plan struct {
	Source   string // "seed 42", or the scenario's name
	Nodes    int
	Zones    int // node i is in zone i % Zones
	Duration time.Duration
	// Base is the shape of each direction between two nodes when no fault
	// touches it (a scenario's network); nil for loopback as it is.
	Base    func(from, to int) faultnet.Shape
	Actions []Action
}

// Classes lists the fault classes the plan injects, in order of first use.
func (p Plan) Classes() []Class {
	var out []Class
	for _, a := range p.Actions {
		if a.Class != "" && !slices.Contains(out, a.Class) {
			out = append(out, a.Class)
		}
	}
	return out
}

// margin keeps faults away from the start and the end of the client
// phase, so every run begins and ends with the cluster whole.
const margin = 5 * time.Second

// SeededPlan draws a schedule from seed: every class once, in a random
// order, one after the other over the run; in a run longer than two
// minutes, more faults at random times, which may overlap.
func SeededPlan(seed uint64, nodes int, duration time.Duration, classes []Class) (Plan, error) {
	if nodes < 2 {
		return Plan{}, errors.New("a fault schedule needs at least 2 nodes")
	}
	window := duration - 2*margin
	if len(classes) > 0 && window < time.Duration(len(classes))*2*time.Second {
		return Plan{}, fmt.Errorf("%v is too short for %d fault classes: allow at least %v", duration, len(classes), time.Duration(len(classes))*2*time.Second+2*margin)
	}
	rng := rand.New(rand.NewPCG(seed, 0x6368616f73))
	p := Plan{Source: fmt.Sprintf("seed %d", seed), Nodes: nodes, Zones: nodes, Duration: duration}
	order := slices.Clone(classes)
	rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	if len(order) > 0 {
		slot := window / time.Duration(len(order))
		for i, c := range order {
			start := margin + time.Duration(i)*slot
			// The fault lasts 40-80% of its slot and starts in the rest.
			span := slot * time.Duration(40+rng.IntN(41)) / 100
			start += time.Duration(rng.Int64N(int64(slot - span + 1)))
			p.Actions = append(p.Actions, drawFault(rng, c, nodes, start, span)...)
		}
	}
	if duration > 2*time.Minute && len(classes) > 0 {
		for range int(window / (15 * time.Second)) {
			c := classes[rng.IntN(len(classes))]
			span := 2*time.Second + time.Duration(rng.Int64N(int64(13*time.Second)))
			start := margin + time.Duration(rng.Int64N(int64(window-span)))
			p.Actions = append(p.Actions, drawFault(rng, c, nodes, start, span)...)
		}
	}
	slices.SortStableFunc(p.Actions, func(a, b Action) int { return int(a.At - b.At) })
	return p, nil
}

// drawFault draws one fault of class c on a random node: the action that
// starts it at start and, for a fault that lasts, the one that ends it.
func drawFault(rng *rand.Rand, c Class, nodes int, start, span time.Duration) []Action {
	node := rng.IntN(nodes)
	end := start + span
	links := func(shape faultnet.Shape) []Action {
		return []Action{{At: start, Class: c, Op: OpSlowNode, Node: node, Shape: shape}, {At: end, Class: c, Op: OpFastNode, Node: node}}
	}
	switch c {
	case Delay:
		return links(faultnet.Shape{Delay: time.Duration(20+rng.IntN(81)) * time.Millisecond, Jitter: time.Duration(rng.IntN(21)) * time.Millisecond})
	case Bandwidth:
		return links(faultnet.Shape{Bandwidth: int64(256<<10) * int64(1+rng.IntN(8))})
	case Loss:
		return links(faultnet.Shape{Loss: 0.05 + 0.25*rng.Float64()})
	case Partition:
		var others []int
		for i := range nodes {
			if i != node {
				others = append(others, i)
			}
		}
		return []Action{{At: start, Class: c, Op: OpPartition, Groups: [][]int{{node}, others}}, {At: end, Class: c, Op: OpHeal}}
	case OneWay:
		to := (node + 1 + rng.IntN(nodes-1)) % nodes
		return []Action{{At: start, Class: c, Op: OpBlock, From: node, To: to}, {At: end, Class: c, Op: OpUnblock, From: node, To: to}}
	case Reset:
		return []Action{{At: start, Class: c, Op: OpReset, Node: node}}
	case HalfOpen:
		return []Action{{At: start, Class: c, Op: OpHalfOpen, Node: node}}
	case Kill:
		return []Action{{At: start, Class: c, Op: OpKill, Node: node}, {At: end, Class: c, Op: OpRestart, Node: node}}
	case Freeze:
		return []Action{{At: start, Class: c, Op: OpFreeze, Node: node}, {At: end, Class: c, Op: OpResume, Node: node}}
	case DiskFull:
		return []Action{{At: start, Class: c, Op: OpFillDisk, Node: node}, {At: end, Class: c, Op: OpFreeDisk, Node: node}}
	case Skew:
		skew := time.Duration(10+rng.IntN(111)) * time.Second
		if rng.IntN(2) == 0 {
			skew = -skew
		}
		return []Action{{At: start, Class: c, Op: OpSkew, Node: node, Skew: skew}, {At: end, Class: c, Op: OpSkew, Node: node}}
	case DiskFault:
		return []Action{{At: start, Class: c, Op: OpCorrupt, Node: node, Pick: rng.Uint64()}, {At: end, Class: c, Op: OpLoseBlock, Node: node, Pick: rng.Uint64()}}
	}
	return nil
}

// ScenarioPlan replays a simulator scenario's timeline against real
// processes, speedup times faster (timeline and client phase alike). Its
// network becomes the links' base shapes. Layout changes, spare nodes and
// random faults have no real-process counterpart yet and are refused.
func ScenarioPlan(sc *scenario.Scenario, speedup float64) (Plan, error) {
	o := sc.Options
	if speedup <= 0 {
		speedup = 1
	}
	scale := func(d time.Duration) time.Duration { return time.Duration(float64(d) / speedup) }
	var problems []error
	if o.Spares > 0 || o.LayoutChanges {
		problems = append(problems, errors.New("layout changes and spare nodes are not replayed against real processes"))
	}
	if sc.RandomFaults != nil {
		problems = append(problems, errors.New("random_faults: draw a seeded schedule instead (garage chaos run --seed)"))
	}
	duration := o.Duration
	if duration == 0 {
		problems = append(problems, errors.New("the workload gives a count of operations, not a duration: real clients need a duration"))
	}
	zones := max(o.Zones, 1)
	if o.Zones == 0 {
		zones = min(3, o.Nodes)
	}
	p := Plan{Source: "scenario " + sc.Name, Nodes: o.Nodes, Zones: zones, Duration: scale(duration)}
	net := o.Net
	if net == (netsim.Config{}) {
		net = netsim.DefaultConfig()
	}
	p.Base = func(from, to int) faultnet.Shape {
		l := net.IntraZone
		if from%zones != to%zones {
			l = net.InterZone
		}
		return linkShape(l)
	}
	for _, f := range sc.Timeline {
		a, err := scenarioAction(f)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		a.At = scale(f.At)
		p.Actions = append(p.Actions, a)
	}
	if err := errors.Join(problems...); err != nil {
		return Plan{}, fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	return p, nil
}

func linkShape(l netsim.LinkProfile) faultnet.Shape {
	return faultnet.Shape{Delay: l.Latency, Jitter: l.Jitter, Bandwidth: l.Bandwidth, Loss: l.Loss}
}

// scenarioAction is the real-process action of a simulator fault.
func scenarioAction(f sim.Fault) (Action, error) {
	switch f.Kind {
	case sim.Partition:
		return Action{Class: Partition, Op: OpPartition, Groups: f.Groups}, nil
	case sim.Heal:
		return Action{Class: Partition, Op: OpHeal}, nil
	case sim.Cut:
		return Action{Class: OneWay, Op: OpBlock, From: f.From, To: f.To}, nil
	case sim.Uncut:
		return Action{Class: OneWay, Op: OpUnblock, From: f.From, To: f.To}, nil
	case sim.SlowLink:
		return Action{Class: Delay, Op: OpShape, From: f.From, To: f.To, Shape: linkShape(f.Link)}, nil
	case sim.RestoreLink:
		return Action{Class: Delay, Op: OpUnshape, From: f.From, To: f.To}, nil
	case sim.Crash:
		return Action{Class: Kill, Op: OpKill, Node: f.Node}, nil
	case sim.Restart:
		return Action{Class: Kill, Op: OpRestart, Node: f.Node}, nil
	case sim.Skew:
		return Action{Class: Skew, Op: OpSkew, Node: f.Node, Skew: f.Skew}, nil
	case sim.LoseBlock:
		return Action{Class: DiskFault, Op: OpLoseBlock, Node: f.Node, Pick: f.Pick}, nil
	case sim.CorruptBlock:
		return Action{Class: DiskFault, Op: OpCorrupt, Node: f.Node, Pick: f.Pick}, nil
	case sim.WipeDisk:
		return Action{Class: DiskFault, Op: OpWipeDisk, Node: f.Node}, nil
	}
	return Action{}, fmt.Errorf("at %v: %v has no real-process counterpart yet", f.At, f.Kind)
}
