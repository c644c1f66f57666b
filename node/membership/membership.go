// Package membership is what a node knows of the cluster: which nodes
// exist, how each one last described itself (host, free space, layout
// version), whether it is reachable, and the layout history itself, which
// nodes gossip until they all hold the same one.
//
// Every StatusInterval a node sends its Status to every node it knows (the
// layout's members and the peers the transport reported). A Status carries
// a digest of the sender's layout history; a receiver whose digest differs
// pushes its own history back. Since histories merge as a CRDT, pushes in
// both directions converge, and a layout applied on one node reaches every
// other within a status round or two (a local change is also pushed at
// once).
//
// Deterministic core: the driver feeds in the facts that need I/O (free
// disk space, which peers the transport is connected to).
package membership

import (
	"slices"
	"time"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/layout"
	"github.com/garagego/garage/node/meta"
	"github.com/garagego/garage/node/rpc"
	"github.com/garagego/garage/node/wire"
)

// Info is what a node reports about itself; the driver measures it.
type Info struct {
	Hostname             string
	Version              string
	RPCAddr              string
	DataAvail, DataTotal uint64
	MetaAvail, MetaTotal uint64
}

// Peer is what this node knows of another (or of itself).
type Peer struct {
	ID            cluster.NodeID
	Info          Info
	LayoutVersion uint64
	LastSeen      cluster.Time // last status received; 0 = never
	Connected     bool         // the transport has a live connection
	Lost          bool         // the transport reported the connection lost, and none since
	Addr          string       // address the transport connected to
	Self          bool
}

// Up reports whether the peer is reachable: connected, or heard from within
// three status intervals, unless the transport since reported it lost (a
// killed node is down at once, not once its last status ages).
func (p Peer) Up(now cluster.Time, interval time.Duration) bool {
	return p.Self || p.Connected || (!p.Lost && p.LastSeen != 0 && now.Sub(p.LastSeen) < 3*interval)
}

// KeyLayout is where the node's layout history is persisted.
const KeyLayout = "n/layout"

// Service gossips statuses and the layout history.
type Service struct {
	self     cluster.NodeID
	interval time.Duration
	out      *rpc.Outbox
	store    *meta.Store
	info     Info
	peers    map[cluster.NodeID]*Peer
	history  *layout.History
	digest   cluster.Hash
	next     cluster.Time
	// OnLayoutChange runs after the live versions changed (one applied,
	// merged in or retired); tracker and staging changes do not call it.
	OnLayoutChange func(now cluster.Time)
	stats          Stats
}

// Stats counts gossip events.
type Stats struct {
	LayoutMerges   uint64
	LayoutRefusals uint64 // pushes refused as conflicting or malformed
}

// New starts the service with the node's persisted (or initial) history.
func New(self cluster.NodeID, interval time.Duration, out *rpc.Outbox, store *meta.Store, h *layout.History) *Service {
	s := &Service{self: self, interval: interval, out: out, store: store, history: h, peers: map[cluster.NodeID]*Peer{}}
	s.digest = digest(h)
	return s
}

// Layout is the node's current layout history. Callers must not modify it;
// changes go through UpdateLayout.
func (s *Service) Layout() *layout.History { return s.history }

// Stats reports the counters.
func (s *Service) Stats() Stats { return s.stats }

// SetInfo records what the driver measured about this node.
func (s *Service) SetInfo(info Info) { s.info = info }

// PeerConnected records that the transport reached node id at addr.
func (s *Service) PeerConnected(now cluster.Time, id cluster.NodeID, addr string) {
	p := s.peer(id)
	p.Connected, p.Lost, p.Addr = true, false, addr
	s.sendStatus(id) // introduce ourselves at once
}

// PeerDisconnected records that the transport lost node id. A node never
// connected is not made known by losing it.
func (s *Service) PeerDisconnected(id cluster.NodeID) {
	if p, ok := s.peers[id]; ok {
		p.Connected, p.Lost = false, true
	}
}

func (s *Service) peer(id cluster.NodeID) *Peer {
	p, ok := s.peers[id]
	if !ok {
		p = &Peer{ID: id}
		s.peers[id] = p
	}
	return p
}

// Peers lists every known node, this one included, sorted by id.
func (s *Service) Peers() []Peer {
	out := []Peer{{ID: s.self, Info: s.info, LayoutVersion: s.history.Current().Number, Self: true}}
	for _, id := range s.known() {
		if p, ok := s.peers[id]; ok {
			out = append(out, *p)
		} else {
			out = append(out, Peer{ID: id})
		}
	}
	slices.SortFunc(out, func(a, b Peer) int { return a.ID.Compare(b.ID) })
	return out
}

// known lists the other nodes: layout members and peers heard of, sorted.
func (s *Service) known() []cluster.NodeID {
	ids := slices.Clone(s.history.Nodes())
	for id := range s.peers {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, cluster.NodeID.Compare)
	ids = slices.Compact(ids)
	return slices.DeleteFunc(ids, func(id cluster.NodeID) bool { return id == s.self })
}

// Tick sends statuses when due.
func (s *Service) Tick(now cluster.Time) {
	if now < s.next && s.next.Sub(now) <= s.interval {
		return // not due (a clock that jumped back more than an interval is not waited for)
	}
	s.next = now.Add(s.interval)
	for _, id := range s.known() {
		s.sendStatus(id)
	}
}

func (s *Service) sendStatus(to cluster.NodeID) {
	s.out.Send(to, Status{Info: s.info, LayoutVersion: s.history.Current().Number, LayoutDigest: s.digest})
}

// Step handles membership messages.
func (s *Service) Step(now cluster.Time, m rpc.Message) bool {
	switch b := m.Body.(type) {
	case Status:
		p := s.peer(m.From)
		p.Info, p.LayoutVersion, p.LastSeen = b.Info, b.LayoutVersion, now
		if b.LayoutDigest != s.digest {
			s.out.Send(m.From, LayoutPush{History: s.history})
		}
	case LayoutPush:
		s.merge(now, b.History)
	default:
		return false
	}
	return true
}

func (s *Service) merge(now cluster.Time, other *layout.History) {
	if other == nil {
		s.stats.LayoutRefusals++
		return
	}
	next := s.history.Clone()
	changed, err := next.Merge(other)
	if err != nil {
		s.stats.LayoutRefusals++
		return
	}
	if changed {
		s.stats.LayoutMerges++
		s.commit(now, next)
	}
}

// UpdateLayout applies change to a copy of the history; if it succeeds, the
// copy becomes the node's history, is persisted and pushed to every known
// node at once.
func (s *Service) UpdateLayout(now cluster.Time, change func(h *layout.History) error) error {
	next := s.history.Clone()
	if err := change(next); err != nil {
		return err
	}
	s.commit(now, next)
	for _, id := range s.known() {
		s.out.Send(id, LayoutPush{History: s.history})
	}
	return nil
}

func (s *Service) commit(now cluster.Time, h *layout.History) {
	old := s.history
	s.history = h
	e := wire.NewEncoder(nil)
	h.Encode(e)
	s.digest = cluster.Sum(e.Bytes()) // the digest is of the bytes stored: one encoding
	s.store.Put(KeyLayout, e.Bytes())
	versionsChanged := old.Oldest().Number != h.Oldest().Number || old.Current().Number != h.Current().Number
	if versionsChanged && s.OnLayoutChange != nil {
		s.OnLayoutChange(now)
	}
}

func digest(h *layout.History) cluster.Hash {
	e := wire.NewEncoder(nil)
	h.Encode(e)
	return cluster.Sum(e.Bytes())
}
