package server

import (
	"time"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/rpc"
)

// Observer is told of the runtime's disk and network work, for metrics
// (the Prometheus exposition in node/runtime/metrics). Its methods run on
// the I/O workers, the loop and the transport's readers: they must be
// cheap and safe for concurrent use. The core's own counters are read
// through admin operations instead (admin.GetStats and the like).
type Observer interface {
	// BlockIO reports one local block read or write: the bytes moved
	// (as stored, compressed or not) and how long the disk took.
	BlockIO(write bool, bytes int, took time.Duration, err error)
	// RPCSent reports a request to a peer handed to the transport (err
	// nil) or refused by it (the peer unreachable, its queue full).
	RPCSent(to cluster.NodeID, id uint64, kind rpc.Kind, err error)
	// RPCAnswered reports a response from a peer.
	RPCAnswered(from cluster.NodeID, id uint64)
}

// observeIO times one block operation for the observer, if any.
func (s *Server) observeIO(write bool, start time.Time, bytes int, err error) {
	if o := s.cfg.Observer; o != nil {
		o.BlockIO(write, bytes, time.Since(start), err)
	}
}
