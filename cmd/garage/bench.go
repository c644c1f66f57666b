package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/garagego/garage/internal/proccluster"
	"github.com/garagego/garage/internal/s3bench"
)

// BenchCmd measures the S3 API: PUT and GET throughput and latency per
// object size, time to first byte of GETs, and each node's peak memory.
// The workload and the report are internal/s3bench's; the local cluster
// of child processes is internal/proccluster's.
type BenchCmd struct {
	Sizes    []string      `help:"Object sizes, comma-separated (K, M, G are powers of 1000; Ki, Mi, Gi of 1024; default 4KiB,1MiB,64MiB; 1MiB,4KiB with --compare; 1MiB with --zone-latency alone)."`
	Clients  *int          `help:"Concurrent clients (default 16; 8 with --compare or --zone-latency)."`
	Count    int           `help:"Objects per size, put then got (default: 512 MiB's worth, at least two per client and at most 2048)." xor:"amount"`
	Duration time.Duration `help:"Run each phase for this long instead of a count of objects (default with --compare or --zone-latency: 20s)." xor:"amount"`
	JSON     string        `name:"json" help:"Also write the figures as JSON to this file." type:"path"`

	Nodes int    `default:"3" help:"Nodes of the local cluster, each in its own zone (replication factor min(3, nodes))."`
	Dir   string `help:"Keep the local clusters' data, configurations and logs under this new or empty directory (default: a temporary one, removed after a successful run)." type:"path"`

	Endpoint  []string `help:"Benchmark an existing cluster instead: its S3 endpoints (http://host:port), comma-separated; requests are spread over them." placeholder:"URL"`
	AccessKey string   `help:"Access key id, with --endpoint."`
	SecretKey string   `help:"Secret key, with --endpoint."`
	Bucket    string   `help:"Bucket to write to, with --endpoint (the objects written are deleted afterwards); with --peer, the peers' bucket (default garage-bench)."`
	Region    string   `default:"garage" help:"S3 region, with --endpoint."`

	Compare     bool          `help:"Compare stores side by side: this store on 1 and 3 nodes (--local) and every --peer, the same workload against each, every figure the median of --rounds interleaved rounds, with ratios."`
	Peer        []string      `sep:"none" help:"With --compare: another S3 store as a column, NAME=http://host:port,ACCESS_KEY,SECRET_KEY[,REGION] (region default us-east-1); repeatable. Its bucket is created if missing (and then removed); the objects written are deleted." placeholder:"NAME=URL,KEY,SECRET"`
	Local       []int         `default:"1,3" help:"With --compare: node counts of this store's local clusters, one column each (replication factor min(3, nodes); every request through node 1)."`
	Rounds      int           `default:"3" help:"With --compare or --zone-latency: rounds; each figure is the median of the rounds'."`
	Baseline    string        `help:"With --compare: the column the ratios divide by (default: the first --peer, else the first column)."`
	ZoneLatency time.Duration `help:"Run 3 nodes in 3 zones whose inter-node links go through proxies adding this one-way latency, against the same cluster without it (two columns, with or without --compare), and show the latency budget." placeholder:"DURATION"`
}

// Run starts a local cluster (or uses --endpoint's), runs the workloads,
// stops the cluster and prints the report.
func (c *BenchCmd) Run(out io.Writer) error {
	workload, err := c.workload()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills the bench at once
	}()
	if c.comparing() {
		return c.runCompare(ctx, workload, out)
	}
	if len(c.Peer) > 0 {
		return errors.New("--peer needs --compare")
	}
	report := s3bench.NewReport(strings.Join(os.Args, " "), workload.Clients)
	if len(c.Endpoint) > 0 {
		err = c.runRemote(ctx, workload, &report)
	} else {
		err = c.runLocal(ctx, workload, &report)
	}
	report.LoadAfter = s3bench.LoadAverage()
	if len(report.Results) > 0 {
		report.Print(out)
		if c.JSON != "" {
			if jerr := report.WriteJSON(c.JSON); jerr != nil {
				err = errors.Join(err, jerr)
			}
		}
	}
	return err
}

// workload checks the workload's flags and gathers them.
func (c *BenchCmd) workload() (s3bench.Workload, error) {
	if c.Count < 0 || c.Duration < 0 {
		return s3bench.Workload{}, errors.New("--count and --duration must not be negative")
	}
	specs, clients, duration := c.Sizes, 16, c.Duration
	if c.comparing() {
		clients = compareClients
		if c.Count == 0 && duration == 0 {
			duration = comparePhase
		}
		if specs == nil {
			specs = compareSizes
			if !c.Compare {
				specs = zoneSizes
			}
		}
	}
	if specs == nil {
		specs = defaultSizes
	}
	if c.Clients != nil {
		clients = *c.Clients
	}
	sizes, err := s3bench.ParseSizes(specs)
	if err != nil {
		return s3bench.Workload{}, err
	}
	if clients < 1 {
		return s3bench.Workload{}, fmt.Errorf("--clients %d: want at least 1", clients)
	}
	return s3bench.Workload{Sizes: sizes, Clients: clients, Count: c.Count, Duration: duration, Progress: os.Stderr}, nil
}

// runRemote benchmarks an existing cluster and deletes what it wrote.
func (c *BenchCmd) runRemote(ctx context.Context, workload s3bench.Workload, report *s3bench.Report) error {
	if c.AccessKey == "" || c.SecretKey == "" || c.Bucket == "" {
		return errors.New("--endpoint needs --access-key, --secret-key and --bucket")
	}
	report.Cluster = "existing cluster at " + strings.Join(c.Endpoint, ", ")
	target := s3bench.NewTarget(s3bench.TargetConfig{Endpoints: c.Endpoint, Region: c.Region,
		AccessKey: c.AccessKey, SecretKey: c.SecretKey, Bucket: c.Bucket, Clients: workload.Clients})
	if err := target.CheckBucket(ctx); err != nil {
		return fmt.Errorf("bucket %s at %s: %w", c.Bucket, c.Endpoint[0], err)
	}
	err := workload.Run(ctx, target, report)
	if derr := target.DeleteAll(context.WithoutCancel(ctx)); derr != nil {
		err = errors.Join(err, derr)
	}
	return err
}

// runLocal starts a cluster of child processes, benchmarks it, stops it
// and records each node's peak memory. Its directory is removed after a
// successful run unless --dir named it; after a failure it stays, for the
// logs.
func (c *BenchCmd) runLocal(ctx context.Context, workload s3bench.Workload, report *s3bench.Report) (err error) {
	if c.Nodes < 1 {
		return fmt.Errorf("--nodes %d: want at least 1", c.Nodes)
	}
	dir, bin, done, err := benchDir(c.Dir)
	if err != nil {
		return err
	}
	defer done(&err)
	fmt.Fprintf(os.Stderr, "bench: starting a local %d-node cluster under %s\n", c.Nodes, dir)
	cluster, err := proccluster.Start(ctx, proccluster.Options{Binary: bin, Dir: dir, Nodes: c.Nodes, Bucket: benchBucket})
	if err != nil {
		return err
	}
	defer func() {
		for _, u := range cluster.Stop() {
			report.Nodes = append(report.Nodes, s3bench.NodeUsage{Node: u.Node, PID: u.PID, PeakRSSBytes: u.PeakRSSBytes,
				CPUSeconds: u.CPUSeconds, Warnings: u.Warnings, Errors: u.Errors, FirstProblem: u.FirstProblem})
		}
		err = errors.Join(err, cluster.StopErr())
	}()
	report.Cluster = fmt.Sprintf("local %d-node cluster, replication factor %d, one zone per node", c.Nodes, cluster.Replication)
	target := s3bench.NewTarget(s3bench.TargetConfig{Endpoints: cluster.Endpoints(), Region: proccluster.Region,
		AccessKey: cluster.KeyID, SecretKey: cluster.Secret, Bucket: benchBucket, Clients: workload.Clients})
	if err := target.WaitReady(ctx); err != nil {
		return err
	}
	workload.NodePeaks = cluster.PeaksSoFar
	return workload.Run(ctx, target, report)
}

// benchBucket is the local cluster's bucket.
const benchBucket = "bench"

// The default workloads: garage bench's, and the for --compare
// (and --zone-latency: its 1 MiB half).
var (
	defaultSizes = []string{"4KiB", "1MiB", "64MiB"}
	compareSizes = []string{"1MiB", "4KiB"}
	zoneSizes    = []string{"1MiB"}
)

const (
	compareClients = 8
	comparePhase   = 20 * time.Second
)

// benchDir makes the directory a bench's local clusters live under (keep,
// or a temporary one) and finds this program to start their nodes. done,
// deferred with the run's error, removes the directory after a success and
// names it in a failure, where the nodes' logs are.
func benchDir(keep string) (dir, bin string, done func(*error), err error) {
	dir, cleanup, err := clusterDir(keep, "bench")
	if err != nil {
		return "", "", nil, err
	}
	done = func(errp *error) {
		if *errp != nil {
			*errp = fmt.Errorf("%w (the nodes' logs are under %s)", *errp, dir)
		} else {
			cleanup()
		}
	}
	if bin, err = os.Executable(); err != nil {
		cleanup()
		return "", "", nil, fmt.Errorf("find this program to start the nodes: %w", err)
	}
	return dir, bin, done, nil
}
