package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// chaosRun runs `garage chaos run` with bin and args; it returns the
// output and whether the run passed.
func chaosRun(t *testing.T, bin string, args ...string) (string, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	args = append([]string{"chaos", "run", "--quiet", "--out", t.TempDir()}, args...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(cleanEnv(), "TMPDIR="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("garage %s timed out:\n%s", strings.Join(args, " "), out)
	}
	return string(out), err == nil
}

// TestChaosRunPasses: real processes under kills, partitions and clock
// skew, with real clients: a clean verdict.
func TestChaosRunPasses(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real processes under faults")
	}
	out, ok := chaosRun(t, garageBinary(t), "--duration", "20s", "--faults", "kill,partition,skew", "--seed", "3")
	if !ok || !strings.Contains(out, "chaos run (seed 3): ok") {
		t.Fatalf("a chaos run of the store as built failed:\n%s", out)
	}
	for _, want := range []string{"faults: ", "kill", "partition", "skew", "replicas converged", "chaos-seconds per wall-second"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
}

// TestChaosRunCatchesPlantedBugs: the harness fails, with the schedule, a
// replay command and porcupine's view, on a binary carrying a planted bug:
// a PUT acknowledged before its blocks are written, and the defect of the
// implicit 200 on a body cut short brought back.
func TestChaosRunCatchesPlantedBugs(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real processes under faults")
	}
	bin := filepath.Join(t.TempDir(), "garage-bugs")
	if out, err := exec.Command("go", "build", "-tags", "garage_planted_bugs", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build with planted bugs: %v\n%s", err, out)
	}
	for _, tc := range []struct{ bug, property string }{
		{"ack-before-blocks", "read-after-write"},
		{"short-body-ok", "well-formed"},
	} {
		t.Run(tc.bug, func(t *testing.T) {
			out, ok := chaosRun(t, bin, "--duration", "15s", "--faults", "kill", "--bug", tc.bug)
			if ok {
				t.Fatalf("the harness passed a binary with %s planted:\n%s", tc.bug, out)
			}
			for _, want := range []string{"VIOLATIONS", tc.property, "schedule (seed 1):", "replay: garage chaos run", "--bug=" + tc.bug, "porcupine visualisation: "} {
				if !strings.Contains(out, want) {
					t.Errorf("the report of %s lacks %q:\n%s", tc.bug, want, out)
				}
			}
		})
	}
	// Without a bug asked for, the same binary passes: the bugs are off
	// unless planted.
	if out, ok := chaosRun(t, bin, "--duration", "10s", "--faults", "none"); !ok {
		t.Fatalf("the planted-bugs binary failed with no bug planted:\n%s", out)
	}
}

// TestChaosRunRefusesWhatItCannotReplay: a scenario whose events have no
// real-process counterpart (layout changes) is refused before anything
// starts, saying why.
func TestChaosRunRefusesWhatItCannotReplay(t *testing.T) {
	out, ok := chaosRun(t, garageBinary(t), "../../scenarios/layout-change-during-partition.yaml")
	if ok || !strings.Contains(out, "not replayed against real processes") {
		t.Fatalf("a layout-change scenario: passed=%v\n%s", ok, out)
	}
}
