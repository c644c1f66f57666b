// Package k2v is the data model of the K2V API, Garage's key-value store
// for small mutable values: items addressed by (bucket, partition key,
// sort key), each holding the values no write has yet superseded, as
// dotted version vectors.
//
// A write is coordinated by one storage node of its partition, which
// stamps its value with a counter of its own (Item.Insert); a causality
// token (Context) returned by a read names, per node, the newest stamp the
// reader saw, and a write carrying it discards exactly those values.
// Values written concurrently (neither write's token saw the other) both
// stay, as siblings. Items join as CRDTs (Item.Join), so replicas converge
// whatever order they receive writes in. The index (Index) keeps, per
// partition key, every storage node's latest counts of its items.
//
// Deterministic and free of I/O: the node's state machine and the
// simulator use it as the production runtime does.
package k2v
