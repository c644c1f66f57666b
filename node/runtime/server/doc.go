// Package server runs one node for real: the production driver of the
// deterministic node state machine.
//
// One event-loop goroutine owns the node. Everything that happens to it —
// a message from the transport, a client's operation, a timer tick, a peer
// connecting, a fresh measurement of free disk space — arrives on the loop's
// inbox and becomes one input. After each input the loop drains the node's
// Ready and hands it to the persister goroutine, which commits the records
// to the write-ahead log (one commit for every Ready waiting, so fsyncs are
// shared) and only then sends the messages and delivers the replies, in the
// order the Readys were produced. That is the node's contract: nothing
// leaves before what it depends on is durable. Snapshots of the metadata
// are written by a third goroutine from a copy-on-write clone, so neither
// the loop nor the persister waits for them.
//
// A message the transport cannot deliver (peer down, queue full) is turned
// into an error response from that peer at once, so quorum calls fail fast
// instead of waiting for their deadline.
package server
