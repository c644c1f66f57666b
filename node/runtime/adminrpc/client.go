package adminrpc

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/runtime/transport"
)

// CallTimeout bounds one operator command.
const CallTimeout = 70 * time.Second

// Client is an operator's connection to one node: the CLI's, and the
// harnesses' that drive clusters of real processes.
type Client struct {
	conn *transport.Client
}

// Dial connects to the node at addr as a client; a zero expect accepts
// whichever node answers.
func Dial(ctx context.Context, addr string, secret [32]byte, expect cluster.NodeID) (*Client, error) {
	conn, err := transport.Dial(ctx, addr, secret, expect)
	if err != nil {
		return nil, fmt.Errorf("cannot reach a garage node at %s: %w", addr, err)
	}
	return &Client{conn: conn}, nil
}

// Call runs op on the node and decodes its result into result (nil: drop
// it).
func (c *Client) Call(op Op, result any) error {
	req, err := NewRequest(op)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), CallTimeout)
	defer cancel()
	body, err := c.conn.Call(ctx, req)
	if err != nil {
		return err
	}
	resp, ok := body.(Response)
	if !ok {
		return fmt.Errorf("unexpected answer to %s", op.OpName())
	}
	if result == nil {
		return nil
	}
	return json.Unmarshal(resp.Result, result)
}

// Close ends the connection.
func (c *Client) Close() error { return c.conn.Close() }
