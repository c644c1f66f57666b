package adminapi

import "time"

// The request and response bodies of the admin API v2, with Garage's
// field names (camelCase). Optional fields Garage sends as null are
// pointers without omitempty; the OpenAPI document is built from these
// types (openapi.go), so they are the one definition of the wire format.

// ---- Cluster ----

type GetClusterStatusResponse struct {
	LayoutVersion uint64     `json:"layoutVersion"`
	Nodes         []NodeResp `json:"nodes"`
}

type NodeResp struct {
	ID                string            `json:"id"`
	GarageVersion     *string           `json:"garageVersion"`
	Addr              *string           `json:"addr"`
	Hostname          *string           `json:"hostname"`
	IsUp              bool              `json:"isUp"`
	LastSeenSecsAgo   *uint64           `json:"lastSeenSecsAgo"`
	Role              *NodeAssignedRole `json:"role"`
	Draining          bool              `json:"draining"`
	DataPartition     *FreeSpaceResp    `json:"dataPartition,omitempty"`
	MetadataPartition *FreeSpaceResp    `json:"metadataPartition,omitempty"`
}

type NodeAssignedRole struct {
	Zone     string   `json:"zone"`
	Tags     []string `json:"tags"`
	Capacity *uint64  `json:"capacity"` // null: a gateway
}

type FreeSpaceResp struct {
	Available uint64 `json:"available"`
	Total     uint64 `json:"total"`
}

type GetClusterHealthResponse struct {
	Status           string `json:"status"`
	KnownNodes       int    `json:"knownNodes"`
	ConnectedNodes   int    `json:"connectedNodes"`
	StorageNodes     int    `json:"storageNodes"`
	StorageNodesOK   int    `json:"storageNodesOk"`
	Partitions       int    `json:"partitions"`
	PartitionsQuorum int    `json:"partitionsQuorum"`
	PartitionsAllOK  int    `json:"partitionsAllOk"`
}

type GetClusterStatisticsResponse struct {
	Freeform string `json:"freeform"`
}

// ConnectClusterNodesRequest is a list of "<node id>@<host:port>".
type ConnectClusterNodesRequest []string

type ConnectNodeResponse struct {
	Success bool    `json:"success"`
	Error   *string `json:"error"`
}

// MultiResponse answers a node-scoped endpoint: per node id, its answer
// or its error.
type MultiResponse[T any] struct {
	Success map[string]T      `json:"success"`
	Error   map[string]string `json:"error"`
}

type LocalGetNodeInfoResponse struct {
	NodeID         string   `json:"nodeId"`
	GarageVersion  string   `json:"garageVersion"`
	GarageFeatures []string `json:"garageFeatures"`
	RustVersion    string   `json:"rustVersion"` // this implementation's Go version
	DBEngine       string   `json:"dbEngine"`
}

// ---- Layout ----

type GetClusterLayoutResponse struct {
	Version           uint64            `json:"version"`
	Roles             []LayoutNodeRole  `json:"roles"`
	Parameters        LayoutParameters  `json:"parameters"`
	PartitionSize     uint64            `json:"partitionSize"`
	StagedRoleChanges []NodeRoleChange  `json:"stagedRoleChanges"`
	StagedParameters  *LayoutParameters `json:"stagedParameters"`
}

type LayoutNodeRole struct {
	ID               string   `json:"id"`
	Zone             string   `json:"zone"`
	Tags             []string `json:"tags"`
	Capacity         *uint64  `json:"capacity"`
	StoredPartitions *uint64  `json:"storedPartitions"`
	UsableCapacity   *uint64  `json:"usableCapacity"`
}

// NodeRoleChange is {"id", "remove": true} or {"id", "zone", "tags",
// "capacity"}: Garage flattens the two forms into one object.
type NodeRoleChange struct {
	ID       string   `json:"id"`
	Remove   bool     `json:"remove,omitempty"`
	Zone     *string  `json:"zone,omitempty"`
	Tags     []string `json:"tags,omitempty"`
	Capacity *uint64  `json:"capacity,omitempty"`
}

// LayoutParameters' zoneRedundancy is {"atLeast": n} or "maximum".
type LayoutParameters struct {
	ZoneRedundancy ZoneRedundancy `json:"zoneRedundancy"`
}

type GetClusterLayoutHistoryResponse struct {
	CurrentVersion uint64                        `json:"currentVersion"`
	MinAck         uint64                        `json:"minAck"`
	Versions       []ClusterLayoutVersion        `json:"versions"`
	UpdateTrackers map[string]NodeUpdateTrackers `json:"updateTrackers"`
}

type ClusterLayoutVersion struct {
	Version      uint64 `json:"version"`
	Status       string `json:"status"` // Current, Draining, Historical
	StorageNodes uint64 `json:"storageNodes"`
	GatewayNodes uint64 `json:"gatewayNodes"`
}

type NodeUpdateTrackers struct {
	Ack     uint64 `json:"ack"`
	Sync    uint64 `json:"sync"`
	SyncAck uint64 `json:"syncAck"`
}

type UpdateClusterLayoutRequest struct {
	Roles      []NodeRoleChange  `json:"roles"`
	Parameters *LayoutParameters `json:"parameters"`
}

// PreviewClusterLayoutChangesResponse is {"error"} or {"message",
// "newLayout"}.
type PreviewClusterLayoutChangesResponse struct {
	Error     *string                   `json:"error,omitempty"`
	Message   []string                  `json:"message,omitempty"`
	NewLayout *GetClusterLayoutResponse `json:"newLayout,omitempty"`
}

type ApplyClusterLayoutRequest struct {
	Version uint64 `json:"version"`
}

type ApplyClusterLayoutResponse struct {
	Message []string                 `json:"message"`
	Layout  GetClusterLayoutResponse `json:"layout"`
}

type ClusterLayoutSkipDeadNodesRequest struct {
	Version          uint64 `json:"version"`
	AllowMissingData bool   `json:"allowMissingData"`
}

type ClusterLayoutSkipDeadNodesResponse struct {
	AckUpdated  []string `json:"ackUpdated"`
	SyncUpdated []string `json:"syncUpdated"`
}

// ---- Access keys ----

type ListKeysResponseItem struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Created    *time.Time `json:"created"`
	Expiration *time.Time `json:"expiration"`
	Expired    bool       `json:"expired"`
}

type GetKeyInfoResponse struct {
	AccessKeyID     string                  `json:"accessKeyId"`
	Created         *time.Time              `json:"created"`
	Name            string                  `json:"name"`
	Expiration      *time.Time              `json:"expiration"`
	Expired         bool                    `json:"expired"`
	SecretAccessKey *string                 `json:"secretAccessKey,omitempty"`
	Permissions     KeyPerm                 `json:"permissions"`
	Buckets         []KeyInfoBucketResponse `json:"buckets"`
}

type KeyPerm struct {
	CreateBucket bool `json:"createBucket"`
}

type KeyInfoBucketResponse struct {
	ID            string           `json:"id"`
	GlobalAliases []string         `json:"globalAliases"`
	LocalAliases  []string         `json:"localAliases"`
	Permissions   ApiBucketKeyPerm `json:"permissions"`
}

type ApiBucketKeyPerm struct {
	Read  bool `json:"read"`
	Write bool `json:"write"`
	Owner bool `json:"owner"`
}

// UpdateKeyRequestBody is CreateKey's body too.
type UpdateKeyRequestBody struct {
	Name         *string    `json:"name"`
	Expiration   *time.Time `json:"expiration"`
	NeverExpires bool       `json:"neverExpires"`
	Allow        *KeyPerm   `json:"allow"`
	Deny         *KeyPerm   `json:"deny"`
}

type ImportKeyRequest struct {
	AccessKeyID     string  `json:"accessKeyId"`
	SecretAccessKey string  `json:"secretAccessKey"`
	Name            *string `json:"name"`
}

// ---- Buckets ----

type ListBucketsResponseItem struct {
	ID            string             `json:"id"`
	Created       time.Time          `json:"created"`
	GlobalAliases []string           `json:"globalAliases"`
	LocalAliases  []BucketLocalAlias `json:"localAliases"`
}

type BucketLocalAlias struct {
	AccessKeyID string `json:"accessKeyId"`
	Alias       string `json:"alias"`
}

type GetBucketInfoResponse struct {
	ID                             string                        `json:"id"`
	Created                        time.Time                     `json:"created"`
	GlobalAliases                  []string                      `json:"globalAliases"`
	WebsiteAccess                  bool                          `json:"websiteAccess"`
	WebsiteConfig                  *GetBucketInfoWebsiteResponse `json:"websiteConfig"`
	Keys                           []GetBucketInfoKey            `json:"keys"`
	Objects                        int64                         `json:"objects"`
	Bytes                          int64                         `json:"bytes"`
	UnfinishedUploads              int64                         `json:"unfinishedUploads"`
	UnfinishedMultipartUploads     int64                         `json:"unfinishedMultipartUploads"`
	UnfinishedMultipartUploadParts int64                         `json:"unfinishedMultipartUploadParts"`
	UnfinishedMultipartUploadBytes int64                         `json:"unfinishedMultipartUploadBytes"`
	Quotas                         ApiBucketQuotas               `json:"quotas"`
}

type GetBucketInfoWebsiteResponse struct {
	IndexDocument string  `json:"indexDocument"`
	ErrorDocument *string `json:"errorDocument"`
}

type GetBucketInfoKey struct {
	AccessKeyID        string           `json:"accessKeyId"`
	Name               string           `json:"name"`
	Permissions        ApiBucketKeyPerm `json:"permissions"`
	BucketLocalAliases []string         `json:"bucketLocalAliases"`
}

type ApiBucketQuotas struct {
	MaxSize    *uint64 `json:"maxSize"`
	MaxObjects *uint64 `json:"maxObjects"`
}

type CreateBucketRequest struct {
	GlobalAlias *string                 `json:"globalAlias"`
	LocalAlias  *CreateBucketLocalAlias `json:"localAlias"`
}

type CreateBucketLocalAlias struct {
	AccessKeyID string           `json:"accessKeyId"`
	Alias       string           `json:"alias"`
	Allow       ApiBucketKeyPerm `json:"allow"`
}

type UpdateBucketRequestBody struct {
	WebsiteAccess *UpdateBucketWebsiteAccess `json:"websiteAccess"`
	Quotas        *ApiBucketQuotas           `json:"quotas"`
}

type UpdateBucketWebsiteAccess struct {
	Enabled       bool    `json:"enabled"`
	IndexDocument *string `json:"indexDocument"`
	ErrorDocument *string `json:"errorDocument"`
}

type BucketKeyPermChangeRequest struct {
	BucketID    string           `json:"bucketId"`
	AccessKeyID string           `json:"accessKeyId"`
	Permissions ApiBucketKeyPerm `json:"permissions"`
}

// BucketAliasRequest is {"bucketId", "globalAlias"} or {"bucketId",
// "localAlias", "accessKeyId"}.
type BucketAliasRequest struct {
	BucketID    string  `json:"bucketId"`
	GlobalAlias *string `json:"globalAlias,omitempty"`
	LocalAlias  *string `json:"localAlias,omitempty"`
	AccessKeyID *string `json:"accessKeyId,omitempty"`
}

// ---- Admin tokens ----

type GetAdminTokenInfoResponse struct {
	ID         *string    `json:"id"`
	Created    *time.Time `json:"created"`
	Name       string     `json:"name"`
	Expiration *time.Time `json:"expiration"`
	Expired    bool       `json:"expired"`
	Scope      []string   `json:"scope"`
}

// UpdateAdminTokenRequestBody is CreateAdminToken's body too.
type UpdateAdminTokenRequestBody struct {
	Name         *string    `json:"name"`
	Expiration   *time.Time `json:"expiration"`
	NeverExpires bool       `json:"neverExpires"`
	Scope        *[]string  `json:"scope"`
}

// CreateAdminTokenResponse is the token's info with its secret, shown once.
type CreateAdminTokenResponse struct {
	SecretToken string `json:"secretToken"`
	GetAdminTokenInfoResponse
}

// ErrorResponse is every error's body.
type ErrorResponse struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Region  string `json:"region"`
	Path    string `json:"path"`
}
