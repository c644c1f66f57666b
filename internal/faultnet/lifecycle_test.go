package faultnet

import (
	"errors"
	"net"
	"runtime"
	"testing"
	"time"
)

func TestUnreachableTargetClosesTheAcceptedConnection(t *testing.T) {
	n := newNetwork(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	l.Close()

	// The proxy's RST may even beat the dialler's connect call back.
	d := net.Dialer{Timeout: 3 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(ipN1)}}
	c, err := d.Dial("tcp", listen(t, n, "n2", dead))
	if err == nil {
		defer c.Close()
		err = broken(c, 2*time.Second)
	} else if isReset(err) {
		err = nil
	}
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the dial failure to be counted", func() bool { return n.Stats().DialFailures == 1 })
}

func TestCloseEndsEveryConnectionAndGoroutine(t *testing.T) {
	before := runtime.NumGoroutine()
	n := New(nil)
	for ip, name := range map[string]string{ipN1: "n1", ipN2: "n2", ipN3: "n3"} {
		if err := n.AddSource(ip, name); err != nil {
			t.Fatal(err)
		}
	}
	srv, accepted := startPair(t)
	proxy := listen(t, n, "n2", srv.addr())

	plain, plainS := connectVia(t, ipN3, proxy, accepted)
	roundTrip(t, plain, plainS, "plain")
	frozen, frozenS := connectVia(t, ipN1, proxy, accepted)
	n.HalfOpen("n1", "n2")
	n.Block("n2", "n3")
	write(t, plainS, []byte("held")) // held by the block
	n.Partition("n1", "n2")
	pending := dialFrom(t, ipN1, proxy)
	eventually(t, "a pending connection", func() bool { return n.Stats().Pending == 1 })

	done := make(chan error, 1)
	go func() { done <- n.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Close: %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Close did not return")
	}
	concurrently(t, []net.Conn{plain, plainS, frozen, frozenS, pending}, func(c net.Conn) error { return broken(c, time.Second) })
	if err := n.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := n.Listen("n1", "127.0.0.1:0", srv.addr()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Listen after Close: %v, want ErrClosed", err)
	}
	if st := n.Stats(); st.Live != 0 || st.HeldBytes != 0 {
		t.Fatalf("stats after Close: %+v", st)
	}

	for _, c := range []net.Conn{plain, plainS, frozen, frozenS, pending} {
		c.Close()
	}
	srv.close()
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines before, %d after Close", before, runtime.NumGoroutine())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestAddSourceRejectsInvalidIP(t *testing.T) {
	if err := New(nil).AddSource("not-an-ip", "n1"); err == nil {
		t.Fatal("AddSource accepted an invalid IP")
	}
}
