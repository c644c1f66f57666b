// Package layout describes where data lives: which nodes exist, with which
// zone and capacity, and which n of them hold each of the 256 partitions.
//
// A Version is one such assignment, numbered. A History holds every Version
// that is still live: during a layout change, writes go to the write quorums
// of every live version and reads go to the newest version whose data is
// known to be fully synced, which is what keeps read-after-write true while
// partitions move. Per-node trackers (ack, sync, sync-ack) record how far
// each node has come and decide when an old version can retire.
//
// Deterministic core: pure data and pure functions.
package layout
