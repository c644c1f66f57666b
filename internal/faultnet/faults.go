package faultnet

// Reset aborts every live connection between a and b, whichever dialled,
// with a TCP RST to both endpoints, and returns how many it aborted.
// Connections from the pseudo-source "" are never reset.
func (n *Network) Reset(a, b string) int {
	reset := 0
	for _, c := range n.connsBetween(a, b) {
		if c.close(true) {
			reset++
		}
	}
	n.counters.resets.Add(int64(reset))
	return reset
}

// HalfOpen freezes every live connection between a and b, whichever
// dialled: from now on neither direction forwards anything, ever, and both
// sockets stay open, so the endpoints notice only through their own
// timeouts. Bytes in flight are lost with the stream. A frozen connection
// ends when both endpoints have closed it (or by Reset or Close); one that
// keeps sending stops being read after a buffer's worth. New connections
// are unaffected. HalfOpen returns how many connections it froze.
func (n *Network) HalfOpen(a, b string) int {
	frozen := 0
	for _, c := range n.connsBetween(a, b) {
		if c.freeze() {
			frozen++
		}
	}
	return frozen
}

func (n *Network) connsBetween(a, b string) []*conn {
	if a == "" || b == "" {
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.connsLocked(func(c *conn) bool { return c.between(a, b) })
}
