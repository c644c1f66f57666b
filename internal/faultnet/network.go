package faultnet

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"

	"go.uber.org/zap"
)

// ErrClosed is returned by Listen after Close.
var ErrClosed = errors.New("faultnet: network closed")

// A Network is a set of proxy listeners sharing one table of fault rules.
// Its methods are safe for concurrent use.
type Network struct {
	log     *zap.Logger
	cfg     config
	closing chan struct{} // closed by Close
	wg      sync.WaitGroup

	mu        sync.Mutex
	closed    bool
	rng       *rand.Rand // seeds each pipe's own source
	sources   map[netip.Addr]string
	rules     map[Direction]rule
	changed   chan struct{} // closed and replaced whenever rules change
	pacers    map[Direction]*pacer
	delivered map[Direction]*atomic.Int64
	listeners map[*net.TCPListener]struct{}
	conns     map[*conn]struct{}

	counters counters
}

// New returns an empty Network with no faults. log may be nil.
func New(log *zap.Logger, opts ...Option) *Network {
	if log == nil {
		log = zap.NewNop()
	}
	cfg := defaultConfig()
	for _, opt := range opts {
		opt(&cfg)
	}
	return &Network{
		log:       log,
		cfg:       cfg,
		closing:   make(chan struct{}),
		rng:       rand.New(rand.NewPCG(cfg.seed, 0x6661756c746e6574)),
		sources:   make(map[netip.Addr]string),
		rules:     make(map[Direction]rule),
		changed:   make(chan struct{}),
		pacers:    make(map[Direction]*pacer),
		delivered: make(map[Direction]*atomic.Int64),
		listeners: make(map[*net.TCPListener]struct{}),
		conns:     make(map[*conn]struct{}),
	}
}

// AddSource records that the node name dials out from ip, so connections
// the proxies accept from ip carry name's faults. A later call for the same
// ip replaces the name; it affects connections accepted afterwards.
func (n *Network) AddSource(ip, name string) error {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return fmt.Errorf("faultnet: source %q: %w", name, err)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sources[addr.Unmap()] = name
	return nil
}

// sourceOf names the node that dials from addr's IP, or "" if none does.
func (n *Network) sourceOf(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return ""
	}
	ip := tcp.AddrPort().Addr().Unmap()
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.sources[ip]
}

// Close stops every listener, closes every connection (a plain close, not a
// reset; held bytes are lost) and waits for all the network's goroutines to
// end. Later calls just wait.
func (n *Network) Close() error {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		n.wg.Wait()
		return nil
	}
	n.closed = true
	close(n.closing)
	listeners := make([]*net.TCPListener, 0, len(n.listeners))
	for l := range n.listeners {
		listeners = append(listeners, l)
	}
	conns := n.connsLocked(func(*conn) bool { return true })
	n.mu.Unlock()

	var errs []error
	for _, l := range listeners {
		if err := l.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, fmt.Errorf("faultnet: close listener %s: %w", l.Addr(), err))
		}
	}
	for _, c := range conns {
		c.close(false)
	}
	n.wg.Wait()
	return errors.Join(errs...)
}

// connsLocked returns the registered connections keep accepts. n.mu must be
// held.
func (n *Network) connsLocked(keep func(*conn) bool) []*conn {
	var out []*conn
	for c := range n.conns {
		if keep(c) {
			out = append(out, c)
		}
	}
	return out
}

// forget unregisters a connection whose goroutines have ended.
func (n *Network) forget(c *conn) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.conns, c)
}

// directionLocked returns the shared state of d: its delivered-bytes
// counter and its pacer. n.mu must be held.
func (n *Network) directionLocked(d Direction) (*atomic.Int64, *pacer) {
	delivered, ok := n.delivered[d]
	if !ok {
		delivered = new(atomic.Int64)
		n.delivered[d] = delivered
	}
	pace, ok := n.pacers[d]
	if !ok {
		pace = new(pacer)
		n.pacers[d] = pace
	}
	return delivered, pace
}
