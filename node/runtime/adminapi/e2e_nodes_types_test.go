package adminapi_test

// Answers of the node-scoped endpoints, written from Garage's OpenAPI
// document (MultiResponse_Local...Response), decoded strictly.

type multi[T any] struct {
	Success map[string]T      `json:"success"`
	Error   map[string]string `json:"error"`
}

type workerInfo struct {
	ID                uint64 `json:"id"`
	Name              string `json:"name"`
	State             any    `json:"state"` // "busy", "idle", "done" or {"throttled": {...}}
	Errors            uint64 `json:"errors"`
	ConsecutiveErrors uint64 `json:"consecutiveErrors"`
	LastError         *struct {
		Message string `json:"message"`
		SecsAgo uint64 `json:"secsAgo"`
	} `json:"lastError"`
	Tranquility      *uint32  `json:"tranquility"`
	Progress         *string  `json:"progress"`
	QueueLength      *uint64  `json:"queueLength"`
	PersistentErrors *uint64  `json:"persistentErrors"`
	Freeform         []string `json:"freeform"`
}

type setVariableResult struct {
	Variable string `json:"variable"`
	Value    string `json:"value"`
}

type blockErrorItem struct {
	BlockHash      string `json:"blockHash"`
	Refcount       uint64 `json:"refcount"`
	ErrorCount     uint64 `json:"errorCount"`
	LastTrySecsAgo uint64 `json:"lastTrySecsAgo"`
	NextTryInSecs  uint64 `json:"nextTryInSecs"`
}

type blockInfoResult struct {
	BlockHash string `json:"blockHash"`
	Refcount  uint64 `json:"refcount"`
	Versions  []struct {
		VersionID        string `json:"versionId"`
		RefDeleted       bool   `json:"refDeleted"`
		VersionDeleted   bool   `json:"versionDeleted"`
		GarbageCollected bool   `json:"garbageCollected"`
		Backlink         *struct {
			Object *struct {
				BucketID string `json:"bucketId"`
				Key      string `json:"key"`
			} `json:"object"`
			Upload *struct {
				UploadID               string  `json:"uploadId"`
				UploadDeleted          bool    `json:"uploadDeleted"`
				UploadGarbageCollected bool    `json:"uploadGarbageCollected"`
				BucketID               *string `json:"bucketId"`
				Key                    *string `json:"key"`
			} `json:"upload"`
		} `json:"backlink"`
	} `json:"versions"`
}

type retryResult struct {
	Count uint64 `json:"count"`
}
