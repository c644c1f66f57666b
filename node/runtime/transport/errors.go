package transport

import (
	"errors"
	"fmt"

	"github.com/garagego/garage/node/cluster"
)

// Errors Send, Connect, Dial and Call can return; test with errors.Is.
var (
	// ErrNotConnected: no live connection to the destination; the caller
	// can fail the request at once instead of waiting for a timeout.
	ErrNotConnected = errors.New("transport: not connected to node")
	// ErrQueueFull: the destination's outbound queue is full.
	ErrQueueFull = errors.New("transport: outbound queue to node is full")
	// ErrSendToSelf: the message is addressed to this node, which the
	// caller delivers itself.
	ErrSendToSelf = errors.New("transport: message addressed to this node")
	// ErrTooLarge: the encoded message exceeds the frame limit.
	ErrTooLarge = errors.New("transport: message exceeds the 64 MiB frame limit")
	// ErrClosed: the transport or client has been closed.
	ErrClosed = errors.New("transport: closed")
	// ErrSecretMismatch: the peer does not share our rpc_secret.
	ErrSecretMismatch = errors.New("transport: peer does not share our rpc_secret")
	// ErrUnexpectedNode: the peer is not the node the caller asked for.
	ErrUnexpectedNode = errors.New("transport: peer is not the expected node")
)

// errSelfConnection: a node reached itself, typically through its own
// address in a bootstrap or gossip list. Not worth a warning.
var errSelfConnection = errors.New("connected to ourselves")

// errNoHello: the peer closed the connection without sending a byte.
var errNoHello = errors.New("peer closed the connection before sending its hello")

// secretMismatchError carries the peer address; its message is what
// operators read in both nodes' logs when their secrets differ.
type secretMismatchError struct{ addr string }

func (e *secretMismatchError) Error() string {
	return fmt.Sprintf("handshake refused: peer at %s does not share our rpc_secret", e.addr)
}

func (e *secretMismatchError) Is(target error) bool { return target == ErrSecretMismatch }

// unexpectedNodeError names both ids so the operator can tell a typo from a
// reinstalled node.
type unexpectedNodeError struct {
	addr      string
	got, want cluster.NodeID
}

func (e *unexpectedNodeError) Error() string {
	return fmt.Sprintf("handshake refused: peer at %s is node %s, expected node %s", e.addr, e.got.Hex(), e.want.Hex())
}

func (e *unexpectedNodeError) Is(target error) bool { return target == ErrUnexpectedNode }

// refusedError is a refusal frame received from the peer.
type refusedError struct {
	addr   string
	reason string
}

func (e *refusedError) Error() string {
	return fmt.Sprintf("handshake refused by peer at %s: %s", e.addr, e.reason)
}
