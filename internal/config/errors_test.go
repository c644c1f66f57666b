package config

import (
	"strings"
	"testing"
)

// Each case's file starts with minimalFile (four lines) unless it replaces
// it, so that line numbers in wanted errors are easy to count.
func TestParseErrors(t *testing.T) {
	cases := []struct {
		name string
		doc  string
		want string // the whole error message
	}{
		{
			name: "unknown top-level option with hint",
			doc:  minimalFile + "\n# legacy\nreplication_mode = \"3\"\n",
			want: `garage.toml:7:1: unknown option "replication_mode": Garage 1.0 replaced it with replication_factor and consistency_mode`,
		},
		{
			name: "unknown option in a section",
			doc:  minimalFile + "[s3_api]\ns3_region = \"garage\"\n  api_bind_adr = \"[::]:3900\"\n",
			want: `garage.toml:7:3: unknown option "s3_api.api_bind_adr"; did you mean "s3_api.api_bind_addr"?`,
		},
		{
			name: "unknown option in a data_dir table",
			doc: strings.Replace(minimalFile, `data_dir = "/var/lib/garage/data"`+"\n", "", 1) +
				"[[data_dir]]\npath = \"/d\"\ncapacity = \"1T\"\nweight = 2\n",
			want: `garage.toml:7:1: unknown option "data_dir[0].weight"`,
		},
		{
			name: "unknown section",
			doc:  minimalFile + "[consul_discovery]\napi = \"catalog\"\n",
			want: `garage.toml:5:2: unknown option "consul_discovery": a Garage option this implementation does not support; remove it`,
		},
		{
			name: "lmdb-only option",
			doc:  minimalFile + "lmdb_map_size = \"1T\"\n",
			want: `garage.toml:5:1: unknown option "lmdb_map_size": this implementation stores metadata in its own write-ahead log and B-tree`,
		},
		{
			name: "wrong type",
			doc:  strings.Replace(minimalFile, "replication_factor = 3", `replication_factor = "3"`, 1),
			want: `garage.toml:3:1: replication_factor: expected an integer, got a string`,
		},
		{
			name: "wrong type in a section",
			doc:  minimalFile + "[s3_web]\nroot_domain = \".web\"\nadd_host_to_metrics = \"yes\"\n",
			want: `garage.toml:7:1: s3_web.add_host_to_metrics: expected true or false, got a string`,
		},
		{
			name: "trusted proxy not an address",
			doc:  minimalFile + "[s3_api]\ntrusted_proxies = [\"10.0.0.0/8\", \"proxy.example\"]\n",
			want: `garage.toml:6:34: s3_api.trusted_proxies[1]: "proxy.example" is not an IP address or CIDR range`,
		},
		{
			name: "section given as a value",
			doc:  minimalFile + "s3_api = \"[::]:3900\"\n",
			want: `garage.toml:5:1: s3_api: expected a [s3_api] table, got a string`,
		},
		{
			name: "replication factor too high",
			doc:  strings.Replace(minimalFile, "replication_factor = 3", "replication_factor = 8", 1),
			want: `garage.toml:3:1: replication_factor: must be between 1 and 7, got 8`,
		},
		{
			name: "replication factor zero",
			doc:  strings.Replace(minimalFile, "replication_factor = 3", "replication_factor = 0", 1),
			want: `garage.toml:3:1: replication_factor: must be between 1 and 7, got 0`,
		},
		{
			name: "unknown consistency mode",
			doc:  minimalFile + "consistency_mode = \"eventual\"\n",
			want: `garage.toml:5:1: consistency_mode: must be one of consistent, degraded, dangerous, got "eventual"`,
		},
		{
			name: "secret too short",
			doc:  strings.Replace(minimalFile, testSecret, testSecret[1:], 1),
			want: "garage.toml:4:1: rpc_secret: must be 64 hex digits, got 63 characters (generate one with `openssl rand -hex 32`)",
		},
		{
			name: "secret not hex",
			doc:  strings.Replace(minimalFile, testSecret, "zz"+testSecret[2:], 1),
			want: "garage.toml:4:1: rpc_secret: must be 64 hex digits: contains a non-hex character (generate one with `openssl rand -hex 32`)",
		},
		{
			name: "secret missing",
			doc:  strings.Replace(minimalFile, `rpc_secret = "`+testSecret+`"`, "", 1),
			want: "garage.toml: rpc_secret: required option is missing: set rpc_secret, rpc_secret_file or GARAGE_RPC_SECRET (generate a secret with `openssl rand -hex 32`)",
		},
		{
			name: "secret inline and from a file",
			doc:  minimalFile + "rpc_secret_file = \"/etc/garage/rpc_secret\"\n",
			want: `garage.toml:5:1: rpc_secret_file: set either rpc_secret or rpc_secret_file, not both`,
		},
		{
			name: "bad peer on the second line of an array",
			doc: minimalFile + "bootstrap_peers = [\n" +
				"  \"563e1ac825ee3323aa441e72c26d1030d6d4414aeb3dd25287c531e7fc2bc95d@10.0.0.1:3901\",\n" +
				"  \"563e1ac825ee3323aa441e72c26d1030d6d4414aeb3dd25287c531e7fc2bc95d\",\n]\n",
			want: `garage.toml:7:3: bootstrap_peers[1]: invalid peer "563e1ac825ee3323aa441e72c26d1030d6d4414aeb3dd25287c531e7fc2bc95d": expected <node id>@<host:port>`,
		},
		{
			name: "peer without a port",
			doc:  minimalFile + "bootstrap_peers = [\"563e1ac825ee3323aa441e72c26d1030d6d4414aeb3dd25287c531e7fc2bc95d@10.0.0.1\"]\n",
			want: `garage.toml:5:20: bootstrap_peers[0]: invalid peer "563e1ac825ee3323aa441e72c26d1030d6d4414aeb3dd25287c531e7fc2bc95d@10.0.0.1": address "10.0.0.1" is not host:port`,
		},
		{
			name: "zero timeout",
			doc:  minimalFile + "rpc_timeout_msec = 0\n",
			want: `garage.toml:5:1: rpc_timeout_msec: must be a positive number of milliseconds, got 0`,
		},
		{
			name: "tombstone delay shorter than a minute",
			doc:  minimalFile + "tombstone_delay_secs = 10\n",
			want: `garage.toml:5:1: tombstone_delay_secs: must be at least 60 seconds (a minute, and twice rpc_timeout_msec), got 10`,
		},
		{
			name: "tombstone delay shorter than two RPC timeouts",
			doc:  minimalFile + "rpc_timeout_msec = 120000\ntombstone_delay_secs = 200\n",
			want: `garage.toml:6:1: tombstone_delay_secs: must be at least 240 seconds (a minute, and twice rpc_timeout_msec), got 200`,
		},
		{
			name: "timeout as a duration string",
			doc:  minimalFile + "rpc_timeout_msec = \"30s\"\n",
			want: `garage.toml:5:1: rpc_timeout_msec: expected an integer, got a string`,
		},
		{
			name: "bind address without a port",
			doc:  minimalFile + "rpc_bind_addr = \"0.0.0.0\"\n",
			want: `garage.toml:5:1: rpc_bind_addr: address "0.0.0.0" is not host:port`,
		},
		{
			name: "api bind address with a bad port",
			doc:  minimalFile + "[admin]\napi_bind_addr = \"[::]:99999\"\n",
			want: `garage.toml:6:1: admin.api_bind_addr: address "[::]:99999" has an invalid port (expected 0 to 65535)`,
		},
		{
			name: "public address without a host",
			doc:  minimalFile + "rpc_public_addr = \":3901\"\n",
			want: `garage.toml:5:1: rpc_public_addr: address ":3901" has no host`,
		},
		{
			name: "same data directory twice",
			doc: strings.Replace(minimalFile, `data_dir = "/var/lib/garage/data"`+"\n", "", 1) +
				"[[data_dir]]\npath = \"/d\"\ncapacity = \"1T\"\n[[data_dir]]\npath = \"/d/\"\ncapacity = \"1T\"\n",
			want: `garage.toml:8:1: data_dir[1].path: directory "/d/" is already listed as data_dir[0]`,
		},
		{
			name: "capacity missing",
			doc: strings.Replace(minimalFile, `data_dir = "/var/lib/garage/data"`,
				`data_dir = [{ path = "/d1", capacity = "1T" }, { path = "/d2" }]`, 1),
			want: `garage.toml:2:48: data_dir[1].capacity: required unless read_only = true`,
		},
		{
			name: "capacity malformed",
			doc: strings.Replace(minimalFile, `data_dir = "/var/lib/garage/data"`,
				`data_dir = [{ path = "/d1", capacity = "12X" }]`, 1),
			want: `garage.toml:2:29: data_dir[0].capacity: invalid size "12X": unknown unit`,
		},
		{
			name: "capacity negative",
			doc: strings.Replace(minimalFile, `data_dir = "/var/lib/garage/data"`,
				`data_dir = [{ path = "/d1", capacity = -5 }]`, 1),
			want: `garage.toml:2:29: data_dir[0].capacity: a size cannot be negative`,
		},
		{
			name: "all data directories read-only",
			doc: strings.Replace(minimalFile, `data_dir = "/var/lib/garage/data"`,
				`data_dir = [{ path = "/d1", read_only = true }]`, 1),
			want: `garage.toml:2:1: data_dir: every directory is read_only; at least one must accept new blocks`,
		},
		{
			name: "data_dir of the wrong type",
			doc:  strings.Replace(minimalFile, `data_dir = "/var/lib/garage/data"`, `data_dir = 5`, 1),
			want: `garage.toml:2:1: data_dir: expected a path or an array of tables {path, capacity, read_only}, got an integer`,
		},
		{
			name: "block size too small",
			doc:  minimalFile + "block_size = 512\n",
			want: `garage.toml:5:1: block_size: must be between 1KiB and 1GiB, got 512 bytes`,
		},
		{
			name: "block size too large",
			doc:  minimalFile + "block_size = \"2GiB\"\n",
			want: `garage.toml:5:1: block_size: must be between 1KiB and 1GiB, got 2147483648 bytes`,
		},
		{
			name: "block size as a float",
			doc:  minimalFile + "block_size = 1.5\n",
			want: `garage.toml:5:1: block_size: expected a size such as "500G" or an integer number of bytes, got a float`,
		},
		{
			name: "compression level out of range",
			doc:  minimalFile + "compression_level = 23\n",
			want: `garage.toml:5:1: compression_level: expected an integer from -99 to 22 or "none", got 23`,
		},
		{
			name: "compression level word",
			doc:  minimalFile + "compression_level = \"fast\"\n",
			want: `garage.toml:5:1: compression_level: expected an integer from -99 to 22 or "none", got "fast"`,
		},
		{
			name: "lmdb engine",
			doc:  minimalFile + "db_engine = \"lmdb\"\n",
			want: `garage.toml:5:1: db_engine: "lmdb" is not available: this implementation stores metadata in its own write-ahead log and B-tree`,
		},
		{
			name: "sqlite engine",
			doc:  minimalFile + "db_engine = \"sqlite\"\n",
			want: `garage.toml:5:1: db_engine: "sqlite" is not available`,
		},
		{
			name: "metadata_dir missing",
			doc:  strings.Replace(minimalFile, `metadata_dir = "/var/lib/garage/meta"`, "", 1),
			want: `garage.toml: metadata_dir: required option is missing`,
		},
		{
			name: "data_dir missing",
			doc:  strings.Replace(minimalFile, `data_dir = "/var/lib/garage/data"`, "", 1),
			want: `garage.toml: data_dir: required option is missing`,
		},
		{
			name: "replication_factor missing",
			doc:  strings.Replace(minimalFile, `replication_factor = 3`, "", 1),
			want: `garage.toml: replication_factor: required option is missing`,
		},
		{
			name: "s3_web without root_domain",
			doc:  minimalFile + "[s3_web]\n",
			want: `garage.toml: s3_web.root_domain: required option is missing`,
		},
		{
			name: "empty string",
			doc:  strings.Replace(minimalFile, `metadata_dir = "/var/lib/garage/meta"`, `metadata_dir = ""`, 1),
			want: `garage.toml:1:1: metadata_dir: must not be empty; leave the option out instead`,
		},
		{
			name: "unknown log level",
			doc:  minimalFile + "[log]\nlevel = \"verbose\"\n",
			want: `garage.toml:6:1: log.level: unknown log level "verbose" (valid levels: debug, info, warn, error)`,
		},
		{
			name: "syntax error",
			doc:  minimalFile + "block_size = \n",
			want: `garage.toml:5:14: unexpected character`,
		},
		{
			name: "duplicate key",
			doc:  minimalFile + "replication_factor = 1\n",
			want: `garage.toml:5:1: replication_factor: key replication_factor is already defined`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := parseErr(t, nil, tc.doc)
			if !strings.HasPrefix(got, tc.want) {
				t.Errorf("error:\n  %s\nwant it to start with:\n  %s", got, tc.want)
			}
			if strings.Contains(got, "\n") {
				t.Errorf("want a single error, got:\n%s", got)
			}
		})
	}
}

func TestParseReportsEveryProblemInFileOrder(t *testing.T) {
	doc := `metadata_dir = "/m"
data_dir = "/d"
replication_factor = 9
rpc_secret = "` + testSecret + `"
[admin]
api_bind_addr = "nowhere"
bogus = true
`
	_, err := parseEnv(nil, doc)
	errs := configErrors(err)
	var got []string
	for _, e := range errs {
		got = append(got, e.Option)
	}
	want := []string{"replication_factor", "admin.api_bind_addr", "admin.bogus"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("options in error = %v, want %v\n%v", got, want, err)
	}
	if errs[0].Line != 3 || errs[1].Line != 6 || errs[2].Line != 7 {
		t.Errorf("lines = %d, %d, %d, want 3, 6, 7", errs[0].Line, errs[1].Line, errs[2].Line)
	}
}

func TestParseErrorsDoNotRevealSecrets(t *testing.T) {
	secret := strings.Repeat("s", 64) // 64 characters, not hex
	doc := strings.Replace(minimalFile, testSecret, secret, 1) + "[admin]\nadmin_token = 42\n"
	got := parseErr(t, nil, doc)
	if strings.Contains(got, secret) || strings.Contains(got, "42") {
		t.Errorf("error reveals a secret value: %s", got)
	}
}
