package adminapi

import (
	"encoding/json"
	"fmt"
)

// Wire types of the node-scoped endpoints, as Garage v2 names them. Each
// endpoint answers MultiResponse of its Local...Response.

// schemaer is a wire type whose JSON is not a plain struct's (an enum, a
// null): it gives its OpenAPI schema itself.
type schemaer interface{ openAPISchema() map[string]any }

// LocalCreateMetadataSnapshotResponse is null, as Garage answers.
type LocalCreateMetadataSnapshotResponse struct{}

func (LocalCreateMetadataSnapshotResponse) MarshalJSON() ([]byte, error) { return []byte("null"), nil }
func (LocalCreateMetadataSnapshotResponse) openAPISchema() map[string]any {
	return map[string]any{"nullable": true, "default": nil}
}

// LocalLaunchRepairOperationResponse is null, as Garage answers.
type LocalLaunchRepairOperationResponse = LocalCreateMetadataSnapshotResponse

type LocalLaunchRepairOperationRequest struct {
	RepairType RepairType `json:"repairType"`
}

// RepairType is Garage's repair enum: a camelCase name, or
// {"scrub": "start"|"pause"|"resume"|"cancel"}.
type RepairType struct {
	Name  string // tables, blocks, versions, ..., or scrub
	Scrub string // with Name scrub: the scrub command
}

var repairNames = []string{"tables", "blocks", "versions", "multipartUploads", "blockRefs", "blockRc", "rebalance", "aliases"}
var scrubCommands = []string{"start", "pause", "resume", "cancel"}

func (r *RepairType) UnmarshalJSON(b []byte) error {
	var name string
	if err := json.Unmarshal(b, &name); err == nil {
		for _, n := range repairNames {
			if n == name {
				r.Name = name
				return nil
			}
		}
		return fmt.Errorf("unknown repairType %q (one of %v, or {\"scrub\": command})", name, repairNames)
	}
	var obj map[string]string
	if err := json.Unmarshal(b, &obj); err != nil || len(obj) != 1 {
		return fmt.Errorf("repairType must be a name or {\"scrub\": command}, got %s", b)
	}
	cmd, ok := obj["scrub"]
	if !ok {
		return fmt.Errorf("repairType must be a name or {\"scrub\": command}, got %s", b)
	}
	for _, c := range scrubCommands {
		if c == cmd {
			r.Name, r.Scrub = "scrub", cmd
			return nil
		}
	}
	return fmt.Errorf("unknown scrub command %q (one of %v)", cmd, scrubCommands)
}

func (r RepairType) MarshalJSON() ([]byte, error) {
	if r.Name == "scrub" {
		return json.Marshal(map[string]string{"scrub": r.Scrub})
	}
	return json.Marshal(r.Name)
}

func (RepairType) openAPISchema() map[string]any {
	var one []any
	for _, n := range repairNames {
		one = append(one, map[string]any{"type": "string", "enum": []string{n}})
	}
	one = append(one, map[string]any{"type": "object", "required": []string{"scrub"},
		"properties": map[string]any{"scrub": map[string]any{"type": "string", "enum": scrubCommands}}})
	return map[string]any{"oneOf": one}
}

// ---- Workers ----

type LocalListWorkersRequest struct {
	BusyOnly  bool `json:"busyOnly,omitempty"`
	ErrorOnly bool `json:"errorOnly,omitempty"`
}

type WorkerInfoResp struct {
	ID                uint64           `json:"id"`
	Name              string           `json:"name"`
	State             WorkerStateResp  `json:"state"`
	Errors            uint64           `json:"errors"`
	ConsecutiveErrors uint64           `json:"consecutiveErrors"`
	LastError         *WorkerLastError `json:"lastError"`
	Tranquility       *uint32          `json:"tranquility"`
	Progress          *string          `json:"progress"`
	QueueLength       *uint64          `json:"queueLength"`
	PersistentErrors  *uint64          `json:"persistentErrors"`
	Freeform          []string         `json:"freeform"`
}

type WorkerLastError struct {
	Message string `json:"message"`
	SecsAgo uint64 `json:"secsAgo"`
}

// WorkerStateResp is "busy", "idle" or "done" (Garage's throttled state,
// an object, is never reported: these workers pace themselves inside the
// node's loop).
type WorkerStateResp string

func (WorkerStateResp) openAPISchema() map[string]any {
	return map[string]any{"oneOf": []any{
		map[string]any{"type": "string", "enum": []string{"busy"}},
		map[string]any{"type": "object", "required": []string{"throttled"}, "properties": map[string]any{"throttled": map[string]any{
			"type": "object", "required": []string{"durationSecs"}, "properties": map[string]any{"durationSecs": map[string]any{"type": "number"}}}}},
		map[string]any{"type": "string", "enum": []string{"idle"}},
		map[string]any{"type": "string", "enum": []string{"done"}},
	}}
}

type LocalGetWorkerInfoRequest struct {
	ID *uint64 `json:"id"`
}

type LocalGetWorkerVariableRequest struct {
	Variable *string `json:"variable"`
}

type LocalSetWorkerVariableRequest struct {
	Variable string `json:"variable"`
	Value    string `json:"value"`
}

type LocalSetWorkerVariableResponse struct {
	Variable string `json:"variable"`
	Value    string `json:"value"`
}

// ---- Blocks ----

type BlockErrorResp struct {
	BlockHash      string `json:"blockHash"`
	Refcount       uint64 `json:"refcount"`
	ErrorCount     uint64 `json:"errorCount"`
	LastTrySecsAgo uint64 `json:"lastTrySecsAgo"`
	NextTryInSecs  uint64 `json:"nextTryInSecs"`
}

type LocalGetBlockInfoRequest struct {
	BlockHash string `json:"blockHash"`
}

type LocalGetBlockInfoResponse struct {
	BlockHash string         `json:"blockHash"`
	Refcount  uint64         `json:"refcount"`
	Versions  []BlockVersion `json:"versions"`
}

type BlockVersion struct {
	VersionID        string                `json:"versionId"`
	RefDeleted       bool                  `json:"refDeleted"`
	VersionDeleted   bool                  `json:"versionDeleted"`
	GarbageCollected bool                  `json:"garbageCollected"`
	Backlink         *BlockVersionBacklink `json:"backlink"`
}

// BlockVersionBacklink is {"object": {...}}: a version here always names
// its object (a multipart upload's version shares the object's id).
type BlockVersionBacklink struct {
	Object *BacklinkObject `json:"object"`
}

type BacklinkObject struct {
	BucketID string `json:"bucketId"`
	Key      string `json:"key"`
}

// LocalRetryBlockResyncRequest is {"all": true} or {"blockHashes": [...]}.
type LocalRetryBlockResyncRequest struct {
	All         *bool     `json:"all,omitempty"`
	BlockHashes *[]string `json:"blockHashes,omitempty"`
}

type LocalRetryBlockResyncResponse struct {
	Count uint64 `json:"count"`
}

// LocalPurgeBlocksRequest is the full hashes of the blocks to purge.
type LocalPurgeBlocksRequest []string

type LocalPurgeBlocksResponse struct {
	BlocksPurged    uint64 `json:"blocksPurged"`
	ObjectsDeleted  uint64 `json:"objectsDeleted"`
	UploadsDeleted  uint64 `json:"uploadsDeleted"`
	VersionsDeleted uint64 `json:"versionsDeleted"`
	BlockRefsPurged uint64 `json:"blockRefsPurged"`
}
