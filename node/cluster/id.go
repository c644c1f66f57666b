package cluster

import (
	"bytes"
	"encoding/hex"
	"fmt"
)

// NodeID identifies a node for its whole life. In production it is the
// node's ed25519 public key; in the simulator it is derived from the seed.
type NodeID [32]byte

// String shows the first 16 hex digits, as Garage does; that prefix is
// unique in any real cluster and is what operators type.
func (id NodeID) String() string { return hex.EncodeToString(id[:8]) }

// Hex is the full 64-digit form.
func (id NodeID) Hex() string { return hex.EncodeToString(id[:]) }

// IsZero reports whether id is the zero value (no node).
func (id NodeID) IsZero() bool { return id == NodeID{} }

// Compare orders ids bytewise; it breaks ties between equal timestamps.
func (id NodeID) Compare(other NodeID) int { return bytes.Compare(id[:], other[:]) }

// ParseNodeID reads a full 64-digit hex id.
func ParseNodeID(s string) (NodeID, error) {
	var id NodeID
	b, err := hex.DecodeString(s)
	if err != nil {
		return id, fmt.Errorf("node id %q: %w", s, err)
	}
	if len(b) != len(id) {
		return id, fmt.Errorf("node id %q: want %d hex digits, got %d", s, 2*len(id), len(s))
	}
	copy(id[:], b)
	return id, nil
}
