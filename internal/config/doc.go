// Package config reads garage.toml, the node configuration file.
//
// The file uses Garage's option names and layout, so a configuration written
// for Deuxfleurs' Garage loads unchanged as long as it only uses options this
// implementation supports. The rules are strict on purpose: an unknown option,
// a value of the wrong type or out of range, or a malformed secret is refused
// with an error naming the option and the line and column it appears at, e.g.
//
//	garage.toml:7:1: unknown option "replication_mode": Garage 1.0 replaced it with replication_factor and consistency_mode
//
// Every problem in a file is reported at once, in file order.
//
// # Differences from Garage
//
//   - [log] level (debug, info, warn or error) is our addition; Garage reads
//     RUST_LOG instead.
//   - db_engine only accepts "btree-wal": metadata lives in this
//     implementation's own write-ahead log and B-tree, so "lmdb" and "sqlite"
//     are refused, and so are LMDB- and sled-specific options.
//   - Bind addresses must be host:port; Unix socket paths are not supported.
//   - Garage options this implementation does not have (consul and
//     kubernetes discovery, disable_scrub, ...) are refused rather than
//     silently ignored, so an operator never believes a setting is in effect
//     when it is not.
//
// # Sizes
//
// Capacities and block_size accept an integer number of bytes or a string
// such as "500G", "1.5T" or "1MiB". Unit letters K, M, G, T and P are powers
// of 1000 and Ki, Mi, Gi, Ti and Pi powers of 1024, case-insensitively and
// with an optional trailing B; see [ParseCapacity].
//
// # Secrets
//
// rpc_secret, admin_token, metrics_token and [s3_api] sse_master_key can
// each be given inline or through a *_file option naming a file that holds
// them (surrounding whitespace is trimmed), but not both. The environment
// variables GARAGE_RPC_SECRET, GARAGE_ADMIN_TOKEN, GARAGE_METRICS_TOKEN and
// GARAGE_SSE_MASTER_KEY, and their *_FILE variants, take precedence over
// the file; the token variables only apply when the file has an [admin]
// section, the master key's when it has an [s3_api] one. Secret files must not be
// readable by group or others unless allow_world_readable_secrets = true or
// GARAGE_ALLOW_WORLD_READABLE_SECRETS=true.
package config
