package adminapi

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/garagego/garage/node/admin"
)

// ZoneRedundancy is {"atLeast": n} or "maximum" on the wire; AtLeast 0
// means maximum.
type ZoneRedundancy struct {
	AtLeast int
}

func (z ZoneRedundancy) MarshalJSON() ([]byte, error) {
	if z.AtLeast == 0 {
		return []byte(`"maximum"`), nil
	}
	return json.Marshal(map[string]int{"atLeast": z.AtLeast})
}

func (z *ZoneRedundancy) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		if s != "maximum" {
			return fmt.Errorf("zoneRedundancy: want \"maximum\" or {\"atLeast\": n}, got %q", s)
		}
		z.AtLeast = 0
		return nil
	}
	var m struct {
		AtLeast *int `json:"atLeast"`
	}
	if err := json.Unmarshal(b, &m); err != nil || m.AtLeast == nil {
		return fmt.Errorf("zoneRedundancy: want \"maximum\" or {\"atLeast\": n}")
	}
	if *m.AtLeast < 1 {
		return fmt.Errorf("the zone redundancy must be at least 1")
	}
	z.AtLeast = *m.AtLeast
	return nil
}

// layoutCall runs a layout operation: its refusals are the request's.
func layoutCall(rq *request, op interface{ OpName() string }) (admin.LayoutInfo, error) {
	res, err := rq.run(op)
	if err != nil {
		return admin.LayoutInfo{}, coreError(err, "InvalidRequest", true)
	}
	return res.(admin.LayoutInfo), nil
}

// formatLayout is a layout version's roles and the staged changes.
func formatLayout(info admin.LayoutInfo, version uint64, roles []admin.RoleInfo) GetClusterLayoutResponse {
	out := GetClusterLayoutResponse{Version: version, Roles: []LayoutNodeRole{}, StagedRoleChanges: []NodeRoleChange{},
		Parameters: LayoutParameters{ZoneRedundancy{info.ZoneRedundancy}}}
	// The partition size is what the most loaded node can give each of
	// its partitions.
	for _, r := range roles {
		if !r.Gateway && r.Partitions > 0 {
			if size := r.Capacity / uint64(r.Partitions); out.PartitionSize == 0 || size < out.PartitionSize {
				out.PartitionSize = size
			}
		}
	}
	for _, r := range roles {
		lr := LayoutNodeRole{ID: r.ID, Zone: r.Zone, Tags: r.Tags}
		if lr.Tags == nil {
			lr.Tags = []string{}
		}
		if !r.Gateway {
			lr.Capacity = ptr(r.Capacity)
			lr.StoredPartitions = ptr(uint64(r.Partitions))
			lr.UsableCapacity = ptr(uint64(r.Partitions) * out.PartitionSize)
		}
		out.Roles = append(out.Roles, lr)
	}
	for _, c := range info.Staged {
		if c.Remove {
			out.StagedRoleChanges = append(out.StagedRoleChanges, NodeRoleChange{ID: c.ID, Remove: true})
			continue
		}
		role := assignedRole(c.Zone, c.Tags, c.Capacity, c.Gateway)
		out.StagedRoleChanges = append(out.StagedRoleChanges, NodeRoleChange{ID: c.ID, Zone: &role.Zone, Tags: role.Tags, Capacity: role.Capacity})
	}
	if info.StagedZoneRedundancy != nil {
		out.StagedParameters = &LayoutParameters{ZoneRedundancy{*info.StagedZoneRedundancy}}
	}
	return out
}

func currentLayout(info admin.LayoutInfo) GetClusterLayoutResponse {
	return formatLayout(info, info.Version, info.Roles)
}

func getClusterLayout(rq *request) (any, error) {
	info, err := layoutCall(rq, admin.GetLayout{})
	if err != nil {
		return nil, err
	}
	return currentLayout(info), nil
}

// updateClusterLayout stages every change of the request, checked first
// so that a bad one stages nothing.
func updateClusterLayout(rq *request) (any, error) {
	var req UpdateClusterLayoutRequest
	if err := rq.decode(&req); err != nil {
		return nil, err
	}
	var ops []interface{ OpName() string }
	for _, c := range req.Roles {
		switch {
		case c.ID == "":
			return nil, badRequest("Invalid node identifier: empty")
		case c.Remove:
			ops = append(ops, admin.RemoveRole{Node: c.ID})
		case c.Zone != nil:
			if c.Capacity != nil && *c.Capacity < 1024 {
				return nil, badRequest("Capacity should be at least 1K (1024)")
			}
			op := admin.AssignRole{Nodes: []string{c.ID}, Zone: *c.Zone, Gateway: c.Capacity == nil, Tags: c.Tags}
			if op.Tags == nil {
				op.Tags = []string{}
			}
			if c.Capacity != nil {
				op.Capacity = *c.Capacity
			}
			ops = append(ops, op)
		default:
			return nil, badRequest("Invalid layout change for node %s: give {\"remove\": true} or a zone, tags and capacity", c.ID)
		}
	}
	if req.Parameters != nil {
		cur, err := layoutCall(rq, admin.GetLayout{})
		if err != nil {
			return nil, err
		}
		zr := req.Parameters.ZoneRedundancy.AtLeast
		if zr > cur.ReplicationFactor {
			return nil, badRequest("The zone redundancy must be smaller or equal to the replication factor (%d).", cur.ReplicationFactor)
		}
		ops = append(ops, admin.ConfigLayout{ZoneRedundancy: &zr})
	}
	for _, op := range ops {
		if _, err := layoutCall(rq, op); err != nil {
			return nil, err
		}
	}
	return getClusterLayout(rq)
}

func previewClusterLayoutChanges(rq *request) (any, error) {
	info, err := layoutCall(rq, admin.GetLayout{})
	if err != nil {
		return nil, err
	}
	switch {
	case info.PreviewError != "":
		return PreviewClusterLayoutChangesResponse{Error: ptr(info.PreviewError)}, nil
	case info.Preview == nil:
		return PreviewClusterLayoutChangesResponse{Error: ptr("there are no staged layout changes")}, nil
	}
	next := info
	next.Staged, next.StagedZoneRedundancy = nil, nil
	if info.StagedZoneRedundancy != nil {
		next.ZoneRedundancy = *info.StagedZoneRedundancy
	}
	newLayout := formatLayout(next, info.Version+1, info.Preview)
	msg := info.PreviewReport
	if msg == nil {
		msg = []string{}
	}
	return PreviewClusterLayoutChangesResponse{Message: msg, NewLayout: &newLayout}, nil
}

func applyClusterLayout(rq *request) (any, error) {
	var req ApplyClusterLayoutRequest
	if err := rq.decode(&req); err != nil {
		return nil, err
	}
	before, err := layoutCall(rq, admin.GetLayout{})
	if err != nil {
		return nil, err
	}
	after, err := layoutCall(rq, admin.ApplyLayout{Version: req.Version})
	if err != nil {
		return nil, err
	}
	msg := before.PreviewReport
	if msg == nil {
		msg = []string{}
	}
	return ApplyClusterLayoutResponse{Message: msg, Layout: currentLayout(after)}, nil
}

func revertClusterLayout(rq *request) (any, error) {
	info, err := layoutCall(rq, admin.RevertLayout{})
	if err != nil {
		return nil, err
	}
	return currentLayout(info), nil
}

func layoutHistory(rq *request) (admin.LayoutHistory, error) {
	res, err := rq.run(admin.GetLayoutHistory{})
	if err != nil {
		return admin.LayoutHistory{}, coreError(err, "", false)
	}
	return res.(admin.LayoutHistory), nil
}

func getClusterLayoutHistory(rq *request) (any, error) {
	h, err := layoutHistory(rq)
	if err != nil {
		return nil, err
	}
	out := GetClusterLayoutHistoryResponse{CurrentVersion: h.Current, MinAck: h.Current, Versions: []ClusterLayoutVersion{}}
	// Newest first, as Garage lists them.
	for i := len(h.Versions) - 1; i >= 0; i-- {
		v := h.Versions[i]
		status := "Draining"
		if v.Number == h.Current {
			status = "Current"
		}
		out.Versions = append(out.Versions, ClusterLayoutVersion{Version: v.Number, Status: status,
			StorageNodes: uint64(v.StorageNodes), GatewayNodes: uint64(v.Gateways)})
	}
	for _, n := range h.Nodes {
		out.MinAck = min(out.MinAck, n.Ack)
	}
	if len(h.Versions) > 1 {
		out.UpdateTrackers = map[string]NodeUpdateTrackers{}
		for _, n := range h.Nodes {
			out.UpdateTrackers[n.ID] = NodeUpdateTrackers{Ack: n.Ack, Sync: n.Sync, SyncAck: n.SyncAck}
		}
	}
	return out, nil
}

// clusterLayoutSkipDeadNodes raises the trackers of the nodes that are
// down and reports whose trackers moved.
func clusterLayoutSkipDeadNodes(rq *request) (any, error) {
	var req ClusterLayoutSkipDeadNodesRequest
	if err := rq.decode(&req); err != nil {
		return nil, err
	}
	before, err := layoutHistory(rq)
	if err != nil {
		return nil, err
	}
	if len(before.Versions) == 1 {
		return nil, badRequest("This command cannot be called when there is only one live cluster layout version")
	}
	if req.Version <= before.Versions[0].Number || req.Version > before.Current {
		valid := ""
		for v := before.Versions[0].Number + 1; v <= before.Current; v++ {
			valid += " " + strconv.FormatUint(v, 10)
		}
		return nil, badRequest("Invalid version, you may use the following version numbers:%s", valid)
	}
	if _, err := layoutCall(rq, admin.SkipDeadNodes{Version: req.Version, AllowMissingData: req.AllowMissingData}); err != nil {
		return nil, err
	}
	after, err := layoutHistory(rq)
	if err != nil {
		return nil, err
	}
	was := map[string]admin.NodeTrackers{}
	for _, n := range before.Nodes {
		was[n.ID] = n
	}
	out := ClusterLayoutSkipDeadNodesResponse{AckUpdated: []string{}, SyncUpdated: []string{}}
	for _, n := range after.Nodes {
		if n.Ack > was[n.ID].Ack {
			out.AckUpdated = append(out.AckUpdated, n.ID)
		}
		if n.Sync > was[n.ID].Sync {
			out.SyncUpdated = append(out.SyncUpdated, n.ID)
		}
	}
	return out, nil
}
