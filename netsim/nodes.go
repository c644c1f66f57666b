package netsim

// Crash takes node down: until Restart it sends nothing, and messages to or
// from it are refused at delivery, including those already in flight.
// Whatever it had queued on its bandwidth-limited links is discarded.
// Crashing a node that is already down does nothing.
func (n *Network) Crash(node int) {
	n.checkNode(node)
	if n.down[node] {
		return
	}
	n.down[node] = true
	// Deleting while ranging is order-independent, so no randomness of map
	// iteration can leak into the simulation.
	for l := range n.busyUntil {
		if l.from == node {
			delete(n.busyUntil, l)
		}
	}
}

// Restart brings a crashed node back up and starts its next incarnation.
// Restarting a node that is up does nothing.
func (n *Network) Restart(node int) {
	n.checkNode(node)
	if !n.down[node] {
		return
	}
	n.down[node] = false
	n.incarnation[node]++
}

// Up reports whether node is running.
func (n *Network) Up(node int) bool {
	n.checkNode(node)
	return !n.down[node]
}

// Incarnation counts how many times node has been restarted. A message sent
// before a crash still arrives if both ends are up again by its arrival
// time; a simulator that wants reset connections to lose such messages can
// stamp each message with both ends' incarnations at send time and drop it
// at delivery if either has changed.
func (n *Network) Incarnation(node int) int {
	n.checkNode(node)
	return n.incarnation[node]
}
