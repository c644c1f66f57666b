package admin

import "github.com/garagego/garage/node/model"

// ClusterStatus answers GetStatus.
type ClusterStatus struct {
	Self          string       `json:"self"`
	LayoutVersion uint64       `json:"layoutVersion"`
	Nodes         []NodeStatus `json:"nodes"`
}

// NodeStatus is one node in ClusterStatus.
type NodeStatus struct {
	ID            string   `json:"id"`
	Hostname      string   `json:"hostname"`
	Addr          string   `json:"addr"`
	Up            bool     `json:"up"`
	LastSeenSecs  int64    `json:"lastSeenSecsAgo"` // -1 = never
	HasRole       bool     `json:"hasRole"`
	Zone          string   `json:"zone"`
	Capacity      uint64   `json:"capacity"`
	Gateway       bool     `json:"gateway"`
	Tags          []string `json:"tags"`
	LayoutVersion uint64   `json:"layoutVersion"`
	DataAvail     uint64   `json:"dataAvail"`
	DataTotal     uint64   `json:"dataTotal"`
	MetaAvail     uint64   `json:"metaAvail"`
	MetaTotal     uint64   `json:"metaTotal"`
	Version       string   `json:"version"`
	// Draining: no role in the current layout version, but one in an
	// older live version, whose data it still hands over.
	Draining bool `json:"draining"`
}

// LayoutInfo answers GetLayout and the layout-changing operations.
type LayoutInfo struct {
	Version                 uint64       `json:"version"`
	LiveVersions            []uint64     `json:"liveVersions"`
	ReplicationFactor       int          `json:"replicationFactor"`
	ZoneRedundancy          int          `json:"zoneRedundancy"` // 0 = maximum
	Roles                   []RoleInfo   `json:"roles"`
	Staged                  []StagedRole `json:"staged"`
	StagedZoneRedundancy    *int         `json:"stagedZoneRedundancy,omitempty"`
	StagedReplicationFactor *int         `json:"stagedReplicationFactor,omitempty"`
	ReadVersion             uint64       `json:"readVersion"`
	PreviewReport           []string     `json:"previewReport,omitempty"`
	// Preview is the layout applying the staged changes would give, or
	// PreviewError why none can be computed.
	Preview      []RoleInfo `json:"preview,omitempty"`
	PreviewError string     `json:"previewError,omitempty"`
}

// RoleInfo is one member of a layout version.
type RoleInfo struct {
	ID         string   `json:"id"`
	Zone       string   `json:"zone"`
	Capacity   uint64   `json:"capacity"`
	Gateway    bool     `json:"gateway"`
	Tags       []string `json:"tags"`
	Partitions int      `json:"partitions"`
}

// StagedRole is one staged change.
type StagedRole struct {
	ID       string   `json:"id"`
	Remove   bool     `json:"remove"`
	Zone     string   `json:"zone,omitempty"`
	Capacity uint64   `json:"capacity,omitempty"`
	Gateway  bool     `json:"gateway,omitempty"`
	Tags     []string `json:"tags,omitempty"`
}

// KeyInfo describes an access key.
type KeyInfo struct {
	ID                string            `json:"id"`
	Name              string            `json:"name"`
	Secret            string            `json:"secret,omitempty"`
	Created           uint64            `json:"created"` // ms since epoch
	AllowCreateBucket bool              `json:"allowCreateBucket"`
	Buckets           []KeyBucket       `json:"buckets,omitempty"`
	LocalAliases      map[string]string `json:"localAliases,omitempty"`
}

// KeyBucket is a key's rights on one bucket.
type KeyBucket struct {
	ID      string   `json:"id"`
	Aliases []string `json:"aliases"`
	Read    bool     `json:"read"`
	Write   bool     `json:"write"`
	Owner   bool     `json:"owner"`
}

// BucketInfo describes a bucket.
type BucketInfo struct {
	ID           string      `json:"id"`
	Created      uint64      `json:"created"`
	Aliases      []string    `json:"aliases"`
	LocalAliases []string    `json:"localAliases"` // "<key id>/<name>"
	Keys         []BucketKey `json:"keys,omitempty"`
	// Versioning is the bucket's versioning state (Enabled, Suspended, or
	// empty: never enabled); Usage what it holds (GetBucket only).
	Versioning string       `json:"versioning,omitempty"`
	ObjectLock bool         `json:"objectLock,omitempty"` // object lock is on
	Usage      *model.Usage `json:"usage,omitempty"`
	// Quotas are the bucket's quotas, if it has any.
	Quotas *model.Quotas `json:"quotas,omitempty"`
}

// ObjectInfo describes one key's object entry, for inspection.
type ObjectInfo struct {
	Bucket   string        `json:"bucket"`
	Key      string        `json:"key"`
	Versions []VersionInfo `json:"versions"` // oldest first
}

// VersionInfo is one version of an object entry.
type VersionInfo struct {
	ID        string            `json:"id"`        // S3's: "null" for a null version
	Internal  string            `json:"internal"`  // the version id inside the store
	Timestamp uint64            `json:"timestamp"` // milliseconds
	State     string            `json:"state"`     // uploading, complete, aborted
	Kind      string            `json:"kind"`      // inline, blocks, delete-marker (complete ones)
	Current   bool              `json:"current"`
	Size      uint64            `json:"size"`
	ETag      string            `json:"etag,omitempty"`
	Attrs     map[string]string `json:"attrs,omitempty"` // mutable attributes, as stored
	// Lock is the version's effective lock ("COMPLIANCE until <RFC 3339>",
	// "legal hold"...), empty if none.
	Lock string `json:"lock,omitempty"`
	// Multipart: the version is a multipart upload in progress.
	Multipart bool `json:"multipart,omitempty"`
	// Headers are the stored headers (an upload's: those it was created
	// with), internal ones included.
	Headers []HeaderInfo `json:"headers,omitempty"`
	// Blocks hold the version's data, by part then offset: an upload's
	// are its parts' so far; a version whose data was released has none.
	Blocks []BlockPos `json:"blocks,omitempty"`
}

// HeaderInfo is one stored header of a version.
type HeaderInfo struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// BlockPos is one block of a version's data.
type BlockPos struct {
	Part   uint32 `json:"part"`
	Offset uint64 `json:"offset"`
	Hash   string `json:"hash"`
	Size   uint64 `json:"size"`
}

// BucketKey is one key's rights on a bucket.
type BucketKey struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Read  bool   `json:"read"`
	Write bool   `json:"write"`
	Owner bool   `json:"owner"`
}

// NodeStats answers GetStats.
type NodeStats struct {
	Node     string       `json:"node"`
	Hostname string       `json:"hostname"`
	Version  string       `json:"version"`
	Tables   []TableStats `json:"tables"`
	// Block manager: blocks with a reference count, the resync queue and
	// the blocks resync keeps failing on.
	BlockRefs    int `json:"blockRefs"`
	ResyncQueue  int `json:"resyncQueue"`
	ResyncErrors int `json:"resyncErrors"`
	// Anti-entropy counters since the node started.
	SyncPasses     uint64 `json:"syncPasses"`
	SyncSessions   uint64 `json:"syncSessions"`
	SyncItemsSent  uint64 `json:"syncItemsSent"`
	SyncItemsRecvd uint64 `json:"syncItemsReceived"`
	LayoutMerges   uint64 `json:"layoutMerges"`
	// Layout changes: tracked sync rounds (and those that failed and were
	// retried), entries handed to new holders and dropped here.
	SyncRounds        uint64 `json:"syncRounds"`
	SyncRoundFailures uint64 `json:"syncRoundFailures"`
	Offloaded         uint64 `json:"offloaded"`
	// Tombstone collection: tombstones waiting for their delay or a
	// holder, collected here, rounds done, rounds retried.
	TombstonesQueued    int    `json:"tombstonesQueued"`
	TombstonesCollected uint64 `json:"tombstonesCollected"`
	GCRounds            uint64 `json:"gcRounds"`
	GCFailures          uint64 `json:"gcFailures"`
	// S3 key and bucket lookups answered from this node's fresh copy of
	// the full-copy tables, and with a quorum.
	LocalLookups  uint64 `json:"localLookups"`
	QuorumLookups uint64 `json:"quorumLookups"`
}

// TableStats is one table on one node.
type TableStats struct {
	Name       string `json:"name"`
	Entries    int    `json:"entries"` // tombstones included
	Tombstones int    `json:"tombstones"`
}

// Workers answers ListWorkers.
type Workers struct {
	Resync      ResyncWorker `json:"resync"`
	Scrub       ScrubWorker  `json:"scrub"`
	SyncPasses  uint64       `json:"syncPasses"`
	SyncJobs    uint64       `json:"syncPartitionsExchanged"`
	InsertQueue int          `json:"insertQueue"`
	// Vars are the tunable worker variables (tranquilities).
	Vars []WorkerVar `json:"vars"`
}

// ResyncWorker is the block resync worker's state.
type ResyncWorker struct {
	Queue    int    `json:"queue"`
	Errors   int    `json:"errors"`
	Done     uint64 `json:"done"`
	Fetched  uint64 `json:"fetched"`
	Deleted  uint64 `json:"deleted"`
	Failures uint64 `json:"failures"`
}

// ScrubWorker is the scrub's state.
type ScrubWorker struct {
	Running       bool   `json:"running"`
	Position      string `json:"position,omitempty"`
	LastCompleted string `json:"lastCompleted,omitempty"`
	Scrubbed      uint64 `json:"scrubbed"`
	Corruptions   uint64 `json:"corruptions"`
}

// BlockError is a block resync keeps failing on.
type BlockError struct {
	Hash      string `json:"hash"`
	Failures  uint64 `json:"failures"`
	LastTry   string `json:"lastTry"`
	NextTry   string `json:"nextTry"`
	LastError string `json:"lastError"`
	// RefCount is the block's reference count here; LastTryMs and
	// NextTryMs the times above in milliseconds.
	RefCount  uint64 `json:"refCount"`
	LastTryMs uint64 `json:"lastTryMs"`
	NextTryMs uint64 `json:"nextTryMs"`
}

// BlockInfo answers GetBlockInfo.
type BlockInfo struct {
	Hash       string       `json:"hash"`
	RefCount   uint64       `json:"refCount"`
	ZeroSince  string       `json:"zeroSince,omitempty"`
	Queued     bool         `json:"queued"`
	Error      *BlockError  `json:"error,omitempty"`
	References []BlockUsage `json:"references"`
}

// BlockUsage is one version referencing a block: the reference (Deleted)
// and the version entry it names, if any is left (VersionFound), with its
// back-link to the object.
type BlockUsage struct {
	Version        string `json:"version"`
	Deleted        bool   `json:"deleted"`
	VersionFound   bool   `json:"versionFound"`
	VersionDeleted bool   `json:"versionDeleted"`
	Bucket         string `json:"bucket,omitempty"`
	Key            string `json:"key,omitempty"`
}

// WorkerVar is one tunable worker variable.
type WorkerVar struct {
	Name  string `json:"name"`
	Value int    `json:"value"`
}

// LayoutHistory answers GetLayoutHistory.
type LayoutHistory struct {
	Current     uint64         `json:"current"`
	ReadVersion uint64         `json:"readVersion"`
	Versions    []LiveVersion  `json:"versions"`
	Nodes       []NodeTrackers `json:"nodes"`
}

// LiveVersion is one live layout version.
type LiveVersion struct {
	Number            uint64 `json:"number"`
	ReplicationFactor int    `json:"replicationFactor"`
	StorageNodes      int    `json:"storageNodes"`
	Gateways          int    `json:"gateways"`
}

// NodeTrackers is how far one node has come through layout changes.
type NodeTrackers struct {
	ID      string `json:"id"`
	Up      bool   `json:"up"`
	Ack     uint64 `json:"ack"`
	Sync    uint64 `json:"sync"`
	SyncAck uint64 `json:"syncAck"`
}
