// Package localcluster starts a cluster of real nodes inside one process,
// each with its RPC, S3 API, K2V API and website endpoint on 127.0.0.1, for end-to-end tests
// and for `garage bench`. The nodes talk over real TCP and keep their data in real
// directories; only the processes are shared.
package localcluster

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"time"

	"go.uber.org/zap"

	"github.com/garagego/garage/node"
	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/runtime/adminapi"
	"github.com/garagego/garage/node/runtime/blockstore"
	"github.com/garagego/garage/node/runtime/httpapi"
	"github.com/garagego/garage/node/runtime/k2vapi"
	"github.com/garagego/garage/node/runtime/metastore"
	"github.com/garagego/garage/node/runtime/metrics"
	"github.com/garagego/garage/node/runtime/s3api"
	"github.com/garagego/garage/node/runtime/server"
	"github.com/garagego/garage/node/runtime/tracing"
	"github.com/garagego/garage/node/runtime/transport"
	"github.com/garagego/garage/node/runtime/webapi"
	"github.com/garagego/garage/node/table"
)

// Version is the version a local cluster's nodes report
// (garage_build_info).
const Version = "localcluster"

// Region is the S3 region of a local cluster.
const Region = "garage"

// WebRootDomain is the root domain of a local cluster's website endpoints:
// a request with Host "site.web.localhost" reads bucket "site".
const WebRootDomain = ".web.localhost"

// Options shape a local cluster.
type Options struct {
	Nodes             int    // default 3
	ReplicationFactor int    // default min(3, Nodes)
	Dir               string // required: each node gets a subdirectory
	Logger            *zap.Logger
	// Tune adjusts each node's configuration before it starts.
	Tune func(i int, cfg *server.Config)
	// TuneAPI adjusts each node's S3 API configuration.
	TuneAPI func(i int, cfg *s3api.Config)
	// TuneAdmin adjusts each node's admin API configuration (the metrics
	// token rules, say).
	TuneAdmin func(i int, cfg *adminapi.Config)
	// TraceSink, if set, is every node's trace_sink: each node exports
	// its spans there (Node.Tracing), as `garage serve` does.
	TraceSink string
}

// Node is one running node with its S3 and K2V endpoints.
type Node struct {
	Server   *server.Server
	API      *s3api.API
	Endpoint string // the S3 API's, "http://127.0.0.1:port"
	K2V      *k2vapi.API
	// K2VEndpoint is the K2V API's, "http://127.0.0.1:port"; requests are
	// signed for the service "k2v" in Region.
	K2VEndpoint string
	// WebEndpoint is the website endpoint's, "http://127.0.0.1:port",
	// under WebRootDomain; it serves SSE-S3 objects with the S3 API's
	// master key.
	WebEndpoint string
	// Admin is the admin API; AdminEndpoint its "http://127.0.0.1:port",
	// where AdminToken (the cluster's admin_token) is accepted.
	Admin         *adminapi.API
	AdminEndpoint string
	AdminToken    string
	// Metrics is the node's Prometheus registry, served at
	// AdminEndpoint/metrics.
	Metrics *metrics.Node
	// Tracing is the node's tracer provider, nil without a TraceSink.
	Tracing *tracing.Provider
	stop    context.CancelFunc
	served  chan error // one result per API served
}

// Cluster is a running local cluster with an access key allowed to create
// buckets and a bucket it owns.
type Cluster struct {
	Nodes     []*Node
	KeyID     string
	Secret    string
	Bucket    string
	closed    bool
	logger    *zap.Logger
	rpcSecret [32]byte
	// adminToken is every node's admin_token.
	adminToken string
	tuneAdmin  func(i int, cfg *adminapi.Config)
	traceSink  string
}

// Start starts the cluster, applies a layout with every node in its own
// zone, and creates the key and the bucket "bucket".
func Start(opts Options) (*Cluster, error) {
	if opts.Nodes == 0 {
		opts.Nodes = 3
	}
	if opts.ReplicationFactor == 0 {
		opts.ReplicationFactor = min(3, opts.Nodes)
	}
	if opts.Logger == nil {
		opts.Logger = zap.NewNop()
	}
	c := &Cluster{logger: opts.Logger, tuneAdmin: opts.TuneAdmin, traceSink: opts.TraceSink}
	rand.Read(c.rpcSecret[:]) //nolint:errcheck // crypto/rand does not fail
	c.adminToken = server.NewSecret()
	for i := range opts.Nodes {
		cfg := server.Config{
			Node:        node.Config{Table: table.DefaultConfig(), ReplicationFactor: opts.ReplicationFactor, StatusInterval: time.Second},
			MetadataDir: filepath.Join(opts.Dir, fmt.Sprint("node", i), "meta"),
			DataDirs:    []blockstore.Dir{{Path: filepath.Join(opts.Dir, fmt.Sprint("node", i), "data")}},
			Fsync:       metastore.FsyncNever,
			Transport:   transport.Config{ListenAddr: "127.0.0.1:0", Secret: c.rpcSecret},
			Logger:      opts.Logger.Named(fmt.Sprint("node", i)),
		}
		if i > 0 {
			first := c.Nodes[0].Server
			cfg.Transport.Bootstrap = []transport.Peer{{ID: first.ID(), Addr: first.RPCAddr()}}
		}
		if opts.Tune != nil {
			opts.Tune(i, &cfg)
		}
		apiCfg := s3api.Config{Region: Region, Logger: cfg.Logger}
		if opts.TuneAPI != nil {
			opts.TuneAPI(i, &apiCfg)
		}
		n, err := c.startNode(i, cfg, apiCfg)
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("node %d: %w", i, err)
		}
		c.Nodes = append(c.Nodes, n)
	}
	if err := c.setUp(); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (c *Cluster) startNode(i int, cfg server.Config, apiCfg s3api.Config) (*Node, error) {
	m := metrics.New(Version)
	cfg.Observer = m.Runtime
	srv, err := server.Start(cfg)
	if err != nil {
		return nil, err
	}
	m.Runtime.SetSelf(srv.ID())
	m.Attach(srv)
	apiCfg.Metrics = m.S3

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		return nil, err
	}
	kl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		l.Close()
		srv.Close()
		return nil, err
	}
	wl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		l.Close()
		kl.Close()
		srv.Close()
		return nil, err
	}
	al, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		kl.Close()
		l.Close()
		wl.Close()
		srv.Close()
		return nil, err
	}
	tp, err := tracing.New(tracing.Config{Sink: c.traceSink, Node: srv.ID().Hex(), Version: Version})
	if err != nil {
		closeAll(l, kl, wl, al)
		srv.Close()
		return nil, err
	}
	api := s3api.New(apiCfg, srv)
	web := webapi.New(webapi.Config{RootDomain: WebRootDomain, Logger: cfg.Logger.Named("web"), Timeouts: apiCfg.Timeouts, SSEMasterKey: apiCfg.SSEMasterKey, Metrics: m.Web}, srv)
	k2v := k2vapi.New(k2vapi.Config{Region: apiCfg.Region, Logger: cfg.Logger.Named("k2v"), Now: apiCfg.Now, Timeouts: apiCfg.Timeouts, Metrics: m.K2V}, srv)
	admCfg := adminapi.Config{Region: apiCfg.Region, AdminToken: c.adminToken, S3RootDomain: apiCfg.RootDomain,
		Logger: cfg.Logger.Named("admin"), Now: apiCfg.Now, Metrics: m.Handler(), Observer: m.Admin}
	if c.tuneAdmin != nil {
		c.tuneAdmin(i, &admCfg)
	}
	adm := adminapi.New(admCfg, srv)
	ctx, stop := context.WithCancel(context.Background())
	n := &Node{Server: srv, API: api, Endpoint: "http://" + l.Addr().String(),
		K2V: k2v, K2VEndpoint: "http://" + kl.Addr().String(), WebEndpoint: "http://" + wl.Addr().String(),
		Admin: adm, AdminEndpoint: "http://" + al.Addr().String(), AdminToken: c.adminToken, Metrics: m, Tracing: tp,
		stop: stop, served: make(chan error, 4)}
	tracer := tp.Tracer()
	go func() { n.served <- api.Serve(httpapi.WithTracing(ctx, tracer, "S3"), l) }()
	go func() { n.served <- k2v.Serve(httpapi.WithTracing(ctx, tracer, "K2V"), kl) }()
	go func() { n.served <- web.Serve(httpapi.WithTracing(ctx, tracer, "Web"), wl) }()
	go func() { n.served <- adm.Serve(httpapi.WithTracing(ctx, tracer, "Admin"), al) }()
	return n, nil
}

func (c *Cluster) setUp() error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	first := c.Nodes[0].Server
	// Met: every node knows every other by the RPC address it advertises
	// (until a node's status arrives, a peer that dialled in is known by
	// the connection's source port, which nobody can dial back).
	advertised := map[string]string{}
	for _, n := range c.Nodes {
		advertised[n.Server.ID().Hex()] = n.Server.RPCAddr()
	}
	for _, n := range c.Nodes {
		if err := waitUntil(ctx, func() bool {
			res, err := n.Server.Do(ctx, admin.GetStatus{})
			if err != nil || len(res.(admin.ClusterStatus).Nodes) != len(c.Nodes) {
				return false
			}
			for _, st := range res.(admin.ClusterStatus).Nodes {
				if st.Addr != advertised[st.ID] {
					return false
				}
			}
			return true
		}); err != nil {
			return fmt.Errorf("the nodes did not meet: %w", err)
		}
	}
	for i, n := range c.Nodes {
		if _, err := first.Do(ctx, admin.AssignRole{Nodes: []string{n.Server.ID().Hex()}, Zone: fmt.Sprint("zone", i), Capacity: 1 << 40}); err != nil {
			return err
		}
	}
	if _, err := first.Do(ctx, admin.ApplyLayout{Version: 1}); err != nil {
		return err
	}
	for _, n := range c.Nodes {
		if err := waitUntil(ctx, func() bool {
			res, err := n.Server.Do(ctx, admin.GetLayout{})
			return err == nil && res.(admin.LayoutInfo).Version == 1
		}); err != nil {
			return fmt.Errorf("the layout did not reach every node: %w", err)
		}
	}
	res, err := first.Do(ctx, admin.CreateKey{Name: "test", ID: server.NewKeyID(), Secret: server.NewSecret()})
	if err != nil {
		return err
	}
	key := res.(admin.KeyInfo)
	c.KeyID, c.Secret, c.Bucket = key.ID, key.Secret, "bucket"
	if _, err := first.Do(ctx, admin.SetKeyFlags{Pattern: key.ID, CreateBucket: true, Allow: true}); err != nil {
		return err
	}
	if _, err := first.Do(ctx, admin.CreateBucket{Name: c.Bucket, ID: server.NewBucketID()}); err != nil {
		return err
	}
	_, err = first.Do(ctx, admin.SetBucketPerms{Bucket: c.Bucket, Key: key.ID, Read: true, Write: true, Owner: true, Allow: true})
	return err
}

// Do runs an admin or object operation on the first node that is up.
func (c *Cluster) Do(ctx context.Context, op node.Op) (any, error) {
	for _, n := range c.Nodes {
		if n.Server != nil {
			return n.Server.Do(ctx, op)
		}
	}
	return nil, errors.New("every node is stopped")
}

// Kill stops node i abruptly: its listener and its node close at once,
// without waiting for requests under way.
func (c *Cluster) Kill(i int) error {
	n := c.Nodes[i]
	if n.Server == nil {
		return nil
	}
	n.stop()
	err := n.Server.Close()
	n.Server = nil
	return errors.Join(err, n.shutdownTracing())
}

// shutdownTracing exports the node's last spans.
func (n *Node) shutdownTracing() error {
	if n.Tracing == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := n.Tracing.Shutdown(ctx)
	n.Tracing = nil
	return err
}

// Close stops every node.
func (c *Cluster) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	var errs []error
	for _, n := range c.Nodes {
		n.stop()
		if n.Server != nil {
			errs = append(errs, n.Server.Close())
			n.Server = nil
		}
		for range cap(n.served) {
			<-n.served
		}
		errs = append(errs, n.shutdownTracing())
	}
	return errors.Join(errs...)
}

func waitUntil(ctx context.Context, cond func() bool) error {
	for !cond() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

func closeAll(ls ...net.Listener) {
	for _, l := range ls {
		l.Close()
	}
}
