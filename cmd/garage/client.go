package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/garagego/garage/internal/config"
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/runtime/adminrpc"
)

// Globals are the flags every command shares: how to reach a node.
type Globals struct {
	Config        string `help:"Configuration file, also -c before the command (default: ./garage-data/garage.toml if it exists, else /etc/garage.toml)." env:"GARAGE_CONFIG_FILE" type:"path"`
	RPCHost       string `name:"rpc-host" help:"Node to talk to, as <node id>@<host:port> or <host:port> (default: from the configuration)." env:"GARAGE_RPC_HOST"`
	RPCSecret     string `name:"rpc-secret" help:"The cluster's RPC secret, 64 hex digits (default: from the configuration)." env:"GARAGE_RPC_SECRET"`
	RPCSecretFile string `name:"rpc-secret-file" help:"File holding the RPC secret." env:"GARAGE_RPC_SECRET_FILE" type:"path"`
	LogLevel      string `name:"log-level" help:"Log level: debug, info, warn or error (default: GARAGE_LOG, the configuration, then info)."`
}

// defaultDataDir is where the embedded single-node default keeps its data.
const defaultDataDir = "garage-data"

// configPath picks the configuration file: the flag, or the embedded
// default's generated file, or Garage's system path.
func (g *Globals) configPath() string {
	if g.Config != "" {
		return g.Config
	}
	if p := defaultDataDir + "/garage.toml"; fileExists(p) {
		return p
	}
	return "/etc/garage.toml"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// adminClient is a connection to a node for operator commands.
type adminClient struct {
	*adminrpc.Client
}

// dial connects to the node named by the flags or the configuration.
func (g *Globals) dial() (*adminClient, error) {
	addr, expect, secret, err := g.target()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	c, err := adminrpc.Dial(ctx, addr, secret, expect)
	if err != nil {
		return nil, err
	}
	return &adminClient{c}, nil
}

func (g *Globals) target() (addr string, expect cluster.NodeID, secret [32]byte, err error) {
	var cfg *config.Config
	if g.RPCHost == "" || (g.RPCSecret == "" && g.RPCSecretFile == "") {
		path := g.configPath()
		if cfg, err = config.Load(path); err != nil {
			if g.RPCHost == "" {
				return "", expect, secret, fmt.Errorf("no --rpc-host given and the configuration cannot be read: %w", err)
			}
			return "", expect, secret, fmt.Errorf("no --rpc-secret given and the configuration cannot be read: %w", err)
		}
	}
	switch {
	case g.RPCSecret != "":
		secret, err = config.ParseRPCSecret(g.RPCSecret)
	case g.RPCSecretFile != "":
		var b []byte
		if b, err = os.ReadFile(g.RPCSecretFile); err == nil {
			secret, err = config.ParseRPCSecret(strings.TrimSpace(string(b)))
		}
	default:
		secret = cfg.RPCSecret
	}
	if err != nil {
		return "", expect, secret, fmt.Errorf("rpc secret: %w", err)
	}
	if g.RPCHost != "" {
		if id, host, ok := strings.Cut(g.RPCHost, "@"); ok {
			p, perr := config.ParsePeer(g.RPCHost)
			if perr != nil {
				return "", expect, secret, fmt.Errorf("--rpc-host %q: %w", id+"@"+host, perr)
			}
			return p.Addr, cluster.NodeID(p.ID), secret, nil
		}
		return g.RPCHost, expect, secret, nil
	}
	addr = cfg.RPCPublicAddr
	if addr == "" {
		addr = localAddr(cfg.RPCBindAddr)
	}
	return addr, expect, secret, nil
}

// localAddr turns a wildcard bind address into one a local client can dial.
func localAddr(bind string) string {
	host, port, err := net.SplitHostPort(bind)
	if err != nil {
		return bind
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// call runs op on the node and decodes its result into result.
func (c *adminClient) call(op adminrpc.Op, result any) error { return c.Call(op, result) }

func (c *adminClient) close() { c.Close() }

// withAdmin dials, runs fn and closes.
func (g *Globals) withAdmin(fn func(*adminClient) error) error {
	c, err := g.dial()
	if err != nil {
		return err
	}
	defer c.close()
	return fn(c)
}
