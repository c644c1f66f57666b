package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/garagego/garage/internal/chaos"
	"github.com/garagego/garage/sim/scenario"
)

// ChaosCmd groups the fault-injection commands.
type ChaosCmd struct {
	Run ChaosRunCmd `cmd:"" help:"Run real garage serve processes under faults and real S3 clients; check the history."`
}

// ChaosRunCmd is one chaos run.
type ChaosRunCmd struct {
	Scenario string        `arg:"" optional:"" type:"existingfile" help:"A simulator scenario (scenarios/NAME.yaml) whose timeline to replay against real processes, instead of a seeded schedule."`
	Seed     uint64        `help:"Seed of the fault schedule and of the clients." default:"1"`
	Duration time.Duration `help:"How long the clients run under faults." default:"90s"`
	Nodes    int           `help:"Nodes (replication factor min(3, nodes))." default:"3"`
	Clients  int           `help:"Concurrent S3 clients, half aws-sdk-go-v2, half minio-go." default:"6"`
	Keys     int           `help:"Object keys the clients share." default:"24"`
	Faults   string        `help:"Fault classes of a seeded schedule, comma-separated: delay, bandwidth, loss, partition, one-way, reset, half-open, kill, freeze, disk-full, skew, disk-fault; all; or none." default:"all"`
	Speedup  float64       `help:"With a scenario: replay its timeline this many times faster." default:"1"`
	Bug      string        `help:"Run the nodes with a planted bug (needs a binary built with -tags garage_planted_bugs): short-body-ok, ack-before-blocks." enum:",short-body-ok,ack-before-blocks" default:""`
	Binary   string        `help:"The garage binary the nodes run (default: this one)." type:"existingfile"`
	Dir      string        `help:"Keep the nodes' directories and logs under this new or empty directory (default: a temporary one, kept only after a failure)." type:"path"`
	Out      string        `help:"Directory for the porcupine visualisation of a failing run." default:"chaos-failures" type:"path"`
	NodeLog  string        `name:"node-log-level" help:"The nodes' log level." default:"info" enum:"debug,info,warn,error"`
	Quiet    bool          `help:"Do not print each fault as it strikes."`
}

// Run runs the cluster, prints the report and fails on a violation.
func (c *ChaosRunCmd) Run(out io.Writer) error {
	plan, err := c.plan()
	if err != nil {
		return err
	}
	bin := c.Binary
	if bin == "" {
		if bin, err = os.Executable(); err != nil {
			return fmt.Errorf("find this program to start the nodes: %w", err)
		}
	}
	dir, cleanup, err := clusterDir(c.Dir, "chaos")
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts := chaos.Options{Binary: bin, Dir: dir, Plan: plan, Seed: c.Seed, Bug: c.Bug, LogLevel: c.NodeLog,
		Workload: chaos.Workload{Clients: c.Clients, Keys: c.Keys}}
	if !c.Quiet {
		opts.Progress = os.Stderr
	}
	res, err := chaos.Run(ctx, opts)
	if err != nil {
		return fmt.Errorf("%w (the nodes' logs are under %s)", err, dir)
	}
	res.Print(out)
	if res.Ok() {
		cleanup()
		return nil
	}
	fmt.Fprintf(out, "schedule (%s):\n", plan.Source)
	res.Schedule(out)
	if len(res.Report.Violations) > 0 {
		if err := os.MkdirAll(c.Out, 0o755); err == nil {
			path := filepath.Join(c.Out, fmt.Sprintf("chaos-%s.html", strings.ReplaceAll(plan.Source, " ", "-")))
			if err := res.Visualize(path); err == nil {
				fmt.Fprintf(out, "porcupine visualisation: %s\n", path)
			}
		}
	}
	fmt.Fprintf(out, "the nodes' logs: %s\nreplay: %s\n", dir, c.replayCommand())
	return chaos.ErrViolation
}

func (c *ChaosRunCmd) plan() (chaos.Plan, error) {
	if c.Scenario != "" {
		data, err := os.ReadFile(c.Scenario)
		if err != nil {
			return chaos.Plan{}, err
		}
		sc, err := scenario.Parse(c.Scenario, data)
		if err != nil {
			return chaos.Plan{}, err
		}
		return chaos.ScenarioPlan(sc, c.Speedup)
	}
	classes, err := chaos.ParseClasses(c.Faults)
	if err != nil {
		return chaos.Plan{}, err
	}
	return chaos.SeededPlan(c.Seed, c.Nodes, c.Duration, classes)
}

func (c *ChaosRunCmd) replayCommand() string {
	args := []string{"garage", "chaos", "run"}
	if c.Scenario != "" {
		args = append(args, c.Scenario, fmt.Sprintf("--speedup=%v", c.Speedup))
	} else {
		args = append(args, fmt.Sprintf("--nodes=%d", c.Nodes), fmt.Sprintf("--duration=%v", c.Duration), "--faults="+c.Faults)
	}
	args = append(args, fmt.Sprintf("--seed=%d", c.Seed), fmt.Sprintf("--clients=%d", c.Clients), fmt.Sprintf("--keys=%d", c.Keys))
	if c.Bug != "" {
		args = append(args, "--bug="+c.Bug)
	}
	return strings.Join(args, " ")
}
