// Package rpc is how node logic talks to other nodes: typed message bodies
// with a registry for decoding them off the wire, the Message envelope, and
// quorum calls — send one request to the node sets of every live layout
// version, complete once each set gave a quorum of successes, fail fast when
// a set can no longer reach it, and fail on a deadline.
//
// Nothing here sends anything: outgoing messages accumulate in an Outbox that
// the node hands to its driver. Deterministic core.
//
// Kind ranges: 0x00xx rpc itself, 0x01xx tables, 0x02xx layout and
// membership, 0x03xx blocks, 0x04xx objects, 0x05xx K2V, 0x06xx admin.
package rpc
