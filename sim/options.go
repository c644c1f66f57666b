package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/garagego/garage/netsim"
	"github.com/garagego/garage/node/block"
	"github.com/garagego/garage/node/k2v"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/table"
)

// Options describe one run. Zero fields take values derived from the seed
// ("swarm testing": each seed explores a different mix of faults), so
// every seed is a different experiment and the printed options replay it.
type Options struct {
	Seed uint64

	// Cluster.
	Nodes, Zones int
	// Spares are nodes started outside the layout, for layout changes to
	// add (default 2 when LayoutChanges is set).
	Spares int
	// Capacities of the initial nodes, in bytes (default 1 TiB each);
	// Gateways lists initial nodes that store nothing and only coordinate.
	Capacities        []uint64
	Gateways          []int
	ReplicationFactor int
	Consistency       table.Consistency
	RepairOnRead      bool
	// RequireMonotonicReads fails a run on a monotonic-read violation even
	// without RepairOnRead (with it, they always fail the run).
	RequireMonotonicReads bool
	Bugs                  table.Bugs // planted faults, to prove the checker works
	// ObjectBugs are planted in the object core's version operations, to
	// prove the version checks work.
	ObjectBugs object.Bugs
	// K2VBugs are planted in the K2V core, to prove the K2V checks work.
	K2VBugs k2v.Bugs

	// Workload.
	Clients int
	Ops     int // client operations in the safety phase
	// Duration, if set, ends the safety phase after this much virtual time
	// instead (or when Ops are done, if Ops is set too).
	Duration      time.Duration
	PartitionKeys int // distinct partition keys
	SortKeys      int // sort keys per partition key
	RangeLimit    int
	// ObjectShare is the percentage of operations on objects (puts of
	// inline and multi-block objects, gets checking every byte, deletes,
	// listings) rather than on registers.
	ObjectShare int
	ObjectKeys  int // distinct object keys
	// MultipartShare is the percentage of object puts made as multipart
	// uploads (create, parts, complete), a part at a time.
	MultipartShare int
	// Preload objects of PreloadSize bytes (default 1 KiB, inline) are
	// written before the clients' random operations and the faults begin,
	// and each is read back at the end.
	Preload, PreloadSize int
	BlockSize            int           // bytes per block (small, so objects span several)
	ThinkTime            time.Duration // mean pause between a client's operations
	// TieWriters of the clients put to one hot key through node 0, all at
	// the same instants (every 20 ms): their quorum reads see the same
	// newest stamp, so they stamp alike and the LWW order falls to its
	// tie-breaks (a register workload mode; -1: none).
	TieWriters int
	// CopyShare percent of object operations are copies (whole, or by
	// ranged parts), half of them followed by a delete of the source
	// (default 10; -1: none).
	CopyShare int
	// Versioned makes the object bucket versioned: every write keeps its
	// version beside the others, and VersionShare percent of object
	// operations name versions by id — deletions of one version, reads of
	// one, listings of a key's versions (default 30 when Versioned; -1:
	// none). See versions.go.
	Versioned    bool
	VersionShare int
	// RangeAfterWrite percent of register writes, whatever their outcome,
	// are followed at once, with no think time, by a range read through
	// another node ending near the key written, while the write may still
	// be on its way to a replica or have reached only some (-1: none).
	RangeAfterWrite int
	// K2VShare is the percentage of operations on K2V items (see k2v.go):
	// read-modify-writes, blind writes, deletions, reads, polls, range and
	// index reads over a few contended items, judged by checker.CheckK2V.
	K2VShare       int
	ClientDeadline time.Duration // a client gives up on a reply after this

	// Environment.
	Net            netsim.Config
	PersistLatency time.Duration // disk write + fsync time
	// AckBeforePersist plants a driver bug: a Ready's messages and replies
	// leave before its records are durable, so a crash can lose what was
	// acknowledged. The simulator's durability check, and the history
	// checker in a scenario with slow disks, catch it.
	AckBeforePersist bool
	TickInterval     time.Duration
	Table            table.Config // engine tuning (timeouts, sync interval)
	// TombstoneDelay is how long tables keep a tombstone before collecting
	// it (default: 20 s plus three times the largest clock skew, so that a
	// node whose clock lags cannot stamp a write before a deletion that was
	// collected; -1: never collect).
	TombstoneDelay time.Duration
	Block          block.Config // block manager tuning (GC delay, resync, scrub)

	// Faults: the schedule is generated from the seed and these rates unless
	// Schedule is given explicitly.
	Faults   FaultRates
	Schedule []Fault
	NoFaults bool // run with a healthy network and no schedule
	// LayoutChanges adds layout changes to the random schedule: nodes
	// join and leave, change zone or capacity, the replication factor
	// changes, each staged and applied by a simulated operator.
	LayoutChanges bool

	// HealTime is how long the heal phase lets anti-entropy run; if the
	// cluster is still settling then (layout versions not retired, data
	// being handed over, block checks due), healing goes on until it is
	// settled or HealGrace more has passed (default 10 minutes). What is
	// not done by then fails the final checks.
	HealTime, HealGrace time.Duration
	// EncodeMessages round-trips every message through the wire codec, as
	// TCP would, catching codec bugs at some cost in speed.
	EncodeMessages bool
	// Trace, if set, receives one line per event.
	Trace func(line string)
}

// FaultRates shape the random fault schedule: mean time between faults of
// each kind (0 = never) and how long each lasts.
type FaultRates struct {
	PartitionEvery    time.Duration
	CutEvery          time.Duration
	CrashEvery        time.Duration
	SkewEvery         time.Duration
	SlowLinkEvery     time.Duration
	DiskFaultEvery    time.Duration // a lost block, a corrupt block or a wiped data directory
	LayoutChangeEvery time.Duration
	FaultDuration     time.Duration // mean duration of a partition, cut, crash or slow link
	MaxSkew           time.Duration
}

// withDefaults fills every zero field, drawing the fault mix from the seed.
func (o Options) withDefaults() Options {
	swarm := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	pick := func(v *time.Duration, choices ...time.Duration) {
		if *v == 0 {
			*v = choices[swarm.IntN(len(choices))]
		}
	}
	if o.Nodes == 0 {
		o.Nodes = 5
	}
	if o.Zones == 0 {
		o.Zones = min(3, o.Nodes)
	}
	if o.LayoutChanges && o.Spares == 0 {
		o.Spares = 2
	}
	if o.ReplicationFactor == 0 {
		o.ReplicationFactor = min(3, o.Nodes)
	}
	if o.Clients == 0 {
		o.Clients = 8
	}
	switch {
	case o.Ops == 0 && o.Duration > 0:
		o.Ops = math.MaxInt
	case o.Ops == 0:
		o.Ops = 1000
	}
	if o.PartitionKeys == 0 {
		o.PartitionKeys = 3
	}
	if o.SortKeys == 0 {
		o.SortKeys = 6
	}
	if o.RangeLimit == 0 {
		o.RangeLimit = 4
	}
	if o.ObjectKeys == 0 {
		o.ObjectKeys = 8
	}
	if o.BlockSize == 0 {
		o.BlockSize = 1024
	}
	if o.PreloadSize == 0 {
		o.PreloadSize = 1024
	}
	pick(&o.ThinkTime, 5*time.Millisecond, 20*time.Millisecond, 100*time.Millisecond)
	if o.Schedule == nil { // a scenario says what it wants
		pickInt := func(v *int, choices ...int) {
			if *v == 0 {
				*v = choices[swarm.IntN(len(choices))]
			}
		}
		pickInt(&o.TieWriters, -1, -1, 2, 3)
		pickInt(&o.RangeAfterWrite, -1, -1, 30)
	}
	o.TieWriters, o.RangeAfterWrite = max(o.TieWriters, 0), max(o.RangeAfterWrite, 0)
	if o.CopyShare == 0 {
		o.CopyShare = 10
	}
	o.CopyShare = max(o.CopyShare, 0)
	if o.Versioned && o.VersionShare == 0 {
		o.VersionShare = 30
	}
	o.VersionShare = max(o.VersionShare, 0)
	if o.PersistLatency == 0 {
		o.PersistLatency = 200 * time.Microsecond
	}
	if o.TickInterval == 0 {
		o.TickInterval = 100 * time.Millisecond
	}
	if o.Table == (table.Config{}) {
		o.Table = table.DefaultConfig()
		o.Table.RequestTimeout = 2 * time.Second
		o.Table.SyncInterval = 5 * time.Second
	}
	if o.Block.GCDelay == 0 {
		o.Block = block.Config{ReadTimeout: time.Second, WriteTimeout: o.Table.RequestTimeout, GCDelay: 3 * time.Second,
			ResyncWorkers: 4, ResyncTranquility: 1, ErrorBackoff: 500 * time.Millisecond, ScrubInterval: 20 * time.Second, ScrubTranquility: 4,
			Bugs: o.Block.Bugs}
	}
	o.Table.Consistency = o.Consistency
	o.Table.RepairOnRead = o.RepairOnRead
	o.Table.Bugs = o.Bugs
	if o.ClientDeadline == 0 {
		o.ClientDeadline = 3 * o.Table.RequestTimeout
	}
	if o.Net == (netsim.Config{}) {
		o.Net = netsim.DefaultConfig()
		if !o.NoFaults {
			o.Net.IntraZone.Loss = []float64{0, 0.01, 0.05}[swarm.IntN(3)]
			o.Net.InterZone.Loss = o.Net.IntraZone.Loss
			o.Net.InterZone.Duplicate = []float64{0, 0.02}[swarm.IntN(2)]
			o.Net.InterZone.Reorder, o.Net.InterZone.ReorderDelay = 0.05, 30*time.Millisecond
		}
	}
	if !o.NoFaults && o.Schedule == nil {
		f := &o.Faults
		pick(&f.PartitionEvery, 2*time.Second, 5*time.Second, 20*time.Second)
		pick(&f.CutEvery, 5*time.Second, 30*time.Second)
		pick(&f.CrashEvery, 3*time.Second, 10*time.Second, 30*time.Second)
		pick(&f.SkewEvery, 5*time.Second, 30*time.Second)
		pick(&f.SlowLinkEvery, 10*time.Second, 60*time.Second)
		if o.ObjectShare > 0 {
			pick(&f.DiskFaultEvery, 3*time.Second, 10*time.Second, 30*time.Second)
		}
		if o.LayoutChanges {
			pick(&f.LayoutChangeEvery, 3*time.Second, 10*time.Second, 30*time.Second)
		}
		pick(&f.FaultDuration, 500*time.Millisecond, 2*time.Second, 5*time.Second)
		pick(&f.MaxSkew, 50*time.Millisecond, 2*time.Second, 30*time.Second)
	}
	switch {
	case o.TombstoneDelay == 0:
		o.TombstoneDelay = 20*time.Second + 3*o.largestSkew()
	case o.TombstoneDelay < 0:
		o.TombstoneDelay = 0
	}
	o.Table.TombstoneDelay = o.TombstoneDelay
	if o.HealGrace == 0 {
		o.HealGrace = 10 * time.Minute
	}
	if o.HealTime == 0 {
		// Enough for anti-entropy passes, for garbage collection's grace
		// period, and for timers a node set before its clock jumped back.
		o.HealTime = 3*o.Table.SyncInterval + 2*o.Block.GCDelay + 2*o.Faults.MaxSkew
		// And for the tombstones of the last deletions to be collected
		// (their delay, staggered by holder up to a quarter more).
		o.HealTime += o.TombstoneDelay + o.TombstoneDelay/4
		if o.ObjectShare > 0 {
			o.HealTime += 30 * time.Second // collecting hundreds of blocks, one holder round trip each
		}
		if o.LayoutChanges {
			o.HealTime += 30 * time.Second // sync rounds of the last versions, then their retirement
		}
	}
	return o
}

// largestSkew is the largest clock offset the faults may give a node.
func (o Options) largestSkew() time.Duration {
	skew := o.Faults.MaxSkew
	for _, f := range o.Schedule {
		if f.Kind == Skew {
			skew = max(skew, f.Skew, -f.Skew)
		}
	}
	return skew
}

// Validate reports whether a run of these options (defaults filled) can
// start.
func (o Options) Validate() error { return o.withDefaults().validate() }

// monotonicRequired reports whether monotonic-read violations fail a run.
func (o Options) monotonicRequired() bool { return o.RepairOnRead || o.RequireMonotonicReads }

func (o Options) validate() error {
	switch {
	case o.Nodes < 1 || o.Nodes > 64:
		return fmt.Errorf("nodes: %d, want 1 to 64", o.Nodes)
	case o.Spares < 0 || o.Nodes+o.Spares > 64:
		return fmt.Errorf("spares: %d, want 0 to %d", o.Spares, 64-o.Nodes)
	case len(o.Capacities) > o.Nodes:
		return fmt.Errorf("capacities: %d given for %d nodes", len(o.Capacities), o.Nodes)
	case o.Nodes-len(o.Gateways) < o.ReplicationFactor:
		return fmt.Errorf("gateways: %d of %d nodes leave fewer storage nodes than the replication factor %d", len(o.Gateways), o.Nodes, o.ReplicationFactor)
	case o.Zones < 1 || o.Zones > o.Nodes:
		return fmt.Errorf("zones: %d, want 1 to %d", o.Zones, o.Nodes)
	case slices.ContainsFunc(o.Gateways, func(g int) bool { return g < 0 || g >= o.Nodes }):
		return fmt.Errorf("gateways: %v, want initial node indexes below %d", o.Gateways, o.Nodes)
	case slices.Contains(o.Capacities, 0):
		return fmt.Errorf("capacities: a storage node needs a capacity above zero")
	case o.ReplicationFactor < 1 || o.ReplicationFactor > min(7, o.Nodes):
		return fmt.Errorf("replication factor: %d, want 1 to %d", o.ReplicationFactor, min(7, o.Nodes))
	case o.Clients < 1:
		return fmt.Errorf("clients: %d, want at least 1", o.Clients)
	case o.Ops < 0:
		return fmt.Errorf("ops: %d", o.Ops)
	case o.MultipartShare < 0 || o.MultipartShare > 100:
		return fmt.Errorf("multipart share: %d%%", o.MultipartShare)
	case o.K2VShare < 0 || o.K2VShare > 100:
		return fmt.Errorf("k2v share: %d%%", o.K2VShare)
	case o.VersionShare > 100:
		return fmt.Errorf("version share: %d%%", o.VersionShare)
	case o.Preload < 0 || o.PreloadSize < 0:
		return fmt.Errorf("preload: %d objects of %d bytes", o.Preload, o.PreloadSize)
	}
	if err := o.Net.Validate(); err != nil {
		return fmt.Errorf("network: %w", err)
	}
	return nil
}

// Describe prints the options a run used, so a failure can be understood
// and replayed.
func (o Options) Describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed %d: %d nodes in %d zones, rf %d, %s", o.Seed, o.Nodes, o.Zones, o.ReplicationFactor, o.Consistency)
	if o.Spares > 0 {
		fmt.Fprintf(&b, ", %d spare nodes", o.Spares)
	}
	if o.RepairOnRead {
		b.WriteString(", repair-on-read")
	}
	fmt.Fprintf(&b, "; %d clients, ", o.Clients)
	if o.Ops != math.MaxInt {
		fmt.Fprintf(&b, "%d ops", o.Ops)
	}
	if o.Duration > 0 {
		if o.Ops != math.MaxInt {
			b.WriteString(" or ")
		}
		fmt.Fprintf(&b, "%v", o.Duration)
	}
	fmt.Fprintf(&b, " over %dx%d keys", o.PartitionKeys, o.SortKeys)
	if o.ObjectShare > 0 {
		fmt.Fprintf(&b, " (%d%% on %d objects, %d-byte blocks, %d%% of them copies", o.ObjectShare, o.ObjectKeys, o.BlockSize, o.CopyShare)
		if o.Versioned {
			fmt.Fprintf(&b, "; versioned, %d%% of them on versions by id", o.VersionShare)
		}
		b.WriteString(")")
	}
	if o.K2VShare > 0 {
		fmt.Fprintf(&b, " (%d%% on %d K2V items)", o.K2VShare, k2vBuckets*k2vPartitions*k2vSortKeys)
	}
	if o.TieWriters > 0 {
		fmt.Fprintf(&b, ", %d writers in lockstep on one key", o.TieWriters)
	}
	if o.RangeAfterWrite > 0 {
		fmt.Fprintf(&b, ", %d%% of writes followed by a range read", o.RangeAfterWrite)
	}
	if o.Preload > 0 {
		fmt.Fprintf(&b, " after preloading %d objects of %d bytes", o.Preload, o.PreloadSize)
	}
	fmt.Fprintf(&b, ", think %v\n", o.ThinkTime)
	fmt.Fprintf(&b, "net: intra %v, inter %v\n", o.Net.IntraZone, o.Net.InterZone)
	if o.NoFaults {
		b.WriteString("faults: none\n")
	} else if o.Schedule != nil {
		fmt.Fprintf(&b, "faults: explicit schedule of %d events\n", len(o.Schedule))
	} else {
		f := o.Faults
		fmt.Fprintf(&b, "faults every: partition %v, cut %v, crash %v, skew %v (max %v), slow link %v, disk %v, layout change %v; lasting ~%v\n",
			f.PartitionEvery, f.CutEvery, f.CrashEvery, f.SkewEvery, f.MaxSkew, f.SlowLinkEvery, f.DiskFaultEvery, f.LayoutChangeEvery, f.FaultDuration)
	}
	if o.Bugs != (table.Bugs{}) {
		fmt.Fprintf(&b, "planted bugs: %+v\n", o.Bugs)
	}
	if o.ObjectBugs != (object.Bugs{}) {
		fmt.Fprintf(&b, "planted object bugs: %+v\n", o.ObjectBugs)
	}
	if o.K2VBugs != (k2v.Bugs{}) {
		fmt.Fprintf(&b, "planted k2v bugs: %+v\n", o.K2VBugs)
	}
	return b.String()
}
