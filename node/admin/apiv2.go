package admin

import (
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/crdt"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/table"
)

// Operations the admin HTTP API needs beyond the CLI's.
type (
	// GetClusterHealth summarises whether every partition has a write
	// quorum of up nodes in every live layout version.
	GetClusterHealth struct{}
	// RenameKey sets an access key's name.
	RenameKey struct {
		Pattern string `json:"pattern"`
		Name    string `json:"name"`
	}
	// GetBucketEntry reads a live bucket (by global alias, full id or
	// unique id prefix) as stored. Answers model.Bucket.
	GetBucketEntry struct {
		Name string `json:"name"`
	}
)

func (GetClusterHealth) OpName() string { return "GetClusterHealth" }
func (RenameKey) OpName() string        { return "RenameKey" }
func (GetBucketEntry) OpName() string   { return "GetBucketEntry" }

// ClusterHealth answers GetClusterHealth.
type ClusterHealth struct {
	// Status is "healthy" (every node of every partition up), "degraded"
	// (every partition has a quorum) or "unavailable".
	Status           string `json:"status"`
	KnownNodes       int    `json:"knownNodes"`
	ConnectedNodes   int    `json:"connectedNodes"`
	StorageNodes     int    `json:"storageNodes"`
	StorageNodesOK   int    `json:"storageNodesOk"`
	Partitions       int    `json:"partitions"`
	PartitionsQuorum int    `json:"partitionsQuorum"`
	PartitionsAllOK  int    `json:"partitionsAllOk"`
}

// submitAPIv2 starts op if it is one of the operations above.
func (s *Service) submitAPIv2(now cluster.Time, op any, done Done) bool {
	switch op := op.(type) {
	case GetClusterHealth:
		done(now, s.health(now), nil)
	case RenameKey:
		s.resolveKey(now, op.Pattern, done, func(now cluster.Time, k model.Key) {
			k.Name = k.Name.Join(crdt.Put(s.stamp(now, k.Name.Stamp), []byte(op.Name)))
			s.tables.Keys.Insert(now, model.KeyKey(k.ID), k, then(done, func(now cluster.Time) { done(now, keyInfo(k, nil, false), nil) }))
		})
	case GetBucketEntry:
		s.resolveBucket(now, op.Name, done, func(now cluster.Time, b model.Bucket) { done(now, b, nil) })
	default:
		return false
	}
	return true
}

// health counts, from this node's view of who is up, the partitions whose
// write sets all have a write quorum of up nodes (the consistent mode's
// quorum) and those whose nodes are all up.
func (s *Service) health(now cluster.Time) ClusterHealth {
	up := s.upNodes(now)
	h := s.members.Layout()
	out := ClusterHealth{KnownNodes: len(up), Partitions: cluster.NumPartitions}
	for _, p := range s.members.Peers() {
		if up[p.ID] {
			out.ConnectedNodes++
		}
	}
	for _, m := range h.Current().Members {
		if !m.Gateway {
			out.StorageNodes++
			if up[m.ID] {
				out.StorageNodesOK++
			}
		}
	}
	for p := range cluster.NumPartitions {
		quorum, allOK := true, true
		sets := h.WriteSets(cluster.Partition(p))
		if len(sets) == 0 {
			quorum, allOK = false, false
		}
		for _, ws := range sets {
			_, w := table.Consistent.Quorums(ws.ReplicationFactor)
			n := 0
			for _, id := range ws.Nodes {
				if up[id] {
					n++
				}
			}
			if n < w || len(ws.Nodes) == 0 {
				quorum = false
			}
			if n < len(ws.Nodes) || len(ws.Nodes) == 0 {
				allOK = false
			}
		}
		if quorum {
			out.PartitionsQuorum++
		}
		if allOK {
			out.PartitionsAllOK++
		}
	}
	switch {
	case out.PartitionsQuorum < out.Partitions:
		out.Status = "unavailable"
	case out.PartitionsAllOK < out.Partitions || out.StorageNodesOK < out.StorageNodes:
		out.Status = "degraded"
	default:
		out.Status = "healthy"
	}
	return out
}
