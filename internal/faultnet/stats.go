package faultnet

import "sync/atomic"

// Stats is a snapshot of a Network's activity.
type Stats struct {
	Accepted     int64 // connections the proxies accepted
	Live         int   // connections open now, including pending and half-open ones
	Pending      int   // live connections held because their link is blocked
	HalfOpen     int   // live connections frozen by HalfOpen
	DialFailures int64 // connections aborted because the target was unreachable
	Abandoned    int64 // connections whose dialler gave up while they were pending
	Resets       int64 // connections aborted by Reset
	Errors       int64 // connections aborted because a socket failed
	HeldBytes    int64 // bytes read but not yet delivered
	// Delivered counts the bytes forwarded per direction of flow.
	Delivered map[Direction]int64
	// Links counts live connections per link: From dialled To.
	Links map[Direction]int
}

type counters struct {
	accepted, dialFailures, abandoned, resets, errors atomic.Int64
	held                                              atomic.Int64
}

// Stats returns a snapshot of the network's counters.
func (n *Network) Stats() Stats {
	s := Stats{
		Accepted:     n.counters.accepted.Load(),
		DialFailures: n.counters.dialFailures.Load(),
		Abandoned:    n.counters.abandoned.Load(),
		Resets:       n.counters.resets.Load(),
		Errors:       n.counters.errors.Load(),
		HeldBytes:    n.counters.held.Load(),
		Delivered:    make(map[Direction]int64),
		Links:        make(map[Direction]int),
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	for d, bytes := range n.delivered {
		s.Delivered[d] = bytes.Load()
	}
	for c := range n.conns {
		s.Live++
		s.Links[c.link]++
		if c.pending.Load() {
			s.Pending++
		}
		if c.frozen.Load() {
			s.HalfOpen++
		}
	}
	return s
}
