package faultnet

import (
	"testing"
	"time"
)

func TestBlockHoldsOneDirectionAndReleasesInOrder(t *testing.T) {
	const buffer = 256 << 10
	n := newNetwork(t, WithBufferSize(buffer))
	srv, accepted := startPair(t)
	c, s := connectVia(t, ipN1, listen(t, n, "n2", srv.addr()), accepted)
	n.Block("n1", "n2")

	// More than the proxy holds: the rest waits in the kernel's buffers or
	// in the blocked write.
	payload := randomBytes(3, 3<<20)
	go c.Write(payload) //nolint:errcheck // the read below checks what arrived

	roundTripAgainst := func() { // the other direction still flows
		t.Helper()
		write(t, s, []byte("pong"))
		expect(t, c, "pong", 3*time.Second)
	}
	roundTripAgainst()
	expectSilence(t, s, 300*time.Millisecond)
	eventually(t, "the proxy to hold bytes", func() bool { return n.Stats().HeldBytes > 0 })
	if held := n.Stats().HeldBytes; held > buffer+chunkSize {
		t.Fatalf("proxy holds %d bytes, more than its %d-byte buffer plus a chunk", held, buffer)
	}
	roundTripAgainst()

	n.Unblock("n1", "n2")
	sameBytes(t, readN(t, s, len(payload), 5*time.Second), payload)
}

func TestBlockedLinkHoldsNewConnectionsUntilHeal(t *testing.T) {
	for _, tc := range []struct {
		name  string
		block func(*Network)
	}{
		{"partition", func(n *Network) { n.Partition("n1", "n2") }},
		{"reverse direction blocked", func(n *Network) { n.Block("n2", "n1") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := newNetwork(t)
			srv, accepted := startPair(t)
			proxy := listen(t, n, "n2", srv.addr())
			tc.block(n)

			c := dialFrom(t, ipN1, proxy) // the proxy accepts: to the dialler, the handshake is under way
			write(t, c, []byte("hello"))
			quitter := dialFrom(t, ipN1, proxy)
			write(t, quitter, []byte("bye"))
			eventually(t, "both connections to be pending", func() bool { return n.Stats().Pending == 2 })
			quitter.Close() // a dialler that times out gives up
			eventually(t, "the quitter to be dropped", func() bool { return n.Stats().Abandoned == 1 })

			time.Sleep(200 * time.Millisecond)
			if got := srv.accepted.Load(); got != 0 {
				t.Fatalf("target accepted %d connections across a blocked link", got)
			}
			other := dialFrom(t, ipN3, proxy) // other links are unaffected
			roundTrip(t, other, serverSide(t, accepted), "n3")

			n.Heal()
			s := serverSide(t, accepted)
			expect(t, s, "hello", 3*time.Second)
			roundTrip(t, c, s, "world")
			if got := srv.accepted.Load(); got != 2 {
				t.Fatalf("target accepted %d connections, want 2: the abandoned one must never arrive", got)
			}
			if st := n.Stats(); st.Pending != 0 {
				t.Fatalf("%d connections still pending after Heal", st.Pending)
			}
		})
	}
}
