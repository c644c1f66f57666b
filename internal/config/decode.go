package config

import (
	"fmt"
	"math"
	"path/filepath"
	"time"
)

// decodeRoot fills c from the top-level table of the file. Options are read
// in dependency order, not file order: errors are sorted by line anyway.
func decodeRoot(s *section, c *Config) {
	s.boolean("allow_world_readable_secrets", &c.AllowWorldReadableSecrets)
	c.AllowWorldReadableSecrets = s.d.settleWorldReadable(c.AllowWorldReadableSecrets)

	s.require("metadata_dir")
	s.str("metadata_dir", &c.MetadataDir)
	c.DataDirs = decodeDataDirs(s)
	if !s.str("metadata_snapshots_dir", &c.MetadataSnapshotsDir) && c.MetadataDir != "" {
		c.MetadataSnapshotsDir = filepath.Join(c.MetadataDir, "snapshots")
	}
	decodeDBEngine(s, c)

	decodeReplication(s, c)
	s.boolean("metadata_fsync", &c.MetadataFsync)
	s.boolean("data_fsync", &c.DataFsync)
	decodeBlockSize(s, c)
	decodeCompression(s, c)

	decodeRPC(s, c)

	if t := s.table("s3_api"); t != nil {
		c.S3API = decodeS3API(t)
	}
	if t := s.table("s3_web"); t != nil {
		c.S3Web = decodeS3Web(t)
	}
	if t := s.table("k2v_api"); t != nil {
		c.K2VAPI = decodeK2VAPI(t)
	}
	if t := s.table("admin"); t != nil {
		c.Admin = decodeAdmin(t)
	}
	if t := s.table("log"); t != nil {
		c.Log = decodeLog(t)
	}
	s.finish()
}

func decodeDBEngine(s *section, c *Config) {
	var engine string
	if !s.str("db_engine", &engine) {
		return
	}
	switch engine {
	case DBEngineBTreeWAL:
	case "lmdb", "sqlite":
		s.fail("db_engine", "%q is not available: this implementation stores metadata in its own write-ahead log and B-tree; "+
			"set db_engine = %q or remove the option (an existing Garage metadata directory cannot be reused)", engine, DBEngineBTreeWAL)
	default:
		s.fail("db_engine", "unknown engine %q; the only engine is %q", engine, DBEngineBTreeWAL)
	}
}

func decodeReplication(s *section, c *Config) {
	s.require("replication_factor")
	if rf, ok := s.integer("replication_factor"); ok {
		if rf < MinReplicationFactor || rf > MaxReplicationFactor {
			s.fail("replication_factor", "must be between %d and %d, got %d", MinReplicationFactor, MaxReplicationFactor, rf)
		} else {
			c.ReplicationFactor = int(rf)
		}
	}
	s.oneOf("consistency_mode", &c.ConsistencyMode, Consistent, Degraded, Dangerous)
}

func decodeBlockSize(s *section, c *Config) {
	size, ok := s.size("block_size")
	if !ok {
		return
	}
	if size < MinBlockSize || size > MaxBlockSize {
		s.fail("block_size", "must be between 1KiB and 1GiB, got %d bytes", size)
		return
	}
	c.BlockSize = int64(size)
}

// decodeCompression reads compression_level: a zstd level or "none".
func decodeCompression(s *section, c *Config) {
	v, ok := s.take("compression_level")
	if !ok {
		return
	}
	switch v := v.(type) {
	case string:
		if v == "none" {
			c.CompressionLevel = nil
			return
		}
	case int64:
		if v >= MinCompressionLevel && v <= MaxCompressionLevel {
			level := int(v)
			c.CompressionLevel = &level
			return
		}
	}
	s.fail("compression_level", `expected an integer from %d to %d or "none", got %s`,
		MinCompressionLevel, MaxCompressionLevel, describeLevel(v))
}

func describeLevel(v any) string {
	switch v := v.(type) {
	case int64:
		return fmt.Sprint(v)
	case string:
		return fmt.Sprintf("%q", v)
	}
	return describeValue(v)
}

func decodeRPC(s *section, c *Config) {
	s.bindAddr("rpc_bind_addr", &c.RPCBindAddr)
	s.boolean("rpc_bind_outgoing", &c.RPCBindOutgoing)
	var public string
	if s.str("rpc_public_addr", &public) {
		if err := checkDialAddr(public); err != nil {
			s.fail("rpc_public_addr", "%v", err)
		} else {
			c.RPCPublicAddr = public
		}
	}

	secret, from, given := s.secret("rpc_secret", EnvRPCSecret)
	switch {
	case !given:
		s.d.problems.add(origin{option: "rpc_secret"},
			"required option is missing: set rpc_secret, rpc_secret_file or %s (generate a secret with `openssl rand -hex 32`)", EnvRPCSecret)
	case secret != "":
		if err := decodeKey(secret, &c.RPCSecret); err != nil {
			s.d.problems.add(from, "%v (generate one with `openssl rand -hex 32`)", err)
		}
	}

	decodePeers(s, c)

	if ms, ok := s.integer("rpc_timeout_msec"); ok {
		if ms <= 0 || ms > math.MaxInt64/int64(time.Millisecond) {
			s.fail("rpc_timeout_msec", "must be a positive number of milliseconds, got %d", ms)
		} else {
			c.RPCTimeout = time.Duration(ms) * time.Millisecond
		}
	}
	if secs, ok := s.integer("tombstone_delay_secs"); ok {
		least := max(MinTombstoneDelay, 2*c.RPCTimeout)
		if secs < int64(least/time.Second) || secs > math.MaxInt64/int64(time.Second) {
			s.fail("tombstone_delay_secs", "must be at least %d seconds (a minute, and twice rpc_timeout_msec), got %d", int64(least/time.Second), secs)
		} else {
			c.TombstoneDelay = time.Duration(secs) * time.Second
		}
	}
}

func decodePeers(s *section, c *Config) {
	v, ok := s.take("bootstrap_peers")
	if !ok {
		return
	}
	list, ok := v.([]any)
	if !ok {
		s.fail("bootstrap_peers", "expected an array of \"<node id>@<host:port>\" strings, got %s", describeValue(v))
		return
	}
	for i, elem := range list {
		at := s.d.origin(indexPath(joinPath(s.path, "bootstrap_peers"), i))
		text, ok := elem.(string)
		if !ok {
			s.d.problems.add(at, "expected a \"<node id>@<host:port>\" string, got %s", describeValue(elem))
			continue
		}
		peer, err := ParsePeer(text)
		if err != nil {
			s.d.problems.add(at, "%v", err)
			continue
		}
		c.BootstrapPeers = append(c.BootstrapPeers, peer)
	}
}
