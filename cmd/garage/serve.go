package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/garagego/garage/internal/config"
	"github.com/garagego/garage/internal/logging"
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

// version is the build's version, reported in node statuses.
const version = "0.1.0-dev"

// lifecycleInterval is how often buckets' lifecycle rules are applied.
const lifecycleInterval = time.Hour

// ServeCmd runs a node.
type ServeCmd struct {
	DataDir string `help:"Where the embedded single-node default keeps everything when no configuration file is given." default:"garage-data" type:"path"`
}

// Run starts the node and serves until SIGINT or SIGTERM.
func (c *ServeCmd) Run(g *Globals, out io.Writer) error {
	cfg, cfgPath, embedded, err := c.loadConfig(g)
	if err != nil {
		return err
	}
	log, err := logging.New(logging.PickLevel(g.LogLevel, cfg.Log.Level), os.Stderr)
	if err != nil {
		return err
	}
	defer log.Sync() //nolint:errcheck // stderr may not sync; nothing to do about it

	var traceSink string
	if cfg.Admin != nil && cfg.Admin.TraceSink != "" {
		traceSink = cfg.Admin.TraceSink
		if _, err := tracing.ParseSink(traceSink); err != nil {
			return fmt.Errorf("%s: [admin] %w", cfgPath, err)
		}
	}
	// Every port is bound before anything is announced: a node that cannot
	// serve says so, naming the option, instead of printing credentials
	// and exiting.
	rpcListener, err := listen(cfg.RPCBindAddr, "rpc_bind_addr", cfgPath)
	if err != nil {
		return err
	}
	var s3Listener net.Listener
	if cfg.S3API != nil {
		if s3Listener, err = listen(cfg.S3API.APIBindAddr, "[s3_api] api_bind_addr", cfgPath); err != nil {
			rpcListener.Close()
			return err
		}
	}
	var k2vListener net.Listener
	if cfg.K2VAPI != nil {
		if k2vListener, err = listen(cfg.K2VAPI.APIBindAddr, "[k2v_api] api_bind_addr", cfgPath); err != nil {
			rpcListener.Close()
			if s3Listener != nil {
				s3Listener.Close()
			}
			return err
		}
	}
	var webListener net.Listener
	if cfg.S3Web != nil {
		if webListener, err = listen(cfg.S3Web.BindAddr, "[s3_web] bind_addr", cfgPath); err != nil {
			closeAll(rpcListener, s3Listener, k2vListener)
			return err
		}
	}
	var adminListener net.Listener
	if cfg.Admin != nil {
		if adminListener, err = listen(cfg.Admin.APIBindAddr, "[admin] api_bind_addr", cfgPath); err != nil {
			closeAll(rpcListener, s3Listener, k2vListener, webListener)
			return err
		}
	}
	ctx, stopAPIs := context.WithCancel(context.Background())
	defer stopAPIs()
	clock := testClock(ctx, log)
	sc := serverConfig(cfg, log)
	sc.Transport.Listener = rpcListener
	sc.Clock = clock
	// One registry per node: the admin API's /metrics.
	m := metrics.New(version)
	sc.Observer = m.Runtime
	srv, err := server.Start(sc)
	if err != nil {
		rpcListener.Close()
		if s3Listener != nil {
			s3Listener.Close()
		}
		if k2vListener != nil {
			k2vListener.Close()
		}
		closeAll(webListener, adminListener)
		return err
	}
	m.Runtime.SetSelf(srv.ID())
	m.Attach(srv)
	// Traces ([admin] trace_sink): the APIs' requests, the operations they
	// run and the RPCs those cause; nil, and free, without a sink.
	traces, err := tracing.New(tracing.Config{Sink: traceSink, Node: srv.ID().Hex(), Version: version})
	if err != nil {
		srv.Close()
		closeAll(s3Listener, k2vListener, webListener, adminListener)
		return err
	}
	defer func() {
		// After the node stopped, so that its last spans are in.
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := traces.Shutdown(shut); err != nil {
			log.Warn("traces not flushed", zap.Error(err))
		}
	}()
	if traceSink != "" {
		sink := traces.Sink()
		log.Info("exporting traces", zap.String("sink", sink.Endpoint), zap.String("protocol", string(sink.Protocol)))
	}
	tracer := traces.Tracer()
	apiErr := make(chan error, 4)
	if s3Listener != nil {
		apiCfg := s3APIConfig(cfg.S3API, log)
		apiCfg.Now = clock
		apiCfg.Metrics = m.S3
		api := s3api.New(apiCfg, srv)
		go func() {
			if err := api.Serve(httpapi.WithTracing(ctx, tracer, "S3"), s3Listener); err != nil {
				apiErr <- fmt.Errorf("S3 API: %w", err)
			}
		}()
		go api.RunLifecycle(ctx, lifecycleInterval)
	}
	if k2vListener != nil {
		kc := k2vAPIConfig(cfg, log, clock)
		kc.Metrics = m.K2V
		api := k2vapi.New(kc, srv)
		go func() {
			if err := api.Serve(httpapi.WithTracing(ctx, tracer, "K2V"), k2vListener); err != nil {
				apiErr <- fmt.Errorf("K2V API: %w", err)
			}
		}()
	}
	if webListener != nil {
		wc := webAPIConfig(cfg, log)
		wc.Metrics = m.Web
		api := webapi.New(wc, srv)
		go func() {
			if err := api.Serve(httpapi.WithTracing(ctx, tracer, "Web"), webListener); err != nil {
				apiErr <- fmt.Errorf("website endpoint: %w", err)
			}
		}()
	}
	if adminListener != nil {
		ac := adminAPIConfig(cfg, log, clock)
		ac.Metrics, ac.Observer = m.Handler(), m.Admin
		api := adminapi.New(ac, srv)
		go func() {
			if err := api.Serve(httpapi.WithTracing(ctx, tracer, "Admin"), adminListener); err != nil {
				apiErr <- fmt.Errorf("admin API: %w", err)
			}
		}()
	}
	// Before the banner: whoever reads it may stop the node at once, and
	// the signal must find it listening.
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(signals)
	if embedded {
		if err := c.initEmbedded(srv, cfg, cfgPath, out); err != nil {
			stopAPIs()
			srv.Close()
			return fmt.Errorf("set up the single-node default: %w", err)
		}
	}
	if s3Listener != nil {
		fmt.Fprintf(out, "serving the S3 API on http://%s (region %q)\n", s3Listener.Addr(), cfg.S3API.S3Region)
	}
	if k2vListener != nil {
		fmt.Fprintf(out, "serving the K2V API on http://%s (region %q, service %q)\n", k2vListener.Addr(), k2vRegion(cfg), k2vapi.Service)
	}
	if webListener != nil {
		fmt.Fprintf(out, "serving websites on http://%s (root domain %q)\n", webListener.Addr(), cfg.S3Web.RootDomain)
	}
	if adminListener != nil {
		fmt.Fprintf(out, "serving the admin API on http://%s\n", adminListener.Addr())
	}
	fmt.Fprintf(out, "garage node %s serving RPC on %s (Ctrl-C to stop)\n", srv.ID().Hex(), srv.RPCAddr())

	select {
	case s := <-signals:
		log.Info("shutting down", zap.String("signal", s.String()))
	case err = <-srv.Fatal():
	case err = <-apiErr:
	}
	stopAPIs()
	if cerr := srv.Close(); cerr != nil && err == nil {
		err = cerr
	}
	return err
}

// loadConfig reads the configuration file, or sets up the embedded default
// under --data-dir when none is given; it returns the file's path too.
func (c *ServeCmd) loadConfig(g *Globals) (*config.Config, string, bool, error) {
	if g.Config != "" {
		cfg, err := config.Load(g.Config)
		return cfg, g.Config, false, err
	}
	path := filepath.Join(c.DataDir, "garage.toml")
	if !fileExists(path) {
		if err := writeDefaultConfig(c.DataDir, path); err != nil {
			return nil, path, false, err
		}
	}
	cfg, err := config.Load(path)
	return cfg, path, true, err
}

// listen binds addr, or says which option of which file set it.
func listen(addr, option, cfgPath string) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s, set by %s in %s: %w", addr, option, cfgPath, err)
	}
	return l, nil
}

// writeDefaultConfig writes the embedded default's configuration, with a
// fresh RPC secret, so that later starts and the CLI (which looks for
// ./garage-data/garage.toml) find it.
func writeDefaultConfig(dataDir, path string) error {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dataDir, err)
	}
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return err
	}
	toml := fmt.Sprintf(`# Written by "garage serve" for the embedded single-node default.
metadata_dir = %q
data_dir = %q
replication_factor = 1
rpc_bind_addr = "127.0.0.1:3901"
rpc_secret = %q

[s3_api]
api_bind_addr = "127.0.0.1:3900"
s3_region = "garage"

[k2v_api]
api_bind_addr = "127.0.0.1:3904"

[s3_web]
bind_addr = "127.0.0.1:3902"
root_domain = ".web.localhost"

[admin]
api_bind_addr = "127.0.0.1:3903"
admin_token = %q
`, filepath.Join(abs, "meta"), filepath.Join(abs, "data"), server.NewSecret(), server.NewSecret())
	return os.WriteFile(path, []byte(toml), 0o600)
}

// portOf is ":port" of a bind address, "" if it has none.
func portOf(bind string) string {
	if _, port, err := net.SplitHostPort(bind); err == nil {
		return ":" + port
	}
	return ""
}

// closeAll closes the listeners that were opened.
func closeAll(ls ...net.Listener) {
	for _, l := range ls {
		if l != nil {
			l.Close()
		}
	}
}

// webAPIConfig configures the website endpoint: its root domain, and the
// S3 API's master key (to serve SSE-S3 objects) and timeouts.
func webAPIConfig(cfg *config.Config, log *zap.Logger) webapi.Config {
	wc := webapi.Config{RootDomain: cfg.S3Web.RootDomain, Logger: log.Named("web")}
	if c := cfg.S3API; c != nil {
		wc.SSEMasterKey = c.SSEMasterKey
		wc.Timeouts = s3api.Timeouts{Header: c.HeaderTimeout, Body: c.BodyTimeout, Request: c.RequestTimeout, Idle: c.IdleTimeout}
	}
	return wc
}

func s3APIConfig(c *config.S3API, log *zap.Logger) s3api.Config {
	return s3api.Config{Region: c.S3Region, RootDomain: c.RootDomain, Logger: log.Named("s3"),
		Timeouts:     s3api.Timeouts{Header: c.HeaderTimeout, Body: c.BodyTimeout, Request: c.RequestTimeout, Idle: c.IdleTimeout},
		SSEMasterKey: c.SSEMasterKey, AllowSSECOverHTTP: c.AllowSSECOverHTTP, TrustedProxies: c.TrustedProxies}
}

// k2vRegion is the region K2V requests are signed for: the S3 API's, as
// in Garage.
func k2vRegion(cfg *config.Config) string {
	if cfg.S3API != nil && cfg.S3API.S3Region != "" {
		return cfg.S3API.S3Region
	}
	return "garage"
}

// k2vAPIConfig configures the K2V API with the S3 API's region and, when
// the S3 API is configured, its timeouts.
func k2vAPIConfig(cfg *config.Config, log *zap.Logger, clock func() time.Time) k2vapi.Config {
	kc := k2vapi.Config{Region: k2vRegion(cfg), Logger: log.Named("k2v"), Now: clock}
	if c := cfg.S3API; c != nil {
		kc.Timeouts = s3api.Timeouts{Header: c.HeaderTimeout, Body: c.BodyTimeout, Request: c.RequestTimeout, Idle: c.IdleTimeout}
	}
	return kc
}

// adminAPIConfig configures the admin API from [admin], with the S3
// API's region and the root domains /check answers for.
func adminAPIConfig(cfg *config.Config, log *zap.Logger, clock func() time.Time) adminapi.Config {
	ac := adminapi.Config{Region: k2vRegion(cfg), AdminToken: cfg.Admin.AdminToken, MetricsToken: cfg.Admin.MetricsToken,
		MetricsRequireToken: cfg.Admin.MetricsRequireToken, Version: version, DBEngine: cfg.DBEngine,
		Logger: log.Named("admin"), Now: clock}
	if cfg.S3API != nil {
		ac.S3RootDomain = cfg.S3API.RootDomain
	}
	if cfg.S3Web != nil {
		ac.WebRootDomain = cfg.S3Web.RootDomain
	}
	return ac
}

func serverConfig(cfg *config.Config, log *zap.Logger) server.Config {
	consistency, _ := table.ParseConsistency(cfg.ConsistencyMode) // validated by config
	tcfg := table.DefaultConfig()
	tcfg.Consistency = consistency
	if cfg.RPCTimeout > 0 {
		tcfg.RequestTimeout = cfg.RPCTimeout
	}
	if cfg.TombstoneDelay > 0 {
		tcfg.TombstoneDelay = cfg.TombstoneDelay
	}
	sc := server.Config{
		Node:          node.Config{Table: tcfg, ReplicationFactor: cfg.ReplicationFactor},
		MetadataDir:   cfg.MetadataDir,
		Fsync:         metastore.FsyncNever,
		Transport:     transport.Config{ListenAddr: cfg.RPCBindAddr, PublicAddr: cfg.RPCPublicAddr, Secret: cfg.RPCSecret, BindOutgoing: cfg.RPCBindOutgoing},
		Logger:        log,
		Version:       version,
		AllowOpenDirs: cfg.AllowWorldReadableSecrets,
	}
	if cfg.MetadataFsync {
		sc.Fsync = metastore.FsyncEveryCommit
	}
	for _, d := range cfg.DataDirs {
		sc.DataDirs = append(sc.DataDirs, blockstore.Dir{Path: d.Path, Capacity: d.Capacity, ReadOnly: d.ReadOnly})
	}
	sc.DataFsync = cfg.DataFsync
	sc.BlockSize = int(cfg.BlockSize)
	sc.CompressionLevel = cfg.CompressionLevel
	for _, p := range cfg.BootstrapPeers {
		sc.Transport.Bootstrap = append(sc.Transport.Bootstrap, transport.Peer{ID: p.ID, Addr: p.Addr})
	}
	return sc
}

// initEmbedded gives a fresh single-node store its layout, a default key
// and a default bucket, and prints how to use them — once, on first start.
func (c *ServeCmd) initEmbedded(srv *server.Server, cfg *config.Config, cfgPath string, out io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := srv.Do(ctx, admin.GetLayout{})
	if err != nil {
		return err
	}
	if res.(admin.LayoutInfo).Version > 0 {
		return nil // set up on an earlier start
	}
	capacity := uint64(1 << 40)
	if len(cfg.DataDirs) > 0 {
		if err := os.MkdirAll(cfg.DataDirs[0].Path, 0o700); err == nil {
			if _, total := server.DiskSpace(cfg.DataDirs[0].Path); total > 0 {
				capacity = total
			}
		}
	}
	self := srv.ID().Hex()
	if _, err := srv.Do(ctx, admin.AssignRole{Nodes: []string{self}, Zone: "dc1", Capacity: capacity}); err != nil {
		return err
	}
	if _, err := srv.Do(ctx, admin.ApplyLayout{Version: 1}); err != nil {
		return err
	}
	keyRes, err := srv.Do(ctx, admin.CreateKey{Name: "default", ID: server.NewKeyID(), Secret: server.NewSecret()})
	if err != nil {
		return err
	}
	key := keyRes.(admin.KeyInfo)
	if _, err := srv.Do(ctx, admin.CreateBucket{Name: "default", ID: server.NewBucketID()}); err != nil {
		return err
	}
	if _, err := srv.Do(ctx, admin.SetBucketPerms{Bucket: "default", Key: key.ID, Read: true, Write: true, Owner: true, Allow: true}); err != nil {
		return err
	}
	if _, err := srv.Do(ctx, admin.SetKeyFlags{Pattern: key.ID, CreateBucket: true, Allow: true}); err != nil {
		return err
	}
	region := "garage"
	endpoint := "http://127.0.0.1:3900"
	if cfg.S3API != nil {
		region = cfg.S3API.S3Region
		endpoint = "http://" + localAddr(cfg.S3API.APIBindAddr)
	}
	k2vEndpoint := "(not served: no [k2v_api] section)"
	if cfg.K2VAPI != nil {
		k2vEndpoint = "http://" + localAddr(cfg.K2VAPI.APIBindAddr) + " (SigV4 service \"" + k2vapi.Service + "\")"
	}
	webEndpoint := "(not served: no [s3_web] section)"
	if cfg.S3Web != nil {
		webEndpoint = "http://BUCKET." + strings.TrimPrefix(cfg.S3Web.RootDomain, ".") + portOf(cfg.S3Web.BindAddr) + " (once: garage bucket website --allow BUCKET)"
	}
	adminEndpoint := "(not served: no [admin] section)"
	if cfg.Admin != nil {
		adminEndpoint = "http://" + localAddr(cfg.Admin.APIBindAddr) + " (bearer token: admin_token in " + cfgPath + ")"
	}
	fmt.Fprintf(out, `
==== garage: single-node store ready ====
Data and configuration: %s
Default bucket: default
Access key ID:  %s
Secret key:     %s
Region:         %s
S3 endpoint:    %s
K2V endpoint:   %s
Web endpoint:   %s
Admin API:      %s

Try it with the aws cli:
    export AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_DEFAULT_REGION=%s
    aws --endpoint-url %s s3 ls s3://default

These credentials are shown once. To see them again:
    garage key info default --show-secret
Operate the node with: garage status, garage bucket list, garage key list
`, filepath.Dir(cfg.MetadataDir), key.ID, key.Secret, region, endpoint, k2vEndpoint, webEndpoint, adminEndpoint, key.ID, key.Secret, region, endpoint)
	return nil
}
