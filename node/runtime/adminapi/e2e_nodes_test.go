package adminapi_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/runtime/metastore"
)

// TestE2ENodes: the node-scoped endpoints on a 3-node cluster, sent to
// node 0 and forwarded by it with ?node=. Last, a killed node answers
// under "error".
func TestE2ENodes(t *testing.T) {
	e := startEnv(t)
	t.Run("Selector", e.testSelector)
	t.Run("Workers", e.testWorkers)
	t.Run("Blocks", e.testBlocks)
	t.Run("Repair", e.testRepair)
	t.Run("Snapshot", e.testSnapshot)
	t.Run("Scope", e.testNodeScope)
	t.Run("Down", e.testNodeDown)
}

func (e *env) ids() []string {
	var ids []string
	for _, n := range e.c.Nodes {
		ids = append(ids, n.Server.ID().Hex())
	}
	return ids
}

// testSelector: * answers for every node with its own id; a prefix of
// node 2's id sent to node 0 answers node 2's own data; a selector naming
// nobody, or missing, is 400.
func (e *env) testSelector(t *testing.T) {
	ids := e.ids()
	var all nodeInfo
	e.call(t, "GetNodeInfo", q("node", "*"), nil, http.StatusOK, &all)
	if len(all.Success) != 3 || len(all.Error) != 0 {
		t.Fatalf("node=*: %+v", all)
	}
	for _, id := range ids {
		if got := all.Success[id]; got.NodeID != id || got.DbEngine != metastore.Engine || got.RustVersion == "" {
			t.Fatalf("node=* entry %s: %+v", id, got)
		}
	}
	var two nodeInfo
	e.call(t, "GetNodeInfo", q("node", strings.ToUpper(ids[2][:10])), nil, http.StatusOK, &two)
	if len(two.Success) != 1 || two.Success[ids[2]].NodeID != ids[2] {
		t.Fatalf("node=<prefix of node 2>: %+v", two)
	}
	var stats multi[struct {
		Freeform string `json:"freeform"`
	}]
	e.call(t, "GetNodeStatistics", q("node", ids[1]), nil, http.StatusOK, &stats)
	if !strings.Contains(stats.Success[ids[1]].Freeform, ids[1][:16]) {
		t.Fatalf("statistics of node 1: %+v", stats)
	}
	wantError(t, e.call(t, "GetNodeInfo", q("node", "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff0"), nil, 400, nil), 400, "InvalidRequest")
	wantError(t, e.call(t, "GetNodeInfo", q("node", "zz"), nil, 400, nil), 400, "InvalidRequest")
	wantError(t, e.call(t, "ListBlockErrors", nil, nil, 400, nil), 400, "InvalidRequest")
	wantError(t, e.call(t, "ListWorkers", q("node", ""), map[string]any{}, 400, nil), 400, "InvalidRequest")
}

func (e *env) testWorkers(t *testing.T) {
	ids := e.ids()
	var list multi[[]workerInfo]
	e.call(t, "ListWorkers", q("node", "*"), map[string]any{}, http.StatusOK, &list)
	if len(list.Success) != 3 {
		t.Fatalf("ListWorkers node=*: %+v", list)
	}
	for _, id := range ids {
		ws := list.Success[id]
		var got []uint64
		for _, w := range ws {
			got = append(got, w.ID)
			if w.Name == "" || (w.State != "busy" && w.State != "idle") || w.Freeform == nil {
				t.Fatalf("worker on %s: %+v", id, w)
			}
		}
		if !slices.Equal(got, []uint64{1, 2, 3, 4}) {
			t.Fatalf("worker ids on %s: %v", id, got)
		}
	}
	var busy multi[[]workerInfo]
	e.call(t, "ListWorkers", q("node", "self"), map[string]any{"busyOnly": true, "errorOnly": true}, http.StatusOK, &busy)
	if ws := busy.Success[ids[0]]; ws == nil || len(ws) != 0 {
		t.Fatalf("errorOnly: workers without errors listed: %+v", busy)
	}
	var one multi[workerInfo]
	e.call(t, "GetWorkerInfo", q("node", ids[2]), map[string]any{"id": 2}, http.StatusOK, &one)
	if w := one.Success[ids[2]]; w.ID != 2 || !strings.Contains(w.Name, "scrub") || w.Tranquility == nil {
		t.Fatalf("GetWorkerInfo 2: %+v", one)
	}
	var none multi[workerInfo]
	e.call(t, "GetWorkerInfo", q("node", "self"), map[string]any{"id": 99}, http.StatusOK, &none)
	if len(none.Success) != 0 || !strings.Contains(none.Error[ids[0]], "NoSuchWorker (404)") {
		t.Fatalf("GetWorkerInfo 99: %+v", none)
	}
	wantError(t, e.call(t, "GetWorkerInfo", q("node", "self"), map[string]any{}, 400, nil), 400, "InvalidRequest")

	// Set on every node, read back from node 2 through node 0.
	var set multi[setVariableResult]
	e.call(t, "SetWorkerVariable", q("node", "*"), map[string]string{"variable": "scrub-tranquility", "value": "7"}, http.StatusOK, &set)
	if len(set.Success) != 3 || set.Success[ids[1]] != (setVariableResult{"scrub-tranquility", "7"}) {
		t.Fatalf("SetWorkerVariable: %+v", set)
	}
	var vars multi[map[string]string]
	e.call(t, "GetWorkerVariable", q("node", ids[2]), map[string]any{"variable": "scrub-tranquility"}, http.StatusOK, &vars)
	if got := vars.Success[ids[2]]; len(got) != 1 || got["scrub-tranquility"] != "7" {
		t.Fatalf("GetWorkerVariable after set: %+v", vars)
	}
	e.call(t, "GetWorkerVariable", q("node", "self"), map[string]any{"variable": nil}, http.StatusOK, &vars)
	if got := vars.Success[ids[0]]; len(got) != 3 || got["resync-worker-count"] == "" {
		t.Fatalf("GetWorkerVariable all: %+v", vars)
	}
	e.call(t, "GetWorkerInfo", q("node", "self"), map[string]any{"id": 2}, http.StatusOK, &one)
	if w := one.Success[ids[0]]; w.Tranquility == nil || *w.Tranquility != 7 {
		t.Fatalf("scrub worker's tranquility after set: %+v", w)
	}
	wantError(t, e.call(t, "GetWorkerVariable", q("node", "self"), map[string]any{"variable": "no-such-var"}, 400, nil), 400, "InvalidRequest")
	wantError(t, e.call(t, "SetWorkerVariable", q("node", "self"), map[string]string{"variable": "no-such-var", "value": "1"}, 400, nil), 400, "InvalidRequest")
	wantError(t, e.call(t, "SetWorkerVariable", q("node", "self"), map[string]string{"variable": "scrub-tranquility", "value": "lots"}, 400, nil), 400, "InvalidRequest")
	// Out of range: each node refuses, in its entry; nothing changes.
	var bad multi[setVariableResult]
	e.call(t, "SetWorkerVariable", q("node", "*"), map[string]string{"variable": "resync-worker-count", "value": "99"}, http.StatusOK, &bad)
	if len(bad.Success) != 0 || len(bad.Error) != 3 || !strings.Contains(bad.Error[ids[2]], "1 to 8") {
		t.Fatalf("SetWorkerVariable out of range: %+v", bad)
	}
}

// putBlock stores an object big enough for blocks and returns its first
// block's hash and its version id.
func (e *env) putBlock(t *testing.T, key string) (model.BucketID, string, string) {
	t.Helper()
	var b bucketInfo
	e.call(t, "GetBucketInfo", q("globalAlias", e.c.Bucket), nil, http.StatusOK, &b)
	bid, err := model.ParseBucketID(b.ID)
	must(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w, _, err := e.c.Nodes[0].Server.PutObject(ctx, bid, key, nil, strings.NewReader(strings.Repeat("block data ", 10000)))
	must(t, err)
	obj, err := e.c.Nodes[0].Server.HeadObject(ctx, bid, key)
	must(t, err)
	if len(obj.Blocks) == 0 {
		t.Fatalf("object %s has no blocks", key)
	}
	return bid, obj.Blocks[0].Hash.String(), w.Version.String()
}

func (e *env) testBlocks(t *testing.T) {
	ids := e.ids()
	bid, hash, version := e.putBlock(t, "blocky")
	// Every node of a 3-node, 3-replica cluster references the block;
	// asked by a prefix, node 2 answers through node 0.
	var info multi[blockInfoResult]
	waitFor(t, "node 2 to reference the block", func() bool {
		info = multi[blockInfoResult]{}
		e.call(t, "GetBlockInfo", q("node", ids[2]), map[string]string{"blockHash": hash[:12]}, http.StatusOK, &info)
		return info.Success[ids[2]].Refcount == 1
	})
	got := info.Success[ids[2]]
	if got.BlockHash != hash || len(got.Versions) != 1 {
		t.Fatalf("GetBlockInfo: %+v", info)
	}
	v := got.Versions[0]
	if v.VersionID != version || v.RefDeleted || v.VersionDeleted || v.GarbageCollected || v.Backlink == nil || v.Backlink.Object == nil ||
		v.Backlink.Object.BucketID != bid.String() || v.Backlink.Object.Key != "blocky" || v.Backlink.Upload != nil {
		t.Fatalf("GetBlockInfo version: %+v", v)
	}
	// A hash nobody knows is each node's 404; a malformed one, 400.
	var unknown multi[blockInfoResult]
	e.call(t, "GetBlockInfo", q("node", "*"), map[string]string{"blockHash": strings.Repeat("0", 64)}, http.StatusOK, &unknown)
	if len(unknown.Success) != 0 || len(unknown.Error) != 3 || !strings.Contains(unknown.Error[ids[1]], "not found") {
		t.Fatalf("GetBlockInfo unknown: %+v", unknown)
	}
	wantError(t, e.call(t, "GetBlockInfo", q("node", "self"), map[string]string{"blockHash": "abc"}, 400, nil), 400, "InvalidRequest")
	wantError(t, e.call(t, "GetBlockInfo", q("node", "self"), map[string]string{"blockHash": "not-hex!"}, 400, nil), 400, "InvalidRequest")

	var errs multi[[]blockErrorItem]
	e.call(t, "ListBlockErrors", q("node", "*"), nil, http.StatusOK, &errs)
	if len(errs.Success) != 3 || errs.Success[ids[1]] == nil || len(errs.Success[ids[1]]) != 0 {
		t.Fatalf("ListBlockErrors on a healthy cluster: %+v", errs)
	}
	var retried multi[retryResult]
	e.call(t, "RetryBlockResync", q("node", "*"), map[string]any{"all": true}, http.StatusOK, &retried)
	if len(retried.Success) != 3 || retried.Success[ids[0]].Count != 0 {
		t.Fatalf("RetryBlockResync all: %+v", retried)
	}
	e.call(t, "RetryBlockResync", q("node", "self"), map[string]any{"blockHashes": []string{hash}}, http.StatusOK, &retried)
	if _, ok := retried.Success[ids[0]]; !ok {
		t.Fatalf("RetryBlockResync of a hash: %+v", retried)
	}
	wantError(t, e.call(t, "RetryBlockResync", q("node", "self"), map[string]any{"all": false}, 400, nil), 400, "InvalidRequest")
	wantError(t, e.call(t, "RetryBlockResync", q("node", "self"), map[string]any{"blockHashes": []string{"xyz"}}, 400, nil), 400, "InvalidRequest")
	wantError(t, e.call(t, "RetryBlockResync", q("node", "self"), map[string]any{}, 400, nil), 400, "InvalidRequest")
}

func (e *env) testRepair(t *testing.T) {
	for _, rt := range []any{"tables", "blocks", map[string]string{"scrub": "start"}} {
		var res multi[any]
		e.call(t, "LaunchRepairOperation", q("node", "*"), map[string]any{"repairType": rt}, http.StatusOK, &res)
		if len(res.Success) != 3 || len(res.Error) != 0 {
			t.Fatalf("repair %v: %+v", rt, res)
		}
		for id, v := range res.Success {
			if v != nil {
				t.Fatalf("repair %v on %s answered %v, want null", rt, id, v)
			}
		}
	}
	// Garage's other repairs name what this store does not have: a 400
	// that names the repair, never a success.
	for _, rt := range []any{"versions", "multipartUploads", "blockRefs", "blockRc", "rebalance", "aliases", map[string]string{"scrub": "pause"}} {
		er := wantError(t, e.call(t, "LaunchRepairOperation", q("node", "self"), map[string]any{"repairType": rt}, 400, nil), 400, "InvalidRequest")
		if !strings.Contains(er.Message, "not supported") {
			t.Fatalf("repair %v: %q", rt, er.Message)
		}
	}
	for _, body := range []string{`{"repairType":"everything"}`, `{"repairType":{"scrub":"now"}}`, `{}`, `not json`} {
		wantError(t, e.call(t, "LaunchRepairOperation", q("node", "self"), []byte(body), 400, nil), 400, "InvalidRequest")
	}
}

// testSnapshot: each node writes a copy of its metadata under
// <metadata_dir>/snapshots/; the copy opens as a store holding what the
// node held, the bucket included.
func (e *env) testSnapshot(t *testing.T) {
	ids := e.ids()
	var res multi[any]
	e.call(t, "CreateMetadataSnapshot", q("node", "*"), postNoBody{}, http.StatusOK, &res)
	if len(res.Success) != 3 || len(res.Error) != 0 {
		t.Fatalf("CreateMetadataSnapshot: %+v", res)
	}
	for i := range ids {
		dir := filepath.Join(e.c.Nodes[i].Server.MetadataDir(), "snapshots")
		entries, err := os.ReadDir(dir)
		if err != nil || len(entries) != 1 || !entries[0].IsDir() {
			t.Fatalf("node %d snapshots: %v %v", i, entries, err)
		}
		st, m, err := metastore.Open(filepath.Join(dir, entries[0].Name()), metastore.Options{})
		if err != nil {
			t.Fatalf("node %d: open its snapshot: %v", i, err)
		}
		n := m.Len()
		must(t, st.Close())
		if n < 10 {
			t.Fatalf("node %d: its snapshot holds %d entries", i, n)
		}
	}
}

// testNodeScope: a token scoped to ListWorkers lists them but may not
// set a variable.
func (e *env) testNodeScope(t *testing.T) {
	var tok createdToken
	e.call(t, "CreateAdminToken", nil, map[string]any{"name": "workers", "scope": []string{"ListWorkers"}}, http.StatusOK, &tok)
	var list multi[[]workerInfo]
	e.callAs(t, tok.SecretToken, "ListWorkers", q("node", "*"), map[string]any{}, http.StatusOK, &list)
	if len(list.Success) != 3 {
		t.Fatalf("scoped ListWorkers: %+v", list)
	}
	wantError(t, e.callAs(t, tok.SecretToken, "SetWorkerVariable", q("node", "*"), map[string]string{"variable": "scrub-tranquility", "value": "1"}, 403, nil), 403, "AccessDenied")
	wantError(t, e.callAs(t, tok.SecretToken, "GetNodeInfo", q("node", "self"), nil, 403, nil), 403, "AccessDenied")
}

// testNodeDown: a killed node is an entry of "error", the others answer.
func (e *env) testNodeDown(t *testing.T) {
	ids := e.ids()
	must(t, e.c.Kill(2))
	var all nodeInfo
	waitFor(t, "the killed node to be reported", func() bool {
		all = nodeInfo{}
		e.call(t, "GetNodeInfo", q("node", "*"), nil, http.StatusOK, &all)
		return all.Error[ids[2]] != ""
	})
	if len(all.Success) != 2 || all.Success[ids[0]].NodeID != ids[0] || all.Success[ids[1]].NodeID != ids[1] {
		t.Fatalf("node=* with node 2 down: %+v", all)
	}
	// Named alone, it is still selected (it has a role) and still an error.
	var one nodeInfo
	e.call(t, "GetNodeInfo", q("node", ids[2][:8]), nil, http.StatusOK, &one)
	if len(one.Success) != 0 || one.Error[ids[2]] == "" {
		t.Fatalf("node 2 alone, down: %+v", one)
	}
}
