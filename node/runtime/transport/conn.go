package transport

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/rpc"
)

const (
	readBufferSize  = 64 << 10
	writeBufferSize = 64 << 10
	// maxBatch bounds the frames written between flushes, so one write
	// deadline never has to cover an unbounded stream.
	maxBatch = 256
)

// conn is one authenticated connection to a peer.
type conn struct {
	t            *Transport
	nc           net.Conn
	rd           *bufio.Reader
	seal         *sealer // writer goroutine only
	open         *opener // reader goroutine only
	peer         cluster.NodeID
	role         Role
	addr         string // remote address: dialled, or observed for inbound
	dialedBySelf bool
	seq          uint64 // registration order, set under t.mu
	log          *zap.Logger

	queue      chan []byte   // outbound plaintext frames
	pong       chan struct{} // a ping awaits its pong
	ready      chan struct{} // closed once PeerUp has run
	retiring   chan struct{} // closed to drain the queue and close
	done       chan struct{} // closed by close
	writerDone chan struct{}

	closing    atomic.Bool // set before the connection is closed locally
	gotFrame   atomic.Bool // the peer has sent a frame since the handshake
	lastRecv   atomic.Int64
	closeOnce  sync.Once
	retireOnce sync.Once
}

func newConn(t *Transport, nc net.Conn, rd *bufio.Reader, s *session, dialed bool, addr string) *conn {
	c := &conn{
		t: t, nc: nc, rd: rd, seal: s.seal, open: s.open,
		peer: s.peer, role: s.role, addr: addr, dialedBySelf: dialed,
		queue:      make(chan []byte, t.cfg.MaxQueue),
		pong:       make(chan struct{}, 1),
		ready:      make(chan struct{}),
		retiring:   make(chan struct{}),
		done:       make(chan struct{}),
		writerDone: make(chan struct{}),
	}
	c.lastRecv.Store(time.Now().UnixNano())
	direction := "inbound"
	if dialed {
		direction = "outbound"
	}
	c.log = t.log.With(zap.Stringer("peer", s.peer), zap.String("addr", addr),
		zap.Stringer("role", s.role), zap.String("direction", direction))
	return c
}

// dialer is the node that opened the connection.
func (c *conn) dialer() cluster.NodeID {
	if c.dialedBySelf {
		return c.t.id
	}
	return c.peer
}

// beats reports whether c should be the active connection rather than o.
// Both ends reach the same verdict: the connection dialled by the smaller
// id wins, and between connections dialled by the same side the newer.
func (c *conn) beats(o *conn) bool {
	if cd, od := c.dialer(), o.dialer(); cd != od {
		return cd.Compare(od) < 0
	}
	return c.seq > o.seq
}

func (c *conn) lastSeen() time.Time { return time.Unix(0, c.lastRecv.Load()) }

// enqueue hands a frame to the writer without blocking.
func (c *conn) enqueue(frame []byte) error {
	if c.closing.Load() {
		return ErrNotConnected
	}
	select {
	case c.queue <- frame:
		return nil
	default:
		return ErrQueueFull
	}
}

// close shuts the connection down at once; queued frames are dropped.
func (c *conn) close() {
	c.closeOnce.Do(func() {
		c.closing.Store(true)
		close(c.done)
		c.nc.Close()
	})
}

// retire makes the writer flush what is queued and then close, for a
// connection that lost to a duplicate.
func (c *conn) retire() {
	c.retireOnce.Do(func() {
		c.closing.Store(true)
		close(c.retiring)
	})
}

func (c *conn) isRetiring() bool {
	select {
	case <-c.retiring:
		return true
	default:
		return false
	}
}

// writeLoop is the connection's only writer.
func (c *conn) writeLoop() {
	defer close(c.writerDone)
	defer c.close()
	w := frameWriter{nc: c.nc, bw: bufio.NewWriterSize(c.nc, writeBufferSize), seal: c.seal, timeout: c.t.timing.silence()}
	ping := time.NewTicker(c.t.timing.pingInterval)
	defer ping.Stop()

	// A ping first: it tells the peer we registered this connection, which
	// is what lets it retire a duplicate safely.
	batch := [][]byte{pingFrame}
	for {
		if err := w.write(batch); err != nil {
			if !c.closing.Load() {
				c.log.Warn("closing connection: write failed", zap.Error(err))
			}
			return
		}
		batch = batch[:0]
		select {
		case <-c.done:
			return
		case <-c.retiring:
			batch = c.drain(batch, cap(c.queue))
			if err := w.write(batch); err != nil {
				c.log.Debug("flushing retired connection failed", zap.Error(err))
			}
			return
		case f := <-c.queue:
			batch = c.drain(append(batch, f), maxBatch)
		case <-c.pong:
			batch = append(batch, pongFrame)
		case <-ping.C:
			batch = append(batch, pingFrame)
		}
	}
}

// drain appends up to limit queued frames to batch without waiting.
func (c *conn) drain(batch [][]byte, limit int) [][]byte {
	for len(batch) < limit {
		select {
		case f := <-c.queue:
			batch = append(batch, f)
		default:
			return batch
		}
	}
	return batch
}

// frameWriter seals frames into a buffered writer.
type frameWriter struct {
	nc      net.Conn
	bw      *bufio.Writer
	seal    *sealer
	timeout time.Duration
	buf     []byte
}

func (w *frameWriter) write(frames [][]byte) error {
	if len(frames) == 0 {
		return nil
	}
	if err := w.nc.SetWriteDeadline(time.Now().Add(w.timeout)); err != nil {
		return err
	}
	for _, f := range frames {
		w.buf = w.seal.seal(w.buf[:0], f)
		if _, err := w.bw.Write(w.buf); err != nil {
			return err
		}
	}
	return w.bw.Flush()
}

// readLoop reads frames until the connection fails, then unregisters it.
func (c *conn) readLoop() {
	<-c.ready
	err := c.readFrames()
	closedHere := c.closing.Load()
	c.close()
	<-c.writerDone
	switch {
	case c.isRetiring():
		c.log.Debug("duplicate connection retired")
	case closedHere:
		c.log.Debug("connection closed")
	case errors.Is(err, io.EOF) && !c.t.isActive(c):
		c.log.Debug("peer closed a duplicate connection")
	case errors.Is(err, io.EOF):
		c.logEvent("peer closed the connection")
	case isTimeout(err):
		c.log.Warn("closing connection: peer silent", zap.Duration("silence", c.t.timing.silence()))
	default:
		c.log.Warn("closing connection", zap.Error(err))
	}
	c.t.unregister(c)
}

func (c *conn) readFrames() error {
	for {
		if err := c.nc.SetReadDeadline(time.Now().Add(c.t.timing.silence())); err != nil {
			return err
		}
		frame, err := c.open.readFrame(c.rd)
		if err != nil {
			return err
		}
		c.lastRecv.Store(time.Now().UnixNano())
		if !c.gotFrame.Load() {
			c.gotFrame.Store(true)
			c.t.peerAdopted(c)
		}
		if err := c.dispatch(frameType(frame[0]), frame[1:]); err != nil {
			return err
		}
	}
}

func (c *conn) dispatch(typ frameType, body []byte) error {
	switch typ {
	case frameRPC:
		m, err := rpc.DecodeMessage(body)
		if err != nil {
			return fmt.Errorf("undecodable rpc message: %w", err)
		}
		if m.From != c.peer {
			c.log.Warn("dropping message whose sender is not the connection's peer",
				zap.Stringer("claimed_from", m.From), zap.Uint64("id", m.ID))
			return nil
		}
		if m.To != c.t.id {
			c.log.Warn("dropping message addressed to another node",
				zap.Stringer("to", m.To), zap.Uint64("id", m.ID))
			return nil
		}
		c.t.h.Deliver(m)
	case framePeerList:
		if c.role != RoleNode {
			return errors.New("client sent a peer list")
		}
		peers, err := decodePeerList(body)
		if err != nil {
			return err
		}
		c.t.learn(c, peers)
	case framePing:
		select {
		case c.pong <- struct{}{}:
		default: // a pong is already pending; one answers both
		}
	case framePong:
	default:
		return fmt.Errorf("unexpected frame type %d", typ)
	}
	return nil
}

// logEvent logs a connection's life: a node's at info level, a client's
// (every CLI command is one) at debug level.
func (c *conn) logEvent(msg string) {
	if c.role == RoleClient {
		c.log.Debug(msg)
	} else {
		c.log.Info(msg)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
