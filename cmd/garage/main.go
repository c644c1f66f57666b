// Command garage is the one binary of the store: it runs a node, operates a
// cluster, replays simulations and benchmarks. See README.md.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/alecthomas/kong"
)

// CLI is the command tree.
type CLI struct {
	Sim SimCmd `cmd:"" help:"Run the deterministic simulator."`
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

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
	ctx, err := parser.Parse(args)
	if exited >= 0 {
		return exited // --help
	}
	if err != nil {
		fmt.Fprintln(stderr, "garage:", err)
		return 1
	}
	if err := ctx.Run(); err != nil {
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
