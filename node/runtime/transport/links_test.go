package transport

import (
	"testing"

	"github.com/garagego/garage/node/cluster"
)

// TestDuplicateRuleAgreesOnBothEnds checks the tie-break each end applies
// on its own: both must pick the same connection of a simultaneous dial.
func TestDuplicateRuleAgreesOnBothEnds(t *testing.T) {
	small, large := NewEphemeralIdentity().ID, NewEphemeralIdentity().ID
	if small.Compare(large) > 0 {
		small, large = large, small
	}
	winnerDialer := func(self, peer cluster.NodeID, oursFirst bool) cluster.NodeID {
		tr := &Transport{id: self}
		ours := &conn{t: tr, peer: peer, dialedBySelf: true}
		theirs := &conn{t: tr, peer: peer}
		// Registration order differs between runs; the verdict must not.
		if oursFirst {
			ours.seq, theirs.seq = 1, 2
		} else {
			ours.seq, theirs.seq = 2, 1
		}
		if ours.beats(theirs) == theirs.beats(ours) {
			t.Fatal("beats is not antisymmetric")
		}
		if ours.beats(theirs) {
			return ours.dialer()
		}
		return theirs.dialer()
	}
	for _, oursFirst := range []bool{true, false} {
		if got := winnerDialer(small, large, oursFirst); got != small {
			t.Errorf("smaller end keeps the connection dialled by %s, want %s", got, small)
		}
		if got := winnerDialer(large, small, oursFirst); got != small {
			t.Errorf("larger end keeps the connection dialled by %s, want %s", got, small)
		}
	}

	// Between two connections dialled by the same side, the newer wins.
	tr := &Transport{id: small}
	older := &conn{t: tr, peer: large, dialedBySelf: true, seq: 1}
	newer := &conn{t: tr, peer: large, dialedBySelf: true, seq: 2}
	if !newer.beats(older) || older.beats(newer) {
		t.Error("the older of two connections from the same dialer won")
	}
}
