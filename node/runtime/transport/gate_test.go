package transport

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"
)

// fakeConn is a net.Conn with a remote address, recording whether it was
// closed.
type fakeConn struct {
	net.Conn
	remote net.Addr
	closed bool
}

func (c *fakeConn) RemoteAddr() net.Addr { return c.remote }
func (c *fakeConn) Close() error         { c.closed = true; return nil }

func fakeFrom(ip string) *fakeConn {
	return &fakeConn{remote: &net.TCPAddr{IP: net.ParseIP(ip), Port: 40000}}
}

func TestGateEvictsTheOldestFromTheSameSource(t *testing.T) {
	g := newInboundGate()
	var conns []*fakeConn
	for range g.perSource + 2 {
		c := fakeFrom("192.0.2.1")
		g.admit(c)
		conns = append(conns, c)
	}
	for i, c := range conns {
		if want := i < 2; c.closed != want {
			t.Errorf("connection %d closed=%v, want %v (the two oldest make room)", i, c.closed, want)
		}
	}
	other := fakeFrom("192.0.2.2")
	g.admit(other)
	if other.closed || g.count(func(p *pendingHandshake) bool { return p.nc.(*fakeConn).closed }) != 0 {
		t.Error("another source was affected by the first one's limit")
	}
}

func TestGateKeepsAReserveForTrustedSources(t *testing.T) {
	g := newInboundGate()
	g.trust("198.51.100.7:3901")
	// Strangers, one connection each, more than the whole gate holds.
	var strangers []*fakeConn
	for i := range 2 * g.max {
		c := fakeFrom(fmt.Sprintf("10.0.%d.%d", i/250, i%250+1))
		g.admit(c)
		strangers = append(strangers, c)
	}
	if g.untrusted != g.max-g.reserve {
		t.Fatalf("%d strangers pending, want %d (the reserve kept free)", g.untrusted, g.max-g.reserve)
	}
	// The known peer and the local CLI get in without closing each other.
	var trusted []*fakeConn
	for range g.reserve {
		for _, ip := range []string{"198.51.100.7", "127.0.0.1"} {
			c := fakeFrom(ip)
			g.admit(c)
			trusted = append(trusted, c)
		}
	}
	closedTrusted := 0
	for _, c := range trusted {
		if c.closed {
			closedTrusted++
		}
	}
	// Per source, the trusted ones only make room among their own.
	if want := 2 * (g.reserve - g.perSource); closedTrusted != want {
		t.Errorf("%d trusted handshakes closed, want %d (each source over its own limit)", closedTrusted, want)
	}
	if len(g.pending) > g.max {
		t.Errorf("%d handshakes pending, more than %d", len(g.pending), g.max)
	}
	// A stranger still gets in, at the expense of the oldest stranger.
	late := fakeFrom("203.0.113.9")
	leave, evicted := g.admit(late)
	if late.closed || evicted() {
		t.Fatal("a new stranger was turned away")
	}
	leave()
	if g.count(func(p *pendingHandshake) bool { return p.nc == late }) != 0 {
		t.Error("leave did not free the slot")
	}
}

// TestIdleConnectionsCannotLockTheClusterOut holds hundreds of idle TCP
// connections open on a node's RPC port, from one address and from many;
// a CLI client and another node must still connect at once. 200 idle
// connections once exhausted a global cap on handshakes, refusing both.
func TestIdleConnectionsCannotLockTheClusterOut(t *testing.T) {
	for _, spread := range []bool{false, true} {
		t.Run(fmt.Sprintf("many_sources=%v", spread), func(t *testing.T) {
			a := startNode(t, withTiming(func(tm *timing) { tm.inboundHandshakeTimeout = time.Minute }))
			var idle []net.Conn
			t.Cleanup(func() {
				for _, c := range idle {
					c.Close()
				}
			})
			for i := range 200 {
				var d net.Dialer
				if spread { // 127.0.0.2 to 127.0.0.201: every source is new
					d.LocalAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+i))}
				}
				c, err := d.Dial("tcp", a.Addr())
				if err != nil {
					t.Fatalf("idle connection %d: %v", i, err)
				}
				idle = append(idle, c)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			cl, err := Dial(ctx, a.Addr(), secretA, a.ID())
			if err != nil {
				t.Fatalf("a CLI client behind 200 idle connections: %v", err)
			}
			cl.Close()
			b := startNode(t, withBootstrap(Peer{ID: a.ID(), Addr: a.Addr()}))
			eventually(t, "a node behind 200 idle connections", func() bool { return a.connected(b.ID()) })
			a.gate.mu.Lock()
			n := len(a.gate.pending)
			a.gate.mu.Unlock()
			if n > maxPendingHandshakes {
				t.Errorf("%d handshakes pending, more than %d", n, maxPendingHandshakes)
			}
		})
	}
}
