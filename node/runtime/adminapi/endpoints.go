package adminapi

import "net/http"

// endpoint is one `/v2/<Name>` endpoint: how it is called, what it takes
// and answers (values of the wire types, for the OpenAPI document), and
// its handler. A handler answers a value written as JSON with 200, or an
// error; nil answers `null`, as Garage's empty responses serialize.
type endpoint struct {
	Name    string
	Method  string
	Summary string
	Query   []queryParam
	Body    any // nil: no body
	Resp    any // nil: answers null
	Handle  func(rq *request) (any, error)
}

type queryParam struct {
	Name     string
	Required bool
	Bool     bool
}

var (
	qID       = queryParam{Name: "id", Required: true}
	qIDOpt    = queryParam{Name: "id"}
	qSearch   = queryParam{Name: "search"}
	qNode     = queryParam{Name: "node", Required: true}
	get, post = http.MethodGet, http.MethodPost
)

// endpoints lists every endpoint served, in the order of Garage's
// documentation.
var endpoints = []*endpoint{
	{Name: "GetClusterStatus", Method: get, Summary: "The nodes this node knows of, their roles and free space.", Resp: GetClusterStatusResponse{}, Handle: getClusterStatus},
	{Name: "GetClusterHealth", Method: get, Summary: "Whether every partition has a quorum of up nodes.", Resp: GetClusterHealthResponse{}, Handle: getClusterHealth},
	{Name: "GetClusterStatistics", Method: get, Summary: "Storage per node and this node's table sizes, as text.", Resp: GetClusterStatisticsResponse{}, Handle: getClusterStatistics},
	{Name: "ConnectClusterNodes", Method: post, Summary: "Connect to nodes given as <node id>@<host:port>.", Body: ConnectClusterNodesRequest{}, Resp: []ConnectNodeResponse{}, Handle: connectClusterNodes},
	{Name: "GetNodeInfo", Method: get, Summary: "Identity, version and metadata engine of the nodes ?node= selects (self, an id or prefix, or *).",
		Query: []queryParam{qNode}, Resp: MultiResponse[LocalGetNodeInfoResponse]{}, Handle: getNodeInfo},
	{Name: "GetNodeStatistics", Method: get, Summary: "Statistics of the nodes ?node= selects (self, an id or prefix, or *), as text.",
		Query: []queryParam{qNode}, Resp: MultiResponse[LocalGetNodeStatisticsResponse]{}, Handle: getNodeStatistics},
	{Name: "CreateMetadataSnapshot", Method: post, Summary: "Each selected node writes a consistent copy of its metadata store under <metadata_dir>/snapshots/<timestamp>.",
		Query: []queryParam{qNode}, Resp: MultiResponse[LocalCreateMetadataSnapshotResponse]{}, Handle: createMetadataSnapshot},
	{Name: "LaunchRepairOperation", Method: post, Summary: "Start a repair on the selected nodes: tables, blocks or {\"scrub\": \"start\"}.",
		Query: []queryParam{qNode}, Body: LocalLaunchRepairOperationRequest{}, Resp: MultiResponse[LocalLaunchRepairOperationResponse]{}, Handle: launchRepairOperation},

	{Name: "ListWorkers", Method: post, Summary: "The background workers of the selected nodes.",
		Query: []queryParam{qNode}, Body: LocalListWorkersRequest{}, Resp: MultiResponse[[]WorkerInfoResp]{}, Handle: listWorkers},
	{Name: "GetWorkerInfo", Method: post, Summary: "One background worker, by id, on the selected nodes.",
		Query: []queryParam{qNode}, Body: LocalGetWorkerInfoRequest{}, Resp: MultiResponse[WorkerInfoResp]{}, Handle: getWorkerInfo},
	{Name: "GetWorkerVariable", Method: post, Summary: "One worker variable, or all (variable null), on the selected nodes.",
		Query: []queryParam{qNode}, Body: LocalGetWorkerVariableRequest{}, Resp: MultiResponse[map[string]string]{}, Handle: getWorkerVariable},
	{Name: "SetWorkerVariable", Method: post, Summary: "Set a worker variable on the selected nodes; it persists across restarts.",
		Query: []queryParam{qNode}, Body: LocalSetWorkerVariableRequest{}, Resp: MultiResponse[LocalSetWorkerVariableResponse]{}, Handle: setWorkerVariable},

	{Name: "ListBlockErrors", Method: get, Summary: "The blocks resync keeps failing on, on the selected nodes.",
		Query: []queryParam{qNode}, Resp: MultiResponse[[]BlockErrorResp]{}, Handle: listBlockErrors},
	{Name: "GetBlockInfo", Method: post, Summary: "One block (hash or prefix of 4+ hex digits): reference count and the versions referencing it.",
		Query: []queryParam{qNode}, Body: LocalGetBlockInfoRequest{}, Resp: MultiResponse[LocalGetBlockInfoResponse]{}, Handle: getBlockInfo},
	{Name: "RetryBlockResync", Method: post, Summary: "Retry the resync of failing blocks now: {\"all\": true} or {\"blockHashes\": [...]}.",
		Query: []queryParam{qNode}, Body: LocalRetryBlockResyncRequest{}, Resp: MultiResponse[LocalRetryBlockResyncResponse]{}, Handle: retryBlockResync},
	{Name: "PurgeBlocks", Method: post, Summary: "Remove for good every object, upload and version using the given blocks (full hashes), on the selected nodes.",
		Query: []queryParam{qNode}, Body: LocalPurgeBlocksRequest{}, Resp: MultiResponse[LocalPurgeBlocksResponse]{}, Handle: purgeBlocks},

	{Name: "ListAdminTokens", Method: get, Summary: "Every admin token, those of the configuration first.", Resp: []GetAdminTokenInfoResponse{}, Handle: listAdminTokens},
	{Name: "GetAdminTokenInfo", Method: get, Summary: "One admin token, by id or by search (id prefix or name).", Query: []queryParam{qIDOpt, qSearch}, Resp: GetAdminTokenInfoResponse{}, Handle: getAdminTokenInfo},
	{Name: "GetCurrentAdminTokenInfo", Method: get, Summary: "The token this request was made with.", Resp: GetAdminTokenInfoResponse{}, Handle: getCurrentAdminTokenInfo},
	{Name: "CreateAdminToken", Method: post, Summary: "Create a token; its secret is answered once.", Body: UpdateAdminTokenRequestBody{}, Resp: CreateAdminTokenResponse{}, Handle: createAdminToken},
	{Name: "UpdateAdminToken", Method: post, Summary: "Change a token's name, expiration or scope.", Query: []queryParam{qID}, Body: UpdateAdminTokenRequestBody{}, Resp: GetAdminTokenInfoResponse{}, Handle: updateAdminToken},
	{Name: "DeleteAdminToken", Method: post, Summary: "Delete a token.", Query: []queryParam{qID}, Handle: deleteAdminToken},

	{Name: "GetClusterLayout", Method: get, Summary: "The current layout and the staged changes.", Resp: GetClusterLayoutResponse{}, Handle: getClusterLayout},
	{Name: "GetClusterLayoutHistory", Method: get, Summary: "The live layout versions and each node's trackers.", Resp: GetClusterLayoutHistoryResponse{}, Handle: getClusterLayoutHistory},
	{Name: "UpdateClusterLayout", Method: post, Summary: "Stage role changes and layout parameters.", Body: UpdateClusterLayoutRequest{}, Resp: GetClusterLayoutResponse{}, Handle: updateClusterLayout},
	{Name: "PreviewClusterLayoutChanges", Method: post, Summary: "The layout applying the staged changes would give.", Resp: PreviewClusterLayoutChangesResponse{}, Handle: previewClusterLayoutChanges},
	{Name: "ApplyClusterLayout", Method: post, Summary: "Apply the staged changes as the given version (current + 1).", Body: ApplyClusterLayoutRequest{}, Resp: ApplyClusterLayoutResponse{}, Handle: applyClusterLayout},
	{Name: "RevertClusterLayout", Method: post, Summary: "Drop the staged changes.", Resp: GetClusterLayoutResponse{}, Handle: revertClusterLayout},
	{Name: "ClusterLayoutSkipDeadNodes", Method: post, Summary: "Let the layout move on without the nodes that are down.", Body: ClusterLayoutSkipDeadNodesRequest{}, Resp: ClusterLayoutSkipDeadNodesResponse{}, Handle: clusterLayoutSkipDeadNodes},

	{Name: "ListKeys", Method: get, Summary: "Every access key.", Resp: []ListKeysResponseItem{}, Handle: listKeys},
	{Name: "GetKeyInfo", Method: get, Summary: "One access key, by id or by search (id prefix or name).",
		Query: []queryParam{qIDOpt, qSearch, {Name: "showSecretKey", Bool: true}}, Resp: GetKeyInfoResponse{}, Handle: getKeyInfo},
	{Name: "CreateKey", Method: post, Summary: "Create an access key; its secret is answered.", Body: UpdateKeyRequestBody{}, Resp: GetKeyInfoResponse{}, Handle: createKey},
	{Name: "ImportKey", Method: post, Summary: "Import an access key made elsewhere.", Body: ImportKeyRequest{}, Resp: GetKeyInfoResponse{}, Handle: importKey},
	{Name: "UpdateKey", Method: post, Summary: "Rename a key, allow or deny it creating buckets.", Query: []queryParam{qID}, Body: UpdateKeyRequestBody{}, Resp: GetKeyInfoResponse{}, Handle: updateKey},
	{Name: "DeleteKey", Method: post, Summary: "Delete an access key.", Query: []queryParam{qID}, Handle: deleteKey},

	{Name: "ListBuckets", Method: get, Summary: "Every bucket.", Resp: []ListBucketsResponseItem{}, Handle: listBuckets},
	{Name: "GetBucketInfo", Method: get, Summary: "One bucket, by id, global alias or search.",
		Query: []queryParam{qIDOpt, {Name: "globalAlias"}, qSearch}, Resp: GetBucketInfoResponse{}, Handle: getBucketInfo},
	{Name: "CreateBucket", Method: post, Summary: "Create a bucket under a global alias (and optionally a local one).", Body: CreateBucketRequest{}, Resp: GetBucketInfoResponse{}, Handle: createBucket},
	{Name: "UpdateBucket", Method: post, Summary: "Change a bucket's website access or quotas.", Query: []queryParam{qID}, Body: UpdateBucketRequestBody{}, Resp: GetBucketInfoResponse{}, Handle: updateBucket},
	{Name: "DeleteBucket", Method: post, Summary: "Delete an empty bucket.", Query: []queryParam{qID}, Handle: deleteBucket},
	{Name: "CleanupIncompleteUploads", Method: post, Summary: "Abort the bucket's multipart uploads created more than olderThanSecs ago.",
		Body: CleanupIncompleteUploadsRequest{}, Resp: CleanupIncompleteUploadsResponse{}, Handle: cleanupIncompleteUploads},
	{Name: "InspectObject", Method: get, Summary: "Every version of one object as stored: state, headers, blocks.",
		Query: []queryParam{{Name: "bucketId", Required: true}, {Name: "key", Required: true}}, Resp: InspectObjectResponse{}, Handle: inspectObject},
	{Name: "AllowBucketKey", Method: post, Summary: "Grant a key rights on a bucket.", Body: BucketKeyPermChangeRequest{}, Resp: GetBucketInfoResponse{}, Handle: allowBucketKey},
	{Name: "DenyBucketKey", Method: post, Summary: "Revoke a key's rights on a bucket.", Body: BucketKeyPermChangeRequest{}, Resp: GetBucketInfoResponse{}, Handle: denyBucketKey},
	{Name: "AddBucketAlias", Method: post, Summary: "Add a global alias, or a local alias of a key.", Body: BucketAliasRequest{}, Resp: GetBucketInfoResponse{}, Handle: addBucketAlias},
	{Name: "RemoveBucketAlias", Method: post, Summary: "Remove a global or local alias.", Body: BucketAliasRequest{}, Resp: GetBucketInfoResponse{}, Handle: removeBucketAlias},
}
