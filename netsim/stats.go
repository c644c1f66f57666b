package netsim

import "fmt"

// Stats counts what the network has done since New. Sent, Bytes, Lost,
// Duplicated and BlockedAtSend count messages; the other fields count
// copies, of which a message has up to two.
type Stats struct {
	Sent  int64 // calls to Send
	Bytes int64 // payload bytes passed to Send

	Scheduled  int64 // copies returned by Send, loopback included
	Lost       int64 // messages dropped by link loss
	Duplicated int64 // messages that got a second copy
	Reordered  int64 // copies held back by a reordering delay

	BlockedAtSend     int64 // messages refused by Send: node down, partition or cut
	BlockedAtDelivery int64 // copies refused by Deliver for the same reasons
	Delivered         int64 // copies accepted by Deliver
}

// Stats returns the counters so far.
func (n *Network) Stats() Stats { return n.stats }

// Blocked is the number of messages and copies stopped by faults, at send
// or at delivery.
func (s Stats) Blocked() int64 { return s.BlockedAtSend + s.BlockedAtDelivery }

func (s Stats) String() string {
	return fmt.Sprintf(
		"sent=%d bytes=%d scheduled=%d delivered=%d lost=%d duplicated=%d reordered=%d blocked-at-send=%d blocked-at-delivery=%d",
		s.Sent, s.Bytes, s.Scheduled, s.Delivered, s.Lost, s.Duplicated, s.Reordered, s.BlockedAtSend, s.BlockedAtDelivery)
}
