package faultnet

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"

	"go.uber.org/zap"
)

// Reasons a pipe stops early.
var (
	errTornDown = errors.New("faultnet: connection torn down")
	errFrozen   = errors.New("faultnet: connection half-open")
)

// A conn is one accepted connection and, once the link allows, the one the
// proxy dialled to the target. Five goroutines serve it: run, and a reader
// and a writer per direction.
type conn struct {
	n      *Network
	link   Direction // From dialled To's proxy
	client *net.TCPConn
	target string
	log    *zap.Logger

	ctx    context.Context // cancelled when torn down; bounds the dial
	cancel context.CancelFunc
	closed atomic.Bool

	mu     sync.Mutex
	server *net.TCPConn // nil until dialled

	frozen   atomic.Bool
	freezeCh chan struct{} // closed by HalfOpen
	pending  atomic.Bool   // waiting for a blocked link to heal

	up   *pipe // client to server: link.From -> link.To
	down *pipe // server to client: link.To -> link.From
	wg   sync.WaitGroup
}

// newConnLocked builds a conn and its pipes. n.mu must be held.
func (n *Network) newConnLocked(link Direction, client *net.TCPConn, target string) *conn {
	ctx, cancel := context.WithCancel(context.Background())
	c := &conn{
		n:        n,
		link:     link,
		client:   client,
		target:   target,
		log:      n.log.With(zap.String("from", link.From), zap.String("to", link.To), zap.Stringer("client", client.RemoteAddr())),
		ctx:      ctx,
		cancel:   cancel,
		freezeCh: make(chan struct{}),
	}
	c.up = n.newPipeLocked(c, link)
	c.down = n.newPipeLocked(c, link.reverse())
	c.up.src, c.down.dst = client, client
	return c
}

func (n *Network) newPipeLocked(c *conn, d Direction) *pipe {
	delivered, pace := n.directionLocked(d)
	return &pipe{
		c:         c,
		dir:       d,
		q:         newQueue(n.cfg.bufferSize, &n.counters.held),
		window:    n.cfg.bufferSize,
		rng:       rand.New(rand.NewPCG(n.rng.Uint64(), n.rng.Uint64())),
		delivered: delivered,
		pacer:     pace,
		srcEnded:  make(chan struct{}),
	}
}

func (c *conn) done() <-chan struct{} { return c.ctx.Done() }

// run relays the connection until all its pipes end, then closes it.
func (c *conn) run() {
	defer c.n.wg.Done()
	defer c.n.forget(c)
	c.log.Debug("accepted")

	// Read the client at once, to hold what it sends and to notice if it
	// gives up while the link is blocked.
	c.wg.Add(1)
	go c.up.readLoop()
	if c.awaitLink() {
		c.connect()
	}
	c.wg.Wait()
	c.close(false)
	c.up.q.drain()
	c.down.q.drain()
	c.log.Debug("closed")
}

// awaitLink waits until neither direction of the link is blocked. It
// returns false if the connection must never reach the target: the
// dialler gave up, or the connection was torn down or made half-open.
func (c *conn) awaitLink() bool {
	defer c.pending.Store(false)
	for {
		if c.frozen.Load() {
			select { // like a SYN lost forever: wait for the dialler to give up
			case <-c.up.srcEnded:
			case <-c.done():
			}
			return false
		}
		blocked, changed := c.n.linkBlocked(c.link)
		if !blocked {
			return true
		}
		if !c.pending.Swap(true) {
			c.log.Debug("holding connection on a blocked link")
		}
		select {
		case <-changed:
		case <-c.freezeCh:
		case <-c.done():
			return false
		case <-c.up.srcEnded:
			if !c.closed.Load() {
				c.n.counters.abandoned.Add(1)
				c.log.Debug("dialler gave up on a blocked link")
			}
			return false
		}
	}
}

// connect dials the target and starts the remaining pipes.
func (c *conn) connect() {
	server, err := c.dial()
	if err != nil {
		if !c.closed.Load() {
			c.n.counters.dialFailures.Add(1)
			c.log.Debug("target unreachable", zap.Error(err))
			c.close(true)
		}
		return
	}
	if !c.attach(server) {
		return
	}
	c.up.dst, c.down.src = server, server
	c.wg.Add(3)
	go c.up.writeLoop()
	go c.down.readLoop()
	go c.down.writeLoop()
}

func (c *conn) dial() (*net.TCPConn, error) {
	ctx, cancel := context.WithTimeout(c.ctx, c.n.cfg.dialTimeout)
	defer cancel()
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", c.target)
	if err != nil {
		return nil, fmt.Errorf("faultnet: dial target %s of %s: %w", c.target, c.link, err)
	}
	return nc.(*net.TCPConn), nil
}

// attach records the dialled server socket, or closes it if the connection
// was torn down meanwhile.
func (c *conn) attach(server *net.TCPConn) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed.Load() {
		server.Close()
		return false
	}
	c.server = server
	return true
}

// close tears the connection down, with a TCP RST on both sockets if rst.
// It reports whether this call did it.
func (c *conn) close(rst bool) bool {
	if !c.closed.CompareAndSwap(false, true) {
		return false
	}
	c.cancel()
	c.mu.Lock()
	sockets := []*net.TCPConn{c.client, c.server}
	c.mu.Unlock()
	for _, s := range sockets {
		if s == nil {
			continue
		}
		if rst {
			s.SetLinger(0) //nolint:errcheck // best effort: a plain close still ends the stream
		}
		s.Close()
	}
	return true
}

// freeze makes the connection half-open and reports whether this call did.
func (c *conn) freeze() bool {
	if c.closed.Load() || !c.frozen.CompareAndSwap(false, true) {
		return false
	}
	close(c.freezeCh)
	c.log.Debug("half-open")
	return true
}

// between reports whether the connection links a and b, either way round.
func (c *conn) between(a, b string) bool {
	return c.link == Direction{a, b} || c.link == Direction{b, a}
}
