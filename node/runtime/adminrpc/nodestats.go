package adminrpc

import "github.com/garagego/garage/node/admin"

// GetNodeStats asks a node for the statistics of one node or of all of
// them (`garage stats`): OnNodes with admin.GetStats, answered decoded.
// Node is a selector as in OnNodes.
type GetNodeStats struct {
	Node string `json:"node"`
}

func (GetNodeStats) OpName() string { return "GetNodeStats" }

// NodeStatsResult answers GetNodeStats: per node id, its statistics or why
// they could not be had.
type NodeStatsResult struct {
	Success map[string]admin.NodeStats `json:"success"`
	Error   map[string]string          `json:"error"`
}

func init() { register(GetNodeStats{}) }
