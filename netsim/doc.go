// Package netsim models the network between simulated nodes: zone-dependent
// latency, jitter, loss, duplication, reordering, per-link bandwidth,
// symmetric partitions, one-way cuts and crashed nodes.
//
// A Network is a pure decision function, not a transport. It holds no
// messages, no event queue and no clock. When a node sends a message the
// simulator calls Send, which returns the virtual times at which copies of
// the message arrive; the simulator queues them itself. When an arrival comes
// due it calls Deliver (or the side-effect-free CanDeliver) because faults
// injected while the message was in flight may now block it.
//
// Everything is deterministic: times are int64 virtual nanoseconds supplied
// by the caller, and every random decision is drawn from the *rand.Rand given
// to New, in a fixed order, so one seed replays one network history.
package netsim
