package main

import (
	"fmt"
	"io"
	"slices"

	"github.com/garagego/garage/node/runtime/adminrpc"
)

// MetaCmd groups metadata store commands.
type MetaCmd struct {
	Snapshot MetaSnapshotCmd `cmd:"" help:"Write a consistent copy of the metadata store under <metadata_dir>/snapshots/<timestamp>."`
}

// MetaSnapshotCmd snapshots the metadata of the node reached, or of all.
type MetaSnapshotCmd struct {
	All bool `help:"Snapshot every node's metadata, not only the node reached."`
}

func (c *MetaSnapshotCmd) Run(g *Globals, out io.Writer) error {
	spec := "self"
	if c.All {
		spec = "*"
	}
	op, err := adminrpc.NewOnNodes(spec, adminrpc.CreateMetadataSnapshot{})
	if err != nil {
		return err
	}
	return g.withAdmin(func(a *adminClient) error {
		var res adminrpc.MultiResult
		if err := a.call(op, &res); err != nil {
			return err
		}
		ok, bad := adminrpc.DecodeEach[adminrpc.SnapshotResult](res)
		return printPerNode(out, ok, bad, func(r adminrpc.SnapshotResult) string {
			return fmt.Sprintf("snapshot written to %s (%d entries)", r.Path, r.Entries)
		})
	})
}

// printPerNode prints one line per node, in id order, and fails if any
// node did.
func printPerNode[T any](out io.Writer, ok map[string]T, bad map[string]string, line func(T) string) error {
	var ids []string
	for id := range ok {
		ids = append(ids, id)
	}
	for id := range bad {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if r, found := ok[id]; found {
			fmt.Fprintf(out, "%s  %s\n", shortID(id), line(r))
			continue
		}
		fmt.Fprintf(out, "%s  error: %s\n", shortID(id), bad[id])
	}
	if len(bad) > 0 {
		return fmt.Errorf("%d of %d nodes failed", len(bad), len(ids))
	}
	return nil
}
