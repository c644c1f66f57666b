package adminapi

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/runtime/transport"
)

func ptr[T any](v T) *T { return &v }

// nonEmpty is s, or nil (JSON null) when it is empty.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// msTime is a stored time in milliseconds, in UTC.
func msTime(ms uint64) time.Time { return time.UnixMilli(int64(ms)).UTC() }

func getClusterStatus(rq *request) (any, error) {
	res, err := rq.run(admin.GetStatus{})
	if err != nil {
		return nil, coreError(err, "", false)
	}
	st := res.(admin.ClusterStatus)
	lres, err := rq.run(admin.GetLayout{})
	if err != nil {
		return nil, coreError(err, "", false)
	}
	out := GetClusterStatusResponse{LayoutVersion: st.LayoutVersion, Nodes: []NodeResp{}}
	seen := map[string]bool{}
	for _, n := range st.Nodes {
		nr := NodeResp{ID: n.ID, GarageVersion: nonEmpty(n.Version), Addr: nonEmpty(n.Addr), Hostname: nonEmpty(n.Hostname), IsUp: n.Up, Draining: n.Draining}
		if n.LastSeenSecs >= 0 {
			nr.LastSeenSecsAgo = ptr(uint64(n.LastSeenSecs))
		}
		if n.HasRole {
			nr.Role = assignedRole(n.Zone, n.Tags, n.Capacity, n.Gateway)
		}
		if n.DataTotal > 0 {
			nr.DataPartition = &FreeSpaceResp{Available: n.DataAvail, Total: n.DataTotal}
		}
		if n.MetaTotal > 0 {
			nr.MetadataPartition = &FreeSpaceResp{Available: n.MetaAvail, Total: n.MetaTotal}
		}
		seen[n.ID] = true
		out.Nodes = append(out.Nodes, nr)
	}
	// Members of the layout this node never met are listed too, down.
	for _, r := range lres.(admin.LayoutInfo).Roles {
		if !seen[r.ID] {
			out.Nodes = append(out.Nodes, NodeResp{ID: r.ID, Role: assignedRole(r.Zone, r.Tags, r.Capacity, r.Gateway)})
		}
	}
	slices.SortFunc(out.Nodes, func(a, b NodeResp) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func assignedRole(zone string, tags []string, capacity uint64, gateway bool) *NodeAssignedRole {
	r := &NodeAssignedRole{Zone: zone, Tags: tags}
	if r.Tags == nil {
		r.Tags = []string{}
	}
	if !gateway {
		r.Capacity = &capacity
	}
	return r
}

func getClusterHealth(rq *request) (any, error) {
	res, err := rq.run(admin.GetClusterHealth{})
	if err != nil {
		return nil, coreError(err, "", false)
	}
	return healthResponse(res.(admin.ClusterHealth)), nil
}

func healthResponse(h admin.ClusterHealth) GetClusterHealthResponse {
	return GetClusterHealthResponse{Status: h.Status, KnownNodes: h.KnownNodes, ConnectedNodes: h.ConnectedNodes,
		StorageNodes: h.StorageNodes, StorageNodesOK: h.StorageNodesOK, Partitions: h.Partitions,
		PartitionsQuorum: h.PartitionsQuorum, PartitionsAllOK: h.PartitionsAllOK}
}

// getClusterStatistics reports, as free text like Garage's, the nodes'
// storage and what this node's tables hold.
func getClusterStatistics(rq *request) (any, error) {
	res, err := rq.run(admin.GetStatus{})
	if err != nil {
		return nil, coreError(err, "", false)
	}
	sres, err := rq.run(admin.GetStats{})
	if err != nil {
		return nil, coreError(err, "", false)
	}
	var b strings.Builder
	b.WriteString("Storage nodes:\n  ID                Hostname      Zone  Capacity  DataAvail  DataTotal\n")
	for _, n := range res.(admin.ClusterStatus).Nodes {
		if !n.HasRole || n.Gateway {
			continue
		}
		fmt.Fprintf(&b, "  %-16.16s  %-12s  %-4s  %8d  %9d  %9d\n", n.ID, n.Hostname, n.Zone, n.Capacity, n.DataAvail, n.DataTotal)
	}
	stats := sres.(admin.NodeStats)
	fmt.Fprintf(&b, "\nTables on node %.16s:\n", stats.Node)
	for _, t := range stats.Tables {
		fmt.Fprintf(&b, "  %-14s  %d entries (%d tombstones)\n", t.Name, t.Entries, t.Tombstones)
	}
	return GetClusterStatisticsResponse{Freeform: b.String()}, nil
}

func connectClusterNodes(rq *request) (any, error) {
	var peers ConnectClusterNodesRequest
	if err := rq.decode(&peers); err != nil {
		return nil, err
	}
	out := []ConnectNodeResponse{}
	for _, s := range peers {
		p, err := transport.ParsePeer(s)
		if err == nil {
			ctx, cancel := context.WithTimeout(rq.ctx, 10*time.Second)
			err = rq.api.backend.Connect(ctx, p)
			cancel()
		}
		if err != nil {
			out = append(out, ConnectNodeResponse{Error: ptr(err.Error())})
			continue
		}
		out = append(out, ConnectNodeResponse{Success: true})
	}
	return out, nil
}
