package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/term"

	"github.com/garagego/garage/internal/fuzz"
	"github.com/garagego/garage/sim/scenario"
)

// defaultFuzzBase is the scenario fuzzed when none is given: five nodes in
// three zones with a spare for layout changes, registers and objects.
const defaultFuzzBase = `name: fuzz-base
description: The default base of garage sim fuzz.
seed: 1
cluster: {nodes: 5, zones: 3, spares: 1, replication_factor: 3}
workload: {clients: 8, duration: 20s, think: 10ms, objects: 40, keys: {partitions: 4, sort: 8, objects: 16}}
`

// SimFuzzCmd searches for failing fault schedules.
type SimFuzzCmd struct {
	Seeds      int           `help:"Stop after this many schedules."`
	Time       time.Duration `help:"Stop after this long (default 1m when --seeds is not given)."`
	Scenario   string        `type:"existingfile" help:"Base scenario: its cluster, workload and timeline; the fuzzer adds drawn faults (default: 5 nodes in 3 zones with a spare)."`
	Bug        []string      `help:"Plant a bug in the base, to watch the fuzzer find it (see garage sim run --help)."`
	Seed       uint64        `help:"Seed of the search itself (default: from the clock)."`
	MaxEvents  int           `help:"Most faults drawn per schedule." default:"8"`
	Horizon    time.Duration `help:"Faults strike within this much virtual time from the start." default:"15s"`
	ShrinkTime time.Duration `help:"Time allowed to minimise a failing schedule." default:"2m"`
	Out        string        `help:"Directory for the scenario of a failure." default:"sim-failures" type:"path"`
}

func (c *SimFuzzCmd) Run(out io.Writer) error {
	var base *scenario.Scenario
	var err error
	if c.Scenario != "" {
		base, err = loadScenario(c.Scenario)
	} else {
		base, err = scenario.Parse("fuzz-base.yaml", []byte(defaultFuzzBase))
	}
	if err != nil {
		return err
	}
	for _, b := range c.Bug {
		if err := scenario.PlantBug(&base.Options, b); err != nil {
			return err
		}
	}
	limit := c.Time
	if c.Seeds <= 0 && limit <= 0 {
		limit = time.Minute
	}
	progress := newProgressLine(os.Stderr)
	f, stats, err := fuzz.Run(fuzz.Config{
		Base: base, Seeds: c.Seeds, Time: limit, Seed: c.Seed, MaxEvents: c.MaxEvents, Horizon: c.Horizon, ShrinkTime: c.ShrinkTime,
		Progress: progress.update,
	})
	progress.done()
	if err != nil {
		return err
	}
	perMinute := float64(stats.Schedules) / stats.Elapsed.Minutes()
	fmt.Fprintf(out, "%d schedules of %s in %v: %.0f per minute, %.0f virtual s per real s\n", stats.Schedules, base.Name,
		stats.Elapsed.Round(time.Second), perMinute, stats.VirtualSeconds/stats.Elapsed.Seconds())
	if f == nil {
		fmt.Fprintln(out, "no failure found")
		return nil
	}
	if err := os.MkdirAll(c.Out, 0o755); err != nil {
		return err
	}
	path := filepath.Join(c.Out, fmt.Sprintf("%s-fuzzed-%s.yaml", base.Name, time.Now().UTC().Format("20060102-150405")))
	if err := os.WriteFile(path, f.Scenario, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(out, "FAILURE: %v with seed %d, shrunk to %d events:\n%s", f.Verdict, f.Seed, len(f.Events), scenario.TimelineYAML(f.Events))
	fmt.Fprintf(out, "scenario written to %s; replay: garage sim run %s\n", path, path)
	return exitError{code: 2, err: fmt.Errorf("a schedule violated a property")}
}

// progressLine keeps one status line up to date: rewritten in place a few
// times a second on a terminal, printed every ten seconds otherwise (a CI
// log).
type progressLine struct {
	w        io.Writer
	terminal bool
	last     time.Time
	line     string
}

func newProgressLine(f *os.File) *progressLine {
	return &progressLine{w: f, terminal: term.IsTerminal(int(f.Fd()))}
}

func (p *progressLine) update(pr fuzz.Progress) {
	every := 10 * time.Second
	if p.terminal {
		every = 250 * time.Millisecond
	}
	if time.Since(p.last) < every {
		return
	}
	p.last = time.Now()
	state := "searching"
	if pr.Shrinking {
		state = "shrinking a failure"
	}
	p.line = fmt.Sprintf("fuzz: %d schedules, %.1f/s, %d failing, %v, %s", pr.Schedules,
		float64(pr.Schedules)/pr.Elapsed.Seconds(), pr.Failures, pr.Elapsed.Round(time.Second), state)
	if p.terminal {
		fmt.Fprintf(p.w, "\r%-90s", p.line)
	} else {
		fmt.Fprintln(p.w, p.line)
	}
}

func (p *progressLine) done() {
	if p.line != "" && p.terminal {
		fmt.Fprintln(p.w)
	}
}
