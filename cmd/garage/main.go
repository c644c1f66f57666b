// Command garage is the one binary of the store: it runs a node, operates a
// cluster, replays simulations and benchmarks. See README.md.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/alecthomas/kong"
)

// CLI is the command tree.
type CLI struct {
	Globals

	Serve      ServeCmd      `cmd:"" help:"Run a node. With no configuration file, a single-node store under --data-dir."`
	Status     StatusCmd     `cmd:"" help:"Show the cluster's nodes, zones, capacities and health."`
	Stats      StatsCmd      `cmd:"" help:"Show what one node holds."`
	Node       NodeCmd       `cmd:"" help:"Node identity and connections."`
	Layout     LayoutCmd     `cmd:"" help:"Stage, review and apply the cluster layout."`
	Key        KeyCmd        `cmd:"" help:"Manage access keys."`
	Bucket     BucketCmd     `cmd:"" help:"Manage buckets."`
	K2V        K2VCmd        `cmd:"" name:"k2v" help:"Read and write K2V items through a node's K2V API (access key from GARAGE_K2V_KEY_ID, GARAGE_K2V_SECRET)."`
	Block      BlockCmd      `cmd:"" help:"Inspect blocks and their resync."`
	Repair     RepairCmd     `cmd:"" help:"Repair tables or blocks on a node."`
	Worker     WorkerCmd     `cmd:"" help:"Background workers."`
	Meta       MetaCmd       `cmd:"" help:"Metadata store operations (snapshots)."`
	Sim        SimCmd        `cmd:"" help:"Run the deterministic simulator."`
	Bench      BenchCmd      `cmd:"" help:"Measure the S3 API: throughput, latency, time to first byte and node memory, on a local cluster or --endpoint; --compare against other stores, --zone-latency under inter-zone latency."`
	Chaos      ChaosCmd      `cmd:"" help:"Fault-inject real processes: kills, freezes, partitions, slow or lossy links, full disks, skewed clocks; check the clients' history."`
	JSONAPI    JSONAPICmd    `cmd:"" name:"json-api" help:"Call an admin API endpoint with a JSON request (over HTTP, with the admin token)."`
	AdminToken AdminTokenCmd `cmd:"" name:"admin-token" help:"Manage admin API tokens."`
}

func main() {
	// An empty GARAGE_* variable means unset (kong would take "" as a value).
	for _, kv := range os.Environ() {
		if name, value, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "GARAGE_") && value == "" {
			os.Unsetenv(name)
		}
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses args, runs the command and returns the exit status; tests call
// it in-process.
func run(args []string, stdout, stderr io.Writer) int {
	var cli CLI
	exited := -1
	parser, err := kong.New(&cli,
		kong.Name("garage"),
		kong.Description("A geo-distributed, S3-compatible object store."),
		kong.UsageOnError(),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { exited = code }),
		kong.BindTo(stdout, (*io.Writer)(nil)),
	)
	if err != nil {
		fmt.Fprintln(stderr, "garage:", err)
		return 1
	}
	ctx, err := parser.Parse(globalShorts(args))
	if exited >= 0 {
		return exited // --help
	}
	if err != nil {
		fmt.Fprintln(stderr, "garage:", err)
		return 1
	}
	if err := ctx.Run(&cli.Globals); err != nil {
		fmt.Fprintln(stderr, "garage:", err)
		return exitCode(err)
	}
	return 0
}

// exitError carries a specific exit status (1 = failure, 2 = violation).
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

func exitCode(err error) int {
	var e exitError
	if errors.As(err, &e) {
		return e.code
	}
	return 1
}

// globalShorts turns "-c FILE" given before the command into "--config FILE".
// As in Garage, -c names the configuration before the command and the
// capacity in `layout assign`; kong would see two flags with one name.
func globalShorts(args []string) []string {
	out := slices.Clone(args)
	takesValue := map[string]bool{"--config": true, "--rpc-host": true, "--rpc-secret": true, "--rpc-secret-file": true, "--log-level": true}
	for i := 0; i < len(out); i++ {
		a := out[i]
		switch {
		case a == "-c":
			out[i] = "--config"
			i++ // its value
		case takesValue[a]:
			i++
		case !strings.HasPrefix(a, "-"):
			return out // the command: -c after it belongs to the command
		}
	}
	return out
}
