package main

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// --older-than takes Garage's durations: units summed, a bare number is
// seconds; anything else is refused.
func TestParseAge(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"1d": 24 * time.Hour, "3600": time.Hour, "0": 0, "90s": 90 * time.Second, "1d12h": 36 * time.Hour,
		"2 days 3h": 51 * time.Hour, "30m": 30 * time.Minute, "1w": 7 * 24 * time.Hour, "5 Minutes": 5 * time.Minute,
	} {
		if got, err := parseAge(in); err != nil || got != want {
			t.Errorf("parseAge(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "1x", "1.5h", "-1h", "1h-", "99999999999d"} {
		if got, err := parseAge(in); err == nil {
			t.Errorf("parseAge(%q) = %v, want an error", in, got)
		}
	}
}

// `garage bucket cleanup-incomplete-uploads` as Garage's: one line per
// bucket, its id's first 16 digits; a bad duration or bucket is an error.
func TestBucketCleanupCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test with real processes")
	}
	nodes := startCluster(t, 1)
	n := nodes[0]
	assignZones(nodes)
	n.mustCLI("layout", "apply", "--version", "1")
	n.mustCLI("bucket", "create", "first")
	n.mustCLI("bucket", "create", "second")
	out := n.mustCLI("bucket", "cleanup-incomplete-uploads", "--older-than", "2h", "first", "second")
	if !regexp.MustCompile(`^[0-9a-f]{16}: no uploads deleted\n[0-9a-f]{16}: no uploads deleted\n$`).MatchString(out) {
		t.Fatalf("cleanup:\n%s", out)
	}
	if out, err := n.cli("bucket", "cleanup-incomplete-uploads", "--older-than", "3 fortnights", "first"); err == nil || !strings.Contains(out, "unknown unit") {
		t.Fatalf("a bad duration: %v\n%s", err, out)
	}
	if out, err := n.cli("bucket", "cleanup-incomplete-uploads", "nosuchbucket"); err == nil || !strings.Contains(out, "nosuchbucket") {
		t.Fatalf("an unknown bucket: %v\n%s", err, out)
	}
}
