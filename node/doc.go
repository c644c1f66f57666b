// Package node is one storage node as a deterministic state machine.
//
// A driver — the production runtime over TCP, or the simulator — owns the
// node and feeds it every input with the node's current clock reading:
//
//	Step(now, msg)     a message from another node (or from itself)
//	Tick(now)          time passed; timeouts and background work run here
//	Submit(now, req)   a client operation, answered later by a Reply
//
// After any input the driver drains Ready and must, in this order:
//
//  1. make Ready.Records durable (append to the log; fsync per policy);
//  2. only then send Ready.Messages and deliver Ready.Replies.
//
// A replica therefore never acknowledges a write it could lose by
// crashing right after the acknowledgement, and a read never reveals data
// that could vanish with the node. Readys must be handled in the order they
// were produced.
//
// The node never reads a clock, sleeps, starts goroutines, draws global
// randomness, touches the network or the disk, or lets Go's map order
// reach an output. Capabilities (the table engine, the register map, and
// later blocks, objects, K2V, admin) are components wired in New; adding
// one does not change what a driver does.
package node
