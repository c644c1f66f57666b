package adminrpc

import (
	"encoding/json"
	"fmt"
)

// OnNodes asks the node it reaches to run the operation named Op (with
// Args) on every node Node selects: "self", a node id or a unique prefix
// of one, or "*" (every node of the layout and every other node that is
// up), as Garage's node-scoped admin calls do. The receiving node runs it
// itself when selected and asks the others over their advertised RPC
// address. Answers MultiResult.
type OnNodes struct {
	Node string          `json:"node"`
	Op   string          `json:"op"`
	Args json.RawMessage `json:"args,omitempty"`
}

func (OnNodes) OpName() string { return "OnNodes" }

// NewOnNodes wraps op to run on the nodes spec selects.
func NewOnNodes(spec string, op Op) (OnNodes, error) {
	if _, nested := op.(OnNodes); nested {
		return OnNodes{}, fmt.Errorf("OnNodes cannot carry another OnNodes")
	}
	req, err := NewRequest(op)
	if err != nil {
		return OnNodes{}, err
	}
	return OnNodes{Node: spec, Op: req.Op, Args: req.Args}, nil
}

// MultiResult answers OnNodes: per node id (full hex), the operation's
// JSON result, or why that node did not give one.
type MultiResult struct {
	Success map[string]json.RawMessage `json:"success"`
	Error   map[string]string          `json:"error"`
}

// DecodeEach decodes every success into a T, keyed by node id; an answer that
// does not decode moves to the errors, named as such.
func DecodeEach[T any](m MultiResult) (map[string]T, map[string]string) {
	ok := map[string]T{}
	bad := map[string]string{}
	for id, msg := range m.Error {
		bad[id] = msg
	}
	for id, raw := range m.Success {
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			bad[id] = fmt.Sprintf("returned an invalid answer: %v", err)
			continue
		}
		ok[id] = v
	}
	return ok, bad
}

// NodeInfo asks a node for its identity: id, version, features and
// metadata engine (Garage's GetNodeInfo). The runtime answers it.
type NodeInfo struct{}

func (NodeInfo) OpName() string { return "NodeInfo" }

// NodeInfoResult answers NodeInfo.
type NodeInfoResult struct {
	ID        string   `json:"id"`
	Version   string   `json:"version"`
	Features  []string `json:"features"`
	GoVersion string   `json:"goVersion"`
	DBEngine  string   `json:"dbEngine"`
}

// CreateMetadataSnapshot asks a node to write a consistent copy of its
// metadata store under <metadata_dir>/snapshots/<timestamp> (Garage's
// `garage meta snapshot`). The runtime answers it with SnapshotResult.
type CreateMetadataSnapshot struct{}

func (CreateMetadataSnapshot) OpName() string { return "CreateMetadataSnapshot" }

// SnapshotResult answers CreateMetadataSnapshot.
type SnapshotResult struct {
	// Path is the snapshot's directory, a metadata store that the node
	// opens as its own when it replaces <metadata_dir>/db.
	Path    string `json:"path"`
	Entries int    `json:"entries"`
}

func init() { register(OnNodes{}, NodeInfo{}, CreateMetadataSnapshot{}) }
