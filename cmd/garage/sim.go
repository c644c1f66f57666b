package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/garagego/garage/checker"
	"github.com/garagego/garage/netsim"
	"github.com/garagego/garage/node/table"
	"github.com/garagego/garage/sim"
	"github.com/garagego/garage/sim/scenario"
)

// SimCmd groups the simulator commands.
type SimCmd struct {
	Run  SimRunCmd  `cmd:"" help:"Replay one seed (of flags or of a scenario file) and check its history."`
	Fuzz SimFuzzCmd `cmd:"" help:"Draw random fault schedules until one breaks a property; shrink it and write it as a scenario."`
}

// SimRunCmd runs one simulation, from flags or from a scenario file.
type SimRunCmd struct {
	Scenario        string        `arg:"" optional:"" type:"existingfile" help:"A scenario file (scenarios/NAME.yaml); it fixes every option but --seed, --seeds, --trace and --out."`
	Seed            uint64        `help:"Seed of the run; the same seed replays the same run (default: the scenario's seed, else 1)."`
	Seeds           int           `help:"Run this many consecutive seeds starting at --seed." default:"1"`
	Record          bool          `help:"With a scenario: write the trace hash of its default seed into the file (after a passing run)."`
	Nodes           int           `help:"Number of nodes." default:"5"`
	Zones           int           `help:"Number of zones." default:"3"`
	Replication     int           `help:"Replication factor." default:"3"`
	Consistency     string        `help:"Consistency mode: consistent, degraded or dangerous." default:"consistent" enum:"consistent,degraded,dangerous"`
	RepairOnRead    bool          `help:"Write back a read's joined value when replicas disagree (monotonic reads)."`
	Clients         int           `help:"Concurrent clients." default:"8"`
	Ops             int           `help:"Client operations in the fault phase." default:"1000"`
	Keys            int           `help:"Sort keys per partition key." default:"6"`
	Objects         int           `help:"Percentage of operations on objects (multi-block puts, checked gets, deletes, listings) instead of registers." default:"0"`
	Multipart       int           `help:"Percentage of object puts made as multipart uploads." default:"0"`
	Copies          int           `help:"Percentage of object operations that are copies, whole or by ranged parts, half of them followed by a delete of the source (default 10; -1: none)." default:"0"`
	Versioned       bool          `help:"Make the object bucket versioned: writes keep every version; object operations also delete and read versions by id and list a key's versions."`
	VersionOps      int           `help:"With --versioned: percentage of object operations on versions by id (default 30; -1: none)." default:"0"`
	Ties            int           `help:"Clients writing one hot key in lockstep through one node, so that their writes get equal stamps (default: drawn from the seed; -1: none)." default:"0"`
	RangeAfterWrite int           `help:"Percentage of register writes followed at once by a range read through another node (default: drawn from the seed; -1: none)." default:"0"`
	K2v             int           `name:"k2v" help:"Percentage of operations on K2V items (read-modify-writes with causality tokens, blind writes, deletions, polls, range and index reads), checked for K2V's causality promises." default:"0"`
	TombstoneDelay  time.Duration `help:"How long a tombstone is kept before collection (default: 20s plus three times the largest skew; negative: never collected)."`
	PersistLatency  time.Duration `help:"Time a node's metadata writes take to become durable (default: the simulator's)."`
	NoFaults        bool          `help:"Healthy network, no crashes, no skew."`
	LayoutChanges   bool          `help:"Let an operator change the layout under load: nodes join and leave, change zone or capacity, the replication factor changes."`
	LayoutEvery     time.Duration `help:"Mean time between layout changes (default: drawn from the seed)."`
	Spares          int           `help:"Nodes started outside the layout, for layout changes to add (default 2 with --layout-changes)."`
	Loss            float64       `help:"Message loss probability on every link (default: drawn from the seed)." default:"-1"`
	PartitionEvery  time.Duration `help:"Mean time between partitions (default: drawn from the seed)."`
	CrashEvery      time.Duration `help:"Mean time between node crashes (default: drawn from the seed)."`
	SkewEvery       time.Duration `help:"Mean time between clock skew changes (default: drawn from the seed)."`
	MaxSkew         time.Duration `help:"Largest clock skew (default: drawn from the seed)."`
	Bug             []string      `help:"Plant a bug to see the checker catch it: write-quorum-one, read-quorum-one, skip-read-join, gc-ignores-references, read-newest-layout, write-newest-only, no-anti-entropy, gc-skips-confirmation, gc-ignores-delay, ack-before-persist, read-join-ties, range-one-too-many, offload-quorum-only, get-version-returns-current, delete-version-wrong-version, list-versions-skips-first, delete-version-ignores-lock (these four with --versioned), local-block-list-unchecked, k2v-insert-discards-siblings, k2v-insert-ignores-context, k2v-read-local-only, k2v-poll-times-out-early, k2v-index-counts-from-zero, k2v-marker-trusts-every-node, k2v-marker-forgets-items (these seven with --k2v)." enum:"write-quorum-one,read-quorum-one,skip-read-join,gc-ignores-references,read-newest-layout,write-newest-only,no-anti-entropy,gc-skips-confirmation,gc-ignores-delay,ack-before-persist,read-join-ties,range-one-too-many,offload-quorum-only,get-version-returns-current,delete-version-wrong-version,list-versions-skips-first,delete-version-ignores-lock,local-block-list-unchecked,k2v-insert-discards-siblings,k2v-insert-ignores-context,k2v-read-local-only,k2v-poll-times-out-early,k2v-index-counts-from-zero,k2v-marker-trusts-every-node,k2v-marker-forgets-items"`
	Trace           string        `help:"Write a line per simulated event to this file." type:"path"`
	Out             string        `help:"Directory for the porcupine visualisation of a failing run." default:"sim-failures" type:"path"`
}

// Validate refuses values the simulator would silently replace by defaults.
func (c *SimRunCmd) Validate() error {
	for _, f := range []struct {
		name  string
		value int
	}{{"--nodes", c.Nodes}, {"--zones", c.Zones}, {"--replication", c.Replication}, {"--clients", c.Clients}, {"--ops", c.Ops}, {"--keys", c.Keys}, {"--seeds", c.Seeds}} {
		if f.value < 1 {
			return fmt.Errorf("%s must be at least 1, got %d", f.name, f.value)
		}
	}
	if c.Spares < 0 {
		return fmt.Errorf("--spares must not be negative, got %d", c.Spares)
	}
	if c.Objects < 0 || c.Objects > 100 {
		return fmt.Errorf("--objects is a percentage, got %d", c.Objects)
	}
	if c.K2v < 0 || c.K2v > 100 {
		return fmt.Errorf("--k2v is a percentage, got %d", c.K2v)
	}
	for _, f := range []struct {
		name  string
		value int
	}{{"--multipart", c.Multipart}, {"--copies", c.Copies}, {"--version-ops", c.VersionOps}, {"--range-after-write", c.RangeAfterWrite}} {
		if f.value < -1 || f.value > 100 || (f.name == "--multipart" && f.value < 0) {
			return fmt.Errorf("%s is a percentage, got %d", f.name, f.value)
		}
	}
	if c.VersionOps != 0 && !c.Versioned {
		return fmt.Errorf("--version-ops needs --versioned")
	}
	if c.Versioned && c.Objects == 0 && c.Scenario == "" {
		return fmt.Errorf("--versioned needs an object workload (--objects)")
	}
	if c.Ties < -1 || c.Ties > c.Clients {
		return fmt.Errorf("--ties is a number of clients, at most --clients (%d), got %d", c.Clients, c.Ties)
	}
	if c.PersistLatency < 0 {
		return fmt.Errorf("--persist-latency must not be negative, got %v", c.PersistLatency)
	}
	if c.Loss > 1 {
		return fmt.Errorf("--loss is a probability, got %v", c.Loss)
	}
	if c.Record && c.Scenario == "" {
		return fmt.Errorf("--record needs a scenario file")
	}
	return nil
}

// Run runs the seeds and prints a summary of each.
func (c *SimRunCmd) Run(out io.Writer) error {
	var sc *scenario.Scenario
	if c.Scenario != "" {
		var err error
		if sc, err = loadScenario(c.Scenario); err != nil {
			return err
		}
	}
	first := c.Seed
	if first == 0 {
		first = 1
		if sc != nil {
			first = sc.Seed
		}
	}
	failed := 0
	for seed := first; seed < first+uint64(c.Seeds); seed++ {
		var ok bool
		var err error
		if sc != nil {
			ok, err = c.runScenario(out, sc, seed)
		} else {
			ok, err = c.runFlags(out, seed)
		}
		if err != nil {
			return err
		}
		if !ok {
			failed++
		}
	}
	if failed > 0 {
		return exitError{code: 2, err: fmt.Errorf("%d of %d seeds failed", failed, c.Seeds)}
	}
	return nil
}

// runScenario runs one seed of a scenario, judges it by the scenario's
// properties and compares the trace hash with the recorded one.
func (c *SimRunCmd) runScenario(out io.Writer, sc *scenario.Scenario, seed uint64) (bool, error) {
	opts := sc.OptionsFor(seed)
	fmt.Fprintf(out, "scenario %s (%s)\n", sc.Name, sc.Path)
	res, elapsed, err := c.simulate(opts)
	if err != nil {
		return false, err
	}
	verdict := sc.Judge(res)
	printRun(out, res, elapsed)
	fmt.Fprintf(out, "scenario verdict: %s (checked: %s", verdict, strings.Join(sc.Check, ", "))
	if len(sc.Expect) > 0 {
		fmt.Fprintf(out, "; expected violations: %s", strings.Join(sc.Expect, ", "))
	}
	fmt.Fprintln(out, ")")
	ok := verdict.Pass()
	hash := scenario.HashString(res.TraceHash)
	switch {
	case seed != sc.Seed:
	case c.Record && ok:
		data, err := os.ReadFile(sc.Path)
		if err != nil {
			return false, err
		}
		if err := os.WriteFile(sc.Path, sc.WithTraceHash(data, hash), 0o644); err != nil {
			return false, err
		}
		fmt.Fprintf(out, "trace hash %s recorded in %s\n", hash, sc.Path)
	case sc.TraceHash == "":
		fmt.Fprintf(out, "no trace hash recorded yet (record it with --record)\n")
	case sc.TraceHash == hash:
		fmt.Fprintf(out, "trace hash matches the recorded one\n")
	default:
		fmt.Fprintf(out, "trace hash %s differs from the recorded %s: the run is not the one recorded (re-record with --record if the change is intended)\n", hash, sc.TraceHash)
		ok = false
	}
	if !verdict.Pass() {
		if err := c.visualize(out, seed, res); err != nil {
			return false, err
		}
		fmt.Fprintf(out, "replay: garage sim run %s --seed %d\n", sc.Path, seed)
	}
	fmt.Fprintln(out)
	return ok, nil
}

func (c *SimRunCmd) runFlags(out io.Writer, seed uint64) (bool, error) {
	consistency, err := table.ParseConsistency(c.Consistency)
	if err != nil {
		return false, err
	}
	opts := sim.Options{
		Seed: seed, Nodes: c.Nodes, Zones: c.Zones, ReplicationFactor: c.Replication,
		Consistency: consistency, RepairOnRead: c.RepairOnRead,
		Clients: c.Clients, Ops: c.Ops, SortKeys: c.Keys, NoFaults: c.NoFaults, ObjectShare: c.Objects, MultipartShare: c.Multipart,
		CopyShare: c.Copies, Versioned: c.Versioned, VersionShare: c.VersionOps, TieWriters: c.Ties, RangeAfterWrite: c.RangeAfterWrite, TombstoneDelay: c.TombstoneDelay,
		K2VShare:       c.K2v,
		PersistLatency: c.PersistLatency,
		LayoutChanges:  c.LayoutChanges, Spares: c.Spares,
		Faults: sim.FaultRates{PartitionEvery: c.PartitionEvery, CrashEvery: c.CrashEvery, SkewEvery: c.SkewEvery, MaxSkew: c.MaxSkew,
			LayoutChangeEvery: c.LayoutEvery},
	}
	for _, b := range c.Bug {
		if err := scenario.PlantBug(&opts, b); err != nil {
			return false, err
		}
	}
	if c.Loss >= 0 {
		opts.Net = netsim.DefaultConfig()
		opts.Net.IntraZone.Loss, opts.Net.InterZone.Loss = c.Loss, c.Loss
	}
	res, elapsed, err := c.simulate(opts)
	if err != nil {
		return false, err
	}
	printRun(out, res, elapsed)
	fmt.Fprintln(out)
	if res.Ok() {
		return true, nil
	}
	if err := c.visualize(out, seed, res); err != nil {
		return false, err
	}
	fmt.Fprintf(out, "replay: garage sim run --seed %d%s\n\n", seed, c.flagsForReplay())
	return false, nil
}

// simulate runs opts, tracing to --trace if given.
func (c *SimRunCmd) simulate(opts sim.Options) (*sim.Result, time.Duration, error) {
	if c.Trace != "" {
		trace, err := os.Create(c.Trace)
		if err != nil {
			return nil, 0, err
		}
		defer trace.Close()
		opts.Trace = func(line string) { fmt.Fprintln(trace, line) }
	}
	start := time.Now()
	res, err := sim.Run(opts)
	return res, time.Since(start), err
}

func printRun(out io.Writer, res *sim.Result, elapsed time.Duration) {
	fmt.Fprint(out, res.Summary())
	fmt.Fprintf(out, "real time: %v (%.0f client ops/s, %.1f virtual s per real s)\n",
		elapsed.Round(time.Millisecond), float64(len(res.History))/elapsed.Seconds(), res.Stats.VirtualEnd.Seconds()/elapsed.Seconds())
}

// visualize writes porcupine's view of the keys with history violations.
func (c *SimRunCmd) visualize(out io.Writer, seed uint64, res *sim.Result) error {
	keys := res.Report.Keys()
	if len(keys) == 0 {
		return nil
	}
	path, err := writeVisualization(c.Out, seed, res.History, keys)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "porcupine visualisation: %s\n", path)
	return nil
}

// replayFlag is a flag that shapes a run, with its value and default.
type replayFlag struct {
	name       string
	value, def any
}

// replayFlags lists every flag that shapes a run (a test keeps it complete).
func (c *SimRunCmd) replayFlags() []replayFlag {
	return []replayFlag{
		{"--nodes", c.Nodes, 5}, {"--zones", c.Zones, 3}, {"--replication", c.Replication, 3},
		{"--consistency", c.Consistency, "consistent"}, {"--repair-on-read", c.RepairOnRead, false},
		{"--clients", c.Clients, 8}, {"--ops", c.Ops, 1000}, {"--keys", c.Keys, 6}, {"--no-faults", c.NoFaults, false},
		{"--loss", c.Loss, -1.0}, {"--partition-every", c.PartitionEvery, time.Duration(0)},
		{"--crash-every", c.CrashEvery, time.Duration(0)}, {"--skew-every", c.SkewEvery, time.Duration(0)},
		{"--max-skew", c.MaxSkew, time.Duration(0)}, {"--objects", c.Objects, 0}, {"--multipart", c.Multipart, 0},
		{"--copies", c.Copies, 0}, {"--versioned", c.Versioned, false}, {"--version-ops", c.VersionOps, 0}, {"--ties", c.Ties, 0}, {"--range-after-write", c.RangeAfterWrite, 0},
		{"--tombstone-delay", c.TombstoneDelay, time.Duration(0)}, {"--persist-latency", c.PersistLatency, time.Duration(0)},
		{"--layout-changes", c.LayoutChanges, false}, {"--layout-every", c.LayoutEvery, time.Duration(0)},
		{"--spares", c.Spares, 0}, {"--k2v", c.K2v, 0},
	}
}

// flagsForReplay lists the flags that differ from their defaults, so that
// the replay line reproduces the run.
func (c *SimRunCmd) flagsForReplay() string {
	var s strings.Builder
	for _, f := range c.replayFlags() {
		switch {
		case f.value == f.def:
		case f.value == true:
			s.WriteString(" " + f.name)
		case f.name == "--loss" && c.Loss < 0: // any negative is the default
		default:
			fmt.Fprintf(&s, " %s %v", f.name, f.value)
		}
	}
	for _, b := range c.Bug {
		s.WriteString(" --bug " + b)
	}
	return s.String()
}

func writeVisualization(dir string, seed uint64, h checker.History, keys []checker.Key) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(dir, fmt.Sprintf("seed-%d.html", seed))
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	if err := checker.Visualize(f, h, keys); err != nil {
		f.Close()
		return "", fmt.Errorf("visualise: %w", err)
	}
	return path, f.Close()
}

// loadScenario reads and validates a scenario file.
func loadScenario(path string) (*scenario.Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sc, err := scenario.Parse(path, data)
	if err != nil {
		return nil, err
	}
	sc.Path = path
	return sc, nil
}
