package s3bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"
)

// A Contender is one column of a comparison: a store the same workload
// runs against, round after round.
type Contender struct {
	// Name heads the column and is what --baseline names.
	Name string
	// Description says what the store is (nodes, replication, which node
	// the requests go through).
	Description string
	// Target gives the target of one round: a fresh key prefix each time.
	// It may also put the store in the column's conditions (the latency
	// of its links), as columns may share a cluster.
	Target func() (*Target, error)
}

// CompareOptions shape a comparison.
type CompareOptions struct {
	Rounds int
	// BeforeRun, if not nil, is called before each run; an error stops the
	// comparison (a disk about to fill up).
	BeforeRun func(column string) error
	// Progress, if not nil, gets a line as each run starts.
	Progress io.Writer
}

// Compare runs w against every contender, Rounds times, interleaved: each
// round runs every contender once, starting one further down the list than
// the round before, so that the machine's noise and any drift (caches
// warming, disks filling) fall on all columns alike. It deletes the
// objects of each run before the next starts. It returns, per contender in
// the order given, the results of every round; it stops at the first run
// that fails, returning the rounds completed so far.
func (w Workload) Compare(ctx context.Context, contenders []Contender, opts CompareOptions) ([]Column, error) {
	if opts.Rounds < 1 {
		return nil, fmt.Errorf("--rounds %d: want at least 1", opts.Rounds)
	}
	columns := make([]Column, len(contenders))
	for i, c := range contenders {
		columns[i] = Column{Name: c.Name, Description: c.Description}
	}
	for round := range opts.Rounds {
		runs := make([][]Result, len(contenders))
		for k := range contenders {
			i := (round + k) % len(contenders)
			c := contenders[i]
			if opts.Progress != nil {
				fmt.Fprintf(opts.Progress, "bench: round %d of %d: %s\n", round+1, opts.Rounds, c.Name)
			}
			if opts.BeforeRun != nil {
				if err := opts.BeforeRun(c.Name); err != nil {
					return columns, err
				}
			}
			res, err := w.runOnce(ctx, c)
			if err != nil {
				return columns, fmt.Errorf("%s, round %d: %w", c.Name, round+1, err)
			}
			runs[i] = res
		}
		for i := range columns {
			columns[i].Rounds = append(columns[i].Rounds, runs[i])
		}
	}
	for i := range columns {
		m, err := MedianResults(columns[i].Rounds)
		if err != nil {
			return columns, fmt.Errorf("%s: %w", columns[i].Name, err)
		}
		columns[i].Median = m
	}
	return columns, nil
}

// runOnce runs the workload once against c and deletes what it wrote.
func (w Workload) runOnce(ctx context.Context, c Contender) ([]Result, error) {
	t, err := c.Target()
	if err != nil {
		return nil, err
	}
	var r Report
	err = w.Run(ctx, t, &r)
	if derr := t.DeleteAll(context.WithoutCancel(ctx)); derr != nil {
		err = errors.Join(err, derr)
	}
	return r.Results, err
}

// Column is one contender's figures: every round's, and their medians.
type Column struct {
	Name        string      `json:"name"`
	Description string      `json:"description"`
	Median      []Result    `json:"median"`
	Rounds      [][]Result  `json:"rounds"`
	Nodes       []NodeUsage `json:"nodes,omitempty"`
}

// MedianResults sums up the rounds of one column, phase by phase: each
// rate and each latency is the median of the rounds' (the mean of the two
// middle ones for an even count); objects, errors and seconds are the
// rounds' totals. Every round must have the same phases.
func MedianResults(rounds [][]Result) ([]Result, error) {
	if len(rounds) == 0 {
		return nil, errors.New("no round to sum up")
	}
	out := make([]Result, len(rounds[0]))
	for p := range rounds[0] {
		first := rounds[0][p]
		m := Result{Op: first.Op, Size: first.Size, SizeBytes: first.SizeBytes, Clients: first.Clients}
		for r, phases := range rounds {
			if len(phases) != len(rounds[0]) || phases[p].Op != first.Op || phases[p].Size != first.Size {
				return nil, fmt.Errorf("round %d's phases differ from round 1's", r+1)
			}
			m.Objects += phases[p].Objects
			m.Errors += phases[p].Errors
			m.Seconds += phases[p].Seconds
			if m.FirstError == "" {
				m.FirstError = phases[p].FirstError
			}
		}
		figure := func(get func(Result) float64) float64 {
			v := make([]float64, len(rounds))
			for r, phases := range rounds {
				v[r] = get(phases[p])
			}
			return median(v)
		}
		m.ObjectsPerS = figure(func(r Result) float64 { return r.ObjectsPerS })
		m.MiBPerS = figure(func(r Result) float64 { return r.MiBPerS })
		m.LatencyP50Ms = figure(func(r Result) float64 { return r.LatencyP50Ms })
		m.LatencyP99Ms = figure(func(r Result) float64 { return r.LatencyP99Ms })
		m.LatencyMaxMs = figure(func(r Result) float64 { return r.LatencyMaxMs })
		m.TTFBP50Ms = figure(func(r Result) float64 { return r.TTFBP50Ms })
		m.TTFBP99Ms = figure(func(r Result) float64 { return r.TTFBP99Ms })
		out[p] = m
	}
	return out, nil
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Ratio is one column's median throughput over another's, phase by phase.
type Ratio struct {
	Target   string        `json:"target"`
	Baseline string        `json:"baseline"`
	Phases   []PhaseFigure `json:"phases"`
}

// PhaseFigure is one figure of one phase.
type PhaseFigure struct {
	Op    string  `json:"op"`
	Size  string  `json:"size"`
	Value float64 `json:"value"`
}

// Pair names a target column and the column it is divided by.
type Pair struct{ Target, Baseline string }

// ComparisonPairs are the ratios a comparison shows: every one of columns
// against the baseline, then the extra pairs, each pair once and no column
// against itself.
func ComparisonPairs(columns []string, baseline string, extra []Pair) []Pair {
	var pairs []Pair
	add := func(p Pair) {
		if p.Target != p.Baseline && !slices.Contains(pairs, p) {
			pairs = append(pairs, p)
		}
	}
	for _, c := range columns {
		add(Pair{c, baseline})
	}
	for _, p := range extra {
		add(p)
	}
	return pairs
}

// Ratios divides, for every pair and phase, the target's median objects
// per second by the baseline's (the same ratio as of MiB/s, the sizes
// being equal); 0 where the baseline moved nothing.
func Ratios(columns []Column, pairs []Pair) []Ratio {
	byName := map[string]Column{}
	for _, c := range columns {
		byName[c.Name] = c
	}
	var out []Ratio
	for _, p := range pairs {
		t, b := byName[p.Target], byName[p.Baseline]
		r := Ratio{Target: p.Target, Baseline: p.Baseline}
		for i, res := range t.Median {
			v := 0.0
			if i < len(b.Median) && b.Median[i].ObjectsPerS > 0 {
				v = res.ObjectsPerS / b.Median[i].ObjectsPerS
			}
			r.Phases = append(r.Phases, PhaseFigure{Op: res.Op, Size: res.Size, Value: v})
		}
		out = append(out, r)
	}
	return out
}

// LatencyBudget holds one phase's latency under inter-zone latency against
// the budget: a GET costs at most one inter-zone round trip plus
// 10 ms at p50, a PUT at most one round trip plus the transfer, taken as
// the same PUT's p50 without the latency (everything that does not wait
// on a link).
type LatencyBudget struct {
	Op        string  `json:"op"`
	Size      string  `json:"size"`
	OneWayMs  float64 `json:"one_way_ms"`
	BaseP50Ms float64 `json:"without_latency_p50_ms"`
	BaseP99Ms float64 `json:"without_latency_p99_ms"`
	P50Ms     float64 `json:"p50_ms"`
	P99Ms     float64 `json:"p99_ms"`
	BudgetMs  float64 `json:"budget_p50_ms"`
	Rule      string  `json:"budget_rule"`
	WithinP50 bool    `json:"p50_within_budget"`
	// RoundTrips is how many inter-zone round trips the latency added
	// to the p50: what the request waits on, seen from outside.
	RoundTrips float64 `json:"round_trips_added_p50"`
}

// getSlack is what a GET may cost beyond its round trip.
const getSlack = 10.0

// LatencyBudgets compares, phase by phase, the column run with oneWay of
// latency between zones against the one run without.
func LatencyBudgets(without, with Column, oneWay time.Duration) []LatencyBudget {
	rtt := 2 * ms(oneWay)
	var out []LatencyBudget
	for i, res := range with.Median {
		if i >= len(without.Median) {
			break
		}
		base := without.Median[i]
		b := LatencyBudget{Op: res.Op, Size: res.Size, OneWayMs: ms(oneWay), BaseP50Ms: base.LatencyP50Ms, BaseP99Ms: base.LatencyP99Ms,
			P50Ms: res.LatencyP50Ms, P99Ms: res.LatencyP99Ms}
		if res.Op == "GET" {
			b.BudgetMs, b.Rule = rtt+getSlack, "one round trip + 10 ms"
		} else {
			b.BudgetMs, b.Rule = rtt+base.LatencyP50Ms, "one round trip + transfer (p50 without latency)"
		}
		b.WithinP50 = res.LatencyP50Ms <= b.BudgetMs
		if rtt > 0 {
			b.RoundTrips = (res.LatencyP50Ms - base.LatencyP50Ms) / rtt
		}
		out = append(out, b)
	}
	return out
}
