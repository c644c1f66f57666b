package transport

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/rpc"
	"github.com/garagego/garage/node/wire"
)

// textBody is a message body for tests.
type textBody struct{ Text string }

const kindTestText rpc.Kind = 0x00f0

func (textBody) Kind() rpc.Kind           { return kindTestText }
func (b textBody) Encode(e *wire.Encoder) { e.String(b.Text) }

func init() {
	rpc.Register(kindTestText, "TransportTestText", func(d *wire.Decoder) rpc.Body { return textBody{Text: d.String()} })
}

var (
	secretA = [32]byte{1, 2, 3}
	secretB = [32]byte{9, 8, 7}
)

// fastTiming keeps tests quick while leaving the race detector slack.
func fastTiming() timing {
	return timing{
		handshakeTimeout:        3 * time.Second,
		inboundHandshakeTimeout: 3 * time.Second,
		backoffMin:              20 * time.Millisecond,
		backoffMax:              200 * time.Millisecond,
		gossipInterval:          100 * time.Millisecond,
		pingInterval:            500 * time.Millisecond,
	}
}

// recorder is a Handler that records what it is told and, if echo is set,
// answers every request with its own body (or an rpc.Error for "fail").
type recorder struct {
	echo *Transport
	msgs chan rpc.Message

	mu    sync.Mutex
	ups   []peerUp
	downs []cluster.NodeID
}

type peerUp struct {
	id   cluster.NodeID
	addr string
	role Role
}

func newRecorder() *recorder { return &recorder{msgs: make(chan rpc.Message, 4096)} }

func (r *recorder) Deliver(m rpc.Message) {
	if r.echo != nil && !m.Response {
		body := m.Body
		if tb, ok := body.(textBody); ok && tb.Text == "fail" {
			body = rpc.Error{Message: "refused: fail"}
		}
		_ = r.echo.Send(rpc.Message{From: m.To, To: m.From, ID: m.ID, Response: true, Body: body})
		return
	}
	select {
	case r.msgs <- m:
	default:
		panic("recorder: message buffer full")
	}
}

func (r *recorder) PeerUp(id cluster.NodeID, addr string, role Role) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ups = append(r.ups, peerUp{id, addr, role})
}

func (r *recorder) PeerDown(id cluster.NodeID, _ Role) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.downs = append(r.downs, id)
}

func (r *recorder) upCount(id cluster.NodeID) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, u := range r.ups {
		if u.id == id {
			n++
		}
	}
	return n
}

func (r *recorder) downCount(id cluster.NodeID) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, d := range r.downs {
		if d == id {
			n++
		}
	}
	return n
}

func (r *recorder) upsSnapshot() []peerUp {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]peerUp(nil), r.ups...)
}

// next waits for the next delivered message.
func (r *recorder) next(t testing.TB) rpc.Message {
	t.Helper()
	select {
	case m := <-r.msgs:
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("no message delivered within 5s")
		return rpc.Message{}
	}
}

// node is a started transport with its handler and logs.
type node struct {
	*Transport
	rec  *recorder
	logs *observer.ObservedLogs
}

// nodeSetup is what startNode builds a node from; options adjust it.
type nodeSetup struct {
	cfg    Config
	timing timing
	echo   bool
}

type nodeOption func(*nodeSetup)

func withSecret(s [32]byte) nodeOption      { return func(n *nodeSetup) { n.cfg.Secret = s } }
func withIdentity(id Identity) nodeOption   { return func(n *nodeSetup) { n.cfg.Identity = id } }
func withListen(addr string) nodeOption     { return func(n *nodeSetup) { n.cfg.ListenAddr = addr } }
func withTiming(f func(*timing)) nodeOption { return func(n *nodeSetup) { f(&n.timing) } }
func withQueue(size int) nodeOption         { return func(n *nodeSetup) { n.cfg.MaxQueue = size } }
func withEcho() nodeOption                  { return func(n *nodeSetup) { n.echo = true } }
func withBootstrap(p ...Peer) nodeOption {
	return func(n *nodeSetup) { n.cfg.Bootstrap = append(n.cfg.Bootstrap, p...) }
}

// startNode starts a transport on 127.0.0.1:0 and closes it at cleanup.
func startNode(t testing.TB, opts ...nodeOption) *node {
	t.Helper()
	core, logs := observer.New(zapcore.DebugLevel)
	setup := nodeSetup{
		cfg: Config{
			Identity:   NewEphemeralIdentity(),
			Secret:     secretA,
			ListenAddr: "127.0.0.1:0",
			Logger:     zap.New(core),
		},
		timing: fastTiming(),
	}
	for _, o := range opts {
		o(&setup)
	}
	rec := newRecorder()
	tr, err := New(setup.cfg, rec)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	tr.timing = setup.timing
	if setup.echo {
		rec.echo = tr
	}
	if err := tr.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	n := &node{Transport: tr, rec: rec, logs: logs}
	t.Cleanup(func() {
		if err := tr.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if t.Failed() {
			dumpLogs(t, tr.ID(), logs)
		}
	})
	return n
}

func dumpLogs(t testing.TB, id cluster.NodeID, logs *observer.ObservedLogs) {
	t.Helper()
	for _, e := range logs.All() {
		var fields []string
		for k, v := range e.ContextMap() {
			fields = append(fields, fmt.Sprintf("%s=%v", k, v))
		}
		t.Logf("[%s] %s %s %s", id, e.Level, e.Message, strings.Join(fields, " "))
	}
}

// eventually polls cond every 10ms until it holds or 10s pass.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// hasWarn reports whether logs hold a warning whose message contains s.
func hasWarn(logs *observer.ObservedLogs, s string) bool {
	for _, e := range logs.FilterLevelExact(zapcore.WarnLevel).All() {
		if strings.Contains(e.Message, s) {
			return true
		}
		for _, f := range e.Context {
			if f.Type == zapcore.ErrorType && strings.Contains(f.Interface.(error).Error(), s) {
				return true
			}
		}
	}
	return false
}

func (n *node) connected(id cluster.NodeID) bool {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.links[id] != nil
}

// linkState describes the connections to id: whether one is active, its
// local and remote addresses, and the number of standbys.
func (n *node) linkState(id cluster.NodeID) (ok bool, local, remote string, standby int) {
	n.mu.RLock()
	defer n.mu.RUnlock()
	l := n.links[id]
	if l == nil {
		return false, "", "", 0
	}
	return true, l.active.nc.LocalAddr().String(), l.active.nc.RemoteAddr().String(), len(l.standby)
}

func (n *node) send(t *testing.T, to cluster.NodeID, text string) {
	t.Helper()
	if err := n.Send(rpc.Message{From: n.ID(), To: to, Body: textBody{text}}); err != nil {
		t.Fatalf("send %q to %s: %v", text, to, err)
	}
}

// rawPeer is a hand-driven connection for feeding a transport bad input.
type rawPeer struct {
	nc net.Conn
	rd *bufio.Reader
	id Identity
	s  *session
}

// dialRaw connects to addr without handshaking.
func dialRaw(t *testing.T, addr string) *rawPeer {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { nc.Close() })
	return &rawPeer{nc: nc, rd: bufio.NewReader(nc), id: NewEphemeralIdentity()}
}

// handshakeRaw connects to addr and completes a handshake as role.
func handshakeRaw(t *testing.T, addr string, secret [32]byte, role Role) *rawPeer {
	t.Helper()
	return handshakeRawAs(t, addr, secret, role, NewEphemeralIdentity())
}

// handshakeRawAs is handshakeRaw with a chosen identity.
func handshakeRawAs(t *testing.T, addr string, secret [32]byte, role Role, id Identity) *rawPeer {
	t.Helper()
	p := dialRaw(t, addr)
	p.id = id
	p.nc.SetDeadline(time.Now().Add(5 * time.Second))
	s, err := handshake(p.nc, p.rd, handshakeConfig{identity: p.id, role: role, secret: &secret, nodeOnly: true, addr: addr})
	if err != nil {
		t.Fatalf("raw handshake: %v", err)
	}
	p.nc.SetDeadline(time.Time{})
	p.s = s
	return p
}

func (p *rawPeer) sendFrame(t *testing.T, plaintext []byte) {
	t.Helper()
	if _, err := p.nc.Write(p.s.seal.seal(nil, plaintext)); err != nil {
		t.Fatalf("raw write: %v", err)
	}
}

func (p *rawPeer) sendMessage(t *testing.T, m rpc.Message) {
	t.Helper()
	frame, err := encodeRPCFrame(m)
	if err != nil {
		t.Fatal(err)
	}
	p.sendFrame(t, frame)
}

// readMessage returns the next rpc message the transport sends, skipping
// control frames.
func (p *rawPeer) readMessage(t *testing.T) rpc.Message {
	t.Helper()
	p.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	defer p.nc.SetReadDeadline(time.Time{})
	for {
		frame, err := p.s.open.readFrame(p.rd)
		if err != nil {
			t.Fatalf("raw read: %v", err)
		}
		if frameType(frame[0]) != frameRPC {
			continue
		}
		m, err := rpc.DecodeMessage(frame[1:])
		if err != nil {
			t.Fatalf("raw decode: %v", err)
		}
		return m
	}
}

// waitClosed reads and discards until the other side closes the
// connection, failing if it is still open after 5s.
func (p *rawPeer) waitClosed(t *testing.T) {
	t.Helper()
	p.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 4096)
	for {
		_, err := p.rd.Read(buf)
		if err == nil {
			continue
		}
		if isTimeout(err) {
			t.Fatal("transport did not close the connection within 5s")
		}
		return // EOF or reset: closed
	}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}
