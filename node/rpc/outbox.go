package rpc

import "github.com/garagego/garage/node/cluster"

// Outbox collects the messages a node wants sent. The node drains it into
// its Ready; the driver sends them once the records of the same Ready are
// durable.
type Outbox struct {
	self  cluster.NodeID
	msgs  []Message
	cause uint64 // stamped on every message queued (Message.Cause)
}

// NewOutbox returns an outbox for node self.
func NewOutbox(self cluster.NodeID) *Outbox { return &Outbox{self: self} }

// Self is the id of the node this outbox sends for.
func (o *Outbox) Self() cluster.NodeID { return o.self }

// Send queues a one-way message.
func (o *Outbox) Send(to cluster.NodeID, body Body) {
	o.msgs = append(o.msgs, Message{From: o.self, To: to, Body: body, Cause: o.cause})
}

// Reply queues the response to req.
func (o *Outbox) Reply(req Message, body Body) {
	o.msgs = append(o.msgs, Message{From: o.self, To: req.From, ID: req.ID, Response: true, Body: body, Cause: o.cause})
}

func (o *Outbox) request(to cluster.NodeID, id uint64, body Body) {
	o.msgs = append(o.msgs, Message{From: o.self, To: to, ID: id, Body: body, Cause: o.cause})
}

// Cause is the client request being handled, 0 if none.
func (o *Outbox) Cause() uint64 { return o.cause }

// SetCause makes cause the client request being handled and returns the
// previous one, for the caller to restore: what is queued meanwhile, and
// the calls started, carry it, and so does the handling of their
// responses (Caller). The node sets it around each input that works for a
// request; components that defer a callback themselves (disk operations)
// restore the cause it was queued under.
func (o *Outbox) SetCause(cause uint64) (prev uint64) {
	prev, o.cause = o.cause, cause
	return prev
}

// Take returns the queued messages and empties the outbox.
func (o *Outbox) Take() []Message {
	m := o.msgs
	o.msgs = nil
	return m
}

// Len is the number of queued messages.
func (o *Outbox) Len() int { return len(o.msgs) }
