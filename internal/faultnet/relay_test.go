package faultnet

import (
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"
)

func TestEchoLargeTransferIsByteIdentical(t *testing.T) {
	n := newNetwork(t)
	proxy := listen(t, n, "n2", startEcho(t).addr())
	c := dialFrom(t, ipN1, proxy)

	const size = 8 << 20
	payload := randomBytes(1, size)
	wrote := make(chan error, 1)
	go func() {
		_, err := c.Write(payload)
		if err == nil {
			err = c.CloseWrite() // the echo ends, and half-closes, on our EOF
		}
		wrote <- err
	}()
	c.SetReadDeadline(time.Now().Add(8 * time.Second))
	echoed, err := io.ReadAll(c) // ends only when the proxy relays the echo's half-close
	if err != nil {
		t.Fatalf("read echo: %v", err)
	}
	if err := <-wrote; err != nil {
		t.Fatalf("write: %v", err)
	}
	sameBytes(t, echoed, payload)

	eventually(t, "the relayed connection to end", func() bool { return n.Stats().Live == 0 })
	s := n.Stats()
	up, down := s.Delivered[Direction{"n1", "n2"}], s.Delivered[Direction{"n2", "n1"}]
	if up != size || down != size || s.Accepted != 1 || s.HeldBytes != 0 || s.Errors != 0 {
		t.Fatalf("stats %+v: want %d bytes each way, 1 connection, nothing held, no errors", s, size)
	}
}

func TestSourcesAreIdentifiedByIP(t *testing.T) {
	n := newNetwork(t)
	proxy := listen(t, n, "n3", startEcho(t).addr())
	c1, c2 := dialFrom(t, ipN1, proxy), dialFrom(t, ipN2, proxy)
	cli := dialFrom(t, "127.0.0.1", proxy) // unregistered: the pseudo-source ""
	for _, c := range []*netConn{{c1, "n1"}, {c2, "n2"}, {cli, "cli"}} {
		write(t, c, []byte(c.name))
		expect(t, c, c.name, 3*time.Second)
	}
	links := n.Stats().Links
	if links[Direction{"n1", "n3"}] != 1 || links[Direction{"n2", "n3"}] != 1 || links[Direction{"", "n3"}] != 1 {
		t.Fatalf("links %v: want one each from n1, n2 and \"\" to n3", links)
	}

	n.Block("n1", "n3")
	n.Block("", "n3") // the pseudo-source is never faulted
	write(t, c1, []byte("held"))
	for _, c := range []*netConn{{c2, "n2"}, {cli, "cli"}} {
		write(t, c, []byte(c.name))
		expect(t, c, c.name, 3*time.Second)
	}
	expectSilence(t, c1, 200*time.Millisecond)
	n.Unblock("n1", "n3")
	expect(t, c1, "held", 3*time.Second)
}

// netConn names a connection in table-driven checks.
type netConn struct {
	*net.TCPConn
	name string
}

func TestDelayIsPerDirectionWhoeverDials(t *testing.T) {
	const delay = 150 * time.Millisecond
	n := newNetwork(t)
	srv1, accepted1 := startPair(t)
	srv2, accepted2 := startPair(t)
	proxy1, proxy2 := listen(t, n, "n1", srv1.addr()), listen(t, n, "n2", srv2.addr())
	n.SetShape("n1", "n2", Shape{Delay: delay})

	// oneWay measures how long a byte takes from src to dst.
	oneWay := func(src, dst *net.TCPConn) time.Duration {
		t.Helper()
		start := time.Now()
		write(t, src, []byte{1})
		readN(t, dst, 1, 3*time.Second)
		return time.Since(start)
	}
	check := func(what string, slow, fast time.Duration) {
		t.Helper()
		if slow < delay || fast >= delay {
			t.Errorf("%s: n1->n2 took %v (want >= %v), n2->n1 took %v (want < %v)", what, slow, delay, fast, delay)
		}
	}
	c12, s12 := connectVia(t, ipN1, proxy2, accepted2) // n1 dials n2: n1->n2 is client to server
	check("n1 dialled", oneWay(c12, s12), oneWay(s12, c12))
	c21, s21 := connectVia(t, ipN2, proxy1, accepted1) // n2 dials n1: n1->n2 is server to client
	check("n2 dialled", oneWay(s21, c21), oneWay(c21, s21))

	n.SetShape("n2", "n1", Shape{Delay: delay})
	start := time.Now()
	roundTrip(t, c12, s12, "x")
	if rtt := time.Since(start); rtt < 2*delay {
		t.Errorf("round trip took %v, want >= %v", rtt, 2*delay)
	}
}

func TestJitterKeepsOrder(t *testing.T) {
	n := newNetwork(t)
	srv, accepted := startPair(t)
	c, s := connectVia(t, ipN1, listen(t, n, "n2", srv.addr()), accepted)
	n.SetShape("n1", "n2", Shape{Delay: 5 * time.Millisecond, Jitter: 40 * time.Millisecond})

	const count = 300
	go func() {
		var b [4]byte
		for i := range count {
			binary.BigEndian.PutUint32(b[:], uint32(i))
			if _, err := c.Write(b[:]); err != nil {
				return
			}
			if i%10 == 0 {
				time.Sleep(time.Millisecond) // spread the writes over many chunks
			}
		}
	}()
	got := readN(t, s, 4*count, 5*time.Second)
	for i := range count {
		if v := binary.BigEndian.Uint32(got[4*i:]); v != uint32(i) {
			t.Fatalf("word %d is %d: reordered", i, v)
		}
	}
}

func TestBandwidthCap(t *testing.T) {
	const rate, size = 4 << 20, 1 << 20 // 1 MiB at 4 MiB/s: about 250 ms
	n := newNetwork(t)
	srv, accepted := startPair(t)
	c, s := connectVia(t, ipN1, listen(t, n, "n2", srv.addr()), accepted)
	n.SetShape("n1", "n2", Shape{Bandwidth: rate})

	payload := randomBytes(2, size)
	start := time.Now()
	go c.Write(payload) //nolint:errcheck // the read below checks what arrived
	got := readN(t, s, size, 5*time.Second)
	elapsed := time.Since(start)
	sameBytes(t, got, payload)
	if elapsed < 200*time.Millisecond || elapsed > 3*time.Second {
		t.Fatalf("1 MiB at 4 MiB/s took %v, want about 250ms", elapsed)
	}
}

func TestHealReleasesDelayedBytesAtOnce(t *testing.T) {
	n := newNetwork(t)
	srv, accepted := startPair(t)
	c, s := connectVia(t, ipN1, listen(t, n, "n2", srv.addr()), accepted)
	n.SetShape("n1", "n2", Shape{Delay: 10 * time.Second})

	start := time.Now()
	write(t, c, []byte("late"))
	expectSilence(t, s, 100*time.Millisecond)
	n.Heal()
	expect(t, s, "late", 2*time.Second)
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Fatalf("delayed bytes took %v after Heal", elapsed)
	}
}

func TestLossStallsLikeRetransmissionsButDelivers(t *testing.T) {
	n := newNetwork(t)
	srv, accepted := startPair(t)
	c, s := connectVia(t, ipN1, listen(t, n, "n2", srv.addr()), accepted)
	n.SetShape("n1", "n2", Shape{Loss: 1})

	// Every chunk is lost: the stalls double like retransmission timeouts.
	for i, want := range []time.Duration{lossStallBase, 2 * lossStallBase} {
		start := time.Now()
		msg := []byte{'a' + byte(i)}
		write(t, c, msg)
		expect(t, s, string(msg), 3*time.Second)
		if elapsed := time.Since(start); elapsed < want {
			t.Errorf("lost chunk %d arrived after %v, want >= %v", i, elapsed, want)
		}
	}
	n.Heal()
	start := time.Now()
	roundTrip(t, c, s, "ok")
	if elapsed := time.Since(start); elapsed >= lossStallBase {
		t.Errorf("round trip after Heal took %v", elapsed)
	}
}
