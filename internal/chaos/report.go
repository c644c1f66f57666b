package chaos

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/garagego/garage/checker"
)

// Print writes the run's report: the verdict, what the clients did, the
// faults as applied, the measurements and, on a violation, the first ones
// in full.
func (r *Result) Print(w io.Writer) {
	verdict := "ok"
	if !r.Ok() {
		verdict = "VIOLATIONS"
	}
	fmt.Fprintf(w, "chaos run (%s): %s\n", r.Plan.Source, verdict)
	var kinds []string
	for k, n := range r.Counts {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
	}
	slices.Sort(kinds)
	fmt.Fprintf(w, "  operations: %d (%s); ok %d, failed %d, unknown %d\n", len(r.History), strings.Join(kinds, ", "),
		r.Outcomes[checker.OK], r.Outcomes[checker.Failed], r.Outcomes[checker.Unknown])
	fmt.Fprintf(w, "  not ok, by kind: %s\n", notOK(r.History))
	type reason struct {
		why string
		n   int
	}
	var reasons []reason
	for why, n := range r.Failures {
		reasons = append(reasons, reason{why, n})
	}
	slices.SortFunc(reasons, func(a, b reason) int {
		if a.n != b.n {
			return b.n - a.n
		}
		return strings.Compare(a.why, b.why)
	})
	for i, re := range reasons {
		if i == 8 {
			fmt.Fprintf(w, "    ... %d more kinds of failure\n", len(reasons)-i)
			break
		}
		fmt.Fprintf(w, "    %5d x %s\n", re.n, re.why)
	}
	fmt.Fprintf(w, "  faults: %s\n", strings.Join(classNames(r.Plan.Classes()), ", "))
	for _, a := range r.Applied {
		if a.Err != nil {
			fmt.Fprintf(w, "    %s: %v\n", a.Action, a.Err)
		}
	}
	if len(r.KillWaits) > 0 {
		fmt.Fprintf(w, "  calls in flight at a kill: %d, ended after p50 %v, p99 %v, max %v (%d failed)\n", len(r.KillWaits),
			percentile(r.KillWaits, 50), percentile(r.KillWaits, 99), r.KillWaits[len(r.KillWaits)-1], r.KillFailed)
		for _, s := range r.KillSlow {
			fmt.Fprintf(w, "    slowest: %v through n%d, n%d killed: %v more (%v)\n", s.Op.Kind, s.Via, s.Killed, s.Wait.Round(time.Millisecond), s.Op.Outcome)
		}
	}
	conv := fmt.Sprintf("in %v", r.Convergence.Took.Round(time.Millisecond))
	if r.Convergence.Repaired {
		u := r.Convergence.Unrepaired
		conv += fmt.Sprintf(", after a repair-tables pass (before it, %d partitions differed: %s)", len(u), strings.Join(u[:min(len(u), 6)], ", "))
	}
	if r.Convergence.Err != nil {
		conv = r.Convergence.Err.Error()
	}
	fmt.Fprintf(w, "  replicas converged: %s\n", conv)
	cpu := r.HarnessCPU + r.NodesCPU
	fmt.Fprintf(w, "  wall %v for %v of clients and faults: %.2f chaos-seconds per wall-second; CPU %v (harness %v, nodes %v), %.0f%% of %d cores\n",
		r.Wall.Round(time.Second), r.ClientTime.Round(time.Second), r.ClientTime.Seconds()/r.Wall.Seconds(),
		cpu.Round(time.Second), r.HarnessCPU.Round(time.Second), r.NodesCPU.Round(time.Second),
		100*cpu.Seconds()/(r.Wall.Seconds()*float64(runtime.NumCPU())), runtime.NumCPU())
	if r.HealErr != nil {
		fmt.Fprintf(w, "  healing failed: %v\n", r.HealErr)
	}
	for _, f := range r.FinalFailures {
		fmt.Fprintf(w, "  liveness: %s\n", f)
	}
	for _, v := range r.Convergence.Violations {
		fmt.Fprintf(w, "  %v\n", v)
	}
	if !r.Report.Ok() {
		fmt.Fprint(w, indent(r.Report.String(), "  "))
	}
}

// Schedule writes the plan's actions, one a line.
func (r *Result) Schedule(w io.Writer) {
	for _, a := range r.Plan.Actions {
		fmt.Fprintf(w, "  %s\n", a)
	}
}

// Visualize writes porcupine's view of the keys with history violations
// to path.
func (r *Result) Visualize(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := checker.Visualize(f, r.History, r.Report.Keys()); err != nil {
		f.Close()
		return fmt.Errorf("visualise: %w", err)
	}
	return f.Close()
}

func classNames(cs []Class) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return out
}

// percentile of sorted durations.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p+99)/100 - 1
	return sorted[min(max(i, 0), len(sorted)-1)].Round(time.Millisecond)
}

func indent(s, prefix string) string {
	var b strings.Builder
	for line := range strings.Lines(s) {
		b.WriteString(prefix + line)
	}
	return b.String()
}

// notOK counts the calls that failed or whose outcome is unknown, by kind.
func notOK(h checker.History) string {
	counts := map[string]int{}
	for _, op := range h {
		if op.Outcome != checker.OK {
			counts[fmt.Sprintf("%v %v", op.Kind, op.Outcome)]++
		}
	}
	var parts []string
	for k, n := range counts {
		parts = append(parts, fmt.Sprintf("%s %d", k, n))
	}
	slices.Sort(parts)
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
