package admin

import (
	"encoding/hex"
	"fmt"
	"slices"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/table"
)

// Replica inspection, on the node that receives it: what this node holds
// of each table, to check from outside that replicas converged (the
// simulator reads the same through the engine directly).
type (
	// GetTableDigests reports, for every table and every partition this
	// node holds in the current layout, the partition's Merkle root and
	// item count: two replicas hold the same items exactly when their
	// roots are equal.
	GetTableDigests struct{}
	// GetTableItems lists what this node holds of one table partition:
	// each item's key and the hash of its value.
	GetTableItems struct {
		Table     string `json:"table"`
		Partition int    `json:"partition"`
	}
)

func (GetTableDigests) OpName() string { return "GetTableDigests" }
func (GetTableItems) OpName() string   { return "GetTableItems" }

// TableDigests answers GetTableDigests.
type TableDigests struct {
	Node          string        `json:"node"`
	LayoutVersion uint64        `json:"layoutVersion"`
	Tables        []TableDigest `json:"tables"`
}

// TableDigest is one table's held partitions.
type TableDigest struct {
	Name       string            `json:"name"`
	Partitions []PartitionDigest `json:"partitions"`
}

// PartitionDigest is one held partition of a table.
type PartitionDigest struct {
	Partition int    `json:"partition"`
	Root      string `json:"root"` // hex
	Items     int    `json:"items"`
}

// TableItem is one item of GetTableItems.
type TableItem struct {
	Key  string `json:"key"`  // hex
	Hash string `json:"hash"` // hex, of the encoded value
}

func (s *Service) tableDigests() TableDigests {
	cur := s.members.Layout().Current()
	out := TableDigests{Node: s.self.Hex(), LayoutVersion: cur.Number}
	for _, id := range s.engine.Tables() {
		d := TableDigest{Name: s.engine.TableName(id)}
		for p := range cluster.NumPartitions {
			part := cluster.Partition(p)
			if s.engine.Replication(id) != table.FullCopy && !slices.Contains(cur.NodesOf(part), s.self) {
				continue
			}
			if s.engine.Replication(id) == table.FullCopy {
				if _, member := cur.Member(s.self); !member {
					continue
				}
			}
			root := s.engine.MerkleRoot(id, part)
			d.Partitions = append(d.Partitions, PartitionDigest{Partition: p, Root: hex.EncodeToString(root[:]), Items: len(s.engine.LocalEntries(id, part))})
		}
		out.Tables = append(out.Tables, d)
	}
	return out
}

func (s *Service) tableItems(op GetTableItems) ([]TableItem, error) {
	if op.Partition < 0 || op.Partition >= cluster.NumPartitions {
		return nil, fmt.Errorf("%w: partition %d is not in 0..%d", ErrInvalid, op.Partition, cluster.NumPartitions-1)
	}
	for _, id := range s.engine.Tables() {
		if s.engine.TableName(id) != op.Table {
			continue
		}
		var out []TableItem
		for _, kv := range s.engine.LocalEntries(id, cluster.Partition(op.Partition)) {
			h := cluster.Sum(kv.Value)
			out = append(out, TableItem{Key: hex.EncodeToString([]byte(kv.Key)), Hash: hex.EncodeToString(h[:])})
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: no table %q", ErrInvalid, op.Table)
}
