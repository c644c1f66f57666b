package transport

import (
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// Limits on inbound connections that have not finished their handshake.
// Without the secret a connection gets no further, but while it waits it
// holds a slot: these limits keep such connections from crowding out the
// cluster's own.
const (
	// maxPendingHandshakes bounds handshakes in progress (and so their
	// goroutines) across all sources.
	maxPendingHandshakes = 128
	// trustedReserve of them only trusted sources may use: known peers'
	// addresses, sources that once authenticated as a node, and loopback
	// (the local CLI), so strangers cannot lock the cluster out.
	trustedReserve = 32
	// maxPendingPerSource bounds one source address's handshakes.
	maxPendingPerSource = 8
)

// inboundGate admits inbound connections to their handshake. It never
// turns a new connection away: when a bound is reached, it closes the
// oldest pending handshake that counts against it (from the same source,
// else from an untrusted one), since a handshake of the cluster finishes
// in a round trip or two while a connection held idle grows old. A flood
// thus churns through its own slots and a fresh, real connection still
// gets through.
type inboundGate struct {
	mu        sync.Mutex
	max       int
	reserve   int
	perSource int
	pending   []*pendingHandshake // oldest first
	untrusted int                 // how many pending are from untrusted sources
	known     map[netip.Addr]bool
	evictions int // since the last report
	reported  time.Time
}

type pendingHandshake struct {
	nc      net.Conn
	src     netip.Addr
	trusted bool
	evicted bool
}

func newInboundGate() *inboundGate {
	return &inboundGate{max: maxPendingHandshakes, reserve: trustedReserve, perSource: maxPendingPerSource, known: map[netip.Addr]bool{}}
}

// trust marks the IP of addr ("host:port" or a net.Addr's string) as a
// trusted source. Host names are not resolved: only literal addresses
// count.
func (g *inboundGate) trust(addr string) {
	ip, ok := addrIP(addr)
	if !ok {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.known[ip] = true
}

func (g *inboundGate) trustedLocked(ip netip.Addr) bool {
	return ip == netip.IPv6Loopback() || ip == netip.AddrFrom4([4]byte{127, 0, 0, 1}) || g.known[ip]
}

// admit registers nc as handshaking, making room as described on
// inboundGate. The handshake calls leave once it is over; an evicted
// handshake finds its connection closed (and evicted reports true).
func (g *inboundGate) admit(nc net.Conn) (leave func(), evicted func() bool) {
	src, _ := addrIP(nc.RemoteAddr().String())
	g.mu.Lock()
	defer g.mu.Unlock()
	p := &pendingHandshake{nc: nc, src: src, trusted: g.trustedLocked(src)}
	sameSource := func(o *pendingHandshake) bool { return o.src == src }
	untrusted := func(o *pendingHandshake) bool { return !o.trusted }
	switch {
	case g.count(sameSource) >= g.perSource:
		g.evictOldestLocked(sameSource)
	case !p.trusted && g.untrusted >= g.max-g.reserve:
		g.evictOldestLocked(untrusted)
	case len(g.pending) >= g.max:
		if !g.evictOldestLocked(untrusted) {
			g.evictOldestLocked(func(*pendingHandshake) bool { return true })
		}
	}
	g.pending = append(g.pending, p)
	if !p.trusted {
		g.untrusted++
	}
	leave = func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.removeLocked(p)
	}
	evicted = func() bool {
		g.mu.Lock()
		defer g.mu.Unlock()
		return p.evicted
	}
	return leave, evicted
}

func (g *inboundGate) count(match func(*pendingHandshake) bool) int {
	n := 0
	for _, p := range g.pending {
		if match(p) {
			n++
		}
	}
	return n
}

// evictOldestLocked closes the oldest pending handshake that matches.
func (g *inboundGate) evictOldestLocked(match func(*pendingHandshake) bool) bool {
	i := slices.IndexFunc(g.pending, match)
	if i < 0 {
		return false
	}
	p := g.pending[i]
	p.evicted = true
	g.removeLocked(p)
	p.nc.Close()
	g.evictions++
	return true
}

func (g *inboundGate) removeLocked(p *pendingHandshake) {
	i := slices.Index(g.pending, p)
	if i < 0 {
		return
	}
	g.pending = slices.Delete(g.pending, i, i+1)
	if !p.trusted {
		g.untrusted--
	}
}

// takeEvictions returns how many handshakes were evicted since the last
// report, at most once per interval (0 otherwise), so that a flood is
// logged as a count, not connection by connection.
func (g *inboundGate) takeEvictions(now time.Time, interval time.Duration) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.evictions == 0 || now.Sub(g.reported) < interval {
		return 0
	}
	n := g.evictions
	g.evictions, g.reported = 0, now
	return n
}

// addrIP is the IP of "host:port" when host is a literal address.
func addrIP(addr string) (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return netip.Addr{}, false
	}
	return ap.Addr().Unmap(), true
}
