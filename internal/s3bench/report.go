package s3bench

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Report is what a run measured; WriteJSON writes it as is.
type Report struct {
	Started   time.Time `json:"started"`
	Command   string    `json:"command"`
	Cluster   string    `json:"cluster"`
	Clients   int       `json:"clients"`
	GoVersion string    `json:"go_version"`
	CPUs      int       `json:"cpus"`
	// The machine's load averages before and after the run: on a shared
	// machine they say how much the figures are worth.
	LoadBefore string      `json:"load_average_before,omitempty"`
	LoadAfter  string      `json:"load_average_after,omitempty"`
	Results    []Result    `json:"results"`
	Nodes      []NodeUsage `json:"nodes,omitempty"`
}

// Result sums up one phase: one direction for one size.
type Result struct {
	Op           string  `json:"op"` // PUT or GET
	Size         string  `json:"size"`
	SizeBytes    int64   `json:"size_bytes"`
	Clients      int     `json:"clients"`
	Objects      int     `json:"objects"`
	Errors       int     `json:"errors"`
	FirstError   string  `json:"first_error,omitempty"`
	Seconds      float64 `json:"seconds"`
	ObjectsPerS  float64 `json:"objects_per_s"`
	MiBPerS      float64 `json:"mib_per_s"`
	LatencyP50Ms float64 `json:"latency_p50_ms"`
	LatencyP99Ms float64 `json:"latency_p99_ms"`
	LatencyMaxMs float64 `json:"latency_max_ms"`
	TTFBP50Ms    float64 `json:"ttfb_p50_ms,omitempty"`
	TTFBP99Ms    float64 `json:"ttfb_p99_ms,omitempty"`
	// NodePeakRSSBytes is each local node's peak memory at the end of the
	// phase (Linux only), to tell which phase raised it.
	NodePeakRSSBytes []int64 `json:"node_peak_rss_bytes_so_far,omitempty"`
}

// NodeUsage is what one node of a local cluster used over the run.
type NodeUsage struct {
	Node         int     `json:"node"`
	PID          int     `json:"pid"`
	PeakRSSBytes int64   `json:"peak_rss_bytes"`
	CPUSeconds   float64 `json:"cpu_seconds"`
	Warnings     int     `json:"log_warnings"`
	Errors       int     `json:"log_errors"`
	FirstProblem string  `json:"first_log_problem,omitempty"`
}

// NewReport starts the report of a run starting now: the command line,
// the clients, and the machine's Go version, CPUs and load average.
func NewReport(command string, clients int) Report {
	return Report{Started: time.Now().UTC(), Command: command, Clients: clients,
		GoVersion: runtime.Version(), CPUs: runtime.NumCPU(), LoadBefore: LoadAverage()}
}

// LoadAverage is the 1, 5 and 15 minute load averages, where the system
// tells them (Linux); "" elsewhere.
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// summarize makes a phase's result from its requests' samples.
func summarize(op string, size Size, clients int, elapsed time.Duration, samples []sample) Result {
	r := Result{Op: op, Size: size.Label, SizeBytes: size.Bytes, Clients: clients, Objects: len(samples), Seconds: elapsed.Seconds()}
	if len(samples) == 0 {
		return r
	}
	r.ObjectsPerS = float64(len(samples)) / elapsed.Seconds()
	r.MiBPerS = r.ObjectsPerS * float64(size.Bytes) / (1 << 20)
	latencies := make([]time.Duration, len(samples))
	ttfbs := make([]time.Duration, len(samples))
	for i, s := range samples {
		latencies[i], ttfbs[i] = s.latency, s.ttfb
	}
	slices.Sort(latencies)
	slices.Sort(ttfbs)
	r.LatencyP50Ms, r.LatencyP99Ms = ms(percentile(latencies, 50)), ms(percentile(latencies, 99))
	r.LatencyMaxMs = ms(latencies[len(latencies)-1])
	if op == "GET" {
		r.TTFBP50Ms, r.TTFBP99Ms = ms(percentile(ttfbs, 50)), ms(percentile(ttfbs, 99))
	}
	return r
}

// percentile is the nearest-rank p-th percentile of sorted values: the
// smallest value at least p% of them are no greater than.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 * n)
	return sorted[max(rank, 1)-1]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// Print prints a line about the cluster and the machine, one line per
// phase, then each node's memory, CPU time and log findings.
func (r *Report) Print(out io.Writer) {
	fmt.Fprintf(out, "%s; %s, %d CPUs", r.Cluster, r.GoVersion, r.CPUs)
	if r.LoadBefore != "" {
		fmt.Fprintf(out, ", load average %s before, %s after", r.LoadBefore, r.LoadAfter)
	}
	fmt.Fprintln(out)
	width := 0
	for _, p := range r.Results {
		width = max(width, len(p.Size))
	}
	for _, p := range r.Results {
		fmt.Fprintf(out, "%-4s %-*s %3d clients %8.1f obj/s %7.1f MiB/s  p50 %-8s p99 %-8s", p.Op, width, p.Size, p.Clients, p.ObjectsPerS, p.MiBPerS, fmtMs(p.LatencyP50Ms), fmtMs(p.LatencyP99Ms))
		if p.Op == "GET" {
			fmt.Fprintf(out, " ttfb p50 %-8s p99 %-8s", fmtMs(p.TTFBP50Ms), fmtMs(p.TTFBP99Ms))
		}
		fmt.Fprintf(out, " (%d objects in %.1fs", p.Objects, p.Seconds)
		if p.Errors > 0 {
			fmt.Fprintf(out, ", %d errors", p.Errors)
		}
		fmt.Fprintln(out, ")")
	}
	for i, n := range r.Nodes {
		fmt.Fprintf(out, "node %d  peak RSS %6.1f MiB  CPU %6.1fs  log: %d warnings, %d errors", n.Node, float64(n.PeakRSSBytes)/(1<<20), n.CPUSeconds, n.Warnings, n.Errors)
		fmt.Fprintln(out, peaksByPhase(r.Results, i))
		if n.FirstProblem != "" {
			fmt.Fprintf(out, "  first: %s\n", n.FirstProblem)
		}
	}
}

// peaksByPhase is node i's peak memory after each phase, in MiB.
func peaksByPhase(results []Result, i int) string {
	var peaks []string
	for _, p := range results {
		if i < len(p.NodePeakRSSBytes) {
			peaks = append(peaks, fmt.Sprintf("%.0f", float64(p.NodePeakRSSBytes[i])/(1<<20)))
		}
	}
	if len(peaks) == 0 {
		return ""
	}
	return "  (peak after each phase: " + strings.Join(peaks, ", ") + " MiB)"
}

func fmtMs(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%.2fs", v/1000)
	}
	return fmt.Sprintf("%.1fms", v)
}

// WriteJSON writes the report to the file at path (--json), indented.
func (r *Report) WriteJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode the report: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write --json %s: %w", path, err)
	}
	return nil
}
