package adminrpc

import "github.com/garagego/garage/node/admin"

// GetNodeStats asks a node for the statistics of one node or of all of
// them: the node it reaches answers for itself and asks the others over
// their advertised RPC address, as an operator's client would. Node is
// "self", a node id or a unique prefix of one, or "*": every node of the
// layout and every other node that is up (Garage's node selector).
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
