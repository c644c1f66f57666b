package admin

// Cluster and layout operations.
type (
	// GetStatus reports every known node.
	GetStatus struct{}
	// GetLayout reports the current layout, staged changes and a preview.
	GetLayout struct{}
	// AssignRole stages a role for nodes (id prefixes). Zero fields keep
	// the node's current value; a node without a role needs a zone and
	// either a capacity or Gateway.
	AssignRole struct {
		Nodes    []string `json:"nodes"`
		Zone     string   `json:"zone,omitempty"`
		Capacity uint64   `json:"capacity,omitempty"`
		Gateway  bool     `json:"gateway,omitempty"`
		Tags     []string `json:"tags,omitempty"`
	}
	// RemoveRole stages removing a node from the layout.
	RemoveRole struct {
		Node string `json:"node"`
	}
	// ConfigLayout stages layout parameters (nil fields are unchanged).
	ConfigLayout struct {
		// ZoneRedundancy: 0 means maximum.
		ZoneRedundancy    *int `json:"zoneRedundancy,omitempty"`
		ReplicationFactor *int `json:"replicationFactor,omitempty"`
	}
	// GetLayoutHistory reports the live versions and each node's progress.
	GetLayoutHistory struct{}
	// SkipDeadNodes lets the layout move on without the nodes that are down.
	SkipDeadNodes struct {
		Version          uint64 `json:"version"`
		AllowMissingData bool   `json:"allowMissingData"`
	}
	// ApplyLayout applies the staged changes as Version (current + 1).
	ApplyLayout struct {
		Version uint64 `json:"version"`
	}
	// RevertLayout drops the staged changes.
	RevertLayout struct{}
)

// Access key operations. Key patterns match a key id, a unique id prefix,
// or a unique name.
type (
	CreateKey struct {
		Name   string `json:"name"`
		ID     string `json:"id"`     // filled by the runtime: "GK" + 24 random hex digits
		Secret string `json:"secret"` // filled by the runtime: 64 random hex digits
	}
	ImportKey struct {
		ID     string `json:"id"`
		Secret string `json:"secret"`
		Name   string `json:"name"`
	}
	ListKeys struct{}
	GetKey   struct {
		Pattern    string `json:"pattern"`
		ShowSecret bool   `json:"showSecret"`
	}
	DeleteKey struct {
		Pattern string `json:"pattern"`
	}
	// SetKeyFlags allows (Allow true) or denies the key's create-bucket right.
	SetKeyFlags struct {
		Pattern      string `json:"pattern"`
		CreateBucket bool   `json:"createBucket"`
		Allow        bool   `json:"allow"`
	}
)

// Bucket operations. Bucket names are global aliases, full ids or unique id
// prefixes.
type (
	CreateBucket struct {
		Name string `json:"name"`
		ID   string `json:"id"` // filled by the runtime: 64 random hex digits
	}
	ListBuckets struct{}
	GetBucket   struct {
		Name string `json:"name"`
	}
	// InspectObject lists every version of one key as the object entry
	// holds them (aborted ones too). Answers ObjectInfo.
	InspectObject struct {
		Bucket string `json:"bucket"`
		Key    string `json:"key"`
	}
	DeleteBucket struct {
		Name string `json:"name"`
	}
	// SetBucketPerms allows (Allow true) or denies the flagged rights.
	SetBucketPerms struct {
		Bucket string `json:"bucket"`
		Key    string `json:"key"`
		Read   bool   `json:"read"`
		Write  bool   `json:"write"`
		Owner  bool   `json:"owner"`
		Allow  bool   `json:"allow"`
	}
	// AliasBucket adds a global alias, or a local alias in LocalKey's
	// namespace; Remove takes it away instead.
	AliasBucket struct {
		Bucket   string `json:"bucket"`
		Alias    string `json:"alias"`
		LocalKey string `json:"localKey,omitempty"`
		Remove   bool   `json:"remove"`
	}
)

// GetStats reports what this node holds: entries per table, anti-entropy
// and gossip counters (Garage's `garage stats`).
type GetStats struct{}

func (GetStats) OpName() string { return "GetStats" }

func (GetStatus) OpName() string        { return "GetStatus" }
func (GetLayout) OpName() string        { return "GetLayout" }
func (AssignRole) OpName() string       { return "AssignRole" }
func (RemoveRole) OpName() string       { return "RemoveRole" }
func (ConfigLayout) OpName() string     { return "ConfigLayout" }
func (GetLayoutHistory) OpName() string { return "GetLayoutHistory" }
func (SkipDeadNodes) OpName() string    { return "SkipDeadNodes" }
func (ApplyLayout) OpName() string      { return "ApplyLayout" }
func (RevertLayout) OpName() string     { return "RevertLayout" }
func (CreateKey) OpName() string        { return "CreateKey" }
func (ImportKey) OpName() string        { return "ImportKey" }
func (ListKeys) OpName() string         { return "ListKeys" }
func (GetKey) OpName() string           { return "GetKey" }
func (DeleteKey) OpName() string        { return "DeleteKey" }
func (SetKeyFlags) OpName() string      { return "SetKeyFlags" }
func (CreateBucket) OpName() string     { return "CreateBucket" }
func (ListBuckets) OpName() string      { return "ListBuckets" }
func (GetBucket) OpName() string        { return "GetBucket" }
func (InspectObject) OpName() string    { return "InspectObject" }
func (DeleteBucket) OpName() string     { return "DeleteBucket" }
func (SetBucketPerms) OpName() string   { return "SetBucketPerms" }
func (AliasBucket) OpName() string      { return "AliasBucket" }

// Block and repair operations, on the node that receives them.
type (
	// ListWorkers reports the background workers: resync, scrub, table
	// sync and insert queue.
	ListWorkers struct{}
	// ListBlockErrors lists the blocks resync keeps failing on.
	ListBlockErrors struct{}
	// RetryBlocks schedules failing blocks (all when Hashes is empty) for
	// an immediate retry.
	RetryBlocks struct {
		Hashes []string `json:"hashes,omitempty"`
	}
	// GetBlockInfo reports one block: reference count, references and the
	// versions they name, queue. Hash is 64 hex digits, or a prefix of at
	// least 4 naming one block this node counts references of (ErrNotFound
	// if none, ErrAmbiguous if several). MustExist refuses, with
	// ErrNotFound, a block this node knows nothing of (Garage's answer).
	GetBlockInfo struct {
		Hash      string `json:"hash"`
		MustExist bool   `json:"mustExist,omitempty"`
	}
	// RepairTables runs a full anti-entropy pass now.
	RepairTables struct{}
	// RepairBlocks checks every referenced and every stored block.
	RepairBlocks struct{}
	// RepairScrub starts a full scrub now.
	RepairScrub struct{}
	// GetWorkerVars reports the tunable worker variables.
	GetWorkerVars struct{}
	// SetWorkerVar changes one (resync-worker-count, resync-tranquility,
	// scrub-tranquility); the value persists across restarts.
	SetWorkerVar struct {
		Name  string `json:"name"`
		Value int    `json:"value"`
	}
)

func (ListWorkers) OpName() string     { return "ListWorkers" }
func (ListBlockErrors) OpName() string { return "ListBlockErrors" }
func (RetryBlocks) OpName() string     { return "RetryBlocks" }
func (GetBlockInfo) OpName() string    { return "GetBlockInfo" }
func (RepairTables) OpName() string    { return "RepairTables" }
func (RepairBlocks) OpName() string    { return "RepairBlocks" }
func (RepairScrub) OpName() string     { return "RepairScrub" }
func (GetWorkerVars) OpName() string   { return "GetWorkerVars" }
func (SetWorkerVar) OpName() string    { return "SetWorkerVar" }
