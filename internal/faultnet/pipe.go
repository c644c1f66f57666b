package faultnet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// forever is a hold with no deadline: only a rule change ends it.
const forever time.Duration = -1

// A pipe relays one direction of a conn: its reader fills the queue from
// src, its writer drains it into dst as the rules allow.
type pipe struct {
	c         *conn
	dir       Direction
	src, dst  *net.TCPConn
	q         *queue
	window    int        // bytes a half-open direction absorbs before it stops reading
	rng       *rand.Rand // the reader's
	delivered *atomic.Int64
	pacer     *pacer
	srcEnded  chan struct{} // closed when the reader ends
	losses    int           // consecutive lost chunks; the writer's
}

// readLoop reads src into the queue until EOF, an error or teardown.
func (p *pipe) readLoop() {
	defer p.c.wg.Done()
	defer close(p.srcEnded)
	buf := make([]byte, chunkSize)
	for {
		if p.c.frozen.Load() {
			p.absorb(buf)
			return
		}
		switch err := p.q.waitSpace(p.c.done(), p.c.freezeCh); {
		case errors.Is(err, errFrozen):
			continue
		case err != nil:
			return
		}
		n, err := p.src.Read(buf)
		if n > 0 && !p.c.frozen.Load() { // bytes read as the connection froze are lost with it
			c := &chunk{size: n, readAt: time.Now(), jitterU: p.rng.Float64(), lossU: p.rng.Float64()}
			if n > len(buf)/2 { // hand the buffer over rather than copy most of it
				c.data, buf = buf[:n], make([]byte, chunkSize)
			} else {
				c.data = bytes.Clone(buf[:n])
			}
			p.q.push(c)
		}
		if err != nil {
			p.readFailed(err)
			return
		}
	}
}

func (p *pipe) readFailed(err error) {
	switch {
	case p.c.closed.Load():
	case errors.Is(err, io.EOF):
		p.q.closeInput()
	case p.c.frozen.Load():
		// A half-open connection's endpoint went away; its peer must not
		// notice, so only this reader ends.
	default:
		if p.c.close(true) {
			p.c.n.counters.errors.Add(1)
			p.c.log.Debug("read failed", zap.Stringer("dir", p.dir), zap.Error(err))
		}
	}
}

// absorb stands in for the network of a half-open connection: it swallows
// what was in flight, up to window bytes, then stops reading so the
// sender's writes eventually block as with a peer that stopped ACKing. It
// returns when the sender closes or the connection is torn down.
func (p *pipe) absorb(buf []byte) {
	for swallowed := 0; swallowed < p.window; {
		n, err := p.src.Read(buf)
		swallowed += n
		if err != nil {
			return
		}
	}
	<-p.c.done()
}

// writeLoop delivers the queue to dst, then half-closes dst on EOF.
func (p *pipe) writeLoop() {
	defer p.c.wg.Done()
	err := p.forward()
	switch {
	case err == nil:
		p.dst.CloseWrite() //nolint:errcheck // the peer may be gone; its reader will tell
	case errors.Is(err, errFrozen):
		p.q.drain()
	case p.c.closed.Load(), p.c.frozen.Load():
	default:
		if p.c.close(true) {
			p.c.n.counters.errors.Add(1)
			p.c.log.Debug("write failed", zap.Stringer("dir", p.dir), zap.Error(err))
		}
	}
}

// forward delivers chunks in order until the source's EOF.
func (p *pipe) forward() error {
	for {
		c, err := p.q.head(p.c.done(), p.c.freezeCh)
		if err != nil || c == nil {
			return err
		}
		if err := p.deliver(c); err != nil {
			return err
		}
		p.q.pop()
	}
}

// deliver writes one chunk once the rules let it, re-reading them whenever
// they change so that Unblock and Heal take effect at once.
func (p *pipe) deliver(c *chunk) error {
	for len(c.data) > 0 {
		r, changed := p.c.n.ruleFor(p.dir)
		if p.c.frozen.Load() {
			return errFrozen
		}
		if hold := p.holdFor(c, r, time.Now()); hold != 0 {
			if err := p.c.wait(hold, changed); err != nil {
				return err
			}
			continue
		}
		piece := c.data
		if rate := r.shape.Bandwidth; rate > 0 {
			piece = piece[:min(len(piece), pieceSize(rate))]
		}
		n, err := p.dst.Write(piece)
		c.data = c.data[n:]
		p.delivered.Add(int64(n))
		if rate := r.shape.Bandwidth; rate > 0 {
			p.pacer.spend(time.Now(), n, rate)
		}
		if err != nil {
			return fmt.Errorf("faultnet: write %s: %w", p.dir, err)
		}
	}
	return nil
}

// holdFor returns how long chunk c must still wait under r: 0 to write
// now, forever while blocked.
func (p *pipe) holdFor(c *chunk, r rule, now time.Time) time.Duration {
	if r.blocked {
		return forever
	}
	due := c.readAt.Add(r.shape.Delay + jitter(c.jitterU, r.shape.Jitter))
	if now.Before(due) {
		return due.Sub(now)
	}
	if !c.lossDecided { // decided once, when the chunk would otherwise leave
		c.lossDecided = true
		if c.lossU < r.shape.Loss {
			c.stallUntil = now.Add(lossStall(p.losses))
			p.losses++
		} else {
			p.losses = 0
		}
	}
	if r.shape.Loss > 0 && now.Before(c.stallUntil) {
		return c.stallUntil.Sub(now)
	}
	if rate := r.shape.Bandwidth; rate > 0 {
		return p.pacer.wait(now)
	}
	return 0
}

// wait sleeps for d (forever: until a rule change), returning early when
// rules change, or with errTornDown or errFrozen.
func (c *conn) wait(d time.Duration, changed <-chan struct{}) error {
	var timeout <-chan time.Time
	if d != forever {
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-timeout:
		return nil
	case <-changed:
		return nil
	case <-c.done():
		return errTornDown
	case <-c.freezeCh:
		return errFrozen
	}
}
