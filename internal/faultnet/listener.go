package faultnet

import (
	"errors"
	"fmt"
	"net"
	"time"

	"go.uber.org/zap"
)

// Listen starts the proxy of node name on listenAddr, forwarding every
// connection it accepts to target, and returns the address it bound (useful
// when listenAddr ends in ":0"). A connection accepted from a source s is
// the link (s, name): its client-to-target bytes flow s->name and its
// target-to-client bytes name->s.
//
// A connection accepted while either direction of its link is blocked is
// held as if its SYN went unanswered: the dialler sees a connected socket
// whose handshake gets no answer, and the proxy dials the target only once
// the link heals, then forwards what the dialler sent meanwhile. If the
// dialler gives up first (closes its socket, seen as EOF or an error), the
// proxy drops the connection and the target never sees it. Real TCP would
// keep retrying the SYN for about two minutes; dialling on heal models the
// retry that finally succeeds.
//
// If the target cannot be reached, the proxy aborts the accepted connection
// with a TCP RST, the closest it can get to "connection refused".
func (n *Network) Listen(name, listenAddr, target string) (string, error) {
	ln, err := net.Listen("tcp", listenAddr)
	if err != nil {
		return "", fmt.Errorf("faultnet: listen for %s on %s: %w", name, listenAddr, err)
	}
	l := ln.(*net.TCPListener)
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		l.Close()
		return "", ErrClosed
	}
	n.listeners[l] = struct{}{}
	n.wg.Add(1)
	n.mu.Unlock()
	go n.acceptLoop(l, name, target)
	n.log.Debug("proxy listening", zap.String("node", name), zap.Stringer("addr", l.Addr()), zap.String("target", target))
	return l.Addr().String(), nil
}

// acceptLoop accepts until the listener closes, backing off on transient
// errors such as running out of file descriptors.
func (n *Network) acceptLoop(l *net.TCPListener, name, target string) {
	defer n.wg.Done()
	const maxBackoff = time.Second
	var backoff time.Duration
	for {
		client, err := l.AcceptTCP()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			backoff = min(max(2*backoff, 5*time.Millisecond), maxBackoff)
			n.log.Warn("proxy accept failed", zap.String("node", name), zap.Error(err), zap.Duration("retry_in", backoff))
			select {
			case <-time.After(backoff):
				continue
			case <-n.closing:
				return
			}
		}
		backoff = 0
		n.accept(client, Direction{From: n.sourceOf(client.RemoteAddr()), To: name}, target)
	}
}

// accept registers a new connection on link and starts relaying it.
func (n *Network) accept(client *net.TCPConn, link Direction, target string) {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		client.Close()
		return
	}
	c := n.newConnLocked(link, client, target)
	n.conns[c] = struct{}{}
	n.wg.Add(1)
	n.mu.Unlock()
	n.counters.accepted.Add(1)
	go c.run()
}
