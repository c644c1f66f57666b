package netsim

import (
	"fmt"
	"math"
	"math/bits"
	"time"
)

// Send decides the fate of a message of size bytes sent at virtual time now
// and returns the arrival time of each copy: none if it is lost or blocked,
// one normally, two if duplicated (not necessarily in order).
//
// A message to oneself (from == to) is loopback: it arrives at exactly now,
// is never lost, and ignores partitions, cuts and link profiles. A node that
// is down sends nothing, and a message that a partition or cut blocks right
// now never enters the link.
//
// Every message that enters a link draws the same number of random values in
// the same order whatever its profile and fate, so changing, say, the loss
// rate changes which messages are lost but not the delays of the others.
func (n *Network) Send(now int64, from, to, size int) []int64 {
	n.checkNode(from)
	n.checkNode(to)
	if size < 0 {
		panic(fmt.Sprintf("netsim: negative message size %d", size))
	}
	n.stats.Sent++
	n.stats.Bytes += int64(size)

	if !n.CanDeliver(from, to) {
		n.stats.BlockedAtSend++
		return nil
	}
	if from == to {
		n.stats.Scheduled++
		return []int64{now}
	}

	p := n.profile(from, to)
	f := n.drawFate()
	// A lost message was still transmitted, so it occupies the link.
	transmitted := n.transmit(now, link{from, to}, size, p.Bandwidth)
	if f.lose < p.Loss {
		n.stats.Lost++
		return nil
	}
	arrivals := make([]int64, 1, 2)
	arrivals[0] = n.propagate(transmitted, p, f.copies[0])
	if f.duplicate < p.Duplicate {
		n.stats.Duplicated++
		arrivals = append(arrivals, n.propagate(transmitted, p, f.copies[1]))
	}
	n.stats.Scheduled += int64(len(arrivals))
	return arrivals
}

// CanDeliver reports whether a message from -> to can be delivered now: both
// nodes are up and no partition or cut separates them. It has no side
// effects; Deliver is the variant that also counts the outcome.
func (n *Network) CanDeliver(from, to int) bool {
	n.checkNode(from)
	n.checkNode(to)
	return !n.down[from] && !n.down[to] && !n.blocked(from, to)
}

// Deliver is what the simulator calls when a copy returned by Send comes
// due. It reports CanDeliver and counts the copy as delivered or as blocked
// at delivery in Stats.
func (n *Network) Deliver(from, to int) bool {
	if !n.CanDeliver(from, to) {
		n.stats.BlockedAtDelivery++
		return false
	}
	n.stats.Delivered++
	return true
}

// fate holds the random draws that decide one message's journey.
type fate struct {
	lose, duplicate float64
	copies          [2]copyFate
}

type copyFate struct {
	jitter       uint64
	reorder      float64
	reorderDelay uint64
}

// drawFate draws a fixed number of values in a fixed order; see Send.
func (n *Network) drawFate() fate {
	var f fate
	f.lose = n.rng.Float64()
	f.duplicate = n.rng.Float64()
	for i := range f.copies {
		f.copies[i] = copyFate{
			jitter:       n.rng.Uint64(),
			reorder:      n.rng.Float64(),
			reorderDelay: n.rng.Uint64(),
		}
	}
	return f
}

// transmit queues size bytes on a directed link at time now and returns when
// the last byte has left the sender.
func (n *Network) transmit(now int64, l link, size int, bandwidth int64) int64 {
	if bandwidth <= 0 {
		return now
	}
	start := max(now, n.busyUntil[l])
	done := addSat(start, serialisation(size, bandwidth))
	n.busyUntil[l] = done
	return done
}

// propagate returns when a copy that finished transmitting at sent arrives.
func (n *Network) propagate(sent int64, p LinkProfile, c copyFate) int64 {
	delay := int64(p.Latency) + scale(c.jitter, int64(p.Jitter))
	if p.ReorderDelay > 0 && c.reorder < p.Reorder {
		n.stats.Reordered++
		delay = addSat(delay, 1+scale(c.reorderDelay, int64(p.ReorderDelay)))
	}
	return addSat(sent, delay)
}

// serialisation is how long putting size bytes on a link of the given
// bandwidth takes, rounded up to whole nanoseconds.
func serialisation(size int, bandwidth int64) int64 {
	hi, lo := bits.Mul64(uint64(size), uint64(time.Second))
	if hi >= uint64(bandwidth) {
		return math.MaxInt64 // the quotient would not even fit in 64 bits
	}
	q, rem := bits.Div64(hi, lo, uint64(bandwidth))
	if rem != 0 {
		q++
	}
	return int64(min(q, math.MaxInt64))
}

// scale maps a uniform 64-bit value to a uniform value in [0, limit).
func scale(r uint64, limit int64) int64 {
	if limit <= 0 {
		return 0
	}
	hi, _ := bits.Mul64(r, uint64(limit))
	return int64(hi)
}

// addSat adds two non-negative times, saturating instead of wrapping so an
// absurd delay means "never" rather than "in the past".
func addSat(a, b int64) int64 {
	if b > math.MaxInt64-a {
		return math.MaxInt64
	}
	return a + b
}
