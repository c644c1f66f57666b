package faultnet

import (
	"net"
	"testing"
	"time"
)

func TestResetAbortsBothEndsOfEveryConnectionBetweenTwoNodes(t *testing.T) {
	n := newNetwork(t)
	srv1, accepted1 := startPair(t)
	srv2, accepted2 := startPair(t)
	proxy1, proxy2 := listen(t, n, "n1", srv1.addr()), listen(t, n, "n2", srv2.addr())
	c12, s12 := connectVia(t, ipN1, proxy2, accepted2)
	c21, s21 := connectVia(t, ipN2, proxy1, accepted1)
	c31, s31 := connectVia(t, ipN3, proxy1, accepted1)
	roundTrip(t, c12, s12, "a")
	roundTrip(t, c21, s21, "b")

	start := time.Now()
	if got := n.Reset("n2", "n1"); got != 2 {
		t.Fatalf("Reset aborted %d connections, want 2", got)
	}
	concurrently(t, []net.Conn{c12, s12, c21, s21}, func(c net.Conn) error { return broken(c, time.Second) })
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("endpoints noticed the reset after %v", elapsed)
	}
	roundTrip(t, c31, s31, "c") // n3's connection is untouched
	if st := n.Stats(); st.Resets != 2 {
		t.Fatalf("stats count %d resets, want 2", st.Resets)
	}
	if got := n.Reset("n1", "n2"); got != 0 {
		t.Fatalf("second Reset aborted %d connections, want 0", got)
	}
}

func TestHalfOpenFreezesSilentlyAndNewConnectionsWork(t *testing.T) {
	n := newNetwork(t)
	srv, accepted := startPair(t)
	proxy := listen(t, n, "n2", srv.addr())
	c, s := connectVia(t, ipN1, proxy, accepted)
	roundTrip(t, c, s, "before")

	if got := n.HalfOpen("n1", "n2"); got != 1 {
		t.Fatalf("HalfOpen froze %d connections, want 1", got)
	}
	write(t, c, []byte("ping")) // writes succeed: the sockets are open
	write(t, s, []byte("pong"))
	concurrently(t, []net.Conn{c, s}, func(c net.Conn) error { return silence(c, 300*time.Millisecond) })
	if st := n.Stats(); st.HalfOpen != 1 || st.Live != 1 {
		t.Fatalf("stats %+v: want one live, half-open connection", st)
	}

	c2, s2 := connectVia(t, ipN1, proxy, accepted)
	roundTrip(t, c2, s2, "after")

	// Once both endpoints give up, the proxy lets the frozen connection go.
	c.Close()
	s.Close()
	eventually(t, "the frozen connection to end", func() bool {
		st := n.Stats()
		return st.HalfOpen == 0 && st.Live == 1
	})
	roundTrip(t, c2, s2, "still")
}

func TestHalfOpenPendingConnectionNeverConnects(t *testing.T) {
	n := newNetwork(t)
	srv, _ := startPair(t)
	proxy := listen(t, n, "n2", srv.addr())
	n.Partition("n1", "n2")
	c := dialFrom(t, ipN1, proxy)
	eventually(t, "the connection to be pending", func() bool { return n.Stats().Pending == 1 })
	if got := n.HalfOpen("n1", "n2"); got != 1 {
		t.Fatalf("HalfOpen froze %d connections, want 1", got)
	}
	n.Heal()
	expectSilence(t, c, 200*time.Millisecond)
	if got := srv.accepted.Load(); got != 0 {
		t.Fatalf("a half-open pending connection reached the target")
	}
	c.Close()
	eventually(t, "the frozen connection to end", func() bool { return n.Stats().Live == 0 })
}
