package config

import (
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// fullFile is a Garage-style configuration using every supported option.
const fullFile = `# A node of a three-zone cluster, Garage style.
metadata_dir = "/var/lib/garage/meta"
metadata_snapshots_dir = "/backup/garage-snapshots"
db_engine = "btree-wal"
replication_factor = 3
consistency_mode = "degraded"
metadata_fsync = true
data_fsync = true
block_size = "10M"
compression_level = 3
rpc_bind_addr = "[::]:3901"
rpc_public_addr = "192.0.2.10:3901"
rpc_secret = "` + testSecret + `"
rpc_timeout_msec = 5000
tombstone_delay_secs = 3600
allow_world_readable_secrets = false
bootstrap_peers = [
  "563e1ac825ee3323aa441e72c26d1030d6d4414aeb3dd25287c531e7fc2bc95d@[fc00:1::1]:3901",
  "86f0f26ae4afbd59aaf9cfb059eefac844951efd5b8caeec0d53f4ed6c85f332@garage2.example:3901",
]

[[data_dir]]
path = "/mnt/hdd1"
capacity = "2T"

[[data_dir]]
path = "/mnt/hdd2"
capacity = "1.5TiB"

[[data_dir]]
path = "/mnt/old"
read_only = true

[s3_api]
api_bind_addr = "[::]:3900"
s3_region = "eu-west-garage"
root_domain = ".s3.garage.localhost"

[s3_web]
bind_addr = "[::]:3902"
root_domain = ".web.garage.localhost"
index = "home.html"
add_host_to_metrics = true

[k2v_api]
api_bind_addr = "[::]:3904"

[admin]
api_bind_addr = "127.0.0.1:3903"
admin_token = "admin-token-value"
metrics_token = "metrics-token-value"
metrics_require_token = true
trace_sink = "http://localhost:4317"

[log]
level = "debug"
`

func TestParseFullGarageFile(t *testing.T) {
	got := mustParse(t, fullFile)

	three := 3
	peer := func(s string) Peer {
		p, err := ParsePeer(s)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	want := &Config{
		MetadataDir: "/var/lib/garage/meta",
		DataDirs: []DataDir{
			{Path: "/mnt/hdd1", Capacity: 2_000_000_000_000},
			{Path: "/mnt/hdd2", Capacity: 3 << 39},
			{Path: "/mnt/old", ReadOnly: true},
		},
		MetadataSnapshotsDir: "/backup/garage-snapshots",
		ReplicationFactor:    3,
		ConsistencyMode:      Degraded,
		MetadataFsync:        true,
		DataFsync:            true,
		BlockSize:            10_000_000,
		CompressionLevel:     &three,
		RPCBindAddr:          "[::]:3901",
		RPCPublicAddr:        "192.0.2.10:3901",
		RPCSecret:            testSecretBytes,
		BootstrapPeers: []Peer{
			peer("563e1ac825ee3323aa441e72c26d1030d6d4414aeb3dd25287c531e7fc2bc95d@[fc00:1::1]:3901"),
			peer("86f0f26ae4afbd59aaf9cfb059eefac844951efd5b8caeec0d53f4ed6c85f332@garage2.example:3901"),
		},
		RPCTimeout:     5 * time.Second,
		TombstoneDelay: time.Hour,
		S3API:          &S3API{APIBindAddr: "[::]:3900", S3Region: "eu-west-garage", RootDomain: ".s3.garage.localhost"},
		S3Web: &S3Web{BindAddr: "[::]:3902", RootDomain: ".web.garage.localhost", Index: "home.html",
			AddHostToMetrics: true},
		K2VAPI: &K2VAPI{APIBindAddr: "[::]:3904"},
		Admin: &Admin{APIBindAddr: "127.0.0.1:3903", AdminToken: "admin-token-value",
			MetricsToken: "metrics-token-value", MetricsRequireToken: true, TraceSink: "http://localhost:4317"},
		Log:      Log{Level: "debug"},
		DBEngine: DBEngineBTreeWAL,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parsed config differs\n got: %+v\nwant: %+v", got, want)
	}
}

func TestParseDefaults(t *testing.T) {
	c := mustParse(t, minimalFile)

	if c.MetadataDir != "/var/lib/garage/meta" {
		t.Errorf("MetadataDir = %q", c.MetadataDir)
	}
	if want := []DataDir{{Path: "/var/lib/garage/data"}}; !reflect.DeepEqual(c.DataDirs, want) {
		t.Errorf("DataDirs = %+v, want %+v", c.DataDirs, want)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"MetadataSnapshotsDir", c.MetadataSnapshotsDir, "/var/lib/garage/meta/snapshots"},
		{"ReplicationFactor", c.ReplicationFactor, 3},
		{"ConsistencyMode", c.ConsistencyMode, "consistent"},
		{"MetadataFsync", c.MetadataFsync, false},
		{"DataFsync", c.DataFsync, false},
		{"BlockSize", c.BlockSize, int64(1 << 20)},
		{"RPCBindAddr", c.RPCBindAddr, "[::]:3901"},
		{"RPCPublicAddr", c.RPCPublicAddr, ""},
		{"RPCSecret", c.RPCSecret, testSecretBytes},
		{"BootstrapPeers", len(c.BootstrapPeers), 0},
		{"RPCTimeout", c.RPCTimeout, 30 * time.Second},
		{"S3API", c.S3API == nil, true},
		{"S3Web", c.S3Web == nil, true},
		{"K2VAPI", c.K2VAPI == nil, true},
		{"Admin", c.Admin == nil, true},
		{"Log", c.Log, Log{}},
		{"AllowWorldReadableSecrets", c.AllowWorldReadableSecrets, false},
		{"DBEngine", c.DBEngine, "btree-wal"},
	}
	for _, check := range checks {
		if !reflect.DeepEqual(check.got, check.want) {
			t.Errorf("%s = %v, want %v", check.name, check.got, check.want)
		}
	}
	if c.CompressionLevel == nil || *c.CompressionLevel != 1 {
		t.Errorf("CompressionLevel = %v, want 1", c.CompressionLevel)
	}
}

func TestParseSectionDefaults(t *testing.T) {
	c := mustParse(t, minimalFile+`
[s3_api]
[s3_web]
root_domain = ".web.example"
[k2v_api]
[admin]
[log]
`)
	if want := (&S3API{APIBindAddr: "[::]:3900", S3Region: "garage"}); !reflect.DeepEqual(c.S3API, want) {
		t.Errorf("S3API = %+v, want %+v", c.S3API, want)
	}
	if want := (&S3Web{BindAddr: "[::]:3902", RootDomain: ".web.example", Index: "index.html"}); !reflect.DeepEqual(c.S3Web, want) {
		t.Errorf("S3Web = %+v, want %+v", c.S3Web, want)
	}
	if want := (&K2VAPI{APIBindAddr: "[::]:3904"}); !reflect.DeepEqual(c.K2VAPI, want) {
		t.Errorf("K2VAPI = %+v, want %+v", c.K2VAPI, want)
	}
	if want := (&Admin{APIBindAddr: "[::]:3903"}); !reflect.DeepEqual(c.Admin, want) {
		t.Errorf("Admin = %+v, want %+v", c.Admin, want)
	}
	if c.Log.Level != "" {
		t.Errorf("Log.Level = %q, want empty", c.Log.Level)
	}
}

func TestParseClientTimeoutsAndOutgoingBind(t *testing.T) {
	c := mustParse(t, minimalFile+`rpc_bind_outgoing = true
[s3_api]
header_timeout_secs = 5
body_timeout_secs = 7
request_timeout_secs = 60
idle_timeout_secs = 90
trusted_proxies = ["127.0.0.1", "10.1.0.0/16", "::1"]
`)
	want := &S3API{APIBindAddr: "[::]:3900", S3Region: "garage", HeaderTimeout: 5 * time.Second, BodyTimeout: 7 * time.Second,
		RequestTimeout: time.Minute, IdleTimeout: 90 * time.Second,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.1.0.0/16"), netip.MustParsePrefix("::1/128")}}
	if !reflect.DeepEqual(c.S3API, want) {
		t.Errorf("S3API = %+v, want %+v", c.S3API, want)
	}
	if !c.RPCBindOutgoing {
		t.Error("rpc_bind_outgoing not read")
	}
	for _, bad := range []string{"body_timeout_secs = 0", "body_timeout_secs = -3", `idle_timeout_secs = "2m"`} {
		if _, err := Parse([]byte(minimalFile+"[s3_api]\n"+bad+"\n"), "garage.toml"); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestParseOptionVariants(t *testing.T) {
	t.Run("compression none", func(t *testing.T) {
		c := mustParse(t, minimalFile+`compression_level = "none"`)
		if c.CompressionLevel != nil {
			t.Errorf("CompressionLevel = %d, want nil", *c.CompressionLevel)
		}
	})
	t.Run("negative compression", func(t *testing.T) {
		c := mustParse(t, minimalFile+`compression_level = -99`)
		if c.CompressionLevel == nil || *c.CompressionLevel != -99 {
			t.Errorf("CompressionLevel = %v, want -99", c.CompressionLevel)
		}
	})
	t.Run("dotted keys and inline tables", func(t *testing.T) {
		c := mustParse(t, minimalFile+`s3_api.s3_region = "r1"
admin = { api_bind_addr = "[::1]:9000" }
`)
		if c.S3API == nil || c.S3API.S3Region != "r1" || c.Admin == nil || c.Admin.APIBindAddr != "[::1]:9000" {
			t.Errorf("S3API = %+v, Admin = %+v", c.S3API, c.Admin)
		}
	})
	t.Run("data_dir inline array", func(t *testing.T) {
		c := mustParse(t, `metadata_dir = "/m"
replication_factor = 1
rpc_secret = "`+testSecret+`"
data_dir = [
  { path = "/d1", capacity = 1000000 },
  { path = "/d2", capacity = "1G", read_only = false },
]
`)
		want := []DataDir{{Path: "/d1", Capacity: 1e6}, {Path: "/d2", Capacity: 1e9}}
		if !reflect.DeepEqual(c.DataDirs, want) {
			t.Errorf("DataDirs = %+v, want %+v", c.DataDirs, want)
		}
	})
	t.Run("log level", func(t *testing.T) {
		c := mustParse(t, minimalFile+"[log]\nlevel = \"warn\"\n")
		if c.Log.Level != "warn" {
			t.Errorf("Log.Level = %q, want warn", c.Log.Level)
		}
	})
}

func TestDefault(t *testing.T) {
	c := Default("/srv/garage")
	level := 1
	want := &Config{
		MetadataDir:          "/srv/garage/meta",
		DataDirs:             []DataDir{{Path: "/srv/garage/data"}},
		MetadataSnapshotsDir: "/srv/garage/meta/snapshots",
		ReplicationFactor:    1,
		ConsistencyMode:      Consistent,
		BlockSize:            1 << 20,
		CompressionLevel:     &level,
		RPCBindAddr:          "127.0.0.1:3901",
		RPCTimeout:           30 * time.Second,
		TombstoneDelay:       24 * time.Hour,
		S3API:                &S3API{APIBindAddr: "127.0.0.1:3900", S3Region: "garage"},
		Admin:                &Admin{APIBindAddr: "127.0.0.1:3903"},
		DBEngine:             DBEngineBTreeWAL,
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Default = %+v\nwant %+v", c, want)
	}
	if c.RPCSecret != ([32]byte{}) {
		t.Error("Default must leave the RPC secret for the caller to generate")
	}
}

func TestLoad(t *testing.T) {
	// Load reads the real environment; empty values count as unset.
	for _, name := range []string{EnvRPCSecret, EnvRPCSecret + "_FILE", EnvAdminToken, EnvAdminToken + "_FILE",
		EnvMetricsToken, EnvMetricsToken + "_FILE", EnvAllowWorldReadableSecrets} {
		t.Setenv(name, "")
	}
	path := filepath.Join(t.TempDir(), "garage.toml")
	if err := os.WriteFile(path, []byte(minimalFile+"replication_mode = \"3\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	wantContains(t, errString(err), path+`:5:1: unknown option "replication_mode"`)

	if err := os.WriteFile(path, []byte(minimalFile), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil || c.ReplicationFactor != 3 {
		t.Fatalf("Load = %+v, %v", c, err)
	}

	_, err = Load(filepath.Join(t.TempDir(), "missing.toml"))
	wantContains(t, errString(err), "read config:", "missing.toml")
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
