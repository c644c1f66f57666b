// Package proccluster runs a cluster of real `garage serve` processes on
// this machine, for the harnesses that judge the binary as it ships:
// `garage bench` and `garage chaos`. It writes each node's configuration
// (everything on 127.0.0.x, under one directory), starts, stops, kills,
// freezes and restarts the processes, and sets the cluster up through the
// admin RPC: a layout with one zone per node, an access key and a bucket.
package proccluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/garagego/garage/internal/retry"
	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/runtime/adminrpc"
	"github.com/garagego/garage/node/runtime/server"
)

// Region is the S3 region of every cluster started here.
const Region = "garage"

// Options shape a cluster.
type Options struct {
	// Binary is the garage executable to run.
	Binary string
	// Dir holds a subdirectory per node: configuration, data and log.
	Dir   string
	Nodes int
	// ReplicationFactor defaults to min(3, Nodes).
	ReplicationFactor int
	// Bucket is the bucket created for the key (default "bucket").
	Bucket string
	// LogLevel of the nodes (default "info").
	LogLevel string
	// Node adjusts node i's (from 1) spec before its configuration is
	// written: addresses, extra options, environment.
	Node func(i int, spec *NodeSpec) error
	// Zone names node i's zone (default "dc<i>": one zone per node).
	Zone func(i int) string
}

// NodeSpec is what a node's configuration and process are made from.
type NodeSpec struct {
	RPCBindAddr   string // default 127.0.0.1 on a free port
	RPCPublicAddr string // advertised to peers, if set
	BindOutgoing  bool   // rpc_bind_outgoing
	S3Addr        string // default 127.0.0.1 on a free port
	K2VAddr       string // the K2V API's; default 127.0.0.1 on a free port
	MetadataDir   string // default <node dir>/meta
	DataDir       string // default <node dir>/data
	// Options are more top-level lines of garage.toml; S3Options more
	// lines of its [s3_api] section.
	Options, S3Options string
	// Env is added to the process's environment (which never inherits
	// the caller's GARAGE_* variables).
	Env []string
}

// Cluster is a running cluster with a key that owns Bucket.
type Cluster struct {
	Nodes       []*Node
	KeyID       string
	Secret      string
	Bucket      string
	Replication int
	rpcSecret   string
	opts        Options
	stopErrs    []error
}

// Start starts the nodes, each bootstrapping from the first, gives them a
// layout with one zone per node, and creates the key and the bucket. On
// failure the nodes started are stopped.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	if opts.Nodes < 1 {
		return nil, fmt.Errorf("proccluster: %d nodes", opts.Nodes)
	}
	if opts.ReplicationFactor == 0 {
		opts.ReplicationFactor = min(3, opts.Nodes)
	}
	if opts.Bucket == "" {
		opts.Bucket = "bucket"
	}
	if opts.LogLevel == "" {
		opts.LogLevel = "info"
	}
	c := &Cluster{rpcSecret: server.NewSecret(), Replication: opts.ReplicationFactor, Bucket: opts.Bucket, opts: opts}
	bootstrap := ""
	for i := 1; i <= opts.Nodes; i++ {
		n, err := c.newNode(i, bootstrap)
		if err != nil {
			c.Stop()
			return nil, fmt.Errorf("node %d: %w", i, err)
		}
		c.Nodes = append(c.Nodes, n)
		if err := n.Start(ctx); err != nil {
			c.Stop()
			return nil, fmt.Errorf("node %d: %w", i, err)
		}
		if i == 1 {
			bootstrap = n.ID + "@" + n.dialAddr()
		}
	}
	if err := c.setUp(ctx); err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

func (c *Cluster) newNode(i int, bootstrap string) (*Node, error) {
	dir := filepath.Join(c.opts.Dir, fmt.Sprintf("node%d", i))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	spec := NodeSpec{MetadataDir: filepath.Join(dir, "meta"), DataDir: filepath.Join(dir, "data")}
	var err error
	if spec.RPCBindAddr, err = FreeAddr("127.0.0.1"); err != nil {
		return nil, err
	}
	if spec.S3Addr, err = FreeAddr("127.0.0.1"); err != nil {
		return nil, err
	}
	if spec.K2VAddr, err = FreeAddr("127.0.0.1"); err != nil {
		return nil, err
	}
	if c.opts.Node != nil {
		if err := c.opts.Node(i, &spec); err != nil {
			return nil, err
		}
	}
	n := &Node{Index: i, Spec: spec, Dir: dir, ConfigPath: filepath.Join(dir, "garage.toml"), binary: c.opts.Binary, rpcSecret: c.rpcSecret}
	if err := os.WriteFile(n.ConfigPath, []byte(c.config(spec, bootstrap)), 0o600); err != nil {
		return nil, fmt.Errorf("write %s: %w", n.ConfigPath, err)
	}
	return n, nil
}

// config is a node's garage.toml.
func (c *Cluster) config(spec NodeSpec, bootstrap string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "metadata_dir = %q\ndata_dir = %q\nreplication_factor = %d\n", spec.MetadataDir, spec.DataDir, c.Replication)
	fmt.Fprintf(&b, "rpc_bind_addr = %q\nrpc_secret = %q\n", spec.RPCBindAddr, c.rpcSecret)
	if spec.RPCPublicAddr != "" {
		fmt.Fprintf(&b, "rpc_public_addr = %q\n", spec.RPCPublicAddr)
	}
	if spec.BindOutgoing {
		b.WriteString("rpc_bind_outgoing = true\n")
	}
	if bootstrap != "" {
		fmt.Fprintf(&b, "bootstrap_peers = [%q]\n", bootstrap)
	}
	b.WriteString(spec.Options)
	fmt.Fprintf(&b, "\n[s3_api]\napi_bind_addr = %q\ns3_region = %q\n%s\n", spec.S3Addr, Region, spec.S3Options)
	if spec.K2VAddr != "" {
		fmt.Fprintf(&b, "[k2v_api]\napi_bind_addr = %q\n\n", spec.K2VAddr)
	}
	fmt.Fprintf(&b, "[log]\nlevel = %q\n", c.opts.LogLevel)
	return b.String()
}

// setUp waits for the nodes to meet, applies a layout with one zone per
// node, and creates a key that owns the bucket.
func (c *Cluster) setUp(ctx context.Context) error {
	first := c.Nodes[0]
	err := retry.Until(ctx, 60*time.Second, func() error {
		var st admin.ClusterStatus
		if err := first.Call(admin.GetStatus{}, &st); err != nil {
			return err
		}
		if up := countUp(st); up < len(c.Nodes) {
			return fmt.Errorf("%d of %d nodes up", up, len(c.Nodes))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("the nodes did not meet: %w", err)
	}
	err = first.Admin(func(a *adminrpc.Client) error {
		for _, n := range c.Nodes {
			zone := fmt.Sprintf("dc%d", n.Index)
			if c.opts.Zone != nil {
				zone = c.opts.Zone(n.Index)
			}
			op := admin.AssignRole{Nodes: []string{n.ID}, Zone: zone, Capacity: 1 << 40}
			if err := a.Call(op, nil); err != nil {
				return fmt.Errorf("assign node %d: %w", n.Index, err)
			}
		}
		if err := a.Call(admin.ApplyLayout{Version: 1}, nil); err != nil {
			return fmt.Errorf("apply the layout: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := c.WaitLayout(ctx, 1); err != nil {
		return err
	}
	return first.Admin(func(a *adminrpc.Client) error {
		var k admin.KeyInfo
		if err := a.Call(admin.CreateKey{Name: "harness"}, &k); err != nil {
			return fmt.Errorf("create the key: %w", err)
		}
		c.KeyID, c.Secret = k.ID, k.Secret
		if err := a.Call(admin.CreateBucket{Name: c.Bucket}, nil); err != nil {
			return fmt.Errorf("create the bucket: %w", err)
		}
		if err := a.Call(admin.SetBucketPerms{Bucket: c.Bucket, Key: k.ID, Read: true, Write: true, Owner: true, Allow: true}, nil); err != nil {
			return fmt.Errorf("allow the key on the bucket: %w", err)
		}
		return nil
	})
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

// WaitLayout waits until every running node runs layout version v.
func (c *Cluster) WaitLayout(ctx context.Context, v uint64) error {
	for _, n := range c.Nodes {
		if !n.Running() {
			continue
		}
		err := retry.Until(ctx, 60*time.Second, func() error {
			var info admin.LayoutInfo
			if err := n.Call(admin.GetLayout{}, &info); err != nil {
				return err
			}
			if info.Version != v {
				return fmt.Errorf("at layout version %d", info.Version)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("node %d did not get layout version %d: %w", n.Index, v, err)
		}
	}
	return nil
}

// Endpoints are the nodes' S3 endpoints, "http://host:port".
func (c *Cluster) Endpoints() []string {
	var e []string
	for _, n := range c.Nodes {
		e = append(e, n.Endpoint())
	}
	return e
}

// stopTimeout is how long a node has to exit cleanly before it is killed.
const stopTimeout = 30 * time.Second

// Stop sends every running node SIGTERM (resuming a frozen one first),
// waits for them to exit, killing any that take longer than 30 s, and
// returns what each used.
func (c *Cluster) Stop() []Usage {
	for _, n := range c.Nodes {
		n.requestStop()
	}
	var usage []Usage
	for _, n := range c.Nodes {
		if err := n.awaitStop(stopTimeout); err != nil {
			c.stopErrs = append(c.stopErrs, fmt.Errorf("node %d: %w", n.Index, err))
		}
		usage = append(usage, n.usage())
	}
	return usage
}

// StopErr reports what went wrong while stopping.
func (c *Cluster) StopErr() error { return errors.Join(c.stopErrs...) }

// PeaksSoFar is each node's peak resident memory so far; nil where /proc
// does not tell it.
func (c *Cluster) PeaksSoFar() []int64 {
	var peaks []int64
	for _, n := range c.Nodes {
		p := n.notePeak()
		if p == 0 {
			return nil
		}
		peaks = append(peaks, p)
	}
	return peaks
}

// FreeAddr returns host:port with a port that was free on host a moment
// ago.
func FreeAddr(host string) (string, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return "", fmt.Errorf("find a free port on %s: %w", host, err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// cleanEnv is the environment minus GARAGE_* variables, which would
// override the generated configuration (GARAGE_RPC_SECRET, ...).
func cleanEnv(extra []string) []string {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "GARAGE_") })
	return append(env, extra...)
}
