package config

import (
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
)

func TestRedacted(t *testing.T) {
	c := mustParse(t, fullFile)
	out := c.Redacted()

	for _, secret := range []string{testSecret, "admin-token-value", "metrics-token-value"} {
		if strings.Contains(out, secret) {
			t.Errorf("Redacted reveals %q:\n%s", secret, out)
		}
	}
	wantContains(t, out,
		`rpc_secret = "<redacted>"`,
		`admin_token = "<redacted>"`,
		`metrics_token = "<redacted>"`,
		`replication_factor = 3`,
		`consistency_mode = "degraded"`,
		`block_size = 10000000`,
		`rpc_timeout_msec = 5000`,
		`{ path = "/mnt/hdd2", capacity = 1649267441664, read_only = false }`,
		"[s3_web]\nbind_addr = \"[::]:3902\"",
	)

	// The output is garage.toml syntax, so it can be pasted into a file.
	var doc map[string]any
	if err := toml.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("Redacted output is not TOML: %v\n%s", err, out)
	}
}

func TestRedactedShowsDefaults(t *testing.T) {
	out := mustParse(t, minimalFile).Redacted()
	wantContains(t, out,
		`data_dir = "/var/lib/garage/data"`,
		`metadata_snapshots_dir = "/var/lib/garage/meta/snapshots"`,
		`compression_level = 1`,
		`rpc_bind_addr = "[::]:3901"`,
		`db_engine = "btree-wal"`,
	)
	if strings.Contains(out, "[admin]") {
		t.Errorf("absent section shown:\n%s", out)
	}
}
