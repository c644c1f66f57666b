package rpc

import "github.com/garagego/garage/node/cluster"

// Outbox collects the messages a node wants sent. The node drains it into
// its Ready; the driver sends them once the records of the same Ready are
// durable.
type Outbox struct {
	self cluster.NodeID
	msgs []Message
}

// NewOutbox returns an outbox for node self.
func NewOutbox(self cluster.NodeID) *Outbox { return &Outbox{self: self} }

// Self is the id of the node this outbox sends for.
func (o *Outbox) Self() cluster.NodeID { return o.self }

// Send queues a one-way message.
func (o *Outbox) Send(to cluster.NodeID, body Body) {
	o.msgs = append(o.msgs, Message{From: o.self, To: to, Body: body})
}

// Reply queues the response to req.
func (o *Outbox) Reply(req Message, body Body) {
	o.msgs = append(o.msgs, Message{From: o.self, To: req.From, ID: req.ID, Response: true, Body: body})
}

func (o *Outbox) request(to cluster.NodeID, id uint64, body Body) {
	o.msgs = append(o.msgs, Message{From: o.self, To: to, ID: id, Body: body})
}

// Take returns the queued messages and empties the outbox.
func (o *Outbox) Take() []Message {
	m := o.msgs
	o.msgs = nil
	return m
}

// Len is the number of queued messages.
func (o *Outbox) Len() int { return len(o.msgs) }
