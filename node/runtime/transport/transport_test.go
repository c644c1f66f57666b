package transport

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/rpc"
)

// exchange sends n numbered messages each way and checks they arrive in
// order, from the right sender.
func exchange(t *testing.T, a, b *node, n int) {
	t.Helper()
	for i := range n {
		a.send(t, b.ID(), fmt.Sprintf("a%d", i))
		b.send(t, a.ID(), fmt.Sprintf("b%d", i))
	}
	for i := range n {
		if m := b.rec.next(t); m.From != a.ID() || m.Body != (textBody{fmt.Sprintf("a%d", i)}) {
			t.Fatalf("b received %v %v, want a%d from a", m.From, m.Body, i)
		}
		if m := a.rec.next(t); m.From != b.ID() || m.Body != (textBody{fmt.Sprintf("b%d", i)}) {
			t.Fatalf("a received %v %v, want b%d from b", m.From, m.Body, i)
		}
	}
}

func TestTwoNodesConnectAndExchangeInOrder(t *testing.T) {
	for _, withID := range []bool{false, true} {
		t.Run(fmt.Sprintf("bootstrap with id=%v", withID), func(t *testing.T) {
			a := startNode(t)
			peer := Peer{Addr: a.Addr()}
			if withID {
				peer.ID = a.ID()
			}
			b := startNode(t, withBootstrap(peer))

			eventually(t, "PeerUp on both sides", func() bool {
				return a.rec.upCount(b.ID()) == 1 && b.rec.upCount(a.ID()) == 1
			})
			for _, c := range []struct {
				at   *node
				want cluster.NodeID
			}{{a, b.ID()}, {b, a.ID()}} {
				ups := c.at.rec.upsSnapshot()
				if len(ups) != 1 || ups[0].id != c.want || ups[0].role != RoleNode || ups[0].addr == "" {
					t.Fatalf("PeerUp calls %+v, want one for node %s", ups, c.want)
				}
			}
			exchange(t, a, b, 200)

			peers := b.Peers()
			if len(peers) != 1 || peers[0].ID != a.ID() || !peers[0].Connected || peers[0].Role != RoleNode ||
				peers[0].Addr != a.Addr() || peers[0].LastSeen.IsZero() {
				t.Fatalf("b.Peers() = %+v, want a connected at %s", peers, a.Addr())
			}
		})
	}
}

func TestSendErrors(t *testing.T) {
	a := startNode(t)
	stranger := NewEphemeralIdentity().ID

	if err := a.Send(rpc.Message{From: a.ID(), To: a.ID(), Body: textBody{}}); !errors.Is(err, ErrSendToSelf) {
		t.Errorf("send to self: %v, want ErrSendToSelf", err)
	}
	if err := a.Send(rpc.Message{From: a.ID(), To: stranger, Body: textBody{}}); !errors.Is(err, ErrNotConnected) {
		t.Errorf("send to unknown node: %v, want ErrNotConnected", err)
	}
	b := startNode(t, withBootstrap(Peer{ID: a.ID(), Addr: a.Addr()}))
	eventually(t, "connection", func() bool { return a.connected(b.ID()) })
	if err := a.Send(rpc.Message{From: stranger, To: b.ID(), Body: textBody{}}); err == nil {
		t.Error("sending on behalf of another node succeeded")
	}
	if err := a.Send(rpc.Message{From: a.ID(), To: b.ID()}); err == nil {
		t.Error("sending a message without body succeeded")
	}
	big := textBody{strings.Repeat("x", maxFrame)}
	if err := a.Send(rpc.Message{From: a.ID(), To: b.ID(), Body: big}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("send of a 64 MiB body: %v, want ErrTooLarge", err)
	}
}

func TestSendNeverBlocksWhenPeerStopsReading(t *testing.T) {
	a := startNode(t, withQueue(4))
	stuck := handshakeRaw(t, a.Addr(), secretA, RoleNode) // never reads
	eventually(t, "raw peer up", func() bool { return a.connected(stuck.id.ID) })

	body := textBody{strings.Repeat("x", 1<<20)}
	for i := range 200 {
		start := time.Now()
		err := a.Send(rpc.Message{From: a.ID(), To: stuck.id.ID, Body: body})
		if d := time.Since(start); d > time.Second {
			t.Fatalf("Send blocked for %v", d)
		}
		if errors.Is(err, ErrQueueFull) {
			return
		}
		if err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	t.Fatal("200 MiB queued to a peer that reads nothing without ErrQueueFull")
}

func TestWrongSecretIsRefusedThenRetriedUntilFixed(t *testing.T) {
	listener := startNode(t, withSecret(secretB))
	addr := listener.Addr()
	dialer := startNode(t, withBootstrap(Peer{Addr: addr}))

	const why = "does not share our rpc_secret"
	eventually(t, "both sides to log the secret mismatch", func() bool {
		return hasWarn(listener.logs, why) && hasWarn(dialer.logs, why)
	})
	eventually(t, "the dialer to retry", func() bool { return unresolvedAttempts(dialer, addr) >= 3 })
	if n := len(listener.rec.upsSnapshot()) + len(dialer.rec.upsSnapshot()); n != 0 {
		t.Fatalf("%d PeerUp calls across a secret mismatch", n)
	}
	if !strings.Contains(firstWarn(dialer, why), addr) {
		t.Errorf("dialer's warning %q does not name the peer address %s", firstWarn(dialer, why), addr)
	}

	// Restart the listener, same address, right secret: the dialer, still
	// backing off, gets through.
	if err := listener.Close(); err != nil {
		t.Fatal(err)
	}
	fixed := startNode(t, withListen(addr))
	eventually(t, "connection once the secret is fixed", func() bool {
		return dialer.rec.upCount(fixed.ID()) == 1 && fixed.rec.upCount(dialer.ID()) == 1
	})
	exchange(t, dialer, fixed, 3)
}

func unresolvedAttempts(n *node, addr string) int {
	n.mu.RLock()
	defer n.mu.RUnlock()
	for _, e := range n.unresolved {
		if e.addrs[0] == addr {
			return e.attempts
		}
	}
	return -1
}

func firstWarn(n *node, contains string) string {
	for _, e := range n.logs.All() {
		if strings.Contains(e.Message, contains) {
			return e.Message
		}
	}
	return ""
}

func TestExpectedIDMismatchIsRefused(t *testing.T) {
	a := startNode(t)
	b := startNode(t)
	wrong := NewEphemeralIdentity().ID

	err := a.Connect(testContext(t), Peer{ID: wrong, Addr: b.Addr()})
	if !errors.Is(err, ErrUnexpectedNode) {
		t.Fatalf("Connect with the wrong id: %v, want ErrUnexpectedNode", err)
	}
	for _, id := range []cluster.NodeID{wrong, b.ID()} {
		if !strings.Contains(err.Error(), id.Hex()) {
			t.Errorf("error %q does not name node %s", err, id.Hex())
		}
	}
	eventually(t, "the refused side to log why", func() bool { return hasWarn(b.logs, "refused by peer") })
	if a.connected(b.ID()) || b.connected(a.ID()) {
		t.Fatal("connected despite the id mismatch")
	}

	// The right id connects; connecting again is a no-op.
	for range 2 {
		if err := a.Connect(testContext(t), Peer{ID: b.ID(), Addr: b.Addr()}); err != nil {
			t.Fatalf("Connect with the right id: %v", err)
		}
	}
	eventually(t, "one PeerUp each", func() bool { return a.rec.upCount(b.ID()) == 1 && b.rec.upCount(a.ID()) == 1 })
}

func TestDialingOwnAddressIsDroppedQuietly(t *testing.T) {
	a := startNode(t)
	err := a.Connect(testContext(t), Peer{Addr: a.Addr()})
	if err == nil || !strings.Contains(err.Error(), "this node") {
		t.Fatalf("Connect to own address: %v, want an error saying it is this node", err)
	}
	if unresolvedAttempts(a, a.Addr()) != -1 {
		t.Error("own address kept in the address book")
	}
	if len(a.rec.upsSnapshot()) != 0 || hasWarn(a.logs, "") {
		t.Error("dialing ourselves raised a PeerUp or a warning")
	}
}

func TestPeerRestartReconnects(t *testing.T) {
	bID := NewEphemeralIdentity()
	b := startNode(t, withIdentity(bID))
	bAddr := b.Addr()
	a := startNode(t, withBootstrap(Peer{ID: bID.ID, Addr: bAddr}))
	eventually(t, "first connection", func() bool { return a.rec.upCount(bID.ID) == 1 && b.rec.upCount(a.ID()) == 1 })

	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "PeerDown on a", func() bool { return a.rec.downCount(bID.ID) == 1 })
	err := a.Send(rpc.Message{From: a.ID(), To: bID.ID, Body: textBody{"lost"}})
	if !errors.Is(err, ErrNotConnected) {
		t.Fatalf("send to a stopped peer: %v, want ErrNotConnected", err)
	}

	b2 := startNode(t, withIdentity(bID), withListen(bAddr))
	eventually(t, "reconnection", func() bool { return a.rec.upCount(bID.ID) == 2 && b2.rec.upCount(a.ID()) == 1 })
	exchange(t, a, b2, 10)
}

func TestGossipBuildsFullMesh(t *testing.T) {
	b := startNode(t)
	a := startNode(t, withBootstrap(Peer{Addr: b.Addr()}))
	c := startNode(t, withBootstrap(Peer{Addr: b.Addr()}))

	eventually(t, "a and c to connect directly", func() bool { return a.connected(c.ID()) && c.connected(a.ID()) })
	exchange(t, a, c, 5)
	for _, n := range []*node{a, b, c} {
		peers := n.Peers()
		if len(peers) != 2 {
			t.Fatalf("%s knows %d peers, want 2: %+v", n.ID(), len(peers), peers)
		}
		for _, p := range peers {
			if !p.Connected || p.Addr == "" {
				t.Errorf("%s: peer %+v not connected or without address", n.ID(), p)
			}
		}
	}
}

// TestSimultaneousBootstrapMeetsWithoutPeriodicGossip: two nodes
// bootstrapping from one at the same moment must find each other at once,
// not at the next periodic gossip (an hour away here).
func TestSimultaneousBootstrapMeetsWithoutPeriodicGossip(t *testing.T) {
	slow := withTiming(func(tm *timing) { tm.gossipInterval = time.Hour })
	for range 5 {
		b := startNode(t, slow)
		var a, c *node
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); a = startNode(t, slow, withBootstrap(Peer{Addr: b.Addr()})) }()
		go func() { defer wg.Done(); c = startNode(t, slow, withBootstrap(Peer{Addr: b.Addr()})) }()
		wg.Wait()
		deadline := time.Now().Add(5 * time.Second)
		for !(a.connected(c.ID()) && c.connected(a.ID())) {
			if time.Now().After(deadline) {
				t.Fatal("two nodes bootstrapped from the same peer did not meet within 5 s")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

func TestSimultaneousDialKeepsOneConnection(t *testing.T) {
	for round := range 5 {
		a := startNode(t)
		b := startNode(t)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		wg.Go(func() { errs[0] = a.Connect(testContext(t), Peer{ID: b.ID(), Addr: b.Addr()}) })
		wg.Go(func() { errs[1] = b.Connect(testContext(t), Peer{ID: a.ID(), Addr: a.Addr()}) })
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("round %d: Connect: %v / %v", round, errs[0], errs[1])
		}

		// Both settle on the same single connection...
		eventually(t, "a single shared connection", func() bool {
			okA, localA, remoteA, standbyA := a.linkState(b.ID())
			okB, localB, remoteB, standbyB := b.linkState(a.ID())
			return okA && okB && standbyA == 0 && standbyB == 0 && localA == remoteB && remoteA == localB
		})
		// ...without either side ever seeing the other go down.
		time.Sleep(300 * time.Millisecond)
		if a.rec.upCount(b.ID()) != 1 || b.rec.upCount(a.ID()) != 1 || a.rec.downCount(b.ID()) != 0 || b.rec.downCount(a.ID()) != 0 {
			t.Fatalf("round %d: flapping: a saw %d up %d down, b saw %d up %d down", round,
				a.rec.upCount(b.ID()), a.rec.downCount(b.ID()), b.rec.upCount(a.ID()), b.rec.downCount(a.ID()))
		}
		exchange(t, a, b, 3)
	}
}

func TestDuplicateFailsOverWithoutPeerDown(t *testing.T) {
	b := startNode(t)
	id := NewEphemeralIdentity()
	first := handshakeRawAs(t, b.Addr(), secretA, RoleNode, id)
	eventually(t, "first connection up", func() bool { return b.connected(id.ID) })
	second := handshakeRawAs(t, b.Addr(), secretA, RoleNode, id)

	// Both dialled by the peer: the newer one becomes active, the older
	// waits as a standby for the peer to close it.
	eventually(t, "second connection active", func() bool {
		_, _, remote, standby := b.linkState(id.ID)
		return remote == second.nc.LocalAddr().String() && standby == 1
	})
	second.nc.Close()
	eventually(t, "failover to the first connection", func() bool {
		_, _, remote, standby := b.linkState(id.ID)
		return remote == first.nc.LocalAddr().String() && standby == 0
	})
	if b.rec.upCount(id.ID) != 1 || b.rec.downCount(id.ID) != 0 {
		t.Fatalf("failover reported %d up, %d down; want 1 up, 0 down", b.rec.upCount(id.ID), b.rec.downCount(id.ID))
	}

	b.send(t, id.ID, "after failover")
	if m := first.readMessage(t); m.Body != (textBody{"after failover"}) || m.From != b.ID() {
		t.Fatalf("peer received %v from %s", m.Body, m.From)
	}
	first.sendMessage(t, rpc.Message{From: id.ID, To: b.ID(), Body: textBody{"reply"}})
	if m := b.rec.next(t); m.Body != (textBody{"reply"}) {
		t.Fatalf("b received %v", m.Body)
	}
}

func TestSpoofedSenderIsDropped(t *testing.T) {
	b := startNode(t)
	p := handshakeRaw(t, b.Addr(), secretA, RoleNode)
	eventually(t, "raw peer up", func() bool { return b.rec.upCount(p.id.ID) == 1 })

	victim := NewEphemeralIdentity().ID
	p.sendMessage(t, rpc.Message{From: victim, To: b.ID(), Body: textBody{"spoofed"}})
	p.sendMessage(t, rpc.Message{From: p.id.ID, To: victim, Body: textBody{"misrouted"}})
	p.sendMessage(t, rpc.Message{From: p.id.ID, To: b.ID(), Body: textBody{"genuine"}})

	if m := b.rec.next(t); m.Body != (textBody{"genuine"}) || m.From != p.id.ID {
		t.Fatalf("delivered %v from %s, want only the genuine message", m.Body, m.From)
	}
	if !hasWarn(b.logs, "sender is not the connection's peer") || !hasWarn(b.logs, "addressed to another node") {
		t.Error("dropped messages were not logged")
	}
}

func TestSilentPeerIsClosed(t *testing.T) {
	b := startNode(t, withTiming(func(tm *timing) { tm.pingInterval = 50 * time.Millisecond }))
	p := handshakeRaw(t, b.Addr(), secretA, RoleNode) // sends nothing after the handshake
	eventually(t, "raw peer up", func() bool { return b.rec.upCount(p.id.ID) == 1 })
	eventually(t, "PeerDown for the silent peer", func() bool { return b.rec.downCount(p.id.ID) == 1 })
	if !hasWarn(b.logs, "peer silent") {
		t.Error("closing a silent peer was not logged")
	}
	p.waitClosed(t)
}

func TestCloseReportsPeersDownAndIsIdempotent(t *testing.T) {
	a := startNode(t)
	b := startNode(t, withBootstrap(Peer{Addr: a.Addr()}))
	eventually(t, "connection", func() bool { return a.connected(b.ID()) && b.connected(a.ID()) })
	for range 2 {
		if err := b.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
	if b.rec.downCount(a.ID()) != 1 {
		t.Errorf("b reported a down %d times on Close, want 1", b.rec.downCount(a.ID()))
	}
	if err := b.Connect(testContext(t), Peer{Addr: a.Addr()}); !errors.Is(err, ErrClosed) {
		t.Errorf("Connect after Close: %v, want ErrClosed", err)
	}
	eventually(t, "a to see b go", func() bool { return a.rec.downCount(b.ID()) == 1 })
}

// TestBindOutgoingDialsFromTheListenIP: with BindOutgoing, a node's
// connections leave from its listen address's IP (rpc_bind_outgoing), so
// a peer sees that address; without it, the system picks one.
func TestBindOutgoingDialsFromTheListenIP(t *testing.T) {
	for _, bind := range []bool{false, true} {
		t.Run(fmt.Sprintf("bind=%v", bind), func(t *testing.T) {
			a := startNode(t)
			b := startNode(t, withListen("127.0.0.2:0"), withBootstrap(Peer{ID: a.ID(), Addr: a.Addr()}),
				func(n *nodeSetup) { n.cfg.BindOutgoing = bind })
			eventually(t, "a sees b", func() bool { return a.rec.upCount(b.ID()) == 1 })
			ups := a.rec.upsSnapshot()
			fromListenIP := strings.HasPrefix(ups[0].addr, "127.0.0.2:")
			if fromListenIP != bind {
				t.Fatalf("a saw b's connection from %s (BindOutgoing %v)", ups[0].addr, bind)
			}
		})
	}
}
