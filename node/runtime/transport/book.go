package transport

import (
	"errors"
	"slices"
	"time"

	"go.uber.org/zap"

	"github.com/garagego/garage/node/cluster"
)

// maxBookSize bounds the address book against hostile gossip.
const maxBookSize = 4096

// bookEntry is what we know about a cluster node, or, in t.unresolved, a
// bootstrap address whose node we have not reached yet (zero id).
type bookEntry struct {
	id       cluster.NodeID
	addrs    []string // best first
	attempts int      // failed dials since the last connection
	nextDial time.Time
	dialing  bool
	lastSeen time.Time
	// reached is set once we have been connected to the node, proving it
	// exists; only such nodes are gossiped.
	reached bool
}

// addAddr records addr, at the front if it is the best known (dialled
// successfully or advertised by the node itself), else at the back.
func (e *bookEntry) addAddr(addr string, best bool) (added bool) {
	if i := slices.Index(e.addrs, addr); i >= 0 {
		if best && i > 0 {
			e.addrs = slices.Insert(slices.Delete(e.addrs, i, i+1), 0, addr)
		}
		return false
	}
	if best {
		e.addrs = slices.Insert(e.addrs, 0, addr)
	} else {
		e.addrs = append(e.addrs, addr)
	}
	if len(e.addrs) > maxAddrsPerNode {
		e.addrs = e.addrs[:maxAddrsPerNode]
	}
	return true
}

// rememberLocked adds a peer to dial and returns its entry (nil for
// ourselves).
func (t *Transport) rememberLocked(p Peer) *bookEntry {
	if p.ID != t.id {
		t.gate.trust(p.Addr)
	}
	switch {
	case p.ID == t.id:
		return nil
	case p.ID.IsZero():
		if i := slices.IndexFunc(t.unresolved, func(e *bookEntry) bool { return e.addrs[0] == p.Addr }); i >= 0 {
			return t.unresolved[i]
		}
		e := &bookEntry{addrs: []string{p.Addr}}
		t.unresolved = append(t.unresolved, e)
		return e
	default:
		e := t.entryLocked(p.ID)
		e.addAddr(p.Addr, true)
		return e
	}
}

func (t *Transport) entryLocked(id cluster.NodeID) *bookEntry {
	e := t.book[id]
	if e == nil {
		e = &bookEntry{id: id}
		t.book[id] = e
	}
	return e
}

// connectedLocked updates the book for a new connection to a node.
func (t *Transport) connectedLocked(c *conn) {
	e := t.entryLocked(c.peer)
	e.reached = true
	e.attempts = 0
	e.lastSeen = time.Now()
	if c.dialedBySelf {
		e.addAddr(c.addr, true)
		// A bootstrap address we dialled has told us its node id.
		t.unresolved = slices.DeleteFunc(t.unresolved, func(u *bookEntry) bool { return u.addrs[0] == c.addr })
	}
}

// learn merges a peer list gossiped by c's node. What it adds to our list
// (a new node, or a new address for one, such as a peer that connected to
// us telling us where it listens) is passed on to our peers at once, so
// that nodes bootstrapping from the same one meet without waiting for the
// periodic gossip.
func (t *Transport) learn(c *conn, peers []peerInfo) {
	t.mu.Lock()
	learned, changed := 0, false
	for _, p := range peers {
		if p.id == t.id || p.id.IsZero() {
			continue
		}
		e := t.book[p.id]
		if e == nil {
			if len(t.book) >= maxBookSize {
				continue
			}
			e = t.entryLocked(p.id)
			learned++
			c.log.Info("learned of node through gossip", zap.Stringer("node", p.id), zap.Strings("addrs", p.addrs))
		}
		// A node's own word on its address beats hearsay.
		self := p.id == c.peer
		for _, a := range p.addrs {
			if validAddr(a) && e.addAddr(a, self) {
				t.gate.trust(a)
				changed = true
			}
		}
	}
	t.mu.Unlock()
	if learned > 0 {
		t.wake()
	}
	if changed {
		t.gossip()
	}
}

// peerListFrameLocked is the gossip we send: ourselves if we advertise an
// address, and every node we have reached with a known address.
func (t *Transport) peerListFrameLocked() []byte {
	var peers []peerInfo
	if t.advertised != "" {
		peers = append(peers, peerInfo{id: t.id, addrs: []string{t.advertised}})
	}
	for id, e := range t.book {
		if e.reached && len(e.addrs) > 0 && len(peers) < maxGossipNodes {
			peers = append(peers, peerInfo{id: id, addrs: e.addrs})
		}
	}
	return encodePeerListFrame(peers)
}

// gossip sends our peer list to every connected node.
func (t *Transport) gossip() {
	t.mu.RLock()
	frame := t.peerListFrameLocked()
	var targets []*conn
	for _, l := range t.links {
		if l.active.role == RoleNode {
			targets = append(targets, l.active)
		}
	}
	t.mu.RUnlock()
	for _, c := range targets {
		_ = c.enqueue(frame) // a full queue skips one round; the next will do
	}
}

// wake nudges the maintenance loop to look for dials to start.
func (t *Transport) wake() {
	select {
	case t.wakeup <- struct{}{}:
	default:
	}
}

// maintain starts redials when they fall due and gossips periodically.
func (t *Transport) maintain() {
	timer := time.NewTimer(0)
	defer timer.Stop()
	nextGossip := time.Now().Add(t.timing.gossipInterval)
	for {
		select {
		case <-t.ctx.Done():
			return
		case <-timer.C:
		case <-t.wakeup:
		}
		now := time.Now()
		if !now.Before(nextGossip) {
			t.gossip()
			nextGossip = now.Add(t.timing.gossipInterval)
		}
		next := t.startDueDials(now)
		if next.IsZero() || next.After(nextGossip) {
			next = nextGossip
		}
		timer.Reset(next.Sub(now))
	}
}

// startDueDials starts a dial for every disconnected entry whose backoff
// has expired and returns when the next one falls due (zero if none).
func (t *Transport) startDueDials(now time.Time) time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	var next time.Time
	consider := func(e *bookEntry) {
		if e.dialing || len(e.addrs) == 0 || (!e.id.IsZero() && t.links[e.id] != nil) {
			return
		}
		if e.nextDial.After(now) {
			if next.IsZero() || e.nextDial.Before(next) {
				next = e.nextDial
			}
			return
		}
		if t.spawnLocked(func() { t.redial(e) }) {
			e.dialing = true
		}
	}
	for _, e := range t.book {
		consider(e)
	}
	for _, e := range t.unresolved {
		consider(e)
	}
	return next
}

// redial tries each of e's addresses once and schedules the next attempt.
func (t *Transport) redial(e *bookEntry) {
	t.mu.RLock()
	id, addrs := e.id, slices.Clone(e.addrs)
	t.mu.RUnlock()

	var err error
	for _, addr := range addrs {
		if _, err = t.dial(t.ctx, addr, id); err == nil || t.ctx.Err() != nil || errors.Is(err, errSelfConnection) {
			break
		}
	}
	t.dialFinished(e, addrs, err)
}

// dialFinished records the outcome of a dial of e and schedules the next.
func (t *Transport) dialFinished(e *bookEntry, addrs []string, err error) {
	t.mu.Lock()
	e.dialing = false
	switch {
	case err == nil, t.ctx.Err() != nil:
	case errors.Is(err, errSelfConnection):
		t.log.Info("ignoring an address that leads to this node", zap.Strings("addrs", addrs))
		t.unresolved = slices.DeleteFunc(t.unresolved, func(u *bookEntry) bool { return u == e })
	default:
		e.attempts++
		delay := t.timing.backoff(e.attempts)
		e.nextDial = time.Now().Add(delay)
		t.log.Debug("dial failed", zap.Stringer("node", e.id), zap.Strings("addrs", addrs),
			zap.Int("attempts", e.attempts), zap.Duration("retry_in", delay), zap.Error(err))
	}
	t.mu.Unlock()
	t.wake()
}
