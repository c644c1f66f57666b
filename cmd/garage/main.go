// Command garage is the one binary of the store: it runs a node, operates a
// cluster, replays simulations and benchmarks. See README.md.
package main

import (
	"fmt"
	"os"

	"github.com/alecthomas/kong"
)

// CLI is the command tree.
type CLI struct {
	Sim SimCmd `cmd:"" help:"Run the deterministic simulator."`
}

func main() {
	var cli CLI
	ctx := kong.Parse(&cli,
		kong.Name("garage"),
		kong.Description("A geo-distributed, S3-compatible object store."),
		kong.UsageOnError(),
	)
	if err := ctx.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "garage:", err)
		os.Exit(exitCode(err))
	}
}

// exitError carries a specific exit status (1 = failure, 2 = violation).
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

func exitCode(err error) int {
	if e, ok := err.(exitError); ok {
		return e.code
	}
	return 1
}
