package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// redacted replaces secrets in Redacted's output.
const redacted = `"<redacted>"`

// Redacted renders the effective configuration, defaults included, in
// garage.toml syntax with every secret replaced by "<redacted>", for debug
// output and logs. Options that are unset and have no default are left out.
func (c *Config) Redacted() string {
	var w tomlWriter
	w.str("metadata_dir", c.MetadataDir)
	w.dataDirs(c.DataDirs)
	w.str("metadata_snapshots_dir", c.MetadataSnapshotsDir)
	w.str("db_engine", c.DBEngine)
	w.raw("replication_factor", strconv.Itoa(c.ReplicationFactor))
	w.str("consistency_mode", c.ConsistencyMode)
	w.raw("metadata_fsync", strconv.FormatBool(c.MetadataFsync))
	w.raw("data_fsync", strconv.FormatBool(c.DataFsync))
	w.raw("block_size", strconv.FormatInt(c.BlockSize, 10))
	if c.CompressionLevel == nil {
		w.raw("compression_level", `"none"`)
	} else {
		w.raw("compression_level", strconv.Itoa(*c.CompressionLevel))
	}
	w.str("rpc_bind_addr", c.RPCBindAddr)
	w.str("rpc_public_addr", c.RPCPublicAddr)
	if c.RPCSecret != ([32]byte{}) {
		w.raw("rpc_secret", redacted)
	}
	if len(c.BootstrapPeers) > 0 {
		peers := make([]string, len(c.BootstrapPeers))
		for i, p := range c.BootstrapPeers {
			peers[i] = strconv.Quote(p.String())
		}
		w.raw("bootstrap_peers", "["+strings.Join(peers, ", ")+"]")
	}
	w.raw("rpc_timeout_msec", strconv.FormatInt(int64(c.RPCTimeout/time.Millisecond), 10))
	w.raw("tombstone_delay_secs", strconv.FormatInt(int64(c.TombstoneDelay/time.Second), 10))
	w.raw("allow_world_readable_secrets", strconv.FormatBool(c.AllowWorldReadableSecrets))

	if api := c.S3API; api != nil {
		w.table("s3_api")
		w.str("api_bind_addr", api.APIBindAddr)
		w.str("s3_region", api.S3Region)
		w.str("root_domain", api.RootDomain)
		if api.SSEMasterKey != nil {
			w.raw("sse_master_key", redacted)
		}
		w.raw("allow_sse_c_over_http", strconv.FormatBool(api.AllowSSECOverHTTP))
		if len(api.TrustedProxies) > 0 {
			var list []string
			for _, p := range api.TrustedProxies {
				list = append(list, strconv.Quote(p.String()))
			}
			w.raw("trusted_proxies", "["+strings.Join(list, ", ")+"]")
		}
	}
	if web := c.S3Web; web != nil {
		w.table("s3_web")
		w.str("bind_addr", web.BindAddr)
		w.str("root_domain", web.RootDomain)
		w.str("index", web.Index)
		w.raw("add_host_to_metrics", strconv.FormatBool(web.AddHostToMetrics))
	}
	if api := c.K2VAPI; api != nil {
		w.table("k2v_api")
		w.str("api_bind_addr", api.APIBindAddr)
	}
	if admin := c.Admin; admin != nil {
		w.table("admin")
		w.str("api_bind_addr", admin.APIBindAddr)
		w.secret("admin_token", admin.AdminToken)
		w.secret("metrics_token", admin.MetricsToken)
		w.raw("metrics_require_token", strconv.FormatBool(admin.MetricsRequireToken))
		w.str("trace_sink", admin.TraceSink)
	}
	if c.Log.Level != "" {
		w.table("log")
		w.str("level", c.Log.Level)
	}
	return w.b.String()
}

// tomlWriter writes the few TOML forms Redacted needs.
type tomlWriter struct{ b strings.Builder }

func (w *tomlWriter) raw(key, value string) { fmt.Fprintf(&w.b, "%s = %s\n", key, value) }

// str writes a string option, leaving it out when empty.
func (w *tomlWriter) str(key, value string) {
	if value != "" {
		w.raw(key, strconv.Quote(value))
	}
}

// secret writes a placeholder for a secret that is set.
func (w *tomlWriter) secret(key, value string) {
	if value != "" {
		w.raw(key, redacted)
	}
}

func (w *tomlWriter) table(name string) { fmt.Fprintf(&w.b, "\n[%s]\n", name) }

func (w *tomlWriter) dataDirs(dirs []DataDir) {
	if len(dirs) == 0 {
		return
	}
	if len(dirs) == 1 && dirs[0].Capacity == 0 && !dirs[0].ReadOnly {
		w.str("data_dir", dirs[0].Path)
		return
	}
	w.b.WriteString("data_dir = [\n")
	for _, d := range dirs {
		fmt.Fprintf(&w.b, "  { path = %s, capacity = %d, read_only = %t },\n", strconv.Quote(d.Path), d.Capacity, d.ReadOnly)
	}
	w.b.WriteString("]\n")
}
