package adminapi_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/garagego/garage/internal/retry"
	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/s3/bucketcfg"
	"github.com/garagego/garage/node/wire"
)

// TestE2E runs every endpoint group against one 3-node cluster; Health
// runs last, as it stops two nodes.
func TestE2E(t *testing.T) {
	e := startEnv(t)
	t.Run("OpenAPI", e.testOpenAPI)
	t.Run("Auth", e.testAuth)
	t.Run("Cluster", e.testCluster)
	t.Run("Layout", e.testLayout)
	t.Run("Keys", e.testKeys)
	t.Run("Buckets", e.testBuckets)
	t.Run("Tokens", e.testTokens)
	t.Run("Errors", e.testErrors)
	t.Run("Check", e.testCheck)
	t.Run("Health", e.testHealth)
}

// testOpenAPI checks that the document lists the endpoints the client
// calls, and that every field the client's structs name is a property of
// the schema the document gives for that answer.
func (e *env) testOpenAPI(t *testing.T) {
	doc := e.openAPI(t)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	answers := map[string]any{
		"GetClusterStatus": clusterStatus{}, "GetClusterHealth": clusterHealth{}, "GetNodeInfo": nodeInfo{},
		"GetClusterLayout": clusterLayout{}, "PreviewClusterLayoutChanges": previewResult{}, "ApplyClusterLayout": applyResult{},
		"GetClusterLayoutHistory": layoutHistory{}, "ListKeys": []keyListItem{}, "GetKeyInfo": keyInfo{}, "CreateKey": keyInfo{},
		"ListBuckets": []bucketListItem{}, "GetBucketInfo": bucketInfo{}, "CreateBucket": bucketInfo{}, "UpdateBucket": bucketInfo{},
		"AllowBucketKey": bucketInfo{}, "AddBucketAlias": bucketInfo{}, "ListAdminTokens": []tokenInfo{},
		"GetAdminTokenInfo": tokenInfo{}, "CreateAdminToken": createdToken{}, "UpdateAdminToken": tokenInfo{},
		"GetCurrentAdminTokenInfo": tokenInfo{}, "ConnectClusterNodes": []connectResult{},
	}
	for _, fn := range []string{"UpdateClusterLayout", "RevertClusterLayout", "ClusterLayoutSkipDeadNodes", "ImportKey", "UpdateKey",
		"DeleteKey", "DeleteBucket", "DenyBucketKey", "RemoveBucketAlias", "DeleteAdminToken", "GetClusterStatistics"} {
		if doc.Paths["/v2/"+fn] == nil {
			t.Errorf("the document has no /v2/%s", fn)
		}
	}
	for fn, answer := range answers {
		path := doc.Paths["/v2/"+fn]
		if path == nil {
			t.Errorf("the document has no /v2/%s", fn)
			continue
		}
		for _, op := range path {
			schema := dig(op, "responses", "200", "content", "application/json", "schema")
			checkFields(t, fn, reflect.TypeOf(answer), schema, doc.Components.Schemas)
		}
	}
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

// checkFields walks a client type and the schema side by side.
func checkFields(t *testing.T, where string, typ reflect.Type, schema any, schemas map[string]map[string]any) {
	t.Helper()
	s, _ := schema.(map[string]any)
	if ref, ok := s["$ref"].(string); ok {
		s = schemas[strings.TrimPrefix(ref, "#/components/schemas/")]
	}
	if all, ok := s["allOf"].([]any); ok && len(all) == 1 {
		checkFields(t, where, typ, all[0], schemas)
		return
	}
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	switch typ.Kind() {
	case reflect.Slice:
		checkFields(t, where+"[]", typ.Elem(), s["items"], schemas)
	case reflect.Map:
		checkFields(t, where+"{}", typ.Elem(), s["additionalProperties"], schemas)
	case reflect.Struct:
		props, _ := s["properties"].(map[string]any)
		if props == nil {
			t.Errorf("%s: the document gives no object schema (%v)", where, s)
			return
		}
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			sub, ok := props[name]
			if !ok {
				t.Errorf("%s: the document has no field %q", where, name)
				continue
			}
			checkFields(t, where+"."+name, f.Type, sub, schemas)
		}
	}
}

func (e *env) testAuth(t *testing.T) {
	// No token, a wrong one, a malformed header: 403 AccessDenied.
	wantError(t, e.raw(t, 0, http.MethodGet, "/v2/GetClusterStatus", "", nil), http.StatusForbidden, "AccessDenied")
	wantError(t, e.raw(t, 0, http.MethodGet, "/v2/GetClusterStatus", "not-the-token", nil), http.StatusForbidden, "AccessDenied")
	wantError(t, e.raw(t, 0, http.MethodGet, "/v2/GetClusterStatus", "0123456789abcdef01234567.secret", nil), http.StatusForbidden, "AccessDenied")
	req, _ := http.NewRequest(http.MethodGet, e.c.Nodes[0].AdminEndpoint+"/v2/GetClusterStatus", nil)
	req.Header.Set("Authorization", "Basic "+e.c.Nodes[0].AdminToken)
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("Basic authorization: %d, want 403", resp.StatusCode)
	}
	// A CORS preflight needs no token and allows every origin.
	r := e.raw(t, 0, http.MethodOptions, "/v2/CreateBucket", "", nil)
	if r.status != http.StatusOK || r.header.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(r.header.Get("Access-Control-Allow-Headers"), "authorization") ||
		!strings.Contains(r.header.Get("Access-Control-Allow-Methods"), "POST") {
		t.Fatalf("preflight: %d %v", r.status, r.header)
	}
	// Answers carry the CORS origin too.
	r = e.call(t, "GetClusterHealth", nil, nil, http.StatusOK, &clusterHealth{})
	if r.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("answer headers: %v", r.header)
	}
}

func (e *env) testCluster(t *testing.T) {
	var st clusterStatus
	e.call(t, "GetClusterStatus", nil, nil, http.StatusOK, &st)
	if st.LayoutVersion != 1 || len(st.Nodes) != 3 {
		t.Fatalf("status: %+v", st)
	}
	for i, n := range st.Nodes {
		if !n.IsUp || n.Role == nil || n.Role.Capacity == nil || *n.Role.Capacity != 1<<40 || n.Addr == nil {
			t.Fatalf("node %d: %+v", i, n)
		}
		if i > 0 && st.Nodes[i-1].ID >= n.ID {
			t.Fatalf("nodes not sorted by id")
		}
	}
	var h clusterHealth
	e.call(t, "GetClusterHealth", nil, nil, http.StatusOK, &h)
	if h != (clusterHealth{Status: "healthy", KnownNodes: 3, ConnectedNodes: 3, StorageNodes: 3, StorageNodesOk: 3, Partitions: 256, PartitionsQuorum: 256, PartitionsAllOk: 256}) {
		t.Fatalf("health: %+v", h)
	}
	var stats struct {
		Freeform string `json:"freeform"`
	}
	e.call(t, "GetClusterStatistics", nil, nil, http.StatusOK, &stats)
	if !strings.Contains(stats.Freeform, "buckets") {
		t.Fatalf("statistics: %q", stats.Freeform)
	}
	self := e.c.Nodes[0].Server.ID().Hex()
	var ni nodeInfo
	e.call(t, "GetNodeInfo", q("node", "self"), nil, http.StatusOK, &ni)
	if got := ni.Success[self]; got.NodeID != self || got.RustVersion == "" {
		t.Fatalf("node info: %+v", ni)
	}
	// Another node's info is forwarded to it (e2e_nodes_test.go tests more).
	other := e.c.Nodes[1].Server.ID().Hex()
	var ni1 nodeInfo
	e.call(t, "GetNodeInfo", q("node", other), nil, http.StatusOK, &ni1)
	if got := ni1.Success[other]; got.NodeID != other || len(ni1.Success) != 1 {
		t.Fatalf("node info of node 1: %+v", ni1)
	}
	// Connecting to a node already met succeeds; to nobody, fails in its
	// own entry.
	var conn []connectResult
	peer := e.c.Nodes[1].Server.ID().Hex() + "@" + e.c.Nodes[1].Server.RPCAddr()
	e.call(t, "ConnectClusterNodes", nil, []string{peer, "nonsense"}, http.StatusOK, &conn)
	if len(conn) != 2 || !conn[0].Success || conn[1].Success || conn[1].Error == nil {
		t.Fatalf("connect: %+v", conn)
	}
}

func (e *env) testLayout(t *testing.T) {
	var l clusterLayout
	e.call(t, "GetClusterLayout", nil, nil, http.StatusOK, &l)
	if l.Version != 1 || len(l.Roles) != 3 || l.Parameters.ZoneRedundancy != "maximum" || l.PartitionSize == 0 ||
		len(l.StagedRoleChanges) != 0 || l.StagedParameters != nil {
		t.Fatalf("layout: %+v", l)
	}
	for _, r := range l.Roles {
		if r.StoredPartitions == nil || *r.StoredPartitions != 256 || r.UsableCapacity == nil || *r.UsableCapacity != 256*l.PartitionSize {
			t.Fatalf("role %+v (partition size %d)", r, l.PartitionSize)
		}
	}
	id0 := l.Roles[0].ID
	// A capacity under 1 KiB, and a change naming neither form, are refused.
	small := uint64(10)
	wantError(t, e.call(t, "UpdateClusterLayout", nil, map[string]any{"roles": []roleChange{{ID: id0, Zone: "z", Capacity: &small}}}, 400, nil), 400, "InvalidRequest")
	wantError(t, e.call(t, "UpdateClusterLayout", nil, map[string]any{"roles": []map[string]string{{"id": id0}}}, 400, nil), 400, "InvalidRequest")
	capacity := uint64(2 << 40)
	e.call(t, "UpdateClusterLayout", nil, map[string]any{"roles": []roleChange{{ID: id0, Zone: "zone0", Tags: []string{"fast"}, Capacity: &capacity}},
		"parameters": map[string]any{"zoneRedundancy": map[string]int{"atLeast": 2}}}, http.StatusOK, &l)
	if len(l.StagedRoleChanges) != 1 || l.StagedRoleChanges[0].ID != id0 || *l.StagedRoleChanges[0].Capacity != capacity ||
		!slices.Equal(l.StagedRoleChanges[0].Tags, []string{"fast"}) || l.StagedParameters == nil {
		t.Fatalf("staged: %+v", l)
	}
	if zr, _ := l.StagedParameters.ZoneRedundancy.(map[string]any); zr["atLeast"] != 2.0 {
		t.Fatalf("staged parameters: %+v", l.StagedParameters)
	}
	var p previewResult
	e.call(t, "PreviewClusterLayoutChanges", nil, postNoBody{}, http.StatusOK, &p)
	if p.Error != nil || p.NewLayout == nil || p.NewLayout.Version != 2 || len(p.Message) == 0 {
		t.Fatalf("preview: %+v", p)
	}
	e.call(t, "RevertClusterLayout", nil, postNoBody{}, http.StatusOK, &l)
	if len(l.StagedRoleChanges) != 0 || l.StagedParameters != nil {
		t.Fatalf("after revert: %+v", l)
	}
	e.call(t, "PreviewClusterLayoutChanges", nil, postNoBody{}, http.StatusOK, &p)
	if p.Error == nil {
		t.Fatalf("preview with nothing staged: %+v", p)
	}
	// Stage again and apply: the wrong version is refused, the right one
	// becomes current.
	e.call(t, "UpdateClusterLayout", nil, map[string]any{"roles": []roleChange{{ID: id0, Zone: "zone0", Tags: []string{"fast"}, Capacity: &capacity}}}, http.StatusOK, &l)
	wantError(t, e.call(t, "ApplyClusterLayout", nil, map[string]int{"version": 5}, 400, nil), 400, "InvalidRequest")
	var applied applyResult
	e.call(t, "ApplyClusterLayout", nil, map[string]int{"version": 2}, http.StatusOK, &applied)
	if applied.Layout.Version != 2 || len(applied.Message) == 0 || len(applied.Layout.StagedRoleChanges) != 0 {
		t.Fatalf("applied: %+v", applied)
	}
	var h layoutHistory
	e.call(t, "GetClusterLayoutHistory", nil, nil, http.StatusOK, &h)
	if h.CurrentVersion != 2 || len(h.Versions) == 0 || h.Versions[0].Version != 2 || h.Versions[0].Status != "Current" || h.Versions[0].StorageNodes != 3 {
		t.Fatalf("history: %+v", h)
	}
	wantError(t, e.call(t, "ClusterLayoutSkipDeadNodes", nil, map[string]any{"version": 99, "allowMissingData": false}, 400, nil), 400, "InvalidRequest")
	wantError(t, e.call(t, "RevertClusterLayout", nil, postNoBody{}, 400, nil), 400, "InvalidRequest")
}

func (e *env) testKeys(t *testing.T) {
	var k keyInfo
	e.call(t, "CreateKey", nil, map[string]any{"name": "alice", "allow": map[string]bool{"createBucket": true}}, http.StatusOK, &k)
	if !strings.HasPrefix(k.AccessKeyID, "GK") || k.Name != "alice" || k.SecretAccessKey == nil || len(*k.SecretAccessKey) != 64 ||
		!k.Permissions.CreateBucket || k.Created == nil || k.Expiration != nil || k.Expired {
		t.Fatalf("created: %+v", k)
	}
	secret := *k.SecretAccessKey
	var got keyInfo
	e.call(t, "GetKeyInfo", q("id", k.AccessKeyID), nil, http.StatusOK, &got)
	if got.SecretAccessKey != nil || got.Name != "alice" {
		t.Fatalf("without showSecretKey: %+v", got)
	}
	e.call(t, "GetKeyInfo", q("search", "alice", "showSecretKey", "true"), nil, http.StatusOK, &got)
	if got.AccessKeyID != k.AccessKeyID || got.SecretAccessKey == nil || *got.SecretAccessKey != secret {
		t.Fatalf("by search with secret: %+v", got)
	}
	e.call(t, "UpdateKey", q("id", k.AccessKeyID), map[string]any{"name": "alice2", "deny": map[string]bool{"createBucket": true}}, http.StatusOK, &got)
	if got.Name != "alice2" || got.Permissions.CreateBucket {
		t.Fatalf("updated: %+v", got)
	}
	// An expiration cannot be honoured: refused, not dropped.
	wantError(t, e.call(t, "UpdateKey", q("id", k.AccessKeyID), map[string]any{"expiration": "2030-01-01T00:00:00Z"}, 400, nil), 400, "InvalidRequest")
	imported := "GK" + strings.Repeat("ab", 12)
	e.call(t, "ImportKey", nil, map[string]any{"accessKeyId": imported, "secretAccessKey": strings.Repeat("cd", 32), "name": "imp"}, http.StatusOK, &got)
	if got.AccessKeyID != imported || got.Name != "imp" {
		t.Fatalf("imported: %+v", got)
	}
	wantError(t, e.call(t, "ImportKey", nil, map[string]any{"accessKeyId": imported, "secretAccessKey": strings.Repeat("cd", 32)}, 409, nil), 409, "KeyAlreadyExists")
	var list []keyListItem
	e.call(t, "ListKeys", nil, nil, http.StatusOK, &list)
	ids := map[string]string{}
	for _, it := range list {
		ids[it.ID] = it.Name
	}
	if ids[k.AccessKeyID] != "alice2" || ids[imported] != "imp" || ids[e.c.KeyID] != "test" {
		t.Fatalf("list: %+v", list)
	}
	// The id parameter is an exact id, not a prefix.
	wantError(t, e.call(t, "GetKeyInfo", q("id", k.AccessKeyID[:10]), nil, 404, nil), 404, "NoSuchAccessKey")
	e.call(t, "DeleteKey", q("id", imported), postNoBody{}, http.StatusOK, nil)
	wantError(t, e.call(t, "GetKeyInfo", q("id", imported), nil, 404, nil), 404, "NoSuchAccessKey")
}

func (e *env) testBuckets(t *testing.T) {
	var k keyInfo
	e.call(t, "CreateKey", nil, map[string]string{"name": "bob"}, http.StatusOK, &k)
	var b bucketInfo
	e.call(t, "CreateBucket", nil, map[string]any{"globalAlias": "photos",
		"localAlias": map[string]any{"accessKeyId": k.AccessKeyID, "alias": "mine", "allow": perms{Read: true}}}, http.StatusOK, &b)
	if len(b.ID) != 64 || !slices.Equal(b.GlobalAliases, []string{"photos"}) || b.WebsiteAccess || b.WebsiteConfig != nil ||
		b.Quotas.MaxSize != nil || len(b.Keys) != 1 || b.Keys[0].AccessKeyID != k.AccessKeyID || !b.Keys[0].Permissions.Read ||
		b.Keys[0].Permissions.Write || !slices.Equal(b.Keys[0].BucketLocalAliases, []string{"mine"}) {
		t.Fatalf("created: %+v", b)
	}
	wantError(t, e.call(t, "CreateBucket", nil, map[string]string{"globalAlias": "photos"}, 409, nil), 409, "BucketAlreadyExists")
	var got bucketInfo
	e.call(t, "GetBucketInfo", q("globalAlias", "photos"), nil, http.StatusOK, &got)
	if got.ID != b.ID {
		t.Fatalf("by alias: %+v", got)
	}
	e.call(t, "GetBucketInfo", q("search", b.ID[:12]), nil, http.StatusOK, &got)
	if got.ID != b.ID {
		t.Fatalf("by search: %+v", got)
	}
	e.call(t, "AllowBucketKey", nil, map[string]any{"bucketId": b.ID, "accessKeyId": k.AccessKeyID, "permissions": perms{Write: true, Owner: true}}, http.StatusOK, &got)
	if p := got.Keys[0].Permissions; !p.Read || !p.Write || !p.Owner {
		t.Fatalf("allowed: %+v", got.Keys)
	}
	e.call(t, "DenyBucketKey", nil, map[string]any{"bucketId": b.ID, "accessKeyId": k.AccessKeyID, "permissions": perms{Owner: true}}, http.StatusOK, &got)
	if p := got.Keys[0].Permissions; !p.Read || !p.Write || p.Owner {
		t.Fatalf("denied: %+v", got.Keys)
	}
	var ki keyInfo
	e.call(t, "GetKeyInfo", q("id", k.AccessKeyID), nil, http.StatusOK, &ki)
	if len(ki.Buckets) != 1 || ki.Buckets[0].ID != b.ID || !slices.Equal(ki.Buckets[0].LocalAliases, []string{"mine"}) || !ki.Buckets[0].Permissions.Write {
		t.Fatalf("key's buckets: %+v", ki.Buckets)
	}
	e.call(t, "AddBucketAlias", nil, map[string]string{"bucketId": b.ID, "globalAlias": "pictures"}, http.StatusOK, &got)
	if !slices.Contains(got.GlobalAliases, "pictures") {
		t.Fatalf("alias added: %+v", got)
	}
	e.call(t, "RemoveBucketAlias", nil, map[string]string{"bucketId": b.ID, "globalAlias": "photos"}, http.StatusOK, &got)
	if !slices.Equal(got.GlobalAliases, []string{"pictures"}) {
		t.Fatalf("alias removed: %+v", got)
	}
	e.call(t, "RemoveBucketAlias", nil, map[string]string{"bucketId": b.ID, "localAlias": "mine", "accessKeyId": k.AccessKeyID}, http.StatusOK, &got)
	if len(got.Keys[0].BucketLocalAliases) != 0 {
		t.Fatalf("local alias removed: %+v", got.Keys)
	}
	var list []bucketListItem
	e.call(t, "ListBuckets", nil, nil, http.StatusOK, &list)
	found := false
	for _, it := range list {
		found = found || (it.ID == b.ID && slices.Equal(it.GlobalAliases, []string{"pictures"}))
	}
	if !found || len(list) < 2 {
		t.Fatalf("list: %+v", list)
	}
	// Website access and quotas are set, read back, and removed.
	wantError(t, e.call(t, "UpdateBucket", q("id", b.ID), map[string]any{"websiteAccess": map[string]any{"enabled": true}}, 400, nil), 400, "InvalidRequest")
	e.call(t, "UpdateBucket", q("id", b.ID), map[string]any{"websiteAccess": map[string]any{"enabled": true, "indexDocument": "index.html", "errorDocument": "404.html"},
		"quotas": map[string]any{"maxSize": 1000, "maxObjects": nil}}, http.StatusOK, &got)
	if !got.WebsiteAccess || got.WebsiteConfig == nil || got.WebsiteConfig.IndexDocument != "index.html" || got.WebsiteConfig.ErrorDocument == nil ||
		*got.WebsiteConfig.ErrorDocument != "404.html" || got.Quotas.MaxSize == nil || *got.Quotas.MaxSize != 1000 || got.Quotas.MaxObjects != nil {
		t.Fatalf("after UpdateBucket: %+v", got)
	}
	e.call(t, "GetBucketInfo", q("id", b.ID), nil, http.StatusOK, &got)
	if !got.WebsiteAccess || got.Quotas.MaxSize == nil {
		t.Fatalf("GetBucketInfo after UpdateBucket: %+v", got)
	}
	e.call(t, "UpdateBucket", q("id", b.ID), map[string]any{"websiteAccess": map[string]any{"enabled": false},
		"quotas": map[string]any{"maxSize": nil, "maxObjects": nil}}, http.StatusOK, &got)
	if got.WebsiteAccess || got.Quotas.MaxSize != nil {
		t.Fatalf("after removing website access and quotas: %+v", got)
	}
	e.call(t, "UpdateBucket", q("id", b.ID), map[string]any{}, http.StatusOK, &got)
	// Objects are counted.
	e.call(t, "GetBucketInfo", q("globalAlias", e.c.Bucket), nil, http.StatusOK, &got)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	bid, _ := model.ParseBucketID(got.ID)
	_, _, err := e.c.Nodes[0].Server.PutObject(ctx, bid, "hello.txt", nil, strings.NewReader("hello"))
	must(t, err)
	// Usage comes from the bucket's counters, which follow a write within
	// a moment.
	id := got.ID
	if err := retry.Until(ctx, 30*time.Second, func() error {
		e.call(t, "GetBucketInfo", q("id", id), nil, http.StatusOK, &got)
		if got.Objects != 1 || got.Bytes != 5 {
			return fmt.Errorf("usage: %d objects, %d bytes", got.Objects, got.Bytes)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	wantError(t, e.call(t, "DeleteBucket", q("id", got.ID), postNoBody{}, 409, nil), 409, "BucketNotEmpty")
	e.call(t, "DeleteBucket", q("id", b.ID), postNoBody{}, http.StatusOK, nil)
	wantError(t, e.call(t, "GetBucketInfo", q("id", b.ID), nil, 404, nil), 404, "NoSuchBucket")
}

func (e *env) testTokens(t *testing.T) {
	var list []tokenInfo
	e.call(t, "ListAdminTokens", nil, nil, http.StatusOK, &list)
	if len(list) != 1 || list[0].ID != nil || list[0].Name != "admin_token (from daemon configuration)" || !slices.Equal(list[0].Scope, []string{"*"}) {
		t.Fatalf("tokens: %+v", list)
	}
	// A token limited to GetClusterStatus may call it, and nothing else.
	var limited createdToken
	e.call(t, "CreateAdminToken", nil, map[string]any{"name": "status-only", "scope": []string{"GetClusterStatus"}}, http.StatusOK, &limited)
	if limited.ID == nil || !strings.HasPrefix(limited.SecretToken, *limited.ID+".") || limited.Expired || limited.Expiration != nil {
		t.Fatalf("created: %+v", limited)
	}
	e.callAs(t, limited.SecretToken, "GetClusterStatus", nil, nil, http.StatusOK, &clusterStatus{})
	wantError(t, e.callAs(t, limited.SecretToken, "CreateBucket", nil, map[string]string{"globalAlias": "nope"}, 403, nil), 403, "AccessDenied")
	wantError(t, e.callAs(t, limited.SecretToken, "GetCurrentAdminTokenInfo", nil, nil, 403, nil), 403, "AccessDenied")
	// A wrong secret with the right id is refused.
	wantError(t, e.callAs(t, *limited.ID+".wrong", "GetClusterStatus", nil, nil, 403, nil), 403, "AccessDenied")
	// Widening the scope lets it through.
	var info tokenInfo
	e.call(t, "UpdateAdminToken", q("id", *limited.ID), map[string]any{"scope": []string{"GetClusterStatus", "CreateBucket", "GetCurrentAdminTokenInfo"}}, http.StatusOK, &info)
	if !slices.Equal(info.Scope, []string{"GetClusterStatus", "CreateBucket", "GetCurrentAdminTokenInfo"}) {
		t.Fatalf("updated: %+v", info)
	}
	e.callAs(t, limited.SecretToken, "CreateBucket", nil, map[string]string{"globalAlias": "by-token"}, http.StatusOK, &bucketInfo{})
	e.callAs(t, limited.SecretToken, "GetCurrentAdminTokenInfo", nil, nil, http.StatusOK, &info)
	if info.ID == nil || *info.ID != *limited.ID || info.Name != "status-only" {
		t.Fatalf("current: %+v", info)
	}
	e.call(t, "GetCurrentAdminTokenInfo", nil, nil, http.StatusOK, &info)
	if info.ID != nil || !slices.Equal(info.Scope, []string{"*"}) {
		t.Fatalf("current for admin_token: %+v", info)
	}
	// An expired token is refused; setting neverExpires revives it.
	var expired createdToken
	past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	e.call(t, "CreateAdminToken", nil, map[string]any{"name": "old", "expiration": past}, http.StatusOK, &expired)
	if !expired.Expired || expired.Expiration == nil || !slices.Equal(expired.Scope, []string{"*"}) {
		t.Fatalf("expired token: %+v", expired)
	}
	wantError(t, e.callAs(t, expired.SecretToken, "GetClusterStatus", nil, nil, 403, nil), 403, "AccessDenied")
	e.call(t, "GetAdminTokenInfo", q("search", "old"), nil, http.StatusOK, &info)
	if !info.Expired || *info.ID != *expired.ID {
		t.Fatalf("expired info: %+v", info)
	}
	wantError(t, e.call(t, "UpdateAdminToken", q("id", *expired.ID), map[string]any{"neverExpires": true, "expiration": past}, 400, nil), 400, "InvalidRequest")
	e.call(t, "UpdateAdminToken", q("id", *expired.ID), map[string]any{"neverExpires": true}, http.StatusOK, &info)
	if info.Expired || info.Expiration != nil {
		t.Fatalf("revived: %+v", info)
	}
	e.callAs(t, expired.SecretToken, "GetClusterStatus", nil, nil, http.StatusOK, &clusterStatus{})
	// Tokens work on every node (the table is full-copy).
	r := e.raw(t, 2, http.MethodGet, "/v2/GetClusterHealth", limited.SecretToken, nil)
	wantError(t, r, 403, "AccessDenied")
	if r := e.raw(t, 2, http.MethodGet, "/v2/GetClusterStatus", limited.SecretToken, nil); r.status != 200 {
		t.Fatalf("node 2 with the token: %d %s", r.status, r.body)
	}
	e.call(t, "ListAdminTokens", nil, nil, http.StatusOK, &list)
	if len(list) != 3 {
		t.Fatalf("tokens: %+v", list)
	}
	e.call(t, "DeleteAdminToken", q("id", *limited.ID), postNoBody{}, http.StatusOK, nil)
	wantError(t, e.callAs(t, limited.SecretToken, "GetClusterStatus", nil, nil, 403, nil), 403, "AccessDenied")
	wantError(t, e.call(t, "GetAdminTokenInfo", q("id", *limited.ID), nil, 404, nil), 404, "NoSuchAdminToken")
	wantError(t, e.call(t, "GetAdminTokenInfo", nil, nil, 400, nil), 400, "InvalidRequest")
}

func (e *env) testErrors(t *testing.T) {
	wantError(t, e.call(t, "CreateKey", nil, []byte("{not json"), 400, nil), 400, "InvalidRequest")
	wantError(t, e.call(t, "CreateBucket", nil, []byte(`{"globalAlias": 5}`), 400, nil), 400, "InvalidRequest")
	wantError(t, e.call(t, "GetKeyInfo", q("id", "GK"+strings.Repeat("0", 24)), nil, 404, nil), 404, "NoSuchAccessKey")
	wantError(t, e.call(t, "GetKeyInfo", q("id", "a", "search", "b"), nil, 400, nil), 400, "InvalidRequest")
	wantError(t, e.call(t, "GetKeyInfo", q("id", e.c.KeyID, "showSecretKey", "maybe"), nil, 400, nil), 400, "InvalidRequest")
	wantError(t, e.call(t, "GetBucketInfo", q("id", strings.Repeat("0", 64)), nil, 404, nil), 404, "NoSuchBucket")
	wantError(t, e.call(t, "GetBucketInfo", q("id", "xyz"), nil, 400, nil), 400, "InvalidRequest")
	wantError(t, e.call(t, "DeleteKey", nil, postNoBody{}, 400, nil), 400, "InvalidRequest")
	wantError(t, e.call(t, "CreateBucket", nil, map[string]string{"globalAlias": "Not_Valid"}, 400, nil), 400, "InvalidRequest")
	// Unknown endpoints and wrong methods are 400.
	wantError(t, e.raw(t, 0, http.MethodGet, "/v2/NoSuchThing", e.c.Nodes[0].AdminToken, nil), 400, "InvalidRequest")
	wantError(t, e.raw(t, 0, http.MethodPost, "/v2/ListKeys", e.c.Nodes[0].AdminToken, nil), 400, "InvalidRequest")
	wantError(t, e.raw(t, 0, http.MethodPost, "/v2/LaunchRepairOperation?node=self", e.c.Nodes[0].AdminToken, []byte(`{"repairType":"versions"}`)), 400, "InvalidRequest")
	wantError(t, e.raw(t, 0, http.MethodPost, "/v2/LaunchRepairOperation?node=self", "", nil), 403, "AccessDenied")
}

func (e *env) testCheck(t *testing.T) {
	// The cluster's bucket under the S3 root domain: managed.
	r := e.raw(t, 0, http.MethodGet, "/check?domain="+e.c.Bucket+".s3.garage.test", "", nil)
	if r.status != 200 || !strings.Contains(string(r.body), "is managed by Garage") {
		t.Fatalf("check under root domain: %d %s", r.status, r.body)
	}
	// The bare bucket name without website access: not managed.
	wantError(t, e.raw(t, 0, http.MethodGet, "/check?domain="+e.c.Bucket, "", nil), 400, "InvalidRequest")
	wantError(t, e.raw(t, 0, http.MethodGet, "/check?domain=nobody.s3.garage.test", "", nil), 400, "InvalidRequest")
	wantError(t, e.raw(t, 0, http.MethodGet, "/check", "", nil), 400, "InvalidRequest")
	// With a website configuration, the bare name is managed.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := e.c.Do(ctx, admin.GetBucketEntry{Name: e.c.Bucket})
	must(t, err)
	enc := wire.NewEncoder(nil)
	bucketcfg.Website{IndexDocument: "index.html", ErrorDocument: "err.html"}.Encode(enc)
	_, err = e.c.Do(ctx, admin.SetBucketConfig{Bucket: res.(model.Bucket).ID, Name: model.ConfigWebsite, Value: enc.Bytes()})
	must(t, err)
	r = e.raw(t, 0, http.MethodGet, "/check?domain="+e.c.Bucket, "", nil)
	if r.status != 200 {
		t.Fatalf("check with website: %d %s", r.status, r.body)
	}
	var b bucketInfo
	e.call(t, "GetBucketInfo", q("globalAlias", e.c.Bucket), nil, http.StatusOK, &b)
	if !b.WebsiteAccess || b.WebsiteConfig == nil || b.WebsiteConfig.IndexDocument != "index.html" || *b.WebsiteConfig.ErrorDocument != "err.html" {
		t.Fatalf("website in bucket info: %+v", b)
	}
}

func (e *env) testHealth(t *testing.T) {
	r := e.raw(t, 0, http.MethodGet, "/health", "", nil)
	if r.status != 200 || !strings.Contains(string(r.body), "fully operational") {
		t.Fatalf("health: %d %s", r.status, r.body)
	}
	must(t, e.c.Kill(1))
	var h clusterHealth
	waitFor(t, "a degraded cluster", func() bool {
		e.call(t, "GetClusterHealth", nil, nil, http.StatusOK, &h)
		return h.Status == "degraded"
	})
	if r := e.raw(t, 0, http.MethodGet, "/health", "", nil); r.status != 200 {
		t.Fatalf("health with one node down: %d %s", r.status, r.body)
	}
	must(t, e.c.Kill(2))
	waitFor(t, "/health to answer 503", func() bool {
		r = e.raw(t, 0, http.MethodGet, "/health", "", nil)
		return r.status == http.StatusServiceUnavailable
	})
	if !strings.Contains(string(r.body), "Quorum is not available") {
		t.Fatalf("503 body: %s", r.body)
	}
	e.call(t, "GetClusterHealth", nil, nil, http.StatusOK, &h)
	if h.Status != "unavailable" || h.PartitionsQuorum != 0 || h.ConnectedNodes != 1 || h.StorageNodesOk != 1 {
		t.Fatalf("health: %+v", h)
	}
}
