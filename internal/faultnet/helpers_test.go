package faultnet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Loopback source IPs of the test nodes.
const (
	ipN1 = "127.0.0.11"
	ipN2 = "127.0.0.12"
	ipN3 = "127.0.0.13"
)

// newNetwork returns a Network with n1..n3 registered, closed at the end
// of the test, after which no goroutine may outlive it.
func newNetwork(t *testing.T, opts ...Option) *Network {
	t.Helper()
	checkGoroutines(t)
	n := New(nil, opts...)
	t.Cleanup(func() {
		if err := n.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	for ip, name := range map[string]string{ipN1: "n1", ipN2: "n2", ipN3: "n3"} {
		if err := n.AddSource(ip, name); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

// checkGoroutines fails the test if, once every later cleanup has run,
// more goroutines remain than when it was called. Tests in this package
// do not run in parallel, so the count is theirs alone.
func checkGoroutines(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(3 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				t.Errorf("goroutines leaked: %d before, %d after\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// listen starts the proxy of node name in front of target.
func listen(t *testing.T, n *Network, name, target string) string {
	t.Helper()
	addr, err := n.Listen(name, "127.0.0.1:0", target)
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

// A testServer accepts on 127.0.0.1 and serves each connection with handle;
// it closes its listener and every connection at the end of the test.
type testServer struct {
	l        net.Listener
	accepted atomic.Int64
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    []net.Conn
}

func startServer(t *testing.T, handle func(*net.TCPConn)) *testServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &testServer{l: l}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s.accepted.Add(1)
			s.mu.Lock()
			s.conns = append(s.conns, c)
			s.mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				handle(c.(*net.TCPConn))
			}()
		}
	}()
	t.Cleanup(s.close)
	return s
}

func (s *testServer) addr() string { return s.l.Addr().String() }

func (s *testServer) close() {
	s.l.Close()
	s.mu.Lock()
	for _, c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// startEcho starts a server echoing each connection until EOF, then
// half-closing it.
func startEcho(t *testing.T) *testServer {
	return startServer(t, func(c *net.TCPConn) {
		if _, err := io.Copy(c, c); err == nil {
			c.CloseWrite()
		}
	})
}

// startPair starts a server handing each accepted connection to the test.
func startPair(t *testing.T) (*testServer, <-chan *net.TCPConn) {
	accepted := make(chan *net.TCPConn, 16)
	return startServer(t, func(c *net.TCPConn) { accepted <- c }), accepted
}

// serverSide waits for the next connection the pair server accepted.
func serverSide(t *testing.T, accepted <-chan *net.TCPConn) *net.TCPConn {
	t.Helper()
	select {
	case c := <-accepted:
		return c
	case <-time.After(3 * time.Second):
		t.Fatal("target never accepted the connection")
		return nil
	}
}

// dialFrom connects to addr from the loopback IP ip.
func dialFrom(t *testing.T, ip, addr string) *net.TCPConn {
	t.Helper()
	d := net.Dialer{Timeout: 3 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s from %s: %v", addr, ip, err)
	}
	t.Cleanup(func() { c.Close() })
	return c.(*net.TCPConn)
}

// connectVia dials addr from ip and returns both ends as the pair server
// sees them.
func connectVia(t *testing.T, ip, addr string, accepted <-chan *net.TCPConn) (client, server *net.TCPConn) {
	t.Helper()
	client = dialFrom(t, ip, addr)
	return client, serverSide(t, accepted)
}

func write(t *testing.T, c net.Conn, data []byte) {
	t.Helper()
	c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write(data); err != nil {
		t.Fatalf("write: %v", err)
	}
}

// readN reads exactly n bytes within timeout.
func readN(t *testing.T, c net.Conn, n int, timeout time.Duration) []byte {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(timeout))
	defer c.SetReadDeadline(time.Time{})
	buf := make([]byte, n)
	if got, err := io.ReadFull(c, buf); err != nil {
		t.Fatalf("read %d bytes: got %d: %v", n, got, err)
	}
	return buf
}

// expect reads len(want) bytes within timeout and checks them.
func expect(t *testing.T, c net.Conn, want string, timeout time.Duration) {
	t.Helper()
	if got := readN(t, c, len(want), timeout); string(got) != want {
		t.Fatalf("read %q, want %q", got, want)
	}
}

// expectSilence checks that nothing arrives on c, and it does not fail,
// for d.
func expectSilence(t *testing.T, c net.Conn, d time.Duration) {
	t.Helper()
	if err := silence(c, d); err != nil {
		t.Fatal(err)
	}
}

func silence(c net.Conn, d time.Duration) error {
	c.SetReadDeadline(time.Now().Add(d))
	defer c.SetReadDeadline(time.Time{})
	var b [1]byte
	if n, err := c.Read(b[:]); !errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("expected silence for %v, read %d bytes, err %v", d, n, err)
	}
	return nil
}

// broken checks that a read on c fails, as after a reset, within timeout.
func broken(c net.Conn, timeout time.Duration) error {
	c.SetReadDeadline(time.Now().Add(timeout))
	_, err := io.Copy(io.Discard, c)
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("connection still open after %v", timeout)
	case err != nil && !isReset(err):
		return fmt.Errorf("read ended with %v, want a reset or EOF", err)
	}
	return nil
}

// concurrently runs check on every connection at once and fails the test
// with their errors.
func concurrently(t *testing.T, conns []net.Conn, check func(net.Conn) error) {
	t.Helper()
	errs := make([]error, len(conns))
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Go(func() { errs[i] = check(c) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
}

func isReset(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "connection reset") || errors.Is(err, io.EOF))
}

// roundTrip sends msg from a to b and back, checking it arrives.
func roundTrip(t *testing.T, a, b net.Conn, msg string) {
	t.Helper()
	write(t, a, []byte(msg))
	expect(t, b, msg, 3*time.Second)
	write(t, b, []byte(msg))
	expect(t, a, msg, 3*time.Second)
}

func randomBytes(seed uint64, n int) []byte {
	buf := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, seed))
	for i := range buf {
		buf[i] = byte(r.Uint32())
	}
	return buf
}

// eventually polls cond until it holds or 3 s pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func sameBytes(t *testing.T, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		i := 0
		for i < min(len(got), len(want)) && got[i] == want[i] {
			i++
		}
		t.Fatalf("got %d bytes, want %d; first difference at offset %d", len(got), len(want), i)
	}
}
