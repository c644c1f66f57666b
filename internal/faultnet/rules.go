package faultnet

import "time"

// A Direction is the direction bytes flow in, from the node From to the
// node To, whichever of the two dialled the connection carrying them.
type Direction struct{ From, To string }

// String returns "from->to".
func (d Direction) String() string { return d.From + "->" + d.To }

func (d Direction) reverse() Direction { return Direction{From: d.To, To: d.From} }

// faultable reports whether rules may apply: the pseudo-source "" (clients
// from unregistered IPs) is never faulted.
func (d Direction) faultable() bool { return d.From != "" && d.To != "" }

// A Shape degrades one direction without losing bytes.
type Shape struct {
	// Delay is the one-way latency added to every chunk.
	Delay time.Duration
	// Jitter adds a uniform extra delay in [0, Jitter) per chunk; chunks
	// still leave in the order they arrived.
	Jitter time.Duration
	// Bandwidth caps the direction in bytes per second, shared by every
	// connection carrying it; 0 means unlimited.
	Bandwidth int64
	// Loss is the probability, per chunk, of a stall like a TCP
	// retransmission: lossStallBase, doubling on consecutive losses in a
	// connection's direction, capped at lossStallMax. Bytes are never
	// dropped.
	Loss float64
}

func (s Shape) sanitized() Shape {
	s.Delay = max(s.Delay, 0)
	s.Jitter = max(s.Jitter, 0)
	s.Bandwidth = max(s.Bandwidth, 0)
	s.Loss = min(max(s.Loss, 0), 1)
	return s
}

// rule is everything that governs one direction.
type rule struct {
	shape   Shape
	blocked bool
}

// SetShape sets the shape of the direction from->to, replacing the previous
// one. It applies to every chunk not yet delivered, also on live
// connections.
func (n *Network) SetShape(from, to string, s Shape) {
	n.update(Direction{from, to}, func(r *rule) { r.shape = s.sanitized() })
}

// Block holds the bytes flowing from->to, like TCP retransmitting into a
// black hole: they are neither forwarded nor discarded until Unblock or
// Heal, and once the buffer is full the sender feels backpressure. While
// either direction between two nodes is blocked, new connections between
// them are accepted by the proxy but not connected to the target (see
// Listen).
func (n *Network) Block(from, to string) {
	n.update(Direction{from, to}, func(r *rule) { r.blocked = true })
}

// Unblock releases the direction from->to; held bytes flow again, in order.
func (n *Network) Unblock(from, to string) {
	n.update(Direction{from, to}, func(r *rule) { r.blocked = false })
}

// Partition blocks both directions between a and b.
func (n *Network) Partition(a, b string) {
	n.Block(a, b)
	n.Block(b, a)
}

// Heal clears every Block and Shape; held and delayed bytes flow at once.
// Half-open connections stay frozen.
func (n *Network) Heal() {
	n.mu.Lock()
	defer n.mu.Unlock()
	clear(n.rules)
	n.broadcastLocked()
}

func (n *Network) update(d Direction, change func(*rule)) {
	n.mu.Lock()
	defer n.mu.Unlock()
	r := n.rules[d]
	change(&r)
	if r == (rule{}) {
		delete(n.rules, d)
	} else {
		n.rules[d] = r
	}
	n.broadcastLocked()
}

// broadcastLocked wakes everything waiting on the current rules. n.mu must
// be held.
func (n *Network) broadcastLocked() {
	close(n.changed)
	n.changed = make(chan struct{})
}

// ruleFor returns the rule of d and a channel closed when rules next change.
func (n *Network) ruleFor(d Direction) (rule, <-chan struct{}) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !d.faultable() {
		return rule{}, n.changed
	}
	return n.rules[d], n.changed
}

// linkBlocked reports whether either direction between d's ends is blocked,
// which keeps a new connection from completing its handshake, and returns a
// channel closed when rules next change.
func (n *Network) linkBlocked(d Direction) (bool, <-chan struct{}) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !d.faultable() {
		return false, n.changed
	}
	return n.rules[d].blocked || n.rules[d.reverse()].blocked, n.changed
}
