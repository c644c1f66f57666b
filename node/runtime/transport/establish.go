package transport

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"go.uber.org/zap"

	"github.com/garagego/garage/node/cluster"
)

// acceptLoop hands each inbound connection to its own handshake, through
// the gate that bounds handshakes in progress.
func (t *Transport) acceptLoop(ln net.Listener) {
	for {
		nc, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			t.log.Warn("accept failed", zap.Error(err))
			select { // e.g. out of file descriptors: do not spin
			case <-t.ctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
			continue
		}
		leave, evicted := t.gate.admit(nc)
		if n := t.gate.takeEvictions(time.Now(), 10*time.Second); n > 0 {
			t.log.Warn("too many connections waiting in their handshake: closed the oldest to make room",
				zap.Int("closed", n), zap.Stringer("latest_from", nc.RemoteAddr()))
		}
		if !t.spawn(func() { t.serveInbound(nc, leave, evicted) }) {
			leave()
			nc.Close()
			return
		}
	}
}

func (t *Transport) serveInbound(nc net.Conn, leave func(), evicted func() bool) {
	c, err := t.establish(t.ctx, nc, false, cluster.NodeID{}, nc.RemoteAddr().String(), evicted)
	leave()
	if err == nil {
		_ = t.register(c) // failures are logged and the connection closed
	}
}

// dial opens a connection to addr and registers it once authenticated; the
// connection then runs on its own goroutines.
func (t *Transport) dial(ctx context.Context, addr string, expect cluster.NodeID) (*conn, error) {
	d := net.Dialer{LocalAddr: t.outgoingAddr()}
	dctx, cancel := context.WithTimeout(ctx, t.timing.handshakeTimeout)
	defer cancel()
	nc, err := d.DialContext(dctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	c, err := t.establish(ctx, nc, true, expect, addr, nil)
	if err != nil {
		return nil, err
	}
	if err := t.register(c); err != nil {
		return nil, err
	}
	return c, nil
}

// outgoingAddr is where connections to peers leave from: the listen
// address's IP with any port when BindOutgoing is set, else wherever the
// system routes them (nil).
func (t *Transport) outgoingAddr() net.Addr {
	if !t.cfg.BindOutgoing {
		return nil
	}
	host, _, err := net.SplitHostPort(t.cfg.ListenAddr)
	ip := net.ParseIP(host)
	if err != nil || ip == nil || ip.IsUnspecified() {
		return nil
	}
	return &net.TCPAddr{IP: ip}
}

// establish runs the handshake on nc within the handshake timeout (or
// until ctx ends or the transport closes) and logs why it failed, unless
// the gate evicted it (evicted, nil for a connection we dialled). An
// inbound connection has less time: it has not proved anything yet.
func (t *Transport) establish(ctx context.Context, nc net.Conn, dialed bool, expect cluster.NodeID, addr string, evicted func() bool) (*conn, error) {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		nc.Close()
		return nil, ErrClosed
	}
	t.handshaking[nc] = struct{}{}
	t.mu.Unlock()

	rd := bufio.NewReaderSize(nc, readBufferSize)
	timeout := t.timing.handshakeTimeout
	if !dialed {
		timeout = t.timing.inboundHandshakeTimeout
	}
	s, err := handshakeBy(ctx, nc, rd, time.Now().Add(timeout), handshakeConfig{
		identity: t.cfg.Identity,
		role:     RoleNode,
		secret:   &t.cfg.Secret,
		expect:   expect,
		nodeOnly: dialed,
		addr:     addr,
	})
	if err != nil {
		t.mu.Lock()
		delete(t.handshaking, nc)
		t.mu.Unlock()
		nc.Close()
		if evicted != nil && evicted() {
			t.log.Debug("handshake evicted to make room", zap.String("addr", addr))
		} else {
			t.logHandshakeFailure(addr, dialed, err)
		}
		return nil, err
	}
	return newConn(t, nc, rd, s, dialed, addr), nil
}

func (t *Transport) logHandshakeFailure(addr string, dialed bool, err error) {
	log := t.log.With(zap.String("addr", addr), zap.Bool("dialed", dialed))
	var secret *secretMismatchError
	var refused *refusedError
	var unexpected *unexpectedNodeError
	switch {
	case errors.Is(err, errSelfConnection):
		log.Debug("closing connection to ourselves")
	case t.ctx.Err() != nil:
		log.Debug("handshake aborted: transport closing", zap.Error(err))
	case errors.As(err, &secret), errors.As(err, &refused), errors.As(err, &unexpected):
		log.Warn(err.Error())
	case !dialed && errors.Is(err, errNoHello):
		// Port scanners and TCP health checks connect and leave.
		log.Debug("connection closed before its hello")
	default:
		log.Warn("handshake failed", zap.Error(err))
	}
}
