package crdt

import (
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/wire"
)

// Stamp orders writes: a millisecond timestamp, then the id of the node that
// assigned it, so that two writes never tie unless one node issued both.
type Stamp struct {
	TS   uint64
	Node cluster.NodeID
}

// Compare orders stamps by timestamp, then node id.
func (s Stamp) Compare(o Stamp) int {
	switch {
	case s.TS < o.TS:
		return -1
	case s.TS > o.TS:
		return 1
	}
	return s.Node.Compare(o.Node)
}

// IsZero reports whether s is the stamp of a register never written.
func (s Stamp) IsZero() bool { return s == Stamp{} }

// Encode writes s.
func (s Stamp) Encode(e *wire.Encoder) {
	e.Uvarint(s.TS)
	e.Raw(s.Node[:])
}

// DecodeStamp reads a Stamp.
func DecodeStamp(d *wire.Decoder) Stamp {
	var s Stamp
	s.TS = d.Uvarint()
	d.Fixed(s.Node[:])
	return s
}

// NextTS is the timestamp a coordinator gives a new write: its clock, unless
// the newest write it has seen is ahead of that clock, in which case one
// past it. This keeps a later write ordered after an earlier acknowledged one
// even when the two coordinators' clocks disagree (Garage's fix for the
// clock-skew anomaly found by Jepsen).
func NextTS(nowMillis uint64, newestSeen Stamp) uint64 {
	if newestSeen.TS >= nowMillis {
		return newestSeen.TS + 1
	}
	return nowMillis
}
