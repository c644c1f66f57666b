package transport

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/rpc"
)

// clientSilence is how long a client waits for any frame before deciding
// the node is gone; nodes ping at least every default ping interval.
var clientSilence = defaultTiming().silence()

// Client is a connection from a non-node, such as the CLI, to one node.
// It sends requests and matches their responses; it serves nothing.
type Client struct {
	id   cluster.NodeID
	node cluster.NodeID
	addr string
	nc   net.Conn
	rd   *bufio.Reader
	open *opener

	writeMu sync.Mutex
	seal    *sealer

	nextID atomic.Uint64

	mu      sync.Mutex
	pending map[uint64]chan rpc.Message
	err     error // why the connection ended; set once

	done chan struct{} // closed when the reader exits
}

// Dial connects to the node at addr as a client with a fresh ephemeral
// identity. A zero expect accepts any node.
func Dial(ctx context.Context, addr string, secret [32]byte, expect cluster.NodeID) (*Client, error) {
	if secret == ([32]byte{}) {
		return nil, errors.New("transport: rpc secret is all zeros")
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("transport: dial %s: %w", addr, err)
	}
	deadline := time.Now().Add(defaultTiming().handshakeTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	rd := bufio.NewReaderSize(nc, readBufferSize)
	identity := NewEphemeralIdentity()
	s, err := handshakeBy(ctx, nc, rd, deadline, handshakeConfig{
		identity: identity,
		role:     RoleClient,
		secret:   &secret,
		expect:   expect,
		nodeOnly: true,
		addr:     addr,
	})
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("transport: connect to %s: %w", addr, err)
	}
	c := &Client{
		id: identity.ID, node: s.peer, addr: addr,
		nc: nc, rd: rd, open: s.open, seal: s.seal,
		pending: map[uint64]chan rpc.Message{},
		done:    make(chan struct{}),
	}
	go c.readLoop()
	return c, nil
}

// NodeID is the id of the node the client is connected to.
func (c *Client) NodeID() cluster.NodeID { return c.node }

// ID is the client's ephemeral id, the From of its requests.
func (c *Client) ID() cluster.NodeID { return c.id }

// Call sends body to the node as a request and waits for the response or
// for ctx to end. A response whose body is an rpc.Error is returned as that
// error.
func (c *Client) Call(ctx context.Context, body rpc.Body) (rpc.Body, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("transport: call to node %s: %w", c.node, err)
	}
	id := c.nextID.Add(1)
	frame, err := encodeRPCFrame(rpc.Message{From: c.id, To: c.node, ID: id, Body: body})
	if err != nil {
		return nil, err
	}
	reply := make(chan rpc.Message, 1)
	c.mu.Lock()
	if c.err != nil {
		err := c.err
		c.mu.Unlock()
		return nil, err
	}
	c.pending[id] = reply
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
	}()

	if err := c.write(ctx, frame); err != nil {
		return nil, err
	}
	select {
	case m := <-reply:
		if e, ok := m.Body.(rpc.Error); ok {
			return nil, e
		}
		return m.Body, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("transport: call %d to node %s: %w", id, c.node, ctx.Err())
	case <-c.done:
		return nil, c.failure()
	}
}

// Close closes the connection; calls in flight fail with ErrClosed.
func (c *Client) Close() error {
	c.fail(ErrClosed)
	<-c.done
	return nil
}

func (c *Client) write(ctx context.Context, frame []byte) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(clientSilence)
	}
	if err := c.nc.SetWriteDeadline(deadline); err != nil {
		return c.fail(fmt.Errorf("transport: connection to node %s: %w", c.node, err))
	}
	if _, err := c.nc.Write(c.seal.seal(nil, frame)); err != nil {
		// A partial frame would desynchronise the stream: give up on it.
		return c.fail(fmt.Errorf("transport: send to node %s: %w", c.node, err))
	}
	return nil
}

// fail records why the connection ended, closes it and returns that reason.
func (c *Client) fail(err error) error {
	c.mu.Lock()
	if c.err == nil {
		c.err = err
	}
	err = c.err
	c.mu.Unlock()
	c.nc.Close()
	return err
}

func (c *Client) failure() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

func (c *Client) readLoop() {
	defer close(c.done)
	for {
		if err := c.nc.SetReadDeadline(time.Now().Add(clientSilence)); err != nil {
			c.fail(fmt.Errorf("transport: connection to node %s: %w", c.node, err))
			return
		}
		frame, err := c.open.readFrame(c.rd)
		if err != nil {
			c.fail(fmt.Errorf("transport: connection to node %s lost: %w", c.node, err))
			return
		}
		switch frameType(frame[0]) {
		case frameRPC:
			m, err := rpc.DecodeMessage(frame[1:])
			if err != nil {
				c.fail(fmt.Errorf("transport: node %s sent an undecodable message: %w", c.node, err))
				return
			}
			if m.From != c.node || m.To != c.id || !m.Response {
				continue // clients serve no requests
			}
			c.mu.Lock()
			reply := c.pending[m.ID]
			delete(c.pending, m.ID)
			c.mu.Unlock()
			if reply != nil {
				reply <- m // buffered; at most one response per id
			}
		case framePing:
			if err := c.write(context.Background(), pongFrame); err != nil {
				return
			}
		case framePong, framePeerList:
		default:
			c.fail(fmt.Errorf("transport: node %s sent unexpected frame type %d", c.node, frame[0]))
			return
		}
	}
}
