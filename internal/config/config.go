package config

import (
	"net/netip"
	"path/filepath"
	"time"
)

// Consistency modes, the accepted values of consistency_mode.
const (
	Consistent = "consistent" // quorum reads and writes
	Degraded   = "degraded"   // reads from a single node, quorum writes
	Dangerous  = "dangerous"  // reads and writes acknowledged by a single node
)

// DBEngineBTreeWAL is the only metadata engine of this implementation.
const DBEngineBTreeWAL = "btree-wal"

// Defaults applied when the file leaves an option out.
const (
	DefaultRPCBindAddr      = "[::]:3901"
	DefaultS3APIBindAddr    = "[::]:3900"
	DefaultS3WebBindAddr    = "[::]:3902"
	DefaultAdminBindAddr    = "[::]:3903"
	DefaultK2VAPIBindAddr   = "[::]:3904"
	DefaultS3Region         = "garage"
	DefaultWebIndex         = "index.html"
	DefaultBlockSize        = 1 << 20
	DefaultCompressionLevel = 1
	DefaultRPCTimeout       = 30 * time.Second
	DefaultTombstoneDelay   = 24 * time.Hour
	// MinTombstoneDelay keeps a tombstone well past any write in flight
	// (see node/table/gc.go).
	MinTombstoneDelay = time.Minute
)

// Limits on numeric options.
const (
	MinReplicationFactor = 1
	MaxReplicationFactor = 7
	MinBlockSize         = 1 << 10
	MaxBlockSize         = 1 << 30
	MinCompressionLevel  = -99
	MaxCompressionLevel  = 22
)

// Config is a node's effective configuration: the file's options with
// defaults filled in and secrets resolved.
type Config struct {
	MetadataDir          string    // metadata_dir
	DataDirs             []DataDir // data_dir
	MetadataSnapshotsDir string    // metadata_snapshots_dir; defaults to <metadata_dir>/snapshots

	ReplicationFactor int    // replication_factor
	ConsistencyMode   string // consistency_mode: Consistent, Degraded or Dangerous

	MetadataFsync bool // metadata_fsync
	DataFsync     bool // data_fsync

	BlockSize        int64 // block_size, in bytes
	CompressionLevel *int  // compression_level; nil means blocks are stored uncompressed

	RPCBindAddr     string        // rpc_bind_addr
	RPCBindOutgoing bool          // rpc_bind_outgoing: dial peers from rpc_bind_addr's IP
	RPCPublicAddr   string        // rpc_public_addr; empty lets peers use the address they see
	RPCSecret       [32]byte      // rpc_secret or rpc_secret_file
	BootstrapPeers  []Peer        // bootstrap_peers
	RPCTimeout      time.Duration // rpc_timeout_msec
	// TombstoneDelay is how long a deletion's tombstone is kept before
	// its collection may start (tombstone_delay_secs).
	TombstoneDelay time.Duration

	S3API  *S3API  // [s3_api]; nil when the section is absent
	S3Web  *S3Web  // [s3_web]; nil when the section is absent
	K2VAPI *K2VAPI // [k2v_api]; nil when the section is absent
	Admin  *Admin  // [admin]; nil when the section is absent
	Log    Log     // [log]

	AllowWorldReadableSecrets bool   // allow_world_readable_secrets
	DBEngine                  string // db_engine; always DBEngineBTreeWAL
}

// DataDir is one directory blocks are stored in.
type DataDir struct {
	Path string
	// Capacity weighs how blocks are spread across several directories, in
	// bytes. Zero means unspecified, which is allowed only for a single
	// data_dir given as a plain path and for read-only directories.
	Capacity uint64
	// ReadOnly directories are only read from, e.g. while being drained.
	ReadOnly bool
}

// S3API is the [s3_api] section.
type S3API struct {
	APIBindAddr string // api_bind_addr
	S3Region    string // s3_region
	RootDomain  string // root_domain: enables virtual-hosted-style bucket addressing

	// Timeouts for slow or vanished clients, additions of this
	// implementation; zero leaves the S3 API's default.
	HeaderTimeout  time.Duration // header_timeout_secs: reading a request's headers
	BodyTimeout    time.Duration // body_timeout_secs: a request or response body that stalls
	RequestTimeout time.Duration // request_timeout_secs: reading the whole of a small request
	IdleTimeout    time.Duration // idle_timeout_secs: a keep-alive connection between requests

	// Server-side encryption, additions of this implementation.
	//
	// SSEMasterKey (sse_master_key or sse_master_key_file, 64 hex digits)
	// wraps the data keys of SSE-S3 objects; nil refuses SSE-S3. Every
	// node must have the same one.
	SSEMasterKey *[32]byte
	// AllowSSECOverHTTP (allow_sse_c_over_http) accepts SSE-C keys on
	// plain HTTP, for a node behind a TLS-terminating proxy; otherwise
	// they are refused there, as S3 refuses them.
	AllowSSECOverHTTP bool
	// TrustedProxies (trusted_proxies, an addition): addresses or CIDR
	// ranges of reverse proxies whose X-Forwarded-For and
	// X-Forwarded-Proto headers give the client's address and scheme to
	// bucket policy conditions (aws:SourceIp, aws:SecureTransport).
	TrustedProxies []netip.Prefix
}

// S3Web is the [s3_web] section: static website hosting.
type S3Web struct {
	BindAddr         string // bind_addr
	RootDomain       string // root_domain
	Index            string // index: the document served for a directory
	AddHostToMetrics bool   // add_host_to_metrics
}

// K2VAPI is the [k2v_api] section.
type K2VAPI struct {
	APIBindAddr string // api_bind_addr
}

// Admin is the [admin] section.
type Admin struct {
	APIBindAddr         string // api_bind_addr
	AdminToken          string // admin_token or admin_token_file
	MetricsToken        string // metrics_token or metrics_token_file
	MetricsRequireToken bool   // metrics_require_token
	TraceSink           string // trace_sink: OTLP endpoint for traces
}

// Log is the [log] section, an addition of this implementation.
type Log struct {
	// Level is debug, info, warn or error; empty leaves the choice to the
	// command line, the GARAGE_LOG variable or the default (info).
	Level string
}

// fileDefaults returns the values a configuration file starts from.
func fileDefaults() *Config {
	level := DefaultCompressionLevel
	return &Config{
		ConsistencyMode:  Consistent,
		BlockSize:        DefaultBlockSize,
		CompressionLevel: &level,
		RPCBindAddr:      DefaultRPCBindAddr,
		RPCTimeout:       DefaultRPCTimeout,
		TombstoneDelay:   DefaultTombstoneDelay,
		DBEngine:         DBEngineBTreeWAL,
	}
}

// Default is the single-node configuration `garage serve` uses when no file
// is given: everything lives under dataDir and every endpoint listens on
// loopback only. The caller fills in what depends on the machine: RPCSecret
// is left zero to be generated and persisted, and the data directory's
// Capacity is left zero, which a single directory does not need.
func Default(dataDir string) *Config {
	c := fileDefaults()
	c.MetadataDir = filepath.Join(dataDir, "meta")
	c.MetadataSnapshotsDir = filepath.Join(c.MetadataDir, "snapshots")
	c.DataDirs = []DataDir{{Path: filepath.Join(dataDir, "data")}}
	c.ReplicationFactor = 1
	c.RPCBindAddr = "127.0.0.1:3901"
	c.S3API = &S3API{APIBindAddr: "127.0.0.1:3900", S3Region: DefaultS3Region}
	c.Admin = &Admin{APIBindAddr: "127.0.0.1:3903"}
	return c
}
