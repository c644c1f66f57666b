package adminapi_test

// The client's view of the wire format, as Garage's documentation and the
// OpenAPI document name it.

type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Region  string `json:"region"`
	Path    string `json:"path"`
}

type clusterStatus struct {
	LayoutVersion uint64 `json:"layoutVersion"`
	Nodes         []struct {
		ID              string  `json:"id"`
		GarageVersion   *string `json:"garageVersion"`
		Addr            *string `json:"addr"`
		Hostname        *string `json:"hostname"`
		IsUp            bool    `json:"isUp"`
		LastSeenSecsAgo *uint64 `json:"lastSeenSecsAgo"`
		Role            *struct {
			Zone     string   `json:"zone"`
			Tags     []string `json:"tags"`
			Capacity *uint64  `json:"capacity"`
		} `json:"role"`
		Draining      bool `json:"draining"`
		DataPartition *struct {
			Available uint64 `json:"available"`
			Total     uint64 `json:"total"`
		} `json:"dataPartition"`
		MetadataPartition *struct {
			Available uint64 `json:"available"`
			Total     uint64 `json:"total"`
		} `json:"metadataPartition"`
	} `json:"nodes"`
}

type clusterHealth struct {
	Status           string `json:"status"`
	KnownNodes       int    `json:"knownNodes"`
	ConnectedNodes   int    `json:"connectedNodes"`
	StorageNodes     int    `json:"storageNodes"`
	StorageNodesOk   int    `json:"storageNodesOk"`
	Partitions       int    `json:"partitions"`
	PartitionsQuorum int    `json:"partitionsQuorum"`
	PartitionsAllOk  int    `json:"partitionsAllOk"`
}

type nodeInfo struct {
	Success map[string]struct {
		NodeID         string   `json:"nodeId"`
		GarageVersion  string   `json:"garageVersion"`
		GarageFeatures []string `json:"garageFeatures"`
		RustVersion    string   `json:"rustVersion"`
		DbEngine       string   `json:"dbEngine"`
	} `json:"success"`
	Error map[string]string `json:"error"`
}

type connectResult struct {
	Success bool    `json:"success"`
	Error   *string `json:"error"`
}

type roleChange struct {
	ID       string   `json:"id"`
	Remove   bool     `json:"remove,omitempty"`
	Zone     string   `json:"zone,omitempty"`
	Tags     []string `json:"tags,omitempty"`
	Capacity *uint64  `json:"capacity,omitempty"`
}

type clusterLayout struct {
	Version uint64 `json:"version"`
	Roles   []struct {
		ID               string   `json:"id"`
		Zone             string   `json:"zone"`
		Tags             []string `json:"tags"`
		Capacity         *uint64  `json:"capacity"`
		StoredPartitions *uint64  `json:"storedPartitions"`
		UsableCapacity   *uint64  `json:"usableCapacity"`
	} `json:"roles"`
	Parameters        layoutParameters  `json:"parameters"`
	PartitionSize     uint64            `json:"partitionSize"`
	StagedRoleChanges []roleChange      `json:"stagedRoleChanges"`
	StagedParameters  *layoutParameters `json:"stagedParameters"`
}

type layoutParameters struct {
	ZoneRedundancy any `json:"zoneRedundancy"` // "maximum" or {"atLeast": n}
}

type previewResult struct {
	Error     *string        `json:"error"`
	Message   []string       `json:"message"`
	NewLayout *clusterLayout `json:"newLayout"`
}

type applyResult struct {
	Message []string      `json:"message"`
	Layout  clusterLayout `json:"layout"`
}

type layoutHistory struct {
	CurrentVersion uint64 `json:"currentVersion"`
	MinAck         uint64 `json:"minAck"`
	Versions       []struct {
		Version      uint64 `json:"version"`
		Status       string `json:"status"`
		StorageNodes uint64 `json:"storageNodes"`
		GatewayNodes uint64 `json:"gatewayNodes"`
	} `json:"versions"`
	UpdateTrackers map[string]struct {
		Ack     uint64 `json:"ack"`
		Sync    uint64 `json:"sync"`
		SyncAck uint64 `json:"syncAck"`
	} `json:"updateTrackers"`
}

type keyListItem struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	Created    *string `json:"created"`
	Expiration *string `json:"expiration"`
	Expired    bool    `json:"expired"`
}

type perms struct {
	Read  bool `json:"read"`
	Write bool `json:"write"`
	Owner bool `json:"owner"`
}

type keyInfo struct {
	AccessKeyID     string  `json:"accessKeyId"`
	Created         *string `json:"created"`
	Name            string  `json:"name"`
	Expiration      *string `json:"expiration"`
	Expired         bool    `json:"expired"`
	SecretAccessKey *string `json:"secretAccessKey"`
	Permissions     struct {
		CreateBucket bool `json:"createBucket"`
	} `json:"permissions"`
	Buckets []struct {
		ID            string   `json:"id"`
		GlobalAliases []string `json:"globalAliases"`
		LocalAliases  []string `json:"localAliases"`
		Permissions   perms    `json:"permissions"`
	} `json:"buckets"`
}

type bucketListItem struct {
	ID            string   `json:"id"`
	Created       string   `json:"created"`
	GlobalAliases []string `json:"globalAliases"`
	LocalAliases  []struct {
		AccessKeyID string `json:"accessKeyId"`
		Alias       string `json:"alias"`
	} `json:"localAliases"`
}

type bucketInfo struct {
	ID            string   `json:"id"`
	Created       string   `json:"created"`
	GlobalAliases []string `json:"globalAliases"`
	WebsiteAccess bool     `json:"websiteAccess"`
	WebsiteConfig *struct {
		IndexDocument string  `json:"indexDocument"`
		ErrorDocument *string `json:"errorDocument"`
	} `json:"websiteConfig"`
	Keys []struct {
		AccessKeyID        string   `json:"accessKeyId"`
		Name               string   `json:"name"`
		Permissions        perms    `json:"permissions"`
		BucketLocalAliases []string `json:"bucketLocalAliases"`
	} `json:"keys"`
	Objects                        int64 `json:"objects"`
	Bytes                          int64 `json:"bytes"`
	UnfinishedUploads              int64 `json:"unfinishedUploads"`
	UnfinishedMultipartUploads     int64 `json:"unfinishedMultipartUploads"`
	UnfinishedMultipartUploadParts int64 `json:"unfinishedMultipartUploadParts"`
	UnfinishedMultipartUploadBytes int64 `json:"unfinishedMultipartUploadBytes"`
	Quotas                         struct {
		MaxSize    *uint64 `json:"maxSize"`
		MaxObjects *uint64 `json:"maxObjects"`
	} `json:"quotas"`
}

type tokenInfo struct {
	ID         *string  `json:"id"`
	Created    *string  `json:"created"`
	Name       string   `json:"name"`
	Expiration *string  `json:"expiration"`
	Expired    bool     `json:"expired"`
	Scope      []string `json:"scope"`
}

type createdToken struct {
	SecretToken string   `json:"secretToken"`
	ID          *string  `json:"id"`
	Created     *string  `json:"created"`
	Name        string   `json:"name"`
	Expiration  *string  `json:"expiration"`
	Expired     bool     `json:"expired"`
	Scope       []string `json:"scope"`
}
