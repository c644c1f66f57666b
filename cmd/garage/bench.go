package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/garagego/garage/internal/config"
	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/runtime/adminrpc"
	"github.com/garagego/garage/node/runtime/server"
)

// BenchCmd measures the S3 API: PUT and GET throughput and latency per
// object size, time to first byte of GETs, and each node's peak memory.
type BenchCmd struct {
	Sizes    []string      `default:"4KiB,1MiB,64MiB" help:"Object sizes, comma-separated (K, M, G are powers of 1000; Ki, Mi, Gi of 1024)."`
	Clients  int           `default:"16" help:"Concurrent clients."`
	Count    int           `help:"Objects per size, put then got (default: 512 MiB's worth, at least two per client and at most 2048)." xor:"amount"`
	Duration time.Duration `help:"Run each phase for this long instead of a count of objects." xor:"amount"`
	JSON     string        `name:"json" help:"Also write the figures as JSON to this file." type:"path"`

	Nodes int    `default:"3" help:"Nodes of the local cluster, each in its own zone (replication factor min(3, nodes))."`
	Dir   string `help:"Keep the local cluster's data, configurations and logs under this new or empty directory (default: a temporary one, removed after a successful run)." type:"path"`

	Endpoint  []string `help:"Benchmark an existing cluster instead: its S3 endpoints (http://host:port), comma-separated; requests are spread over them." placeholder:"URL"`
	AccessKey string   `help:"Access key id, with --endpoint."`
	SecretKey string   `help:"Secret key, with --endpoint."`
	Bucket    string   `help:"Bucket to write to, with --endpoint (the objects written are deleted afterwards)."`
	Region    string   `default:"garage" help:"S3 region, with --endpoint."`
}

const (
	// defaultBudget is how many bytes a size's phase moves by default, so
	// that the default run takes about two minutes on a small machine.
	defaultBudget   = 512 << 20
	defaultMaxCount = 2048
	// maxPhaseErrors stops a phase early: a failing cluster gives no figure
	// worth waiting for.
	maxPhaseErrors = 10
	// requestTimeout bounds one request, so a stuck server cannot hang the
	// bench.
	requestTimeout = 5 * time.Minute
	// bodyOffsets is how many distinct start offsets objects take in the
	// random buffer: every object is then different, down to its blocks
	// (for block sizes above it), so the store's content addressing cannot
	// deduplicate them and make PUTs look faster than they are.
	bodyOffsets = 1 << 20
)

// benchSize is one object size to measure.
type benchSize struct {
	label string
	bytes int64
	count int // 0 in --duration mode
}

// benchTarget is where requests go: one S3 client per endpoint.
type benchTarget struct {
	clients []*s3.Client
	bucket  string
	prefix  string // of the object keys this run writes
}

// Run starts a local cluster (or uses --endpoint's), runs the workloads,
// stops the cluster and prints the report.
func (c *BenchCmd) Run(out io.Writer) error {
	sizes, err := c.parseSizes()
	if err != nil {
		return err
	}
	if c.Clients < 1 {
		return fmt.Errorf("--clients %d: want at least 1", c.Clients)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills the bench at once
	}()
	report := benchReport{Started: time.Now().UTC(), Command: strings.Join(os.Args, " "), Clients: c.Clients,
		GoVersion: runtime.Version(), CPUs: runtime.NumCPU(), LoadBefore: loadAverage()}
	if len(c.Endpoint) > 0 {
		err = c.runRemote(ctx, sizes, &report)
	} else {
		err = c.runLocal(ctx, sizes, &report)
	}
	report.LoadAfter = loadAverage()
	if len(report.Results) > 0 {
		printReport(out, report)
		if c.JSON != "" {
			if jerr := writeJSONReport(c.JSON, report); jerr != nil {
				err = errors.Join(err, jerr)
			}
		}
	}
	return err
}

func (c *BenchCmd) parseSizes() ([]benchSize, error) {
	if c.Count < 0 || c.Duration < 0 {
		return nil, errors.New("--count and --duration must not be negative")
	}
	var sizes []benchSize
	for _, s := range c.Sizes {
		n, err := config.ParseCapacity(s)
		if err != nil {
			return nil, fmt.Errorf("--sizes: %w", err)
		}
		if n == 0 || n > 5<<30 {
			return nil, fmt.Errorf("--sizes %q: want 1 byte to 5 GiB (a single PUT's limit)", s)
		}
		bs := benchSize{label: strings.TrimSpace(s), bytes: int64(n), count: c.Count}
		if c.Count == 0 && c.Duration == 0 {
			bs.count = defaultCount(bs.bytes, c.Clients)
		}
		sizes = append(sizes, bs)
	}
	if len(sizes) == 0 {
		return nil, errors.New("--sizes: give at least one size")
	}
	return sizes, nil
}

// defaultCount is the number of objects of a size the default run moves:
// defaultBudget's worth, but at least two per client, so that every client
// is busy through the phase even with the largest objects, and not so many
// small ones that they dominate the run.
func defaultCount(size int64, clients int) int {
	return int(min(max(defaultBudget/size, 2*int64(clients)), max(defaultMaxCount, 2*int64(clients))))
}

// runRemote benchmarks an existing cluster and deletes what it wrote.
func (c *BenchCmd) runRemote(ctx context.Context, sizes []benchSize, report *benchReport) error {
	if c.AccessKey == "" || c.SecretKey == "" || c.Bucket == "" {
		return errors.New("--endpoint needs --access-key, --secret-key and --bucket")
	}
	report.Cluster = "existing cluster at " + strings.Join(c.Endpoint, ", ")
	target := newBenchTarget(c.Endpoint, c.Region, c.AccessKey, c.SecretKey, c.Bucket, c.Clients)
	if _, err := target.clients[0].HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(c.Bucket)}); err != nil {
		return fmt.Errorf("bucket %s at %s: %w", c.Bucket, c.Endpoint[0], err)
	}
	err := c.runWorkloads(ctx, target, sizes, report, nil)
	if derr := target.deleteAll(context.WithoutCancel(ctx)); derr != nil {
		err = errors.Join(err, fmt.Errorf("delete the objects under %s/: %w", target.prefix, derr))
	}
	return err
}

// runLocal starts a cluster of child processes, benchmarks it, stops it
// and records each node's peak memory. Its directory is removed after a
// successful run unless --dir named it; after a failure it stays, for the
// logs.
func (c *BenchCmd) runLocal(ctx context.Context, sizes []benchSize, report *benchReport) (err error) {
	if c.Nodes < 1 {
		return fmt.Errorf("--nodes %d: want at least 1", c.Nodes)
	}
	dir, cleanup, err := benchDir(c.Dir)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			err = fmt.Errorf("%w (the nodes' logs are under %s)", err, dir)
		} else {
			cleanup()
		}
	}()
	bin, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find this program to start the nodes: %w", err)
	}
	fmt.Fprintf(os.Stderr, "bench: starting a local %d-node cluster under %s\n", c.Nodes, dir)
	cluster := &benchCluster{bin: bin, dir: dir}
	defer func() {
		report.Nodes = cluster.stop()
		err = errors.Join(err, cluster.stopErr())
	}()
	if err := cluster.start(ctx, c.Nodes); err != nil {
		return err
	}
	report.Cluster = fmt.Sprintf("local %d-node cluster, replication factor %d, one zone per node", c.Nodes, cluster.replication)
	target := newBenchTarget(cluster.endpoints(), benchRegion, cluster.keyID, cluster.secret, benchBucket, c.Clients)
	if err := target.waitReady(ctx); err != nil {
		return err
	}
	return c.runWorkloads(ctx, target, sizes, report, cluster.peaksSoFar)
}

// benchDir makes the cluster's directory: --dir, which must be new or
// empty and is kept, or a temporary one that cleanup removes.
func benchDir(dir string) (string, func(), error) {
	if dir == "" {
		tmp, err := os.MkdirTemp("", "garage-bench-")
		if err != nil {
			return "", nil, fmt.Errorf("create a directory for the cluster: %w", err)
		}
		return tmp, func() { os.RemoveAll(tmp) }, nil
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return "", nil, fmt.Errorf("--dir %s is not empty: the bench needs a fresh cluster", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", nil, fmt.Errorf("create --dir %s: %w", dir, err)
	}
	return dir, func() {}, nil
}

// runWorkloads puts then gets every size in turn. peaks, if not nil, gives
// each node's peak memory so far, recorded after every phase.
func (c *BenchCmd) runWorkloads(ctx context.Context, target *benchTarget, sizes []benchSize, report *benchReport, peaks func() []int64) error {
	record := func(r phaseResult) {
		if peaks != nil {
			r.NodePeakRSSBytes = peaks()
		}
		report.Results = append(report.Results, r)
	}
	largest := slices.MaxFunc(sizes, func(a, b benchSize) int { return cmp.Compare(a.bytes, b.bytes) }).bytes
	data := make([]byte, largest+bodyOffsets)
	rand.Read(data) //nolint:errcheck // crypto/rand does not fail
	for _, size := range sizes {
		put := c.runPhase(ctx, "PUT", size, size.count, func(ctx context.Context, i int) (benchSample, error) {
			return target.put(ctx, i, size, data)
		})
		record(put)
		if err := phaseError(ctx, put); err != nil {
			return err
		}
		written := put.Objects
		get := c.runPhase(ctx, "GET", size, size.count, func(ctx context.Context, i int) (benchSample, error) {
			return target.get(ctx, i%written, size)
		})
		record(get)
		if err := phaseError(ctx, get); err != nil {
			return err
		}
	}
	return nil
}

func phaseError(ctx context.Context, r phaseResult) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("interrupted during %s %s: %w", r.Op, r.Size, err)
	}
	if r.Errors > 0 {
		return fmt.Errorf("%s %s: %d requests failed, the first with: %s", r.Op, r.Size, r.Errors, r.FirstError)
	}
	if r.Objects == 0 {
		return fmt.Errorf("%s %s: no request completed", r.Op, r.Size)
	}
	return nil
}

// benchSample is one request's timing.
type benchSample struct {
	latency time.Duration // from sending the request to the end of the body
	ttfb    time.Duration // GET only: to the first byte of the body
}

// runPhase runs do for objects 0, 1, … from every client at once until
// count objects are done (or --duration has passed), and sums up.
func (c *BenchCmd) runPhase(ctx context.Context, op string, size benchSize, count int, do func(context.Context, int) (benchSample, error)) phaseResult {
	fmt.Fprintf(os.Stderr, "bench: %s %s ...\n", op, size.label)
	var (
		next     atomic.Int64
		failures atomic.Int64
		firstErr error
		errOnce  sync.Once
		wg       sync.WaitGroup
	)
	perClient := make([][]benchSample, c.Clients)
	start := time.Now()
	more := func() (int, bool) {
		i := int(next.Add(1) - 1)
		switch {
		case ctx.Err() != nil, failures.Load() >= maxPhaseErrors:
			return 0, false
		case count > 0:
			return i, i < count
		default:
			return i, time.Since(start) < c.Duration
		}
	}
	for w := range c.Clients {
		wg.Go(func() {
			for i, ok := more(); ok; i, ok = more() {
				s, err := do(ctx, i)
				if err != nil {
					failures.Add(1)
					errOnce.Do(func() { firstErr = err })
					continue
				}
				perClient[w] = append(perClient[w], s)
			}
		})
	}
	wg.Wait()
	r := summarize(op, size, c.Clients, time.Since(start), slices.Concat(perClient...))
	r.Errors = int(failures.Load())
	if firstErr != nil {
		r.FirstError = firstErr.Error()
	}
	return r
}

// put uploads object i: size bytes of data from an offset of its own.
func (t *benchTarget) put(ctx context.Context, i int, size benchSize, data []byte) (benchSample, error) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	off := i % bodyOffsets
	body := bytes.NewReader(data[off : int64(off)+size.bytes]) // seekable: the SDK hashes it before sending
	start := time.Now()
	_, err := t.client(i).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(t.bucket), Key: aws.String(t.key(size, i)), Body: body})
	if err != nil {
		return benchSample{}, fmt.Errorf("put %s: %w", t.key(size, i), err)
	}
	return benchSample{latency: time.Since(start)}, nil
}

// get reads object i back, through another node than the one it was
// written through, and discards it after counting its bytes.
func (t *benchTarget) get(ctx context.Context, i int, size benchSize) (benchSample, error) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	key := t.key(size, i)
	start := time.Now()
	res, err := t.client(i+1).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(t.bucket), Key: aws.String(key)})
	if err != nil {
		return benchSample{}, fmt.Errorf("get %s: %w", key, err)
	}
	defer res.Body.Close()
	var first [1]byte
	if _, err := io.ReadFull(res.Body, first[:]); err != nil {
		return benchSample{}, fmt.Errorf("get %s: first byte: %w", key, err)
	}
	ttfb := time.Since(start)
	n, err := io.Copy(io.Discard, res.Body)
	if err != nil {
		return benchSample{}, fmt.Errorf("get %s: body after %d bytes: %w", key, n+1, err)
	}
	if n+1 != size.bytes {
		return benchSample{}, fmt.Errorf("get %s: %d bytes, want %d", key, n+1, size.bytes)
	}
	return benchSample{latency: time.Since(start), ttfb: ttfb}, nil
}

// client spreads requests over the endpoints round-robin.
func (t *benchTarget) client(i int) *s3.Client { return t.clients[i%len(t.clients)] }

func (t *benchTarget) key(size benchSize, i int) string {
	return fmt.Sprintf("%s/%s/%07d", t.prefix, size.label, i)
}

// newBenchTarget builds one S3 client per endpoint, all sharing a
// transport with an idle connection kept for every client, configured
// only from the arguments: the ambient AWS_* environment and any proxy
// settings must not steer a benchmark.
func newBenchTarget(endpoints []string, region, keyID, secret, bucket string, clients int) *benchTarget {
	transport := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        0, // no limit overall
		MaxIdleConnsPerHost: clients,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	httpClient := &http.Client{Transport: transport}
	t := &benchTarget{bucket: bucket, prefix: fmt.Sprintf("garage-bench-%d", time.Now().UnixNano())}
	for _, e := range endpoints {
		t.clients = append(t.clients, s3.New(s3.Options{
			BaseEndpoint: aws.String(e),
			Region:       region,
			Credentials:  credentials.NewStaticCredentialsProvider(keyID, secret, ""),
			UsePathStyle: true,
			HTTPClient:   httpClient,
			Retryer:      aws.NopRetryer{}, // a retried request would hide a failure inside a latency
		}))
	}
	return t
}

// waitReady waits until every endpoint knows the key and the bucket:
// they reach the other nodes by replication, a moment after creation.
func (t *benchTarget) waitReady(ctx context.Context) error {
	for i, cl := range t.clients {
		err := waitFor(ctx, 30*time.Second, func() error {
			_, err := cl.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(t.bucket)})
			return err
		})
		if err != nil {
			return fmt.Errorf("node %d's S3 API does not serve the bucket: %w", i+1, err)
		}
	}
	return nil
}

// deleteAll removes the objects this run wrote, a thousand at a time.
func (t *benchTarget) deleteAll(ctx context.Context) error {
	pages := s3.NewListObjectsV2Paginator(t.clients[0], &s3.ListObjectsV2Input{Bucket: aws.String(t.bucket), Prefix: aws.String(t.prefix + "/")})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return err
		}
		if len(page.Contents) == 0 {
			continue
		}
		ids := make([]types.ObjectIdentifier, len(page.Contents))
		for i, o := range page.Contents {
			ids[i] = types.ObjectIdentifier{Key: o.Key}
		}
		_, err = t.clients[0].DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(t.bucket), Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)}})
		if err != nil {
			return err
		}
	}
	return nil
}

// waitFor retries try every 100 ms until it succeeds, ctx ends or timeout
// passes, and then returns its last error.
func waitFor(ctx context.Context, timeout time.Duration, try func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := try()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// The local cluster's key, bucket and region.
const (
	benchBucket = "bench"
	benchRegion = "garage"
)

// benchCluster is a local cluster of `garage serve` child processes.
type benchCluster struct {
	bin       string
	dir       string
	rpcSecret string
	nodes     []*benchNode
	keyID     string
	secret    string
	stopErrs  []error
	// replication is the replication factor: min(3, nodes).
	replication int
}

// benchNode is one child process.
type benchNode struct {
	index   int // from 1
	config  string
	rpcAddr string
	logPath string
	s3Addr  string
	id      string
	cmd     *exec.Cmd
	logFile *os.File
	exited  chan struct{} // closed once cmd.Wait returned
	waitErr error
	// logUpToStop is the log's length when the node was told to stop:
	// peers' connections closing during the shutdown are not findings.
	logUpToStop int64
	// peakSeen is the largest VmHWM read from /proc. Neither it nor the
	// ru_maxrss at exit is a perfect peak (the kernel updates its high
	// water mark lazily: they differ by a few hundred KiB either way), so
	// the report gives the largest of them.
	peakSeen int64
}

// start starts the nodes, each bootstrapping from the first, gives them a
// layout with one zone per node and creates the key and the bucket.
func (bc *benchCluster) start(ctx context.Context, n int) error {
	bc.rpcSecret = server.NewSecret()
	bc.replication = min(3, n)
	bootstrap := ""
	for i := 1; i <= n; i++ {
		node, err := bc.startNode(ctx, i, bootstrap)
		if err != nil {
			return fmt.Errorf("node %d: %w", i, err)
		}
		if i == 1 {
			bootstrap = node.id + "@" + node.rpcAddr
		}
	}
	return bc.setUp(ctx)
}

func (bc *benchCluster) startNode(ctx context.Context, i int, bootstrap string) (*benchNode, error) {
	dir := filepath.Join(bc.dir, fmt.Sprintf("node%d", i))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	rpcAddr, err := freeLocalAddr()
	if err != nil {
		return nil, err
	}
	s3Addr, err := freeLocalAddr()
	if err != nil {
		return nil, err
	}
	n := &benchNode{index: i, config: filepath.Join(dir, "garage.toml"), logPath: filepath.Join(dir, "serve.log"), rpcAddr: rpcAddr, s3Addr: s3Addr, exited: make(chan struct{})}
	if err := os.WriteFile(n.config, []byte(bc.nodeConfig(dir, n, bootstrap)), 0o600); err != nil {
		return nil, fmt.Errorf("write %s: %w", n.config, err)
	}
	if n.logFile, err = os.Create(n.logPath); err != nil {
		return nil, fmt.Errorf("create %s: %w", n.logPath, err)
	}
	n.cmd = exec.Command(bc.bin, "-c", n.config, "serve")
	n.cmd.Env = envWithoutGarage()
	n.cmd.Stdout, n.cmd.Stderr = n.logFile, n.logFile
	if err := n.cmd.Start(); err != nil {
		n.logFile.Close()
		return nil, fmt.Errorf("start %s serve: %w", bc.bin, err)
	}
	bc.nodes = append(bc.nodes, n)
	go func() {
		n.waitErr = n.cmd.Wait()
		close(n.exited)
	}()
	return n, n.waitUp(ctx)
}

// nodeConfig is a node's garage.toml: everything under dir, RPC and S3 on
// 127.0.0.1 only.
func (bc *benchCluster) nodeConfig(dir string, n *benchNode, bootstrap string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "metadata_dir = %q\ndata_dir = %q\nreplication_factor = %d\n", filepath.Join(dir, "meta"), filepath.Join(dir, "data"), bc.replication)
	fmt.Fprintf(&b, "rpc_bind_addr = %q\nrpc_secret = %q\n", n.rpcAddr, bc.rpcSecret)
	if bootstrap != "" {
		fmt.Fprintf(&b, "bootstrap_peers = [%q]\n", bootstrap)
	}
	fmt.Fprintf(&b, "\n[s3_api]\napi_bind_addr = %q\ns3_region = %q\n\n[log]\nlevel = \"info\"\n", n.s3Addr, benchRegion)
	return b.String()
}

// envWithoutGarage is the environment minus GARAGE_* variables, which
// would override the generated configuration (GARAGE_RPC_SECRET, …).
func envWithoutGarage() []string {
	return slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "GARAGE_") })
}

func freeLocalAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// waitUp waits until the node answers on its RPC port, and learns its id.
func (n *benchNode) waitUp(ctx context.Context) error {
	return waitFor(ctx, 30*time.Second, func() error {
		select {
		case <-n.exited:
			return fmt.Errorf("exited (%v): see %s", n.waitErr, n.logPath)
		default:
		}
		var r adminrpc.NodeIDResult
		if err := n.admin(func(a *adminClient) error { return a.call(adminrpc.NodeID{}, &r) }); err != nil {
			return fmt.Errorf("does not answer: %w", err)
		}
		n.id = r.ID
		return nil
	})
}

// admin runs fn with an operator connection to the node, configured only
// from its file (never from the bench's own flags or environment).
func (n *benchNode) admin(fn func(*adminClient) error) error {
	g := &Globals{Config: n.config}
	return g.withAdmin(fn)
}

// setUp waits for the nodes to meet, applies a layout with one zone per
// node, and creates a key allowed to read and write the bench bucket.
func (bc *benchCluster) setUp(ctx context.Context) error {
	first := bc.nodes[0]
	err := waitFor(ctx, 60*time.Second, func() error {
		var st admin.ClusterStatus
		if err := first.admin(func(a *adminClient) error { return a.call(admin.GetStatus{}, &st) }); err != nil {
			return err
		}
		if up := countUp(st); up < len(bc.nodes) {
			return fmt.Errorf("%d of %d nodes up", up, len(bc.nodes))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("the nodes did not meet: %w", err)
	}
	err = first.admin(func(a *adminClient) error {
		for _, n := range bc.nodes {
			op := admin.AssignRole{Nodes: []string{n.id}, Zone: fmt.Sprintf("dc%d", n.index), Capacity: 1 << 40}
			if err := a.call(op, nil); err != nil {
				return fmt.Errorf("assign node %d: %w", n.index, err)
			}
		}
		if err := a.call(admin.ApplyLayout{Version: 1}, nil); err != nil {
			return fmt.Errorf("apply the layout: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := bc.waitLayout(ctx, 1); err != nil {
		return err
	}
	return bc.createKeyAndBucket()
}

func countUp(st admin.ClusterStatus) int {
	up := 0
	for _, n := range st.Nodes {
		if n.Up {
			up++
		}
	}
	return up
}

// waitLayout waits until every node runs layout version v.
func (bc *benchCluster) waitLayout(ctx context.Context, v uint64) error {
	for _, n := range bc.nodes {
		err := waitFor(ctx, 60*time.Second, func() error {
			var info admin.LayoutInfo
			if err := n.admin(func(a *adminClient) error { return a.call(admin.GetLayout{}, &info) }); err != nil {
				return err
			}
			if info.Version != v {
				return fmt.Errorf("at layout version %d", info.Version)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("node %d did not get layout version %d: %w", n.index, v, err)
		}
	}
	return nil
}

func (bc *benchCluster) createKeyAndBucket() error {
	return bc.nodes[0].admin(func(a *adminClient) error {
		var k admin.KeyInfo
		if err := a.call(admin.CreateKey{Name: "bench"}, &k); err != nil {
			return fmt.Errorf("create the key: %w", err)
		}
		bc.keyID, bc.secret = k.ID, k.Secret
		if err := a.call(admin.CreateBucket{Name: benchBucket}, nil); err != nil {
			return fmt.Errorf("create the bucket: %w", err)
		}
		if err := a.call(admin.SetBucketPerms{Bucket: benchBucket, Key: k.ID, Read: true, Write: true, Owner: true, Allow: true}, nil); err != nil {
			return fmt.Errorf("allow the key on the bucket: %w", err)
		}
		return nil
	})
}

func (bc *benchCluster) endpoints() []string {
	var e []string
	for _, n := range bc.nodes {
		e = append(e, "http://"+n.s3Addr)
	}
	return e
}

// stopTimeout is how long a node has to exit cleanly before it is killed.
const stopTimeout = 30 * time.Second

// stop sends every node SIGTERM, waits for them to exit (killing any that
// take longer than stopTimeout) and returns what each used, from the
// kernel's account of the exited process.
func (bc *benchCluster) stop() []nodeUsage {
	for _, n := range bc.nodes {
		n.logUpToStop = fileSize(n.logPath)
		n.notePeak()
		n.cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck // it may have exited already
	}
	var usage []nodeUsage
	for _, n := range bc.nodes {
		select {
		case <-n.exited:
		case <-time.After(stopTimeout):
			bc.stopErrs = append(bc.stopErrs, fmt.Errorf("node %d did not exit %v after SIGTERM: killed", n.index, stopTimeout))
			n.cmd.Process.Kill() //nolint:errcheck // it may have exited meanwhile
			<-n.exited
		}
		n.logFile.Close()
		if n.waitErr != nil {
			bc.stopErrs = append(bc.stopErrs, fmt.Errorf("node %d exited with %v: see %s", n.index, n.waitErr, n.logPath))
		}
		u := processUsage(n.cmd.ProcessState)
		u.PeakRSSBytes = max(u.PeakRSSBytes, n.peakSeen)
		u.Node, u.PID = n.index, n.cmd.Process.Pid
		u.Warnings, u.Errors, u.FirstProblem = scanLog(n.logPath, n.logUpToStop)
		usage = append(usage, u)
	}
	bc.nodes = nil
	return usage
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

// peaksSoFar is each node's peak resident memory so far; nil where /proc
// does not tell it.
func (bc *benchCluster) peaksSoFar() []int64 {
	var peaks []int64
	for _, n := range bc.nodes {
		if n.notePeak() == 0 {
			return nil
		}
		peaks = append(peaks, n.peakSeen)
	}
	return peaks
}

// notePeak reads the node's VmHWM into peakSeen and returns it.
func (n *benchNode) notePeak() int64 {
	hwm := vmHWM(n.cmd.Process.Pid)
	n.peakSeen = max(n.peakSeen, hwm)
	return hwm
}

func vmHWM(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kib int64
			fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kib) //nolint:errcheck // 0 on a surprise
			return kib << 10
		}
	}
	return 0
}

func (bc *benchCluster) stopErr() error { return errors.Join(bc.stopErrs...) }

// processUsage reads an exited process's peak resident memory (ru_maxrss:
// KiB on Linux, bytes on macOS) and CPU time.
func processUsage(ps *os.ProcessState) nodeUsage {
	var u nodeUsage
	if ps == nil {
		return u
	}
	u.CPUSeconds = (ps.UserTime() + ps.SystemTime()).Seconds()
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		u.PeakRSSBytes = int64(ru.Maxrss)
		if runtime.GOOS != "darwin" {
			u.PeakRSSBytes *= 1024
		}
	}
	return u
}

// scanLog counts the warning and error lines in the first limit bytes of a
// node's log (JSON lines, as its stderr is not a terminal) and returns the
// first of them.
func scanLog(path string, limit int64) (warnings, errs int, first string) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, ""
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, limit))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.Contains(line, `"level":"warn"`):
			warnings++
		case strings.Contains(line, `"level":"error"`), strings.Contains(line, `"level":"fatal"`), strings.HasPrefix(line, "panic:"):
			errs++
		default:
			continue
		}
		if first == "" {
			first = line
		}
	}
	return warnings, errs, first
}

// benchReport is what a run measured; --json writes it as is.
type benchReport struct {
	Started   time.Time `json:"started"`
	Command   string    `json:"command"`
	Cluster   string    `json:"cluster"`
	Clients   int       `json:"clients"`
	GoVersion string    `json:"go_version"`
	CPUs      int       `json:"cpus"`
	// The machine's load averages before and after the run: on a shared
	// machine they say how much the figures are worth.
	LoadBefore string        `json:"load_average_before,omitempty"`
	LoadAfter  string        `json:"load_average_after,omitempty"`
	Results    []phaseResult `json:"results"`
	Nodes      []nodeUsage   `json:"nodes,omitempty"`
}

// phaseResult sums up one direction for one size.
type phaseResult struct {
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

// nodeUsage is what one node of the local cluster used over the run.
type nodeUsage struct {
	Node         int     `json:"node"`
	PID          int     `json:"pid"`
	PeakRSSBytes int64   `json:"peak_rss_bytes"`
	CPUSeconds   float64 `json:"cpu_seconds"`
	Warnings     int     `json:"log_warnings"`
	Errors       int     `json:"log_errors"`
	FirstProblem string  `json:"first_log_problem,omitempty"`
}

func summarize(op string, size benchSize, clients int, elapsed time.Duration, samples []benchSample) phaseResult {
	r := phaseResult{Op: op, Size: size.label, SizeBytes: size.bytes, Clients: clients, Objects: len(samples), Seconds: elapsed.Seconds()}
	if len(samples) == 0 {
		return r
	}
	r.ObjectsPerS = float64(len(samples)) / elapsed.Seconds()
	r.MiBPerS = r.ObjectsPerS * float64(size.bytes) / (1 << 20)
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

// printReport prints one line per phase, then the nodes' memory.
func printReport(out io.Writer, r benchReport) {
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

// loadAverage is the 1, 5 and 15 minute load averages, where the system
// tells them (Linux).
func loadAverage() string {
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

// peaksByPhase is node i's peak memory after each phase, in MiB.
func peaksByPhase(results []phaseResult, i int) string {
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

func writeJSONReport(path string, r benchReport) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode the report: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write --json %s: %w", path, err)
	}
	return nil
}
