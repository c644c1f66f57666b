package chaos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"syscall"
	"time"

	"github.com/garagego/garage/checker"
	"github.com/garagego/garage/internal/proccluster"
)

// Options configure a run.
type Options struct {
	// Binary is the garage executable the nodes run.
	Binary string
	// Dir holds the nodes' directories and logs; it must exist.
	Dir      string
	Plan     Plan
	Workload Workload
	// Seed seeds the clients' choices and the proxies' draws; the plan
	// has its own.
	Seed uint64
	// Bug is a planted bug for the nodes to run with (a binary built with
	// the garage_planted_bugs tag): short-body-ok, ack-before-blocks.
	Bug      string
	LogLevel string
	// Progress receives a line per action, and the phases.
	Progress io.Writer
	// ConvergeTimeout bounds the wait for the replicas to agree after
	// healing (default 90 s).
	ConvergeTimeout time.Duration
}

// Result is what a run found.
type Result struct {
	Plan        Plan
	Applied     []appliedAction
	History     checker.History
	Report      checker.Report // the history, final reads included
	Convergence convergence
	// FinalFailures are final reads and listings that failed once the
	// cluster was healed and had converged: what was acknowledged must be
	// readable then.
	FinalFailures []string
	HealErr       error
	Counts        map[string]int // calls by kind
	Failures      map[string]int // why calls failed, "kind status: error"
	Outcomes      map[checker.Outcome]int
	// KillWaits is, for every operation in flight when a node was killed,
	// how long it still took to end; KillFailed how many of them failed.
	KillWaits  []time.Duration
	KillFailed int
	KillSlow   []slowCall
	// Wall is the whole run, setup to teardown; ClientTime the part with
	// clients and faults.
	Wall, ClientTime     time.Duration
	HarnessCPU, NodesCPU time.Duration
	Usage                []proccluster.Usage
}

// Ok reports whether the run found nothing wrong.
func (r *Result) Ok() bool {
	return r.Report.Ok() && len(r.Convergence.Violations) == 0 && r.Convergence.Err == nil && len(r.FinalFailures) == 0 && r.HealErr == nil
}

// Run starts the cluster, runs the clients for the plan's duration while
// the plan's faults strike, heals everything, waits for the replicas to
// converge, reads every key through every node, stops the cluster and
// checks the history. An error means the harness could not do its job; a
// verdict against the store is in the Result.
func Run(ctx context.Context, o Options) (*Result, error) {
	if o.ConvergeTimeout <= 0 {
		o.ConvergeTimeout = 90 * time.Second
	}
	wallStart, cpuStart := time.Now(), processCPU()
	rec := newRecorder()
	say := func(format string, args ...any) {
		if o.Progress != nil {
			fmt.Fprintf(o.Progress, "chaos: "+format+"\n", args...)
		}
	}
	say("starting %d nodes under %s (%s)", o.Plan.Nodes, o.Dir, o.Plan.Source)
	e, err := startEnv(ctx, o, rec)
	if err != nil {
		return nil, fmt.Errorf("start the cluster: %w", err)
	}
	res := &Result{Plan: o.Plan}
	defer func() {
		if e != nil {
			e.close()
		}
	}()
	if !e.tmpfs {
		say("data disks are not tmpfs mounts (%v): disk-full faults are skipped", e.tmpfsErr)
	}
	w := newWorkload(o.Workload, rec, e.cluster.Bucket, e.cluster.Endpoints(), credentialsOf{e.cluster.KeyID, e.cluster.Secret})

	say("%d clients for %v, %d actions", w.cfg.Clients, o.Plan.Duration, len(o.Plan.Actions))
	clientStart := time.Now()
	runCtx, stopClients := context.WithTimeout(ctx, o.Plan.Duration)
	var clients sync.WaitGroup
	for i := range w.cfg.Clients {
		c, err := w.newClient(i, o.Seed)
		if err != nil {
			stopClients()
			return nil, err
		}
		clients.Go(func() { c.run(runCtx) })
	}
	res.Applied = e.runPlan(runCtx, clientStart)
	<-runCtx.Done()
	stopClients()
	clients.Wait()
	res.ClientTime = time.Since(clientStart)

	say("healing")
	res.HealErr = e.healAll(ctx)
	say("waiting for the replicas to converge")
	res.Convergence = e.converge(ctx, o.ConvergeTimeout)
	say("converged in %v (repair pass: %v)", res.Convergence.Took.Round(time.Millisecond), res.Convergence.Repaired)
	res.FinalFailures = finalReads(ctx, w)

	res.Usage = e.close()
	e = nil
	for _, u := range res.Usage {
		res.NodesCPU += time.Duration(u.CPUSeconds * float64(time.Second))
	}
	res.History = rec.history()
	res.Report = checker.Check(res.History)
	res.Counts, res.Failures = w.counts, w.failures
	res.Outcomes = map[checker.Outcome]int{}
	for _, op := range res.History {
		res.Outcomes[op.Outcome]++
	}
	res.KillWaits, res.KillFailed, res.KillSlow = rec.inFlightAtKills()
	res.Wall, res.HarnessCPU = time.Since(wallStart), processCPU()-cpuStart
	return res, nil
}

// finalReads reads every key through every node and lists the bucket
// through every node, recorded in the history (as clients 1000 + node):
// the checker then requires them to see every acknowledged write. Each
// that fails is returned.
func finalReads(ctx context.Context, w *workload) []string {
	var failures []string
	for node := range w.endpoints {
		c := &client{w: w, id: 1000 + node, sdk: make([]s3client, len(w.endpoints))}
		c.sdk[node] = newAWSClient(w.endpoints[node], w.creds)
		for _, key := range w.keys {
			if c.get(ctx, node, key, c.id) != checker.OK {
				failures = append(failures, fmt.Sprintf("final read of %s through n%d failed", key, node))
			}
		}
		if c.listFrom(ctx, node, "", 1000, c.id) != checker.OK {
			failures = append(failures, fmt.Sprintf("final listing through n%d failed", node))
		}
	}
	return failures
}

// processCPU is the CPU time this process used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ErrViolation is returned by callers that turn a failed verdict into an
// error.
var ErrViolation = errors.New("the chaos run found violations")
