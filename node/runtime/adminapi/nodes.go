package adminapi

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/block"
	"github.com/garagego/garage/node/runtime/adminrpc"
	"github.com/garagego/garage/node/runtime/server"
)

// nodeRunner is a backend that runs operations on the nodes a selector
// names (the production server; test doubles need not).
type nodeRunner interface {
	OnNodes(ctx context.Context, spec string, op adminrpc.Op) (adminrpc.MultiResult, error)
}

// forward runs op on the nodes ?node= selects (self, an id or a unique
// prefix of one, *) and answers Garage's MultiResponse: each node's answer
// decoded as T and converted by conv, or why that node has none. Only a
// selector naming no node, or several, fails the whole request (400).
func forward[T, R any](rq *request, op adminrpc.Op, conv func(T) (R, error)) (any, error) {
	spec, err := rq.required("node")
	if err != nil {
		return nil, err
	}
	b, ok := rq.api.backend.(nodeRunner)
	if !ok {
		return nil, &apiError{http.StatusNotImplemented, "NotImplemented", "this backend cannot run node-scoped operations"}
	}
	ctx, cancel := context.WithTimeout(rq.ctx, rq.api.cfg.OpTimeout)
	defer cancel()
	res, err := b.OnNodes(ctx, spec, op)
	switch {
	case server.ErrBadSelector(err):
		return nil, badRequest("Invalid node selector: %v", err)
	case err != nil:
		return nil, coreError(err, "", false)
	}
	good, bad := adminrpc.DecodeEach[T](res)
	out := MultiResponse[R]{Success: map[string]R{}, Error: bad}
	for id, v := range good {
		r, err := conv(v)
		if err != nil {
			out.Error[id] = err.Error()
			continue
		}
		out.Success[id] = r
	}
	return out, nil
}

// nodeError is a node's failure in Garage's words: "<code> (<status>): <message>".
func nodeError(code string, status int, format string, args ...any) error {
	return fmt.Errorf("%s (%d): %s", code, status, fmt.Sprintf(format, args...))
}

func same[T any](v T) (T, error) { return v, nil }

func getNodeInfo(rq *request) (any, error) {
	return forward(rq, adminrpc.NodeInfo{}, func(n adminrpc.NodeInfoResult) (LocalGetNodeInfoResponse, error) {
		return LocalGetNodeInfoResponse{NodeID: n.ID, GarageVersion: n.Version, GarageFeatures: n.Features, RustVersion: n.GoVersion, DBEngine: n.DBEngine}, nil
	})
}

func getNodeStatistics(rq *request) (any, error) {
	return forward(rq, admin.GetStats{}, func(st admin.NodeStats) (LocalGetNodeStatisticsResponse, error) {
		return LocalGetNodeStatisticsResponse{Freeform: strings.TrimRight(st.Freeform(), "\n")}, nil
	})
}

func createMetadataSnapshot(rq *request) (any, error) {
	return forward(rq, adminrpc.CreateMetadataSnapshot{}, func(adminrpc.SnapshotResult) (LocalCreateMetadataSnapshotResponse, error) {
		return LocalCreateMetadataSnapshotResponse{}, nil
	})
}

// launchRepairOperation maps Garage's repair types onto this store's:
// tables is a full anti-entropy pass, blocks checks every referenced and
// stored block, scrub start a full scrub. The others name repairs of
// structures or workers this store does not have; they are refused.
func launchRepairOperation(rq *request) (any, error) {
	var body LocalLaunchRepairOperationRequest
	if err := rq.decode(&body); err != nil {
		return nil, err
	}
	var op adminrpc.Op
	switch rt := body.RepairType; {
	case rt.Name == "tables":
		op = admin.RepairTables{}
	case rt.Name == "blocks":
		op = admin.RepairBlocks{}
	case rt.Name == "scrub" && rt.Scrub == "start":
		op = admin.RepairScrub{}
	case rt.Name == "scrub":
		return nil, badRequest("repairType {\"scrub\": %q} is not supported by this server: a scrub runs to its end once started (only start is)", rt.Scrub)
	case rt.Name == "":
		return nil, badRequest("Missing field repairType")
	default:
		return nil, badRequest("repairType %q is not supported by this server (supported: tables, blocks, {\"scrub\": \"start\"})", rt.Name)
	}
	return forward(rq, op, func(struct{}) (LocalLaunchRepairOperationResponse, error) {
		return LocalLaunchRepairOperationResponse{}, nil
	})
}

// Workers, with stable ids: what node/admin reports of each.
const (
	workerResync = iota + 1
	workerScrub
	workerSync
	workerInsertQueue
)

// workerList describes the node's background workers as Garage does.
func workerList(w admin.Workers) []WorkerInfoResp {
	vars := map[string]int{}
	for _, v := range w.Vars {
		vars[v.Name] = v.Value
	}
	tranq := func(name string) *uint32 {
		v, ok := vars[name]
		if !ok || v < 0 {
			return nil
		}
		return ptr(uint32(v))
	}
	state := func(busy bool) WorkerStateResp {
		if busy {
			return "busy"
		}
		return "idle"
	}
	resync := WorkerInfoResp{ID: workerResync, Name: "Block resync worker", State: state(w.Resync.Queue > 0),
		Tranquility: tranq("resync-tranquility"), QueueLength: ptr(uint64(w.Resync.Queue)), PersistentErrors: ptr(uint64(w.Resync.Errors)),
		Freeform: []string{fmt.Sprintf("Blocks checked: %d, fetched: %d, deleted: %d", w.Resync.Done, w.Resync.Fetched, w.Resync.Deleted),
			fmt.Sprintf("Failed attempts: %d", w.Resync.Failures)}}
	if n, ok := vars["resync-worker-count"]; ok {
		resync.Freeform = append(resync.Freeform, fmt.Sprintf("Parallel fetches: %d", n))
	}
	scrub := WorkerInfoResp{ID: workerScrub, Name: "Block scrub worker", State: state(w.Scrub.Running), Tranquility: tranq("scrub-tranquility"),
		Freeform: []string{fmt.Sprintf("Blocks scrubbed: %d, corruptions found: %d", w.Scrub.Scrubbed, w.Scrub.Corruptions)}}
	if w.Scrub.Position != "" {
		scrub.Progress = ptr("at block prefix " + w.Scrub.Position)
	}
	if w.Scrub.LastCompleted != "" {
		scrub.Freeform = append(scrub.Freeform, "Last completed: "+w.Scrub.LastCompleted)
	}
	sync := WorkerInfoResp{ID: workerSync, Name: "Table sync worker", State: "idle",
		Freeform: []string{fmt.Sprintf("Anti-entropy passes: %d, partitions exchanged: %d", w.SyncPasses, w.SyncJobs)}}
	insert := WorkerInfoResp{ID: workerInsertQueue, Name: "Table insert queue", State: state(w.InsertQueue > 0), QueueLength: ptr(uint64(w.InsertQueue)), Freeform: []string{}}
	return []WorkerInfoResp{resync, scrub, sync, insert}
}

func listWorkers(rq *request) (any, error) {
	var body LocalListWorkersRequest
	if err := rq.decode(&body); err != nil {
		return nil, err
	}
	return forward(rq, admin.ListWorkers{}, func(w admin.Workers) ([]WorkerInfoResp, error) {
		out := []WorkerInfoResp{}
		for _, wi := range workerList(w) {
			if (body.BusyOnly && wi.State != "busy") || (body.ErrorOnly && wi.Errors == 0) {
				continue
			}
			out = append(out, wi)
		}
		return out, nil
	})
}

func getWorkerInfo(rq *request) (any, error) {
	var body LocalGetWorkerInfoRequest
	if err := rq.decode(&body); err != nil {
		return nil, err
	}
	if body.ID == nil {
		return nil, badRequest("Missing field id")
	}
	id := *body.ID
	return forward(rq, admin.ListWorkers{}, func(w admin.Workers) (WorkerInfoResp, error) {
		for _, wi := range workerList(w) {
			if wi.ID == id {
				return wi, nil
			}
		}
		return WorkerInfoResp{}, nodeError("NoSuchWorker", http.StatusNotFound, "No worker with id %d", id)
	})
}

// checkVariable refuses a worker variable this store does not have: the
// set is fixed, so the request is wrong whichever node it goes to.
func checkVariable(name string) error {
	if !slices.Contains(block.Settings, name) {
		return badRequest("Unknown worker variable %q (one of %s)", name, strings.Join(block.Settings, ", "))
	}
	return nil
}

func getWorkerVariable(rq *request) (any, error) {
	var body LocalGetWorkerVariableRequest
	if err := rq.decode(&body); err != nil {
		return nil, err
	}
	if body.Variable != nil {
		if err := checkVariable(*body.Variable); err != nil {
			return nil, err
		}
	}
	return forward(rq, admin.GetWorkerVars{}, func(vars []admin.WorkerVar) (map[string]string, error) {
		out := map[string]string{}
		for _, v := range vars {
			if body.Variable == nil || *body.Variable == v.Name {
				out[v.Name] = strconv.Itoa(v.Value)
			}
		}
		return out, nil
	})
}

func setWorkerVariable(rq *request) (any, error) {
	var body LocalSetWorkerVariableRequest
	if err := rq.decode(&body); err != nil {
		return nil, err
	}
	if err := checkVariable(body.Variable); err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(body.Value))
	if err != nil {
		return nil, badRequest("Invalid value %q for %s: want an integer", body.Value, body.Variable)
	}
	return forward(rq, admin.SetWorkerVar{Name: body.Variable, Value: n}, func(vars []admin.WorkerVar) (LocalSetWorkerVariableResponse, error) {
		for _, v := range vars {
			if v.Name == body.Variable {
				return LocalSetWorkerVariableResponse{Variable: v.Name, Value: strconv.Itoa(v.Value)}, nil
			}
		}
		return LocalSetWorkerVariableResponse{}, fmt.Errorf("the node did not report %s after setting it", body.Variable)
	})
}

func listBlockErrors(rq *request) (any, error) {
	now := uint64(rq.api.cfg.Now().UnixMilli())
	return forward(rq, admin.ListBlockErrors{}, func(errs []admin.BlockError) ([]BlockErrorResp, error) {
		out := []BlockErrorResp{}
		for _, e := range errs {
			out = append(out, BlockErrorResp{BlockHash: e.Hash, Refcount: e.RefCount, ErrorCount: e.Failures,
				LastTrySecsAgo: satSub(now, e.LastTryMs) / 1000, NextTryInSecs: satSub(e.NextTryMs, now) / 1000})
		}
		return out, nil
	})
}

func satSub(a, b uint64) uint64 {
	if a < b {
		return 0
	}
	return a - b
}

// checkHash refuses what cannot be a block hash or a prefix of one.
func checkHash(h string, prefixOK bool) error {
	min := 64
	if prefixOK {
		min = 4
	}
	if len(h) < min || len(h) > 64 || strings.Trim(strings.ToLower(h), "0123456789abcdef") != "" {
		if prefixOK {
			return badRequest("Invalid block hash %q: give 4 to 64 hex digits", h)
		}
		return badRequest("Invalid block hash %q: want 64 hex digits", h)
	}
	return nil
}

func getBlockInfo(rq *request) (any, error) {
	var body LocalGetBlockInfoRequest
	if err := rq.decode(&body); err != nil {
		return nil, err
	}
	if err := checkHash(body.BlockHash, true); err != nil {
		return nil, err
	}
	return forward(rq, admin.GetBlockInfo{Hash: body.BlockHash, MustExist: true}, func(b admin.BlockInfo) (LocalGetBlockInfoResponse, error) {
		out := LocalGetBlockInfoResponse{BlockHash: b.Hash, Refcount: b.RefCount, Versions: []BlockVersion{}}
		for _, r := range b.References {
			v := BlockVersion{VersionID: r.Version, RefDeleted: r.Deleted, VersionDeleted: r.VersionDeleted || !r.VersionFound, GarbageCollected: !r.VersionFound}
			if r.VersionFound {
				v.Backlink = &BlockVersionBacklink{Object: &BacklinkObject{BucketID: r.Bucket, Key: r.Key}}
			}
			out.Versions = append(out.Versions, v)
		}
		return out, nil
	})
}

func retryBlockResync(rq *request) (any, error) {
	var body LocalRetryBlockResyncRequest
	if err := rq.decode(&body); err != nil {
		return nil, err
	}
	var op admin.RetryBlocks
	switch {
	case body.All != nil && body.BlockHashes != nil:
		return nil, badRequest("Give either all or blockHashes, not both")
	case body.All != nil && !*body.All:
		return nil, badRequest("all must be true (or give blockHashes)")
	case body.All != nil:
	case body.BlockHashes != nil:
		if len(*body.BlockHashes) == 0 {
			return nil, badRequest("blockHashes is empty")
		}
		for _, h := range *body.BlockHashes {
			if err := checkHash(h, false); err != nil {
				return nil, err
			}
		}
		op.Hashes = *body.BlockHashes
	default:
		return nil, badRequest("Give {\"all\": true} or {\"blockHashes\": [...]}")
	}
	return forward(rq, op, func(n uint64) (LocalRetryBlockResyncResponse, error) {
		return LocalRetryBlockResyncResponse{Count: n}, nil
	})
}

// purgeBlocks answers POST /v2/PurgeBlocks: each selected node follows the
// blocks' references it reads to the objects, uploads and versions using
// them and removes those for good (admin.PurgeBlocks).
func purgeBlocks(rq *request) (any, error) {
	var body LocalPurgeBlocksRequest
	if err := rq.decode(&body); err != nil {
		return nil, err
	}
	if body == nil {
		return nil, badRequest("The body must be a list of block hashes")
	}
	for _, h := range body {
		if err := checkHash(h, false); err != nil {
			return nil, err
		}
	}
	return forward(rq, admin.PurgeBlocks{Hashes: body}, func(p admin.BlocksPurged) (LocalPurgeBlocksResponse, error) {
		return LocalPurgeBlocksResponse{BlocksPurged: p.BlocksPurged, ObjectsDeleted: p.ObjectsDeleted, UploadsDeleted: p.UploadsDeleted,
			VersionsDeleted: p.VersionsDeleted, BlockRefsPurged: p.BlockRefsPurged}, nil
	})
}
