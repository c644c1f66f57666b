// Package sim runs a cluster of real node state machines in one thread,
// over the simulated network of package netsim, with a virtual clock and
// one seeded PRNG: the same Options give the same run, event for event,
// which the trace hash proves.
//
// A run has three phases. In the safety phase, clients issue puts, gets,
// deletes and range reads through random nodes while a fault schedule
// partitions the network, cuts links one way, crashes and restarts nodes
// (losing what they had not synced), skews their clocks and slows links.
// In the heal phase every fault is lifted and anti-entropy runs. Then each
// node reads every key, and the checker verifies the recorded history
// (read-after-write, no phantom values, write order, listings; in a
// versioned run, versions listed and read by id too) and that all replicas
// of every partition converged.
//
// The simulator drives nodes exactly as the production runtime does: it
// persists each Ready's records (after a simulated disk latency) before
// sending its messages and replies. Deterministic: no wall clock, no
// goroutines, no global randomness, no map order reaching an output.
package sim
