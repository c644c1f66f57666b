// Package checker decides whether a recorded client history of the store is
// correct.
//
// The store is a map of last-writer-wins registers addressed by (partition
// key, sort key). It uses read and write quorums, not consensus, so it is not
// linearizable: a read may miss a write that was still in flight, and two
// reads may disagree about such a write. What the store does promise is
// weaker and is checked here, per key, from the history the simulator
// records (global event sequence numbers for Call and Return, the version
// stamp the store assigned to each write, and what each read returned):
//
//   - well-formed: the history itself is usable (unique IDs, Call < Return,
//     stamps present where the store must have assigned one). Everything
//     else trusts this.
//   - read-after-write (P1): a read returns a stamp at least as large as
//     that of every write acknowledged before the read was called. This is
//     the quorum-intersection guarantee. It is checked by an O(n log n)
//     sweep and, for cross-checking and HTML visualisation, by the exact
//     "floor" porcupine model (state = largest stamp linearised so far).
//   - no-phantom (P2): every value a Get or Range returned was written to
//     that key by a Put that had started by then and did not fail, with the
//     stamp that Put was given; a tombstone stamp comes from a Delete.
//   - write-order (P3): a write that starts after another one was
//     acknowledged gets a larger stamp. Without it a clock-skewed gateway
//     can make a newer write lose to an older one.
//   - listing: a Range must contain every key whose newest acknowledged
//     write before the Range began is a Put (unless a Delete may have
//     removed it since), must not return anything older than that write,
//     and must respect its own bounds, order and limit. Range entries are
//     also subject to no-phantom, reported under that property.
//   - versions-listed and version-read, over a versioned store's history
//     (writes carrying the id of the version they create; DeleteVersion,
//     Get by version id and ListVersions naming versions): every version
//     acknowledged is listed until it is deleted by id and never after,
//     each as written; a read by id returns exactly that version, or
//     nothing once it is deleted by id. In such a history read-after-write
//     and listing leave out the versions a deletion by id may have removed
//     (the newest version not deleted is current) and report a deleted
//     version that comes back. See versions.go.
//   - convergence (P5): after healing and quiescence, all replicas of a
//     partition hold exactly the same (key, stamp) set. It is checked from
//     replica snapshots with CheckConvergence, not from the history.
//
// A Put marked Copy writes again a value another Put wrote (an object
// copied to another key); it is checked like any Put of that value on its
// key.
//
// Writes whose outcome is unknown (timeouts, crashes) may or may not have
// taken effect: they can explain what a read saw, but never oblige a read to
// see them. Failed writes had no effect and explain nothing.
//
// Stamps are opaque, byte-wise comparable strings; "" is the initial state
// and compares below every real stamp.
//
// The package is deterministic: violations come out in a fixed order
// (grouped by property; within one, by key and then by operation, except
// listing, which goes by Range and then key), so a report is byte-identical
// for the same history. It reads no clock, draws no random numbers, starts
// no goroutines and does no I/O of its own (porcupine, which Visualize calls,
// runs its own goroutines and timeout); HTML goes to the io.Writer given to
// Visualize.
package checker
