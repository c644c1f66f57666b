// Command shoppinglist is an example application of Garage's K2V API: a
// shared shopping list that several people edit at once, from any node,
// even while the nodes cannot reach each other. Items are CRDT states
// (see ItemState); concurrent edits come back from K2V as siblings, which
// the app merges deterministically and writes back with the causality
// token. See README.md.
//
// Usage:
//
//	shoppinglist [flags] add ITEM [QTY]
//	shoppinglist [flags] remove ITEM
//	shoppinglist [flags] show
//
// The access key comes from GARAGE_K2V_KEY_ID and GARAGE_K2V_SECRET.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/garagego/garage/client/k2v"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("shoppinglist", flag.ContinueOnError)
	fs.SetOutput(stderr)
	endpoint := fs.String("endpoint", envOr("GARAGE_K2V_ENDPOINT", "http://127.0.0.1:3904"), "K2V API endpoint")
	region := fs.String("region", "garage", "region the requests are signed for")
	bucket := fs.String("bucket", "shopping", "bucket holding the lists")
	list := fs.String("list", "groceries", "list name")
	host, _ := os.Hostname()
	replica := fs.String("replica", host+"-"+strconv.Itoa(os.Getpid()), "this instance's name (unique per device)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	c, err := k2v.New(k2v.Config{Endpoint: *endpoint, Region: *region, Bucket: *bucket,
		AccessKeyID: os.Getenv("GARAGE_K2V_KEY_ID"), SecretAccessKey: os.Getenv("GARAGE_K2V_SECRET")})
	if err != nil {
		fmt.Fprintln(stderr, "shoppinglist:", err)
		return 1
	}
	l, err := NewList(c, *list, *replica)
	if err == nil {
		err = command(context.Background(), l, fs.Args(), stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, "shoppinglist:", err)
		return 1
	}
	return 0
}

func command(ctx context.Context, l *List, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("want a command: add ITEM [QTY], remove ITEM or show")
	}
	switch {
	case args[0] == "add" && (len(args) == 2 || len(args) == 3):
		qty := 1
		if len(args) == 3 {
			n, err := strconv.Atoi(args[2])
			if err != nil || n < 1 {
				return fmt.Errorf("quantity %q: want a positive number", args[2])
			}
			qty = n
		}
		return l.Add(ctx, args[1], qty)
	case args[0] == "remove" && len(args) == 2:
		return l.Remove(ctx, args[1])
	case args[0] == "show" && len(args) == 1:
		entries, err := l.Items(ctx)
		if err != nil {
			return err
		}
		for _, e := range entries {
			fmt.Fprintf(out, "%d × %s\n", e.Qty, e.Name)
		}
		return nil
	}
	return fmt.Errorf("unknown command %q", args)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
