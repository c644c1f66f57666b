package chaos

import (
	"fmt"
	"strings"
	"time"

	"github.com/garagego/garage/internal/faultnet"
)

// Class is a kind of fault the harness injects into real processes.
type Class string

// The fault classes. A seeded schedule draws every class it is given; a
// scenario's timeline maps onto the same actions.
const (
	Delay     Class = "delay"      // a node's links gain latency and jitter
	Bandwidth Class = "bandwidth"  // a node's links are capped
	Loss      Class = "loss"       // a node's links stall like TCP retransmitting lost packets
	Partition Class = "partition"  // a node is cut off from every other, both ways
	OneWay    Class = "one-way"    // one node's messages to another are held, not the reverse
	Reset     Class = "reset"      // every connection of a node is reset
	HalfOpen  Class = "half-open"  // every connection of a node goes silent, both ends still open
	Kill      Class = "kill"       // a node is killed (SIGKILL) and later restarted
	Freeze    Class = "freeze"     // a node is stopped (SIGSTOP) and later resumed
	DiskFull  Class = "disk-full"  // a node's data disk fills up, then frees
	Skew      Class = "skew"       // a node's clock jumps ahead or back, then returns
	DiskFault Class = "disk-fault" // a node loses or corrupts stored blocks (scenarios only)
)

// AllClasses are the classes a seeded schedule draws by default, each at
// least once.
var AllClasses = []Class{Delay, Bandwidth, Loss, Partition, OneWay, Reset, HalfOpen, Kill, Freeze, DiskFull, Skew}

// ParseClasses reads a comma-separated list of classes ("all" for
// AllClasses, "none" for a run without faults).
func ParseClasses(s string) ([]Class, error) {
	switch s {
	case "", "all":
		return AllClasses, nil
	case "none":
		return nil, nil
	}
	var out []Class
	for _, name := range strings.Split(s, ",") {
		c := Class(strings.TrimSpace(name))
		known := c == DiskFault
		for _, k := range AllClasses {
			known = known || c == k
		}
		if !known {
			return nil, fmt.Errorf("unknown fault class %q (known: %v)", c, AllClasses)
		}
		out = append(out, c)
	}
	return out, nil
}

// Op is what an action does.
type Op string

// The actions. Nodes are numbered from 0, as in scenarios.
const (
	OpPartition Op = "partition"  // Groups: no traffic between groups; nodes in none are alone
	OpHeal      Op = "heal"       // lift every partition and one-way block
	OpBlock     Op = "block"      // From -> To held
	OpUnblock   Op = "unblock"    // From -> To flows again
	OpShape     Op = "shape"      // From -> To gets Shape
	OpUnshape   Op = "unshape"    // From -> To gets the base shape back
	OpSlowNode  Op = "slow-node"  // every link to and from Node gets Shape
	OpFastNode  Op = "fast-node"  // they get their base shape back
	OpReset     Op = "reset"      // reset Node's connections
	OpHalfOpen  Op = "half-open"  // silence Node's connections
	OpKill      Op = "kill"       // SIGKILL Node
	OpRestart   Op = "restart"    // start Node again
	OpFreeze    Op = "freeze"     // SIGSTOP Node
	OpResume    Op = "resume"     // SIGCONT Node
	OpFillDisk  Op = "fill-disk"  // fill Node's data disk
	OpFreeDisk  Op = "free-disk"  // free it again
	OpSkew      Op = "skew"       // set Node's clock offset to Skew
	OpLoseBlock Op = "lose-block" // delete one of Node's stored blocks (Pick)
	OpCorrupt   Op = "corrupt-block"
	OpWipeDisk  Op = "wipe-disk" // delete every block Node stores
)

// Action is one timed step of a fault schedule.
type Action struct {
	At     time.Duration // since the clients started
	Class  Class         // the fault it belongs to, for the report
	Op     Op
	Node   int
	From   int
	To     int
	Groups [][]int
	Shape  faultnet.Shape
	Skew   time.Duration
	Pick   uint64
}

func (a Action) String() string {
	var arg string
	switch a.Op {
	case OpPartition:
		arg = fmt.Sprint(a.Groups)
	case OpBlock, OpUnblock, OpUnshape:
		arg = fmt.Sprintf("n%d->n%d", a.From, a.To)
	case OpShape:
		arg = fmt.Sprintf("n%d->n%d %s", a.From, a.To, describeShape(a.Shape))
	case OpSlowNode:
		arg = fmt.Sprintf("n%d %s", a.Node, describeShape(a.Shape))
	case OpSkew:
		arg = fmt.Sprintf("n%d by %v", a.Node, a.Skew)
	case OpLoseBlock, OpCorrupt:
		arg = fmt.Sprintf("n%d block #%d", a.Node, a.Pick)
	case OpHeal:
	default:
		arg = fmt.Sprintf("n%d", a.Node)
	}
	return strings.TrimSpace(fmt.Sprintf("%8.1fs %-13s %s", a.At.Seconds(), a.Op, arg))
}

func describeShape(s faultnet.Shape) string {
	var parts []string
	if s.Delay > 0 {
		parts = append(parts, fmt.Sprintf("delay %v±%v", s.Delay, s.Jitter))
	}
	if s.Bandwidth > 0 {
		parts = append(parts, fmt.Sprintf("%.1f MiB/s", float64(s.Bandwidth)/(1<<20)))
	}
	if s.Loss > 0 {
		parts = append(parts, fmt.Sprintf("loss %.0f%%", 100*s.Loss))
	}
	if len(parts) == 0 {
		return "clear"
	}
	return strings.Join(parts, ", ")
}
