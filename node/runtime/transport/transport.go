package transport

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"

	"go.uber.org/zap"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/rpc"
)

// Transport connects this node to the rest of the cluster.
type Transport struct {
	cfg    Config
	id     cluster.NodeID
	h      Handler
	log    *zap.Logger
	timing timing // fixed once Start runs

	ctx    context.Context // cancelled by Close; bounds dials
	cancel context.CancelFunc
	wg     sync.WaitGroup
	wakeup chan struct{} // nudges the maintenance loop
	gate   *inboundGate  // bounds inbound handshakes in progress

	// eventMu serialises link changes together with their PeerUp and
	// PeerDown calls, so the handler sees them in the order they happened.
	eventMu sync.Mutex

	mu          sync.RWMutex
	started     bool
	closed      bool
	ln          net.Listener
	advertised  string
	handshaking map[net.Conn]struct{}
	links       map[cluster.NodeID]*link
	book        map[cluster.NodeID]*bookEntry
	unresolved  []*bookEntry // bootstrap addresses whose node id is unknown
	connSeq     uint64
}

// New checks cfg and returns a transport that does nothing until Start.
func New(cfg Config, h Handler) (*Transport, error) {
	if h == nil {
		return nil, errors.New("transport: nil handler")
	}
	if err := cfg.Identity.validate(); err != nil {
		return nil, fmt.Errorf("transport: %w", err)
	}
	if cfg.Secret == ([32]byte{}) {
		return nil, errors.New("transport: rpc secret is all zeros")
	}
	if cfg.ListenAddr == "" && cfg.Listener != nil {
		cfg.ListenAddr = cfg.Listener.Addr().String()
	}
	if cfg.ListenAddr == "" {
		return nil, errors.New("transport: no listen address")
	}
	if cfg.PublicAddr != "" && !validAddr(cfg.PublicAddr) {
		return nil, fmt.Errorf("transport: public address %q must be host:port", cfg.PublicAddr)
	}
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	if cfg.MaxQueue <= 0 {
		cfg.MaxQueue = defaultMaxQueue
	}
	ctx, cancel := context.WithCancel(context.Background())
	t := &Transport{
		cfg:         cfg,
		id:          cfg.Identity.ID,
		h:           h,
		log:         cfg.Logger.With(zap.Stringer("self", cfg.Identity.ID)),
		timing:      defaultTiming(),
		ctx:         ctx,
		cancel:      cancel,
		wakeup:      make(chan struct{}, 1),
		gate:        newInboundGate(),
		handshaking: map[net.Conn]struct{}{},
		links:       map[cluster.NodeID]*link{},
		book:        map[cluster.NodeID]*bookEntry{},
	}
	for _, p := range cfg.Bootstrap {
		if !validAddr(p.Addr) {
			cancel()
			return nil, fmt.Errorf("transport: bootstrap peer %s: address must be host:port", p)
		}
		t.rememberLocked(p)
	}
	return t, nil
}

// ID is this node's id.
func (t *Transport) ID() cluster.NodeID { return t.id }

// Start listens and starts dialling the bootstrap peers in the background.
func (t *Transport) Start() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return ErrClosed
	}
	if t.started {
		t.mu.Unlock()
		return errors.New("transport: already started")
	}
	t.started = true
	t.mu.Unlock()

	ln := t.cfg.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", t.cfg.ListenAddr); err != nil {
			return fmt.Errorf("transport: listen on %s: %w", t.cfg.ListenAddr, err)
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		ln.Close()
		return ErrClosed
	}
	t.ln = ln
	t.advertised = advertisedAddr(t.cfg.PublicAddr, ln.Addr())
	t.spawnLocked(func() { t.acceptLoop(ln) })
	t.spawnLocked(t.maintain)
	t.log.Info("transport listening", zap.Stringer("addr", ln.Addr()), zap.String("advertised", t.advertised))
	return nil
}

// advertisedAddr is what we gossip about ourselves: the configured public
// address, else the bound address unless it is a wildcard that nobody could
// dial.
func advertisedAddr(public string, bound net.Addr) string {
	if public != "" {
		return public
	}
	tcp, ok := bound.(*net.TCPAddr)
	if !ok || tcp.IP == nil || tcp.IP.IsUnspecified() {
		return ""
	}
	return tcp.String()
}

// Addr is the address the transport listens on, "" before Start.
func (t *Transport) Addr() string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.ln == nil {
		return ""
	}
	return t.ln.Addr().String()
}

// Close stops listening, closes every connection (calling PeerDown for
// each peer that was up) and waits for every goroutine to finish.
func (t *Transport) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		t.wg.Wait()
		return nil
	}
	t.closed = true
	ln := t.ln
	var conns []*conn
	for _, l := range t.links {
		conns = append(conns, l.active)
		conns = append(conns, l.standby...)
	}
	pending := make([]net.Conn, 0, len(t.handshaking))
	for nc := range t.handshaking {
		pending = append(pending, nc)
	}
	t.mu.Unlock()

	t.cancel()
	var err error
	if ln != nil {
		if cerr := ln.Close(); cerr != nil {
			err = fmt.Errorf("transport: close listener: %w", cerr)
		}
	}
	for _, nc := range pending {
		nc.Close()
	}
	for _, c := range conns {
		c.close()
	}
	t.wg.Wait()
	return err
}

// Send queues m for its destination without blocking. It fails at once
// with ErrNotConnected when there is no live connection to m.To and with
// ErrQueueFull when that connection's queue is full.
func (t *Transport) Send(m rpc.Message) error {
	if m.To == t.id {
		return ErrSendToSelf
	}
	if m.From != t.id {
		return fmt.Errorf("transport: message from %s cannot be sent by node %s", m.From, t.id)
	}
	t.mu.RLock()
	var c *conn
	if l := t.links[m.To]; l != nil {
		c = l.active
	}
	t.mu.RUnlock()
	if c == nil {
		return fmt.Errorf("%w %s", ErrNotConnected, m.To)
	}
	frame, err := encodeRPCFrame(m)
	if err != nil {
		return err
	}
	if err := c.enqueue(frame); err != nil {
		return fmt.Errorf("%w %s", err, m.To)
	}
	return nil
}

// Connect adds p to the address book, dials it now and waits for the
// handshake. It succeeds at once if p.ID is already connected.
func (t *Transport) Connect(ctx context.Context, p Peer) error {
	if p.ID == t.id {
		return fmt.Errorf("transport: connect to %s: that is this node", p)
	}
	if !validAddr(p.Addr) {
		return fmt.Errorf("transport: connect to %s: address must be host:port", p)
	}
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return ErrClosed
	}
	e := t.rememberLocked(p)
	if !p.ID.IsZero() && t.links[p.ID] != nil {
		t.mu.Unlock()
		return nil
	}
	// Keep the maintenance loop from dialling the same peer meanwhile.
	claimed := !e.dialing
	e.dialing = true
	t.mu.Unlock()

	_, err := t.dial(ctx, p.Addr, p.ID)
	if claimed {
		t.dialFinished(e, []string{p.Addr}, err)
	}
	switch {
	case errors.Is(err, errSelfConnection):
		return fmt.Errorf("transport: connect to %s: that is this node", p)
	case err != nil:
		return fmt.Errorf("transport: connect to %s: %w", p, err)
	}
	return nil
}

// Peers lists known nodes and connected clients, sorted by id. Bootstrap
// addresses whose node has not answered yet have no id and are not listed.
func (t *Transport) Peers() []PeerStatus {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make([]PeerStatus, 0, len(t.book)+len(t.links))
	for id, e := range t.book {
		s := PeerStatus{ID: id, Role: RoleNode, LastSeen: e.lastSeen, ReconnectAttempts: e.attempts}
		if len(e.addrs) > 0 {
			s.Addr = e.addrs[0]
		}
		if l := t.links[id]; l != nil {
			s.Connected = true
			s.LastSeen = l.active.lastSeen()
			if s.Addr == "" {
				s.Addr = l.active.addr
			}
		}
		out = append(out, s)
	}
	for id, l := range t.links {
		if l.active.role == RoleClient {
			out = append(out, PeerStatus{ID: id, Addr: l.active.addr, Role: RoleClient, Connected: true, LastSeen: l.active.lastSeen()})
		}
	}
	slices.SortFunc(out, func(a, b PeerStatus) int { return a.ID.Compare(b.ID) })
	return out
}

// spawnLocked runs f on a goroutine Close waits for, unless the transport
// is closed. t.mu must be held, which orders it before Close's Wait.
func (t *Transport) spawnLocked(f func()) bool {
	if t.closed {
		return false
	}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		f()
	}()
	return true
}

func (t *Transport) spawn(f func()) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.spawnLocked(f)
}
