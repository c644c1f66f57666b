package config

// renamedOptions explains options found in Garage configuration files that
// this implementation does not accept under that name.
var renamedOptions = map[string]string{
	"replication_mode": "Garage 1.0 replaced it with replication_factor and consistency_mode " +
		`(e.g. replication_mode = "3" becomes replication_factor = 3; "3-degraded" adds consistency_mode = "degraded")`,

	"lmdb_map_size":       metadataEngineHint,
	"sled_cache_capacity": metadataEngineHint,
	"sled_flush_every_ms": metadataEngineHint,

	"consul_host":             "newer Garage versions moved it to [consul_discovery], which this implementation does not support",
	"consul_service_name":     "newer Garage versions moved it to [consul_discovery], which this implementation does not support",
	"kubernetes_namespace":    "newer Garage versions moved it to [kubernetes_discovery], which this implementation does not support",
	"kubernetes_service_name": "newer Garage versions moved it to [kubernetes_discovery], which this implementation does not support",
	"kubernetes_skip_crd":     "newer Garage versions moved it to [kubernetes_discovery], which this implementation does not support",

	"consul_discovery":                unsupportedHint,
	"kubernetes_discovery":            unsupportedHint,
	"metadata_auto_snapshot_interval": unsupportedHint,
	"disable_scrub":                   unsupportedHint,
	"use_local_tz":                    unsupportedHint,
	"block_ram_buffer_max":            unsupportedHint,
	"rpc_public_addr_subnet":          unsupportedHint,
	"rpc_ping_timeout_msec":           unsupportedHint,
	"allow_punycode":                  unsupportedHint,
}

const (
	metadataEngineHint = "this implementation stores metadata in its own write-ahead log and B-tree, " +
		"so options of Garage's LMDB and sled engines do not apply; remove it"
	unsupportedHint = "a Garage option this implementation does not support; remove it"
)

// closest returns the candidate within two edits of key, to suggest for a
// misspelt option, or "" when none is that close.
func closest(key string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := editDistance(key, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes, which
// is enough for ASCII option names.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
