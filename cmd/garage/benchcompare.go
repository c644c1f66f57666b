package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/garagego/garage/internal/faultnet"
	"github.com/garagego/garage/internal/proccluster"
	"github.com/garagego/garage/internal/s3bench"
)

// comparing reports whether the bench compares columns (--compare or
// --zone-latency) rather than measuring one cluster.
func (c *BenchCmd) comparing() bool { return c.Compare || c.ZoneLatency != 0 }

// peer is one --peer: another S3 store.
type peer struct {
	name, endpoint, accessKey, secretKey, region string
}

var columnName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]*$`)

// parsePeer parses NAME=URL,ACCESS_KEY,SECRET_KEY[,REGION].
func parsePeer(spec string) (peer, error) {
	name, rest, ok := strings.Cut(spec, "=")
	fields := strings.Split(rest, ",")
	if !ok || len(fields) < 3 || len(fields) > 4 {
		return peer{}, fmt.Errorf("--peer %q: want NAME=http://host:port,ACCESS_KEY,SECRET_KEY[,REGION]", spec)
	}
	if !columnName.MatchString(name) {
		return peer{}, fmt.Errorf("--peer %q: the name %q must be letters, digits and . _ + - (it heads a column and --baseline names it)", spec, name)
	}
	u, err := url.Parse(fields[0])
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return peer{}, fmt.Errorf("--peer %s: endpoint %q: want http://host:port or https://host:port", name, fields[0])
	}
	p := peer{name: name, endpoint: strings.TrimSuffix(fields[0], "/"), accessKey: fields[1], secretKey: fields[2], region: "us-east-1"}
	if len(fields) == 4 {
		p.region = fields[3]
	}
	if p.accessKey == "" || p.secretKey == "" || p.region == "" {
		return peer{}, fmt.Errorf("--peer %s: empty access key, secret key or region", name)
	}
	return p, nil
}

// compareSetup is what a comparison runs against and what it must stop.
type compareSetup struct {
	contenders []s3bench.Contender
	pairs      []s3bench.Pair
	clusters   map[string]*localCluster // by column: their nodes' usage goes there
	stops      []func() error           // in reverse order of start
	zoneOff    string                   // the zone columns without and with latency
	zoneOn     string
}

// localCluster is a cluster the comparison started, stopped once.
type localCluster struct {
	cluster *proccluster.Cluster
	once    sync.Once
	usage   []proccluster.Usage
	err     error
}

func (l *localCluster) stop() error {
	l.once.Do(func() { l.usage, l.err = l.cluster.Stop(), l.cluster.StopErr() })
	return l.err
}

// started records a cluster the comparison started for the column name.
func (s *compareSetup) started(name string, c *proccluster.Cluster) {
	l := &localCluster{cluster: c}
	s.clusters[name] = l
	s.stops = append(s.stops, l.stop)
}

func (s *compareSetup) stop() error {
	var errs []error
	for _, stop := range slices.Backward(s.stops) {
		errs = append(errs, stop())
	}
	return errors.Join(errs...)
}

// runCompare starts the local columns' clusters, checks the peers, runs
// the rounds, stops everything and prints (and writes) the comparison.
func (c *BenchCmd) runCompare(ctx context.Context, workload s3bench.Workload, out io.Writer) (err error) {
	if len(c.Endpoint) > 0 {
		return errors.New("--endpoint measures one cluster; with --compare, give other stores as --peer NAME=URL,KEY,SECRET")
	}
	if c.Rounds < 1 {
		return fmt.Errorf("--rounds %d: want at least 1", c.Rounds)
	}
	if c.ZoneLatency < 0 {
		return fmt.Errorf("--zone-latency %v: want a positive one-way latency", c.ZoneLatency)
	}
	var peers []peer
	for _, spec := range c.Peer {
		p, err := parsePeer(spec)
		if err != nil {
			return err
		}
		peers = append(peers, p)
	}
	if len(peers) > 0 && !c.Compare {
		return errors.New("--peer needs --compare")
	}
	local := c.Local
	if !c.Compare {
		local = nil
	}
	for _, n := range local {
		if n < 1 || n > 9 {
			return fmt.Errorf("--local %d: want 1 to 9 nodes", n)
		}
	}
	names := columnNames(local, peers, c.ZoneLatency)
	for i, n := range names {
		if slices.Index(names, n) != i {
			return fmt.Errorf("two columns are named %s", n)
		}
	}
	if len(names) == 0 {
		return errors.New("--compare: no column (give --local or --peer)")
	}
	baseline := c.Baseline
	switch {
	case baseline == "" && len(peers) > 0:
		baseline = peers[0].name
	case baseline == "":
		baseline = names[0]
	case !slices.Contains(names, baseline):
		return fmt.Errorf("--baseline %s: no such column (the columns are %s)", baseline, strings.Join(names, ", "))
	}

	dir, bin, done, err := benchDir(c.Dir)
	if err != nil {
		return err
	}
	defer done(&err)
	setup := &compareSetup{clusters: map[string]*localCluster{}}
	comparison := s3bench.NewComparison(strings.Join(os.Args, " "), workload, c.Rounds)
	comparison.Baseline = baseline
	defer func() { err = errors.Join(err, setup.stop()) }()
	if err := c.startLocal(ctx, bin, dir, local, workload.Clients, setup); err != nil {
		return err
	}
	if err := c.addPeers(ctx, peers, workload.Clients, setup); err != nil {
		return err
	}
	if c.ZoneLatency > 0 {
		if err := startZones(ctx, bin, filepath.Join(dir, "zones"), c.ZoneLatency, workload.Clients, setup); err != nil {
			return err
		}
	}
	if len(peers) > 0 && len(local) > 0 {
		setup.pairs = append(setup.pairs, s3bench.Pair{Target: localName(local[0]), Baseline: peers[0].name})
		if len(local) > 1 && len(peers) > 1 { // the pairs: 1 node against MinIO on one drive, 3 against 4-drive EC
			setup.pairs = append(setup.pairs, s3bench.Pair{Target: localName(local[1]), Baseline: peers[1].name})
		}
	}
	if len(local) > 1 {
		setup.pairs = append(setup.pairs, s3bench.Pair{Target: localName(local[1]), Baseline: localName(local[0])})
	}
	if setup.zoneOn != "" {
		setup.pairs = append(setup.pairs, s3bench.Pair{Target: setup.zoneOn, Baseline: setup.zoneOff})
	}

	columns, err := workload.Compare(ctx, setup.contenders, s3bench.CompareOptions{
		Rounds:    c.Rounds,
		BeforeRun: func(string) error { return checkFreeSpace(dir) },
		Progress:  os.Stderr,
	})
	if err != nil {
		return err
	}
	// Stop the clusters now, to record what their nodes used.
	for i, name := range names {
		if cl := setup.clusters[name]; cl != nil {
			if err := cl.stop(); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			for _, u := range cl.usage {
				columns[i].Nodes = append(columns[i].Nodes, s3bench.NodeUsage{Node: u.Node, PID: u.PID, PeakRSSBytes: u.PeakRSSBytes,
					CPUSeconds: u.CPUSeconds, Warnings: u.Warnings, Errors: u.Errors, FirstProblem: u.FirstProblem})
			}
		}
	}
	comparison.Columns = columns
	comparison.LoadAfter = s3bench.LoadAverage()
	// The zone columns measure latency: only each other's ratio means
	// something, unless one of them is the baseline.
	against := names
	if setup.zoneOn != "" && baseline != setup.zoneOn && baseline != setup.zoneOff {
		against = slices.DeleteFunc(slices.Clone(names), func(n string) bool { return n == setup.zoneOn || n == setup.zoneOff })
	}
	comparison.Ratios = s3bench.Ratios(columns, s3bench.ComparisonPairs(against, baseline, setup.pairs))
	if setup.zoneOn != "" {
		comparison.Latency = s3bench.LatencyBudgets(columns[slices.Index(names, setup.zoneOff)], columns[slices.Index(names, setup.zoneOn)], c.ZoneLatency)
	}
	comparison.Print(out)
	if c.JSON != "" {
		return comparison.WriteJSON(c.JSON)
	}
	return nil
}

func localName(nodes int) string { return fmt.Sprintf("garage-%dnode", nodes) }

// zoneNames are the zone columns' names: without and with the latency.
func zoneNames(oneWay time.Duration) (string, string) {
	return "garage-3zones", "garage-3zones+" + oneWay.String()
}

// columnNames are the comparison's columns, in order: the local clusters,
// the peers, the zone columns.
func columnNames(local []int, peers []peer, oneWay time.Duration) []string {
	var names []string
	for _, n := range local {
		names = append(names, localName(n))
	}
	for _, p := range peers {
		names = append(names, p.name)
	}
	if oneWay > 0 {
		off, on := zoneNames(oneWay)
		names = append(names, off, on)
	}
	return names
}

// startLocal starts a cluster per --local count; every request of its
// column goes through its first node, as an application given one
// endpoint would send them.
func (c *BenchCmd) startLocal(ctx context.Context, bin, dir string, local []int, clients int, setup *compareSetup) error {
	for _, n := range local {
		name := localName(n)
		fmt.Fprintf(os.Stderr, "bench: starting %s under %s\n", name, dir)
		cluster, err := proccluster.Start(ctx, proccluster.Options{Binary: bin, Dir: filepath.Join(dir, name), Nodes: n, Bucket: benchBucket})
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		setup.started(name, cluster)
		cfg := s3bench.TargetConfig{Endpoints: cluster.Endpoints()[:1], Region: proccluster.Region,
			AccessKey: cluster.KeyID, SecretKey: cluster.Secret, Bucket: benchBucket, Clients: clients}
		if err := s3bench.NewTarget(cfg).WaitReady(ctx); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		setup.contenders = append(setup.contenders, s3bench.Contender{
			Name:        name,
			Description: fmt.Sprintf("this store, local %d-node cluster, replication factor %d, one zone per node, every request through node 1 (%s)", n, cluster.Replication, cfg.Endpoints[0]),
			Target:      func() (*s3bench.Target, error) { return s3bench.NewTarget(cfg), nil },
		})
	}
	return nil
}

// addPeers checks each peer's credentials and bucket, creating the bucket
// if missing (and removing it at the end).
func (c *BenchCmd) addPeers(ctx context.Context, peers []peer, clients int, setup *compareSetup) error {
	bucket := c.Bucket
	if bucket == "" {
		bucket = "garage-bench"
	}
	for _, p := range peers {
		cfg := s3bench.TargetConfig{Endpoints: []string{p.endpoint}, Region: p.region, AccessKey: p.accessKey, SecretKey: p.secretKey, Bucket: bucket, Clients: clients}
		t := s3bench.NewTarget(cfg)
		created, err := t.EnsureBucket(ctx)
		if err != nil {
			return fmt.Errorf("--peer %s: %w", p.name, err)
		}
		if created {
			setup.stops = append(setup.stops, func() error {
				if err := t.DeleteBucket(context.WithoutCancel(ctx)); err != nil {
					return fmt.Errorf("--peer %s: %w", p.name, err)
				}
				return nil
			})
		}
		if err := t.WaitReady(ctx); err != nil {
			return fmt.Errorf("--peer %s: %w", p.name, err)
		}
		setup.contenders = append(setup.contenders, s3bench.Contender{
			Name:        p.name,
			Description: fmt.Sprintf("%s, bucket %s, region %s", p.endpoint, bucket, p.region),
			Target:      func() (*s3bench.Target, error) { return s3bench.NewTarget(cfg), nil },
		})
	}
	return nil
}

// zoneLinkBuffer is what each direction of a proxied link holds: enough
// for the bandwidth-delay product of a fast long link, so that the proxy
// adds latency, not a bandwidth cap (2 MiB at 50 ms would cap a link at
// 40 MiB/s).
const zoneLinkBuffer = 64 << 20

// startZones starts 3 nodes in 3 zones whose RPC links go through
// faultnet proxies: node i binds and dials out from 127.0.6.i and
// advertises its proxy on 127.0.7.i. The clients reach node 1's S3 API
// directly. Two columns share the cluster: one with the links as they
// are, one with oneWay of delay in every direction between two nodes,
// set as its round starts.
func startZones(ctx context.Context, bin, dir string, oneWay time.Duration, clients int, setup *compareSetup) error {
	network := faultnet.New(nil, faultnet.WithBufferSize(zoneLinkBuffer))
	setup.stops = append(setup.stops, network.Close)
	name := func(i int) string { return fmt.Sprintf("n%d", i) }
	off, on := zoneNames(oneWay)
	fmt.Fprintf(os.Stderr, "bench: starting 3 nodes in 3 zones behind latency proxies under %s\n", dir)
	cluster, err := proccluster.Start(ctx, proccluster.Options{Binary: bin, Dir: dir, Nodes: 3, Bucket: benchBucket,
		Node: func(i int, spec *proccluster.NodeSpec) error {
			ip := fmt.Sprintf("127.0.6.%d", i)
			var err error
			if spec.RPCBindAddr, err = proccluster.FreeAddr(ip); err != nil {
				return err
			}
			if err := network.AddSource(ip, name(i)); err != nil {
				return err
			}
			if spec.RPCPublicAddr, err = network.Listen(name(i), fmt.Sprintf("127.0.7.%d:0", i), spec.RPCBindAddr); err != nil {
				return err
			}
			spec.BindOutgoing = true
			return nil
		}})
	if err != nil {
		return fmt.Errorf("zone cluster: %w", err)
	}
	setup.started(on, cluster) // one set of nodes: their usage goes under the latency column
	cfg := s3bench.TargetConfig{Endpoints: cluster.Endpoints()[:1], Region: proccluster.Region,
		AccessKey: cluster.KeyID, SecretKey: cluster.Secret, Bucket: benchBucket, Clients: clients}
	if err := s3bench.NewTarget(cfg).WaitReady(ctx); err != nil {
		return fmt.Errorf("zone cluster: %w", err)
	}
	shape := func(delay time.Duration) {
		for from := 1; from <= 3; from++ {
			for to := 1; to <= 3; to++ {
				if from != to {
					network.SetShape(name(from), name(to), faultnet.Shape{Delay: delay})
				}
			}
		}
	}
	describe := func(delay time.Duration) string {
		added := "no latency"
		if delay > 0 {
			added = delay.String() + " one way"
		}
		return fmt.Sprintf("this store, 3 nodes in 3 zones, replication factor 3, inter-node links through proxies adding %s, every request through node 1 (%s)", added, cfg.Endpoints[0])
	}
	setup.contenders = append(setup.contenders,
		s3bench.Contender{Name: off, Description: describe(0), Target: func() (*s3bench.Target, error) {
			shape(0)
			return s3bench.NewTarget(cfg), nil
		}},
		s3bench.Contender{Name: on, Description: describe(oneWay), Target: func() (*s3bench.Target, error) {
			shape(oneWay)
			return s3bench.NewTarget(cfg), nil
		}})
	setup.zoneOff, setup.zoneOn = off, on
	return nil
}
