package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/rpc"
	"github.com/garagego/garage/node/runtime/adminrpc"
	"github.com/garagego/garage/node/runtime/transport"
)

// handler receives the transport's events.
type handler struct{ s *Server }

func (h handler) Deliver(m rpc.Message) {
	if m.Response {
		if o := h.s.cfg.Observer; o != nil {
			o.RPCAnswered(m.From, m.ID)
		}
		h.s.traces.answered(m.From, m.ID, m.Body)
	}
	if req, ok := m.Body.(adminrpc.Request); ok && !m.Response {
		go h.s.serveAdmin(m, req)
		return
	}
	h.s.enqueue(input{kind: inMessage, msg: m})
}

func (h handler) PeerUp(id cluster.NodeID, addr string, role transport.Role) {
	if role == transport.RoleNode {
		h.s.enqueue(input{kind: inPeerUp, peer: id, addr: addr})
	}
}

// PeerDown reports a node gone; a client (the CLI) leaving is no news to
// the node, which never counted it as a member.
func (h handler) PeerDown(id cluster.NodeID, role transport.Role) {
	if role == transport.RoleNode {
		h.s.traces.peerLost(id)
		h.s.enqueue(input{kind: inPeerDown, peer: id})
	}
}

func (s *Server) enqueue(in input) {
	select {
	case s.inbox <- in:
	case <-s.loopDone:
	}
}

// adminTimeout bounds an operator's command.
const adminTimeout = 60 * time.Second

// serveAdmin runs an operator's command from the CLI and answers it.
func (s *Server) serveAdmin(m rpc.Message, req adminrpc.Request) {
	reply := func(body rpc.Body) {
		if err := s.tr.Send(rpc.Message{From: s.id.ID, To: m.From, ID: m.ID, Response: true, Body: body}); err != nil {
			s.log.Debug("admin reply lost", zap.Error(err))
		}
	}
	result, err := s.runAdmin(req)
	if err != nil {
		reply(rpc.Error{Message: err.Error()})
		return
	}
	out, err := json.Marshal(result)
	if err != nil {
		reply(rpc.Error{Message: fmt.Sprintf("encode result: %v", err)})
		return
	}
	reply(adminrpc.Response{Result: out})
}

func (s *Server) runAdmin(req adminrpc.Request) (any, error) {
	op, err := adminrpc.Decode(req)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	return s.runOp(ctx, op)
}

// runOp runs one operator operation: the runtime's own, or the core's.
func (s *Server) runOp(ctx context.Context, op adminrpc.Op) (any, error) {
	switch op := op.(type) {
	case adminrpc.NodeID:
		return adminrpc.NodeIDResult{ID: s.id.ID.Hex(), Addr: s.advertisedAddr()}, nil
	case adminrpc.ConnectNode:
		p, err := transport.ParsePeer(op.Peer)
		if err != nil {
			return nil, err
		}
		if err := s.tr.Connect(ctx, p); err != nil {
			return nil, err
		}
		return struct{}{}, nil
	case adminrpc.GetNodeStats:
		return s.NodeStats(ctx, op.Node)
	case adminrpc.OnNodes:
		inner, err := adminrpc.Decode(adminrpc.Request{Op: op.Op, Args: op.Args})
		if err != nil {
			return nil, err
		}
		return s.OnNodes(ctx, op.Node, inner)
	case adminrpc.NodeInfo:
		return s.NodeInfo(), nil
	case adminrpc.CreateMetadataSnapshot:
		return s.CreateMetadataSnapshot(ctx)
	case admin.CreateKey:
		// The core draws no randomness: a new key's id and secret come from here.
		op.ID, op.Secret = "GK"+randomHex(12), randomHex(32)
		return s.Do(ctx, op)
	case admin.CreateBucket:
		op.ID = randomHex(32)
		return s.Do(ctx, op)
	default:
		return s.Do(ctx, op)
	}
}

func (s *Server) advertisedAddr() string {
	if s.cfg.Transport.PublicAddr != "" {
		return s.cfg.Transport.PublicAddr
	}
	return s.tr.Addr()
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err)) // the OS has no entropy: nothing sensible to do
	}
	return hex.EncodeToString(b)
}

// NewKeyID returns a random access key id in Garage's format.
func NewKeyID() string { return "GK" + randomHex(12) }

// NewSecret returns a random 64-hex-digit secret.
func NewSecret() string { return randomHex(32) }

// NewBucketID returns a random bucket id.
func NewBucketID() string { return randomHex(32) }
