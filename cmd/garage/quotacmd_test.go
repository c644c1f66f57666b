package main

import (
	"strings"
	"testing"
)

// `garage bucket set-quotas` as Garage's: sizes with units, "none", a flag
// not given keeps its quota; `bucket info` shows usage against them.
func TestBucketSetQuotasCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test with real processes")
	}
	nodes := startCluster(t, 1)
	n := nodes[0]
	assignZones(nodes)
	n.mustCLI("layout", "apply", "--version", "1")
	n.mustCLI("bucket", "create", "quoted")

	if out, err := n.cli("bucket", "set-quotas", "quoted"); err == nil || !strings.Contains(out, "You must specify either --max-size or --max-objects (or both)") {
		t.Fatalf("no flags: %v\n%s", err, out)
	}
	if out, err := n.cli("bucket", "set-quotas", "quoted", "--max-size", "10XB"); err == nil || !strings.Contains(out, "Invalid size specified: 10XB") {
		t.Fatalf("a bad size: %v\n%s", err, out)
	}
	if out, err := n.cli("bucket", "set-quotas", "quoted", "--max-objects", "many"); err == nil || !strings.Contains(out, "Invalid number: many") {
		t.Fatalf("a bad number: %v\n%s", err, out)
	}
	out := n.mustCLI("bucket", "set-quotas", "quoted", "--max-size", "10GiB", "--max-objects", "500")
	if !strings.Contains(out, "maximum size 10.0 GiB (10.7 GB), maximum 500 objects") {
		t.Fatalf("set-quotas:\n%s", out)
	}
	info := n.mustCLI("bucket", "info", "quoted")
	for _, want := range []string{"Size:          0 B (0 B)", "Quotas:        enabled", "  max size:    10.0 GiB (10.7 GB) (0% used)", "  max objects: 500 (0% used)"} {
		if !strings.Contains(info, want) {
			t.Fatalf("bucket info lacks %q:\n%s", want, info)
		}
	}
	// --max-objects none removes that quota only; 500MB is decimal.
	n.mustCLI("bucket", "set-quotas", "quoted", "--max-objects", "none")
	n.mustCLI("bucket", "set-quotas", "quoted", "--max-size", "500MB")
	info = n.mustCLI("bucket", "info", "quoted")
	if !strings.Contains(info, "  max size:    476.8 MiB (500.0 MB)") || strings.Contains(info, "max objects") {
		t.Fatalf("after removing the object quota:\n%s", info)
	}
	n.mustCLI("bucket", "set-quotas", "quoted", "--max-size", "none")
	if info := n.mustCLI("bucket", "info", "quoted"); strings.Contains(info, "Quotas:") {
		t.Fatalf("quotas removed, info still shows them:\n%s", info)
	}
}
