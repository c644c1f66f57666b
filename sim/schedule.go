package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/garagego/garage/netsim"
)

// FaultKind names a fault event.
type FaultKind uint8

const (
	Partition    FaultKind = iota + 1 // split the network into Groups
	Heal                              // lift every partition and cut
	Cut                               // block messages From -> To only
	Uncut                             // restore From -> To
	Crash                             // stop Node, losing what it had not synced
	Restart                           // start Node again from its disk
	Skew                              // set Node's clock offset to Skew
	SlowLink                          // give From -> To the profile Link
	RestoreLink                       // give From -> To its zone default back
	LoseBlock                         // delete one of Node's stored blocks (chosen by Pick)
	CorruptBlock                      // flip a byte in one of Node's stored blocks (chosen by Pick)
	WipeDisk                          // lose Node's whole data directory
	ChangeLayout                      // the operator stages and applies Change
	LoseMetadata                      // Node's metadata disk dies: it restarts on an empty one
)

var faultNames = map[FaultKind]string{
	Partition: "partition", Heal: "heal", Cut: "cut", Uncut: "uncut", Crash: "crash",
	Restart: "restart", Skew: "skew", SlowLink: "slow-link", RestoreLink: "restore-link",
	LoseBlock: "lose-block", CorruptBlock: "corrupt-block", WipeDisk: "wipe-disk",
	ChangeLayout: "change-layout", LoseMetadata: "lose-metadata",
}

func (k FaultKind) String() string {
	if s, ok := faultNames[k]; ok {
		return s
	}
	return fmt.Sprintf("fault(%d)", uint8(k))
}

// Fault is one timed event of a fault schedule.
type Fault struct {
	At       time.Duration // since the start of the run
	Kind     FaultKind
	Groups   [][]int // Partition
	From, To int     // Cut, Uncut, SlowLink, RestoreLink
	Node     int     // Crash, Restart, Skew
	Skew     time.Duration
	Link     netsim.LinkProfile // SlowLink
	Pick     uint64             // LoseBlock, CorruptBlock: which stored block
	Change   LayoutChange       // ChangeLayout
}

func (f Fault) String() string {
	var arg string
	switch f.Kind {
	case Partition:
		var gs []string
		for _, g := range f.Groups {
			gs = append(gs, fmt.Sprint(g))
		}
		arg = strings.Join(gs, " ")
	case Cut, Uncut, RestoreLink:
		arg = fmt.Sprintf("%d->%d", f.From, f.To)
	case SlowLink:
		arg = fmt.Sprintf("%d->%d %v", f.From, f.To, f.Link)
	case Crash, Restart, WipeDisk, LoseMetadata:
		arg = fmt.Sprint("node ", f.Node)
	case LoseBlock, CorruptBlock:
		arg = fmt.Sprintf("node %d block #%d", f.Node, f.Pick)
	case Skew:
		arg = fmt.Sprintf("node %d by %v", f.Node, f.Skew)
	case ChangeLayout:
		arg = f.Change.String()
	}
	return fmt.Sprintf("%v %v %s", f.At, f.Kind, arg)
}

// randomSchedule draws a fault schedule over [0, horizon) from rates. Faults
// of one kind do not overlap (a partition heals before the next starts; a
// node is not crashed twice), which keeps schedules readable; different
// kinds do overlap.
func randomSchedule(rng *rand.Rand, rates FaultRates, nodes int, zones []int, horizon time.Duration) []Fault {
	var out []Fault
	next := func(every time.Duration) time.Duration {
		return time.Duration(rng.ExpFloat64() * float64(every))
	}
	span := func() time.Duration {
		return rates.FaultDuration/2 + time.Duration(rng.Int64N(int64(rates.FaultDuration)+1))
	}
	if nodes < 2 {
		rates.PartitionEvery, rates.CutEvery, rates.SlowLinkEvery = 0, 0, 0
	}
	if every := rates.PartitionEvery; every > 0 {
		for t := next(every); t < horizon; {
			d := span()
			out = append(out, Fault{At: t, Kind: Partition, Groups: randomGroups(rng, nodes, zones)}, Fault{At: t + d, Kind: Heal})
			t += d + next(every)
		}
	}
	if every := rates.CutEvery; every > 0 {
		for t := next(every); t < horizon; {
			from, to := randomPair(rng, nodes)
			d := span()
			out = append(out, Fault{At: t, Kind: Cut, From: from, To: to}, Fault{At: t + d, Kind: Uncut, From: from, To: to})
			t += d + next(every)
		}
	}
	if every := rates.CrashEvery; every > 0 {
		upAt := make([]time.Duration, nodes)
		for t := next(every); t < horizon; t += next(every) {
			node := rng.IntN(nodes)
			if t < upAt[node] {
				continue
			}
			d := span()
			upAt[node] = t + d
			out = append(out, Fault{At: t, Kind: Crash, Node: node}, Fault{At: t + d, Kind: Restart, Node: node})
		}
	}
	if every := rates.SkewEvery; every > 0 && rates.MaxSkew > 0 {
		for t := next(every); t < horizon; t += next(every) {
			skew := time.Duration(rng.Int64N(2*int64(rates.MaxSkew)+1)) - rates.MaxSkew
			out = append(out, Fault{At: t, Kind: Skew, Node: rng.IntN(nodes), Skew: skew})
		}
	}
	if every := rates.SlowLinkEvery; every > 0 {
		for t := next(every); t < horizon; {
			from, to := randomPair(rng, nodes)
			d := span()
			slow := netsim.LinkProfile{Latency: 200 * time.Millisecond, Jitter: 300 * time.Millisecond, Loss: 0.2}
			out = append(out, Fault{At: t, Kind: SlowLink, From: from, To: to, Link: slow}, Fault{At: t + d, Kind: RestoreLink, From: from, To: to})
			t += d + next(every)
		}
	}
	if every := rates.DiskFaultEvery; every > 0 {
		// Disk faults strike one node only: two intact copies elsewhere
		// let repair restore everything. Striking every holder of a block
		// would be real data loss, which no design avoids.
		unlucky := rng.IntN(nodes)
		for t := next(every); t < horizon; t += next(every) {
			kind := []FaultKind{LoseBlock, LoseBlock, CorruptBlock, CorruptBlock, WipeDisk}[rng.IntN(5)]
			out = append(out, Fault{At: t, Kind: kind, Node: unlucky, Pick: rng.Uint64()})
		}
	}
	if every := rates.LayoutChangeEvery; every > 0 {
		for t := next(every); t < horizon; t += next(every) {
			out = append(out, Fault{At: t, Kind: ChangeLayout})
		}
	}
	slices.SortStableFunc(out, func(a, b Fault) int { return int(a.At - b.At) })
	return out
}

// randomGroups splits the nodes: one node isolated, one zone cut off from
// the others, or a random split in two.
func randomGroups(rng *rand.Rand, nodes int, zones []int) [][]int {
	var a, b []int
	switch rng.IntN(3) {
	case 0:
		lone := rng.IntN(nodes)
		for i := range nodes {
			if i == lone {
				a = append(a, i)
			} else {
				b = append(b, i)
			}
		}
	case 1:
		zone := zones[rng.IntN(nodes)]
		for i := range nodes {
			if zones[i] == zone {
				a = append(a, i)
			} else {
				b = append(b, i)
			}
		}
	default:
		for i := range nodes {
			if rng.IntN(2) == 0 {
				a = append(a, i)
			} else {
				b = append(b, i)
			}
		}
	}
	if len(a) == 0 || len(b) == 0 {
		return [][]int{{0}, seq(1, nodes)}
	}
	return [][]int{a, b}
}

func seq(from, to int) []int {
	var s []int
	for i := from; i < to; i++ {
		s = append(s, i)
	}
	return s
}

func randomPair(rng *rand.Rand, nodes int) (int, int) {
	from := rng.IntN(nodes)
	to := (from + 1 + rng.IntN(nodes-1)) % nodes
	return from, to
}
