package s3bench

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Comparison is what a `garage bench --compare` (or --zone-latency) run
// measured; WriteJSON writes it as is.
type Comparison struct {
	Started    time.Time `json:"started"`
	Command    string    `json:"command"`
	GoVersion  string    `json:"go_version"`
	CPUs       int       `json:"cpus"`
	LoadBefore string    `json:"load_average_before,omitempty"`
	LoadAfter  string    `json:"load_average_after,omitempty"`
	Clients    int       `json:"clients"`
	// PhaseSeconds is each phase's duration; 0 with a count of objects.
	PhaseSeconds float64         `json:"phase_seconds,omitempty"`
	Count        int             `json:"count,omitempty"`
	Rounds       int             `json:"rounds"`
	Baseline     string          `json:"baseline"`
	Columns      []Column        `json:"columns"`
	Ratios       []Ratio         `json:"ratios"`
	Latency      []LatencyBudget `json:"zone_latency,omitempty"`
}

// NewComparison starts the record of a comparison starting now.
func NewComparison(command string, w Workload, rounds int) Comparison {
	r := NewReport(command, w.Clients)
	return Comparison{Started: r.Started, Command: command, GoVersion: r.GoVersion, CPUs: r.CPUs, LoadBefore: r.LoadBefore,
		Clients: w.Clients, PhaseSeconds: w.Duration.Seconds(), Count: w.Count, Rounds: rounds}
}

// Print prints the comparison: a line about the run and the machine, what
// each column is, a table of every phase's median throughput (MiB/s from
// 1 MiB up, objects/s below) and p50/p99 latency per column, the table of
// ratios, the zone latency against its budget, and the local nodes'
// memory and CPU.
func (c *Comparison) Print(out io.Writer) {
	amount := fmt.Sprintf("%d objects", c.Count)
	if c.Count == 0 {
		amount = fmt.Sprintf("%gs", c.PhaseSeconds)
	}
	fmt.Fprintf(out, "%d clients, %s per phase, median of %d %s (columns interleaved); %s, %d CPUs", c.Clients, amount, c.Rounds, plural(c.Rounds, "round"), c.GoVersion, c.CPUs)
	if c.LoadBefore != "" {
		fmt.Fprintf(out, ", load average %s before, %s after", c.LoadBefore, c.LoadAfter)
	}
	fmt.Fprintln(out)
	for _, col := range c.Columns {
		fmt.Fprintf(out, "  %s: %s\n", col.Name, col.Description)
	}
	fmt.Fprintln(out)
	if len(c.Columns) == 0 {
		return
	}
	header := []string{"workload"}
	for _, col := range c.Columns {
		header = append(header, col.Name)
	}
	var rows [][]string
	for p, res := range c.Columns[0].Median {
		row := []string{res.Op + " " + res.Size}
		for _, col := range c.Columns {
			row = append(row, cell(col.Median[p]))
		}
		rows = append(rows, row)
	}
	printTable(out, header, rows)
	if len(c.Ratios) > 0 {
		fmt.Fprintln(out)
		header = []string{"ratio"}
		for _, r := range c.Ratios {
			header = append(header, r.Target+" / "+r.Baseline)
		}
		rows = nil
		for p, res := range c.Columns[0].Median {
			row := []string{res.Op + " " + res.Size}
			for _, r := range c.Ratios {
				row = append(row, fmt.Sprintf("%.2fx", r.Phases[p].Value))
			}
			rows = append(rows, row)
		}
		printTable(out, header, rows)
	}
	if len(c.Latency) > 0 {
		fmt.Fprintf(out, "\n%g ms one way between zones:\n", c.Latency[0].OneWayMs)
		header = []string{"workload", "p50 / p99 without", "p50 / p99 with", "p50 budget", "within", "round trips added (p50)"}
		rows = nil
		for _, b := range c.Latency {
			within := "no"
			if b.WithinP50 {
				within = "yes"
			}
			rows = append(rows, []string{b.Op + " " + b.Size, fmtMs(b.BaseP50Ms) + " / " + fmtMs(b.BaseP99Ms), fmtMs(b.P50Ms) + " / " + fmtMs(b.P99Ms),
				fmtMs(b.BudgetMs) + " (" + b.Rule + ")", within, fmt.Sprintf("%.1f", b.RoundTrips)})
		}
		printTable(out, header, rows)
	}
	nodes := false
	for _, col := range c.Columns {
		for _, n := range col.Nodes {
			if !nodes {
				fmt.Fprintln(out)
				nodes = true
			}
			fmt.Fprintf(out, "%s node %d  peak RSS %6.1f MiB  CPU %6.1fs  log: %d warnings, %d errors\n", col.Name, n.Node, float64(n.PeakRSSBytes)/(1<<20), n.CPUSeconds, n.Warnings, n.Errors)
			if n.FirstProblem != "" {
				fmt.Fprintf(out, "  first: %s\n", n.FirstProblem)
			}
		}
	}
}

// cell is one column's figures for one phase.
func cell(r Result) string {
	rate := fmt.Sprintf("%.0f obj/s", r.ObjectsPerS)
	if r.SizeBytes >= 1<<20 {
		rate = fmt.Sprintf("%.0f MiB/s", r.MiBPerS)
	}
	return fmt.Sprintf("%s (p50 %s, p99 %s)", rate, fmtMs(r.LatencyP50Ms), fmtMs(r.LatencyP99Ms))
}

// printTable prints a Markdown table, its columns padded to line up.
func printTable(out io.Writer, header []string, rows [][]string) {
	widths := make([]int, len(header))
	for _, row := range append([][]string{header}, rows...) {
		for i, v := range row {
			widths[i] = max(widths[i], len(v))
		}
	}
	line := func(row []string) {
		var b strings.Builder
		b.WriteString("|")
		for i, v := range row {
			fmt.Fprintf(&b, " %-*s |", widths[i], v)
		}
		fmt.Fprintln(out, b.String())
	}
	line(header)
	rule := make([]string, len(header))
	for i := range rule {
		rule[i] = strings.Repeat("-", widths[i])
	}
	line(rule)
	for _, row := range rows {
		line(row)
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// WriteJSON writes the comparison to the file at path (--json), indented.
func (c *Comparison) WriteJSON(path string) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("encode the comparison: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write --json %s: %w", path, err)
	}
	return nil
}
