package transport

import (
	"fmt"
	"slices"
	"time"

	"go.uber.org/zap"
)

// link holds the connections to one peer. Only the active one carries our
// frames; standbys are duplicates still being read from until one side
// closes them, kept so that losing the active one need not take the peer
// down.
type link struct {
	active  *conn
	standby []*conn
}

// register adopts an authenticated connection, starts its goroutines and,
// if the peer was down, reports it up. On failure the connection is closed.
func (t *Transport) register(c *conn) error {
	t.eventMu.Lock()
	defer t.eventMu.Unlock()

	t.mu.Lock()
	delete(t.handshaking, c.nc)
	if t.closed {
		t.mu.Unlock()
		c.nc.Close()
		return ErrClosed
	}
	l := t.links[c.peer]
	if l != nil && l.active.role != c.role {
		t.mu.Unlock()
		c.nc.Close()
		err := fmt.Errorf("peer %s is already connected as a %s", c.peer, l.active.role)
		c.log.Warn("refusing connection", zap.Error(err))
		return err
	}
	t.connSeq++
	c.seq = t.connSeq
	up := l == nil
	switch {
	case up:
		l = &link{active: c}
		t.links[c.peer] = l
	case c.beats(l.active):
		l.standby = append(l.standby, l.active)
		l.active = c
	default:
		l.standby = append(l.standby, c)
	}
	if c.role == RoleNode {
		t.gate.trust(c.addr) // a source that proved it holds the secret
		t.connectedLocked(c)
		// Tell the new peer whom we know; it dials those it does not.
		c.queue <- t.peerListFrameLocked()
	}
	t.retireLosersLocked(l)
	t.spawnLocked(c.writeLoop)
	t.spawnLocked(c.readLoop)
	t.mu.Unlock()

	if up {
		c.logEvent("peer up")
		t.h.PeerUp(c.peer, c.addr, c.role)
	} else {
		c.log.Debug("duplicate connection", zap.Bool("active", l.active == c))
	}
	close(c.ready)
	return nil
}

// isActive reports whether c carries our frames to its peer.
func (t *Transport) isActive(c *conn) bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	l := t.links[c.peer]
	return l != nil && l.active == c
}

// unregister drops a finished connection. If it was the active one, a
// standby takes over, or the peer is reported down.
func (t *Transport) unregister(c *conn) {
	t.eventMu.Lock()
	defer t.eventMu.Unlock()

	t.mu.Lock()
	l := t.links[c.peer]
	down := false
	if l != nil && l.active == c {
		if next := l.takeStandby(); next != nil {
			l.active = next
			t.retireLosersLocked(l)
		} else {
			delete(t.links, c.peer)
			down = true
		}
	} else if l != nil {
		l.standby = slices.DeleteFunc(l.standby, func(s *conn) bool { return s == c })
	}
	if e := t.book[c.peer]; e != nil && c.role == RoleNode {
		e.lastSeen = c.lastSeen()
		if down {
			// Give a restarting peer a moment before redialling it.
			e.nextDial = time.Now().Add(jitter(t.timing.backoffMin))
		}
	}
	t.mu.Unlock()

	if down {
		c.logEvent("peer down")
		t.h.PeerDown(c.peer, c.role)
	}
	t.wake()
}

// takeStandby removes and returns the best standby that is neither retiring
// nor failing.
func (l *link) takeStandby() *conn {
	best := -1
	for i, s := range l.standby {
		if !s.closing.Load() && (best < 0 || s.beats(l.standby[best])) {
			best = i
		}
	}
	if best < 0 {
		return nil
	}
	c := l.standby[best]
	l.standby = slices.Delete(l.standby, best, best+1)
	return c
}

// peerAdopted runs on the first frame the peer sends on c after the
// handshake, which it sends only once it has registered c.
func (t *Transport) peerAdopted(c *conn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if l := t.links[c.peer]; l != nil && l.active == c {
		t.retireLosersLocked(l)
	}
}

// retireLosersLocked retires the standbys we dialled, once the peer is known
// to hold the active connection too. Then the peer sees a duplicate close,
// never its only connection, so it never reports us down; and the losers'
// queued frames are still delivered. Standbys the peer dialled are left for
// the peer to retire.
func (t *Transport) retireLosersLocked(l *link) {
	if !l.active.gotFrame.Load() {
		return
	}
	for _, s := range l.standby {
		if s.dialedBySelf {
			s.retire()
		}
	}
}
