package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMetaSnapshot: `garage meta snapshot` writes a copy on the node
// reached; --all on every node, each line naming its node.
func TestMetaSnapshot(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and starts two nodes")
	}
	nodes := startCluster(t, 2)
	defer func() {
		for _, n := range nodes {
			n.stop()
		}
	}()
	count := func(n *testNode) int {
		entries, _ := os.ReadDir(filepath.Join(n.dir, "meta", "snapshots"))
		return len(entries)
	}
	out := nodes[0].mustCLI("meta", "snapshot")
	if !strings.Contains(out, "snapshot written to "+filepath.Join(nodes[0].dir, "meta", "snapshots")) || count(nodes[0]) != 1 || count(nodes[1]) != 0 {
		t.Fatalf("meta snapshot: %q; snapshots %d, %d", out, count(nodes[0]), count(nodes[1]))
	}
	out = nodes[0].mustCLI("meta", "snapshot", "--all")
	if strings.Count(out, "snapshot written") != 2 || !strings.Contains(out, nodes[1].id()[:16]) || count(nodes[0]) != 2 || count(nodes[1]) != 1 {
		t.Fatalf("meta snapshot --all: %q; snapshots %d, %d", out, count(nodes[0]), count(nodes[1]))
	}
}
