package main

import (
	"bytes"
	"strings"
	"testing"
)

// `garage block purge` refuses without --yes, before reaching any node
// (Globals name none here).
func TestBlockPurgeNeedsYes(t *testing.T) {
	var out bytes.Buffer
	c := BlockPurgeCmd{Blocks: []string{strings.Repeat("ab", 32)}}
	if err := c.Run(&Globals{}, &out); err == nil || !strings.Contains(err.Error(), "--yes") || out.Len() != 0 {
		t.Fatalf("purge without --yes: %v, printed %q", err, out.String())
	}
}

// `garage block purge --yes` through a real node: Garage's line for a
// block nothing references, and a malformed hash refused by the node.
func TestBlockPurgeCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test with real processes")
	}
	nodes := startCluster(t, 1)
	n := nodes[0]
	assignZones(nodes)
	n.mustCLI("layout", "apply", "--version", "1")
	if out, err := n.cli("block", "purge", strings.Repeat("ab", 32)); err == nil || !strings.Contains(out, "--yes") {
		t.Fatalf("purge without --yes: %v\n%s", err, out)
	}
	out := n.mustCLI("block", "purge", "--yes", strings.Repeat("ab", 32), strings.Repeat("cd", 32))
	if out != "Purged 2 blocks: deleted 0 block refs, 0 versions, 0 objects, 0 multipart uploads\n" {
		t.Fatalf("purge of unreferenced blocks:\n%s", out)
	}
	if out, err := n.cli("block", "purge", "--yes", "abcd"); err == nil || !strings.Contains(out, "64 hex digits") {
		t.Fatalf("a malformed hash: %v\n%s", err, out)
	}
}
