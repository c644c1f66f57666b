package transport

import (
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/rpc"
)

// Config configures a Transport.
type Config struct {
	Identity Identity
	// Secret is the cluster's rpc_secret; only holders can connect.
	Secret [32]byte
	// ListenAddr is the TCP address to listen on, such as "[::]:3901".
	ListenAddr string
	// Listener, if set, is the listener to accept on (already bound to
	// ListenAddr), so a caller can bind every port before starting any.
	Listener net.Listener
	// PublicAddr is the address advertised to other nodes in gossip. If
	// empty, the bound listen address is advertised unless its host is
	// unspecified (0.0.0.0 or ::), in which case nothing is: peers then
	// learn of this node only when it dials them.
	PublicAddr string
	// Bootstrap lists nodes to dial at start and keep redialling.
	Bootstrap []Peer
	// BindOutgoing makes connections to peers leave from ListenAddr's IP
	// (rpc_bind_outgoing), for hosts with several addresses where peers
	// must see this one; it does nothing when that IP is unspecified.
	BindOutgoing bool
	// Logger receives connection events; nil discards them.
	Logger *zap.Logger
	// MaxQueue is the per-peer outbound queue length; 0 means 1024.
	MaxQueue int
}

const defaultMaxQueue = 1024

// Peer is a node to dial. A zero ID accepts whichever node answers at Addr;
// its id is learned from the handshake.
type Peer struct {
	ID   cluster.NodeID
	Addr string
}

// ParsePeer reads "id@host:port", as in bootstrap_peers and `garage node
// connect`, or a bare "host:port".
func ParsePeer(s string) (Peer, error) {
	var p Peer
	addr := s
	if idHex, rest, ok := strings.Cut(s, "@"); ok {
		id, err := cluster.ParseNodeID(idHex)
		if err != nil {
			return Peer{}, fmt.Errorf("peer %q: %w", s, err)
		}
		p.ID, addr = id, rest
	}
	if !validAddr(addr) {
		return Peer{}, fmt.Errorf("peer %q: address must be host:port", s)
	}
	p.Addr = addr
	return p, nil
}

func (p Peer) String() string {
	if p.ID.IsZero() {
		return p.Addr
	}
	return p.ID.Hex() + "@" + p.Addr
}

// Role is what a peer is: a cluster node or a client such as the CLI.
type Role uint8

const (
	RoleNode   Role = 0
	RoleClient Role = 1
)

func (r Role) valid() bool { return r == RoleNode || r == RoleClient }

func (r Role) String() string {
	switch r {
	case RoleNode:
		return "node"
	case RoleClient:
		return "client"
	default:
		return fmt.Sprintf("role(%d)", uint8(r))
	}
}

// Handler receives what arrives. Its methods are called from transport
// goroutines, concurrently with each other except that PeerUp and PeerDown
// calls are serialised, PeerUp(id) precedes every Deliver from id's
// connection and PeerDown(id) follows them. Implementations must return
// quickly. Any method may call Send; none may call Close, and PeerUp and
// PeerDown must not call Connect (or wait for something that does), since
// registering a connection waits for them to return.
type Handler interface {
	Deliver(m rpc.Message)
	PeerUp(id cluster.NodeID, addr string, role Role)
	PeerDown(id cluster.NodeID, role Role)
}

// PeerStatus describes a known node or a connected client.
type PeerStatus struct {
	ID cluster.NodeID
	// Addr is the address the node is dialled at, or for a peer we only
	// know through its inbound connection, that connection's address.
	Addr      string
	Role      Role
	Connected bool
	// LastSeen is when the last frame arrived from the peer.
	LastSeen time.Time
	// ReconnectAttempts counts failed dials since the last connection.
	ReconnectAttempts int
}

// timing holds the transport's intervals; tests shorten them.
type timing struct {
	handshakeTimeout time.Duration
	// inboundHandshakeTimeout bounds an inbound connection's handshake:
	// shorter, since a peer that has not sent its hello in a few round
	// trips holds a slot for nothing.
	inboundHandshakeTimeout time.Duration
	backoffMin              time.Duration
	backoffMax              time.Duration
	gossipInterval          time.Duration
	pingInterval            time.Duration
}

func defaultTiming() timing {
	return timing{
		handshakeTimeout:        10 * time.Second,
		inboundHandshakeTimeout: 5 * time.Second,
		backoffMin:              time.Second,
		backoffMax:              time.Minute,
		gossipInterval:          30 * time.Second,
		pingInterval:            10 * time.Second,
	}
}

// silence is how long a connection may go without a frame before it is
// considered dead; also the bound on one batch of writes.
func (tm timing) silence() time.Duration { return 3 * tm.pingInterval }

// backoff is the delay before redial number attempt (counting from 1):
// doubling from backoffMin up to backoffMax, with ±25% jitter so that nodes
// restarted together do not redial in lockstep.
func (tm timing) backoff(attempt int) time.Duration {
	d := tm.backoffMin
	for i := 1; i < attempt && d < tm.backoffMax; i++ {
		d *= 2
	}
	return jitter(min(d, tm.backoffMax))
}

func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d*3/4 + rand.N(d/2+1)
}
