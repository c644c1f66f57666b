package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/garagego/garage/checker"
	"github.com/garagego/garage/netsim"
	"github.com/garagego/garage/node/table"
	"github.com/garagego/garage/sim"
)

// SimCmd groups the simulator commands.
type SimCmd struct {
	Run SimRunCmd `cmd:"" help:"Replay one seed and check its history."`
}

// SimRunCmd runs one simulation.
type SimRunCmd struct {
	Seed           uint64        `help:"Seed of the run; the same seed replays the same run." default:"1"`
	Seeds          int           `help:"Run this many consecutive seeds starting at --seed." default:"1"`
	Nodes          int           `help:"Number of nodes." default:"5"`
	Zones          int           `help:"Number of zones." default:"3"`
	Replication    int           `help:"Replication factor." default:"3"`
	Consistency    string        `help:"Consistency mode: consistent, degraded or dangerous." default:"consistent" enum:"consistent,degraded,dangerous"`
	RepairOnRead   bool          `help:"Write back a read's joined value when replicas disagree (monotonic reads)."`
	Clients        int           `help:"Concurrent clients." default:"8"`
	Ops            int           `help:"Client operations in the fault phase." default:"1000"`
	Keys           int           `help:"Sort keys per partition key." default:"6"`
	Objects        int           `help:"Percentage of operations on objects (multi-block puts, checked gets, deletes, listings) instead of registers." default:"0"`
	NoFaults       bool          `help:"Healthy network, no crashes, no skew."`
	LayoutChanges  bool          `help:"Let an operator change the layout under load: nodes join and leave, change zone or capacity, the replication factor changes."`
	LayoutEvery    time.Duration `help:"Mean time between layout changes (default: drawn from the seed)."`
	Spares         int           `help:"Nodes started outside the layout, for layout changes to add (default 2 with --layout-changes)."`
	Loss           float64       `help:"Message loss probability on every link (default: drawn from the seed)." default:"-1"`
	PartitionEvery time.Duration `help:"Mean time between partitions (default: drawn from the seed)."`
	CrashEvery     time.Duration `help:"Mean time between node crashes (default: drawn from the seed)."`
	SkewEvery      time.Duration `help:"Mean time between clock skew changes (default: drawn from the seed)."`
	MaxSkew        time.Duration `help:"Largest clock skew (default: drawn from the seed)."`
	Bug            []string      `help:"Plant a bug to see the checker catch it: write-quorum-one, read-quorum-one, skip-read-join, gc-ignores-references, read-newest-layout, write-newest-only." enum:"write-quorum-one,read-quorum-one,skip-read-join,gc-ignores-references,read-newest-layout,write-newest-only"`
	Trace          string        `help:"Write a line per simulated event to this file." type:"path"`
	Out            string        `help:"Directory for the porcupine visualisation of a failing run." default:"sim-failures" type:"path"`
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
	if c.Loss > 1 {
		return fmt.Errorf("--loss is a probability, got %v", c.Loss)
	}
	return nil
}

// Run runs the seeds and prints a summary of each.
func (c *SimRunCmd) Run(out io.Writer) error {
	consistency, err := table.ParseConsistency(c.Consistency)
	if err != nil {
		return err
	}
	failed := 0
	for seed := c.Seed; seed < c.Seed+uint64(c.Seeds); seed++ {
		ok, err := c.runOne(out, seed, consistency)
		if err != nil {
			return err
		}
		if !ok {
			failed++
		}
	}
	if failed > 0 {
		return exitError{code: 2, err: fmt.Errorf("%d of %d seeds violated a property", failed, c.Seeds)}
	}
	return nil
}

func (c *SimRunCmd) runOne(out io.Writer, seed uint64, consistency table.Consistency) (bool, error) {
	opts := sim.Options{
		Seed: seed, Nodes: c.Nodes, Zones: c.Zones, ReplicationFactor: c.Replication,
		Consistency: consistency, RepairOnRead: c.RepairOnRead,
		Clients: c.Clients, Ops: c.Ops, SortKeys: c.Keys, NoFaults: c.NoFaults, ObjectShare: c.Objects,
		LayoutChanges: c.LayoutChanges, Spares: c.Spares,
		Faults: sim.FaultRates{PartitionEvery: c.PartitionEvery, CrashEvery: c.CrashEvery, SkewEvery: c.SkewEvery, MaxSkew: c.MaxSkew,
			LayoutChangeEvery: c.LayoutEvery},
	}
	for _, b := range c.Bug {
		switch b {
		case "write-quorum-one":
			opts.Bugs.WriteQuorumOne = true
		case "read-quorum-one":
			opts.Bugs.ReadQuorumOne = true
		case "skip-read-join":
			opts.Bugs.SkipReadJoin = true
		case "gc-ignores-references":
			opts.Block.Bugs.GCIgnoresReferences = true
		case "read-newest-layout":
			opts.Bugs.ReadNewestLayout = true
		case "write-newest-only":
			opts.Bugs.WriteNewestOnly = true
		}
	}
	if c.Loss >= 0 {
		opts.Net = netsim.DefaultConfig()
		opts.Net.IntraZone.Loss, opts.Net.InterZone.Loss = c.Loss, c.Loss
	}
	if c.Trace != "" {
		trace, err := os.Create(c.Trace)
		if err != nil {
			return false, err
		}
		defer trace.Close()
		opts.Trace = func(line string) { fmt.Fprintln(trace, line) }
	}
	s, err := sim.New(opts)
	if err != nil {
		return false, err
	}
	start := time.Now()
	res, err := s.Run()
	if err != nil {
		return false, err
	}
	elapsed := time.Since(start)
	fmt.Fprint(out, res.Summary())
	fmt.Fprintf(out, "real time: %v (%.0f client ops/s, %.1f virtual s per real s)\n\n",
		elapsed.Round(time.Millisecond), float64(len(res.History))/elapsed.Seconds(), res.Stats.VirtualEnd.Seconds()/elapsed.Seconds())
	if res.Ok() {
		return true, nil
	}
	if keys := res.Report.Keys(); len(keys) > 0 {
		path, err := writeVisualization(c.Out, seed, res.History, keys)
		if err != nil {
			return false, err
		}
		fmt.Fprintf(out, "porcupine visualisation: %s\n", path)
	}
	fmt.Fprintf(out, "replay: garage sim run --seed %d%s\n\n", seed, c.flagsForReplay())
	return false, nil
}

func (c *SimRunCmd) flagsForReplay() string {
	s := ""
	if c.Nodes != 5 {
		s += fmt.Sprintf(" --nodes %d", c.Nodes)
	}
	if c.Zones != 3 {
		s += fmt.Sprintf(" --zones %d", c.Zones)
	}
	if c.Ops != 1000 {
		s += fmt.Sprintf(" --ops %d", c.Ops)
	}
	if c.Objects != 0 {
		s += fmt.Sprintf(" --objects %d", c.Objects)
	}
	if c.LayoutChanges {
		s += " --layout-changes"
	}
	if c.LayoutEvery != 0 {
		s += fmt.Sprintf(" --layout-every %v", c.LayoutEvery)
	}
	if c.Spares != 0 {
		s += fmt.Sprintf(" --spares %d", c.Spares)
	}
	for _, b := range c.Bug {
		s += " --bug " + b
	}
	return s
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
