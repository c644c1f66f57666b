// Package fuzz searches for fault schedules that break a scenario. It
// draws schedules with rapid (crashes, partitions, one-way cuts, slow
// links, clock jumps, disk faults, layout changes, each at a drawn time),
// adds them to a base scenario's own timeline, and runs each through the
// simulator. On the first failure rapid shrinks the schedule (dropping
// events, moving them earlier, simplifying their arguments) to a minimal
// one that still fails the same way, and the package writes it as a
// scenario file that replays the failure.
package fuzz

import (
	"errors"
	"flag"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/garagego/garage/netsim"
	"github.com/garagego/garage/sim"
	"github.com/garagego/garage/sim/scenario"
)

// Config tunes a fuzzing run.
type Config struct {
	Base *scenario.Scenario
	// Seeds bounds the schedules tried (0: no bound); Time bounds the
	// search (0: no bound). One of them must be set.
	Seeds int
	Time  time.Duration
	// Seed makes the search itself reproducible (0 picks one from the
	// clock).
	Seed uint64
	// MaxEvents bounds the drawn events per schedule (default 8), Horizon
	// when they may strike (default 60 s of virtual time).
	MaxEvents int
	Horizon   time.Duration
	// ShrinkTime bounds the minimisation (default 2 minutes).
	ShrinkTime time.Duration
	// Progress, if set, is called after every schedule.
	Progress func(Progress)
}

// Progress reports how the search goes.
type Progress struct {
	Schedules int           // schedules run, shrinking included
	Failures  int           // of them, failing
	Shrinking bool          // a failure was found; rapid is minimising it
	Elapsed   time.Duration // since the search began
}

// Finding is a minimal failing schedule.
type Finding struct {
	Seed     uint64        // the simulator seed of the failing run
	Groups   [][]sim.Fault // the drawn events after shrinking, each fault with the event that undoes it
	Events   []sim.Fault   // the same, flattened in time order (the base timeline aside)
	Verdict  scenario.Verdict
	Result   *sim.Result
	Scenario []byte // a scenario file that replays the failure
}

// Stats summarises a search.
type Stats struct {
	Schedules      int
	Elapsed        time.Duration
	VirtualSeconds float64 // simulated, over all runs
}

// rapidMu serialises searches: rapid's settings are process-wide flags.
var rapidMu sync.Mutex

// batch is how many schedules each rapid.Check draws; a time-bounded
// search stops between batches.
const batch = 10

// Run searches until it finds a failure (returned, shrunk) or its bounds
// are reached (nil Finding).
func Run(cfg Config) (*Finding, Stats, error) {
	if cfg.Base == nil {
		return nil, Stats{}, errors.New("fuzz: no base scenario")
	}
	if cfg.Seeds <= 0 && cfg.Time <= 0 {
		return nil, Stats{}, errors.New("fuzz: give a number of schedules or a time limit")
	}
	if cfg.MaxEvents <= 0 {
		cfg.MaxEvents = 8
	}
	if cfg.Horizon <= 0 {
		cfg.Horizon = time.Minute
	}
	if cfg.ShrinkTime <= 0 {
		cfg.ShrinkTime = 2 * time.Minute
	}
	if cfg.Seed == 0 {
		cfg.Seed = uint64(time.Now().UnixNano())
	}
	rapidMu.Lock()
	defer rapidMu.Unlock()
	// rapid consults testing.Short, which wants the testing flags
	// registered and parsed; outside `go test` nothing else did.
	testing.Init()
	if !flag.Parsed() {
		flag.CommandLine.Parse(nil) //nolint:errcheck // no arguments, no error
	}
	for name, value := range map[string]string{"rapid.nofailfile": "true", "rapid.shrinktime": cfg.ShrinkTime.String()} {
		if err := flag.Set(name, value); err != nil {
			return nil, Stats{}, fmt.Errorf("fuzz: %w", err)
		}
	}

	s := &search{cfg: cfg, start: time.Now()}
	for b := 0; ; b++ {
		checks := batch
		if cfg.Seeds > 0 {
			checks = min(batch, cfg.Seeds-s.schedules)
		}
		if checks <= 0 || (cfg.Time > 0 && time.Since(s.start) >= cfg.Time) {
			break
		}
		flag.Set("rapid.checks", strconv.Itoa(checks))                     //nolint:errcheck // registered by rapid
		flag.Set("rapid.seed", strconv.FormatUint(cfg.Seed+uint64(b), 10)) //nolint:errcheck
		// Each batch runs its schedules on its own simulator seed, kept
		// while shrinking: a different seed is a different run altogether.
		s.simSeed = cfg.Base.Seed + uint64(b)
		tb := &reporter{name: "garage-sim-fuzz"}
		done := make(chan struct{})
		go func() {
			defer close(done)
			rapid.Check(tb, s.property)
		}()
		<-done
		if s.err != nil {
			return nil, s.stats(), s.err
		}
		if tb.failed {
			f := s.last
			if f == nil {
				return nil, s.stats(), fmt.Errorf("fuzz: rapid reported a failure the search did not see: %s", tb.message)
			}
			if err := s.prune(f); err != nil {
				return nil, s.stats(), err
			}
			if err := s.write(f); err != nil {
				return nil, s.stats(), err
			}
			return f, s.stats(), nil
		}
	}
	return nil, s.stats(), nil
}

// search is one fuzzing run's state, shared with the property rapid runs.
type search struct {
	cfg       Config
	simSeed   uint64
	start     time.Time
	schedules int
	failures  int
	virtual   time.Duration
	last      *Finding // the latest failing run: after shrinking, the minimal one
	err       error    // a simulator error (not a failure of the scenario)
}

func (s *search) stats() Stats {
	return Stats{Schedules: s.schedules, Elapsed: time.Since(s.start), VirtualSeconds: s.virtual.Seconds()}
}

// property runs one drawn schedule; a failing verdict fails it, always
// from this one call site, so that rapid's shrinker recognises the same
// failure.
func (s *search) property(t *rapid.T) {
	base := s.cfg.Base
	seed := s.simSeed
	groups := drawEvents(t, base.Options, s.cfg.MaxEvents, s.cfg.Horizon)
	r, verdict, err := s.try(seed, groups)
	if err != nil {
		s.err = err
		return
	}
	if !verdict.Pass() {
		s.failures++
		s.last = &Finding{Seed: seed, Groups: groups, Events: flatten(groups), Verdict: verdict, Result: r}
	}
	if s.cfg.Progress != nil {
		s.cfg.Progress(Progress{Schedules: s.schedules, Failures: s.failures, Shrinking: s.failures > 0, Elapsed: time.Since(s.start)})
	}
	if !verdict.Pass() {
		t.Fatalf("scenario %s, seed %d, %d events: %v", base.Name, seed, len(groups), verdict)
	}
}

// try runs the base scenario with seed and the drawn events.
func (s *search) try(seed uint64, groups [][]sim.Fault) (*sim.Result, scenario.Verdict, error) {
	o := s.cfg.Base.OptionsFor(seed)
	o.Schedule = merge(o.Schedule, flatten(groups))
	r, err := sim.Run(o)
	s.schedules++
	if err != nil {
		return nil, scenario.Verdict{}, fmt.Errorf("fuzz: seed %d: %w", seed, err)
	}
	s.virtual += r.Stats.VirtualEnd
	return r, s.cfg.Base.Judge(r), nil
}

// prune is a last pass after rapid's shrinking, which spends its budget
// on values as much as on deletions: it drops each remaining event (with
// its undoing event) in turn and keeps the drop if the run still fails
// the same way.
func (s *search) prune(f *Finding) error {
	for i := 0; i < len(f.Groups); {
		groups := slices.Delete(slices.Clone(f.Groups), i, i+1)
		r, verdict, err := s.try(f.Seed, groups)
		if err != nil {
			return err
		}
		if !verdict.Pass() && slices.Equal(verdict.Violated, f.Verdict.Violated) && slices.Equal(verdict.Missing, f.Verdict.Missing) {
			f.Groups, f.Events, f.Result = groups, flatten(groups), r
			continue
		}
		i++
	}
	return nil
}

func flatten(groups [][]sim.Fault) []sim.Fault {
	var out []sim.Fault
	for _, g := range groups {
		out = append(out, g...)
	}
	slices.SortStableFunc(out, func(a, b sim.Fault) int { return int(a.At - b.At) })
	return out
}

// merge adds events to a schedule, in time order (stable: the base first).
func merge(schedule, events []sim.Fault) []sim.Fault {
	out := append(slices.Clone(schedule), events...)
	slices.SortStableFunc(out, func(a, b sim.Fault) int { return int(a.At - b.At) })
	return out
}

// drawEvents draws up to max fault events before horizon. Each draw's
// zero is its mildest value (an earlier time, node 0, a short fault), and
// undoing events (restart, heal, uncut, restore) come with the faults they
// undo, so shrinking toward zero keeps schedules meaningful. Disk faults
// strike one node per schedule: losing a block on every holder is data
// loss no design prevents.
func drawEvents(t *rapid.T, o sim.Options, maxEvents int, horizon time.Duration) [][]sim.Fault {
	total := o.Nodes + o.Spares
	unlucky := rapid.IntRange(0, total-1).Draw(t, "unlucky")
	// One slice element per event, so that the shrinker drops whole events.
	return rapid.SliceOfN(rapid.Custom(func(t *rapid.T) []sim.Fault {
		return drawEvent(t, total, max(o.Zones, 1), unlucky, horizon)
	}), 0, maxEvents).Draw(t, "schedule")
}

// drawEvent draws one fault, with the event that undoes it if it lasts.
func drawEvent(t *rapid.T, total, zones, unlucky int, horizon time.Duration) []sim.Fault {
	at := time.Duration(rapid.Int64Range(0, int64(horizon/time.Millisecond)).Draw(t, "at")) * time.Millisecond
	span := time.Duration(rapid.Int64Range(100, 20_000).Draw(t, "for")) * time.Millisecond
	node := rapid.IntRange(0, total-1).Draw(t, "node")
	other := (node + 1 + rapid.IntRange(0, max(total-2, 0)).Draw(t, "other")) % total
	switch rapid.IntRange(0, 8).Draw(t, "kind") {
	case 0:
		return []sim.Fault{{At: at, Kind: sim.Crash, Node: node}, {At: at + span, Kind: sim.Restart, Node: node}}
	case 1:
		zone := rapid.IntRange(0, zones-1).Draw(t, "zone")
		var a, b []int
		for k := range total {
			if k%zones == zone {
				a = append(a, k)
			} else {
				b = append(b, k)
			}
		}
		if len(b) == 0 { // one zone: isolate the node instead
			a, b = []int{node}, nil
			for k := range total {
				if k != node {
					b = append(b, k)
				}
			}
		}
		return []sim.Fault{{At: at, Kind: sim.Partition, Groups: [][]int{a, b}}, {At: at + span, Kind: sim.Heal}}
	case 2:
		return []sim.Fault{{At: at, Kind: sim.Cut, From: node, To: other}, {At: at + span, Kind: sim.Uncut, From: node, To: other}}
	case 3:
		link := netsim.LinkProfile{Latency: 200 * time.Millisecond, Jitter: 300 * time.Millisecond, Loss: 0.2}
		return []sim.Fault{{At: at, Kind: sim.SlowLink, From: node, To: other, Link: link}, {At: at + span, Kind: sim.RestoreLink, From: node, To: other}}
	case 4:
		by := time.Duration(rapid.Int64Range(-60, 60).Draw(t, "skew")) * time.Second
		return []sim.Fault{{At: at, Kind: sim.Skew, Node: node, Skew: by}}
	case 5:
		return []sim.Fault{{At: at, Kind: sim.ChangeLayout, Change: sim.LayoutChange{Kind: sim.AnyChange}}}
	case 6:
		return []sim.Fault{{At: at, Kind: sim.LoseBlock, Node: unlucky, Pick: uint64(other)}}
	case 7:
		return []sim.Fault{{At: at, Kind: sim.CorruptBlock, Node: unlucky, Pick: uint64(other)}}
	default:
		return []sim.Fault{{At: at, Kind: sim.WipeDisk, Node: unlucky}}
	}
}

// write turns a finding into a scenario file and checks that the file,
// loaded afresh, replays the failure. Its timeline is everything the
// failing run went through: the base timeline, any random faults the base
// drew for that seed, and the shrunk events.
func (s *search) write(f *Finding) error {
	base := s.cfg.Base
	desc := fmt.Sprintf("Found by garage sim fuzz from %s: %v.\nThe drawn schedule was shrunk to %d events; replay with garage sim run on this file.",
		base.Name, f.Verdict, len(f.Events))
	timeline := merge(base.OptionsFor(f.Seed).Schedule, f.Events)
	text, err := base.Variant(base.Name+"-fuzzed", desc, f.Seed, timeline)
	if err != nil {
		return err
	}
	replay, err := scenario.Parse(base.Name+"-fuzzed.yaml", text)
	if err != nil {
		return fmt.Errorf("fuzz: the written scenario does not load: %w", err)
	}
	r, verdict, err := replay.Run(0, nil)
	if err != nil {
		return err
	}
	if verdict.Pass() || r.TraceHash != f.Result.TraceHash {
		return fmt.Errorf("fuzz: the written scenario does not replay the failure (verdict %v, trace %x, want %x)", verdict, r.TraceHash, f.Result.TraceHash)
	}
	f.Scenario = text
	return nil
}

// reporter is the rapid.TB of a search outside `go test`: it records
// failure and stops the checking goroutine on FailNow, as testing.T does.
type reporter struct {
	name    string
	failed  bool
	message string
}

func (r *reporter) Helper()                         {}
func (r *reporter) Name() string                    { return r.name }
func (r *reporter) Logf(format string, args ...any) {}
func (r *reporter) Log(args ...any)                 {}
func (r *reporter) Skipf(format string, args ...any) {
	r.SkipNow()
}
func (r *reporter) Skip(args ...any) { r.SkipNow() }
func (r *reporter) SkipNow()         { runtime.Goexit() }
func (r *reporter) Errorf(format string, args ...any) {
	r.fail(fmt.Sprintf(format, args...))
}
func (r *reporter) Error(args ...any) { r.fail(fmt.Sprint(args...)) }
func (r *reporter) Fatalf(format string, args ...any) {
	r.fail(fmt.Sprintf(format, args...))
	r.FailNow()
}
func (r *reporter) Fatal(args ...any) { r.fail(fmt.Sprint(args...)); r.FailNow() }
func (r *reporter) FailNow()          { r.failed = true; runtime.Goexit() }
func (r *reporter) Fail()             { r.failed = true }
func (r *reporter) Failed() bool      { return r.failed }

func (r *reporter) fail(msg string) {
	r.failed = true
	if r.message == "" {
		r.message = msg
	}
}
