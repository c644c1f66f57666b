// Package scenario reads failure scenarios written in YAML (the files under
// scenarios/): a cluster, a network, a workload, a timeline of faults and
// layout changes in virtual time, the properties to check and a default
// seed. It turns them into simulator options, runs them, judges the result
// against the properties (some scenarios demonstrate an anomaly and expect
// its violation), and writes scenarios back, for the fuzzer's findings.
package scenario

import (
	"bytes"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/garagego/garage/netsim"
	"github.com/garagego/garage/node/table"
	"github.com/garagego/garage/sim"
)

// Scenario is a loaded scenario.
type Scenario struct {
	Name        string
	Description string
	Path        string // the file it was loaded from, if the caller sets it
	Seed        uint64 // the default seed
	// TraceHash is the recorded trace hash of a run with Seed ("" if none
	// is recorded); a run of that seed must reproduce it.
	TraceHash string
	// Options are the simulator options, Seed and Schedule aside.
	Options sim.Options
	// Timeline holds the scripted events; RandomFaults, if set, adds a
	// schedule drawn from the seed at these rates.
	Timeline     []sim.Fault
	RandomFaults *sim.FaultRates
	// Check lists the properties that must hold; Expect those the scenario
	// demonstrates, whose violation must occur.
	Check, Expect []string

	doc *yaml.Node // the parsed document, to write variants of the file
}

// The fields a scenario file may have, at the top level and per section.
var (
	topFields      = []string{"name", "description", "seed", "trace_hash", "cluster", "network", "workload", "timeline", "random_faults", "check", "expect_violations", "heal", "bugs"}
	clusterFields  = []string{"nodes", "zones", "spares", "replication_factor", "consistency", "repair_on_read", "capacities", "gateways", "persist_latency", "tombstone_delay"}
	networkFields  = []string{"intra_zone", "inter_zone"}
	linkFields     = []string{"latency", "jitter", "loss", "duplicate", "reorder", "reorder_delay", "bandwidth"}
	workloadFields = []string{"clients", "ops", "duration", "think", "objects", "multipart", "copies", "versioned", "version_ops", "ties", "range_after_write", "k2v", "keys", "range_limit", "block_size", "preload", "deadline"}
	keysFields     = []string{"partitions", "sort", "objects"}
	preloadFields  = []string{"objects", "size"}
	healFields     = []string{"time", "grace"}
	randomFields   = []string{"partition_every", "cut_every", "crash_every", "skew_every", "slow_link_every", "disk_fault_every", "layout_change_every", "duration", "max_skew"}
)

// Parse validates a scenario held in data; name is used in error messages
// (the file name) and as the default scenario name.
func Parse(name string, data []byte) (*Scenario, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: empty scenario", name)
	}
	d := &decoder{file: name}
	sc := &Scenario{Name: strings.TrimSuffix(filepath.Base(name), filepath.Ext(name)), Seed: 1, doc: &doc}
	top := d.mapping(doc.Content[0], "", topFields...)
	if top == nil {
		return nil, d.err()
	}
	o := &sc.Options
	if n := top["name"]; n != nil {
		sc.Name = d.str(n, "name")
	}
	if n := top["description"]; n != nil {
		sc.Description = strings.TrimSpace(d.str(n, "description"))
	}
	if n := top["seed"]; n != nil {
		sc.Seed = d.uinteger(n, "seed")
	}
	if n := top["trace_hash"]; n != nil {
		sc.TraceHash = d.str(n, "trace_hash")
	}
	d.cluster(top["cluster"], o)
	d.network(top["network"], o)
	d.workload(top["workload"], o)
	if n := top["heal"]; n != nil {
		if f := d.mapping(n, "heal", healFields...); f != nil {
			if v := f["time"]; v != nil {
				o.HealTime = d.duration(v, "heal.time", false)
			}
			if v := f["grace"]; v != nil {
				o.HealGrace = d.duration(v, "heal.grace", false)
			}
		}
	}
	if n := top["timeline"]; n != nil && o.Nodes > 0 {
		sc.Timeline = d.timeline(n, o)
	}
	if n := top["bugs"]; n != nil {
		d.bugs(n, o)
	}
	if n := top["random_faults"]; n != nil {
		sc.RandomFaults = d.randomFaults(n)
	}
	sc.Check = defaultChecks(o.RepairOnRead)
	if n := top["check"]; n != nil {
		sc.Check = d.properties(n, "check", sc.Check)
	}
	if n := top["expect_violations"]; n != nil {
		sc.Expect = d.properties(n, "expect_violations", nil)
	}
	if err := d.err(); err != nil {
		return nil, err
	}
	if err := sc.OptionsFor(sc.Seed).Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return sc, nil
}

// defaultChecks is every property, monotonic reads only with repair-on-read
// (without it, quorum reads allow the anomaly). "check: [all]" means
// these.
func defaultChecks(repairOnRead bool) []string {
	out := slices.Clone(sim.Properties)
	if !repairOnRead {
		out = slices.DeleteFunc(out, func(p string) bool { return p == sim.PropMonotonicReads })
	}
	return out
}

// properties decodes a list of property names; "all" stands for all.
func (d *decoder) properties(n *yaml.Node, path string, all []string) []string {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, path, "want a list of properties (%s), got %s", strings.Join(sim.Properties, ", "), describe(n))
		return nil
	}
	var out []string
	for i, item := range n.Content {
		p := d.str(item, fmt.Sprintf("%s[%d]", path, i))
		if p == "all" && all != nil {
			out = append(out, all...)
			continue
		}
		if !slices.Contains(sim.Properties, p) {
			d.errorf(item, fmt.Sprintf("%s[%d]", path, i), "unknown property %q (known: %s)", p, strings.Join(sim.Properties, ", "))
		}
		out = append(out, p)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (d *decoder) cluster(n *yaml.Node, o *sim.Options) {
	if n == nil {
		d.errs = append(d.errs, fmt.Errorf("%s: cluster: missing (give at least nodes and zones)", d.file))
		return
	}
	f := d.mapping(n, "cluster", clusterFields...)
	if f == nil {
		return
	}
	o.Nodes, o.Zones, o.ReplicationFactor = 5, 3, 3
	if v := f["nodes"]; v != nil {
		o.Nodes = d.integer(v, "cluster.nodes", 1, 64)
	}
	if v := f["zones"]; v != nil {
		o.Zones = d.integer(v, "cluster.zones", 1, max(o.Nodes, 1))
	}
	if v := f["spares"]; v != nil {
		o.Spares = d.integer(v, "cluster.spares", 0, 64-o.Nodes)
	}
	if v := f["replication_factor"]; v != nil {
		o.ReplicationFactor = d.integer(v, "cluster.replication_factor", 1, 7)
	}
	if v := f["consistency"]; v != nil {
		mode := d.str(v, "cluster.consistency")
		c, err := table.ParseConsistency(mode)
		if err != nil {
			d.errorf(v, "cluster.consistency", "want consistent, degraded or dangerous, got %q", mode)
		}
		o.Consistency = c
	}
	if v := f["repair_on_read"]; v != nil {
		o.RepairOnRead = d.boolean(v, "cluster.repair_on_read")
	}
	if v := f["persist_latency"]; v != nil {
		o.PersistLatency = d.duration(v, "cluster.persist_latency", false)
	}
	if v := f["tombstone_delay"]; v != nil {
		o.TombstoneDelay = d.duration(v, "cluster.tombstone_delay", false)
	}
	if v := f["capacities"]; v != nil {
		if v.Kind != yaml.SequenceNode {
			d.errorf(v, "cluster.capacities", "want a list of sizes, one per node, got %s", describe(v))
		}
		for i, item := range v.Content {
			o.Capacities = append(o.Capacities, d.size(item, fmt.Sprintf("cluster.capacities[%d]", i)))
		}
	}
	if v := f["gateways"]; v != nil {
		o.Gateways = d.nodeList(v, "cluster.gateways", o.Nodes)
	}
}

func (d *decoder) network(n *yaml.Node, o *sim.Options) {
	o.Net = netsim.DefaultConfig()
	if n == nil {
		return
	}
	f := d.mapping(n, "network", networkFields...)
	if v := f["intra_zone"]; v != nil {
		d.link(v, "network.intra_zone", &o.Net.IntraZone)
	}
	if v := f["inter_zone"]; v != nil {
		d.link(v, "network.inter_zone", &o.Net.InterZone)
	}
}

func (d *decoder) link(n *yaml.Node, path string, p *netsim.LinkProfile) {
	f := d.mapping(n, path, linkFields...)
	if v := f["latency"]; v != nil {
		p.Latency = d.duration(v, path+".latency", false)
	}
	if v := f["jitter"]; v != nil {
		p.Jitter = d.duration(v, path+".jitter", false)
	}
	if v := f["loss"]; v != nil {
		p.Loss = d.probability(v, path+".loss")
	}
	if v := f["duplicate"]; v != nil {
		p.Duplicate = d.probability(v, path+".duplicate")
	}
	if v := f["reorder"]; v != nil {
		p.Reorder = d.probability(v, path+".reorder")
	}
	if v := f["reorder_delay"]; v != nil {
		p.ReorderDelay = d.duration(v, path+".reorder_delay", false)
	}
	if v := f["bandwidth"]; v != nil {
		p.Bandwidth = int64(d.size(v, path+".bandwidth"))
	}
}

func (d *decoder) workload(n *yaml.Node, o *sim.Options) {
	o.Clients, o.ThinkTime = 8, 20*time.Millisecond
	if n == nil {
		return
	}
	f := d.mapping(n, "workload", workloadFields...)
	if v := f["clients"]; v != nil {
		o.Clients = d.integer(v, "workload.clients", 1, 1000)
	}
	if v := f["ops"]; v != nil {
		o.Ops = d.integer(v, "workload.ops", 1, math.MaxInt32)
	}
	if v := f["duration"]; v != nil {
		o.Duration = d.duration(v, "workload.duration", false)
	}
	if v := f["think"]; v != nil {
		o.ThinkTime = d.duration(v, "workload.think", false)
	}
	if v := f["deadline"]; v != nil {
		o.ClientDeadline = d.duration(v, "workload.deadline", false)
	}
	if v := f["objects"]; v != nil {
		o.ObjectShare = d.percent(v, "workload.objects")
	}
	if v := f["multipart"]; v != nil {
		o.MultipartShare = d.percent(v, "workload.multipart")
	}
	if v := f["versioned"]; v != nil {
		o.Versioned = d.boolean(v, "workload.versioned")
	}
	if v := f["k2v"]; v != nil {
		o.K2VShare = d.percent(v, "workload.k2v")
	}
	// For these four, the simulator's 0 means its default: a scenario's 0
	// means none.
	if v := f["copies"]; v != nil {
		o.CopyShare = noneIfZero(d.percent(v, "workload.copies"))
	}
	if v := f["version_ops"]; v != nil {
		o.VersionShare = noneIfZero(d.percent(v, "workload.version_ops"))
	}
	if v := f["ties"]; v != nil {
		o.TieWriters = noneIfZero(d.integer(v, "workload.ties", 0, 1000))
	}
	if v := f["range_after_write"]; v != nil {
		o.RangeAfterWrite = noneIfZero(d.percent(v, "workload.range_after_write"))
	}
	if v := f["range_limit"]; v != nil {
		o.RangeLimit = d.integer(v, "workload.range_limit", 1, 1000)
	}
	if v := f["block_size"]; v != nil {
		o.BlockSize = int(d.size(v, "workload.block_size"))
	}
	if v := f["keys"]; v != nil {
		k := d.mapping(v, "workload.keys", keysFields...)
		if x := k["partitions"]; x != nil {
			o.PartitionKeys = d.integer(x, "workload.keys.partitions", 1, 10000)
		}
		if x := k["sort"]; x != nil {
			o.SortKeys = d.integer(x, "workload.keys.sort", 1, 10000)
		}
		if x := k["objects"]; x != nil {
			o.ObjectKeys = d.integer(x, "workload.keys.objects", 1, 100000)
		}
	}
	if v := f["preload"]; v != nil {
		p := d.mapping(v, "workload.preload", preloadFields...)
		if x := p["objects"]; x != nil {
			o.Preload = d.integer(x, "workload.preload.objects", 0, 10_000_000)
		}
		if x := p["size"]; x != nil {
			o.PreloadSize = int(d.size(x, "workload.preload.size"))
		}
	}
}

func (d *decoder) randomFaults(n *yaml.Node) *sim.FaultRates {
	f := d.mapping(n, "random_faults", randomFields...)
	if f == nil {
		return nil
	}
	// Every rate is off unless given: a scenario says what it wants.
	never := 1000 * time.Hour
	r := &sim.FaultRates{PartitionEvery: never, CutEvery: never, CrashEvery: never, SkewEvery: never, SlowLinkEvery: never,
		FaultDuration: time.Second, MaxSkew: time.Millisecond}
	for name, dst := range map[string]*time.Duration{
		"partition_every": &r.PartitionEvery, "cut_every": &r.CutEvery, "crash_every": &r.CrashEvery,
		"skew_every": &r.SkewEvery, "slow_link_every": &r.SlowLinkEvery, "disk_fault_every": &r.DiskFaultEvery,
		"layout_change_every": &r.LayoutChangeEvery, "duration": &r.FaultDuration, "max_skew": &r.MaxSkew,
	} {
		if v := f[name]; v != nil {
			*dst = d.duration(v, "random_faults."+name, false)
		}
	}
	return r
}

// bugFlags maps each test-only mutation a scenario can plant (to show that
// the checks, and the fuzzer, catch it) to its switch.
var bugFlags = []struct {
	name string
	flag func(*sim.Options) *bool
}{
	{"write-quorum-one", func(o *sim.Options) *bool { return &o.Bugs.WriteQuorumOne }},
	{"read-quorum-one", func(o *sim.Options) *bool { return &o.Bugs.ReadQuorumOne }},
	{"skip-read-join", func(o *sim.Options) *bool { return &o.Bugs.SkipReadJoin }},
	{"read-newest-layout", func(o *sim.Options) *bool { return &o.Bugs.ReadNewestLayout }},
	{"write-newest-only", func(o *sim.Options) *bool { return &o.Bugs.WriteNewestOnly }},
	{"no-anti-entropy", func(o *sim.Options) *bool { return &o.Bugs.NoAntiEntropy }},
	{"gc-skips-confirmation", func(o *sim.Options) *bool { return &o.Bugs.GCSkipsConfirmation }},
	{"gc-ignores-delay", func(o *sim.Options) *bool { return &o.Bugs.GCIgnoresDelay }},
	{"ack-before-persist", func(o *sim.Options) *bool { return &o.AckBeforePersist }},
	{"read-join-ties", func(o *sim.Options) *bool { return &o.Bugs.ReadJoinTies }},
	{"range-one-too-many", func(o *sim.Options) *bool { return &o.Bugs.RangeOneTooMany }},
	{"offload-quorum-only", func(o *sim.Options) *bool { return &o.Bugs.OffloadQuorumOnly }},
	{"gc-ignores-references", func(o *sim.Options) *bool { return &o.Block.Bugs.GCIgnoresReferences }},
	{"get-version-returns-current", func(o *sim.Options) *bool { return &o.ObjectBugs.GetVersionReturnsCurrent }},
	{"delete-version-wrong-version", func(o *sim.Options) *bool { return &o.ObjectBugs.DeleteVersionWrongVersion }},
	{"delete-version-ignores-lock", func(o *sim.Options) *bool { return &o.ObjectBugs.DeleteVersionIgnoresLock }},
	{"list-versions-skips-first", func(o *sim.Options) *bool { return &o.ObjectBugs.ListVersionsSkipsFirst }},
	{"local-block-list-unchecked", func(o *sim.Options) *bool { return &o.ObjectBugs.LocalBlockListUnchecked }},
	{"k2v-insert-discards-siblings", func(o *sim.Options) *bool { return &o.K2VBugs.InsertDiscardsSiblings }},
	{"k2v-insert-ignores-context", func(o *sim.Options) *bool { return &o.K2VBugs.InsertIgnoresContext }},
	{"k2v-read-local-only", func(o *sim.Options) *bool { return &o.K2VBugs.ReadLocalOnly }},
	{"k2v-poll-times-out-early", func(o *sim.Options) *bool { return &o.K2VBugs.PollTimesOutEarly }},
	{"k2v-index-counts-from-zero", func(o *sim.Options) *bool { return &o.K2VBugs.IndexCountsFromZero }},
	{"k2v-marker-trusts-every-node", func(o *sim.Options) *bool { return &o.K2VBugs.MarkerTrustsEveryNode }},
	{"k2v-marker-forgets-items", func(o *sim.Options) *bool { return &o.K2VBugs.MarkerForgetsItems }},
}

// Bugs names the mutations PlantBug knows.
func Bugs() []string {
	out := make([]string, len(bugFlags))
	for i, b := range bugFlags {
		out[i] = b.name
	}
	return out
}

// PlantBug sets the named bug in o.
func PlantBug(o *sim.Options, name string) error {
	for _, b := range bugFlags {
		if b.name == name {
			*b.flag(o) = true
			return nil
		}
	}
	return fmt.Errorf("unknown bug %q (known: %s)", name, strings.Join(Bugs(), ", "))
}

// PlantedBugs names the bugs planted in o, in the order of Bugs.
func PlantedBugs(o sim.Options) []string {
	var out []string
	for _, b := range bugFlags {
		if *b.flag(&o) {
			out = append(out, b.name)
		}
	}
	return out
}

func (d *decoder) bugs(n *yaml.Node, o *sim.Options) {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "bugs", "want a list of bugs to plant (%s), got %s", strings.Join(Bugs(), ", "), describe(n))
		return
	}
	for i, item := range n.Content {
		path := fmt.Sprintf("bugs[%d]", i)
		if err := PlantBug(o, d.str(item, path)); err != nil {
			d.errorf(item, path, "%v", err)
		}
	}
}

// OptionsFor returns the simulator options of a run with seed: the
// scenario's options, its timeline, and the random faults drawn from seed.
func (sc *Scenario) OptionsFor(seed uint64) sim.Options {
	o := sc.Options
	o.Seed = seed
	o.Schedule = slices.Clone(sc.Timeline)
	if o.Schedule == nil {
		o.Schedule = []sim.Fault{} // no random schedule unless asked for
	}
	if sc.RandomFaults != nil {
		r := o
		r.Schedule, r.Faults = nil, *sc.RandomFaults
		o.Schedule = append(o.Schedule, sim.RandomSchedule(r)...)
	}
	slices.SortStableFunc(o.Schedule, func(a, b sim.Fault) int { return int(a.At - b.At) })
	return o
}

// Verdict judges a run against the scenario's properties.
type Verdict struct {
	// Violated lists the checked properties that failed; Missing the
	// expected violations that did not occur.
	Violated, Missing []string
}

// Pass reports whether every checked property held and every expected
// violation occurred.
func (v Verdict) Pass() bool { return len(v.Violated) == 0 && len(v.Missing) == 0 }

func (v Verdict) String() string {
	if v.Pass() {
		return "PASS"
	}
	var parts []string
	if len(v.Violated) > 0 {
		parts = append(parts, "violated: "+strings.Join(v.Violated, ", "))
	}
	if len(v.Missing) > 0 {
		parts = append(parts, "expected but not seen: "+strings.Join(v.Missing, ", "))
	}
	return "FAIL (" + strings.Join(parts, "; ") + ")"
}

// Judge computes the verdict on r.
func (sc *Scenario) Judge(r *sim.Result) Verdict {
	failed := r.Failed(true)
	var v Verdict
	for _, p := range failed {
		if slices.Contains(sc.Check, p) && !slices.Contains(sc.Expect, p) {
			v.Violated = append(v.Violated, p)
		}
	}
	for _, p := range sc.Expect {
		if !slices.Contains(failed, p) {
			v.Missing = append(v.Missing, p)
		}
	}
	return v
}

// Run runs the scenario with seed (0: its default seed), tracing to trace
// if set.
func (sc *Scenario) Run(seed uint64, trace func(string)) (*sim.Result, Verdict, error) {
	if seed == 0 {
		seed = sc.Seed
	}
	o := sc.OptionsFor(seed)
	o.Trace = trace
	r, err := sim.Run(o)
	if err != nil {
		return nil, Verdict{}, fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	return r, sc.Judge(r), nil
}

// HashString formats a trace hash as scenario files record it.
func HashString(h uint64) string { return fmt.Sprintf("%016x", h) }

// WithTraceHash returns the scenario file's text with trace_hash set to
// hash (added at the end if absent), keeping the rest as written.
func (sc *Scenario) WithTraceHash(original []byte, hash string) []byte {
	lines := strings.SplitAfter(string(original), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "trace_hash:") {
			lines[i] = "trace_hash: " + hash + "\n"
			return []byte(strings.Join(lines, ""))
		}
	}
	out := bytes.TrimRight(original, "\n")
	return append(out, []byte("\ntrace_hash: "+hash+"\n")...)
}

func noneIfZero(v int) int {
	if v == 0 {
		return -1
	}
	return v
}
