// Package table is the replicated CRDT table engine: every piece of
// metadata (the LWW maps of the simulator's workloads today; objects,
// versions, block references, buckets and keys as they land) is an entry in
// a table, addressed by a partition key and a sort key.
//
// An entry lives on the nodes that the layout assigns to the partition its
// partition key hashes to. Any node coordinates a client's operation:
//
//   - Insert sends the entry to every node of every live layout version's set
//     for that partition and succeeds once each set acknowledged it with a
//     write quorum. Replicas join the entry into what they hold and persist
//     the result before acknowledging (the node's Ready contract).
//   - Get and Range ask the read set (the newest fully synced version), wait
//     for a read quorum and join the answers, so they see every write
//     acknowledged before they began: a read quorum and a write quorum of
//     one set always share a node. With repair-on-read, a read that saw
//     replicas disagree first writes the joined value back to a write quorum,
//     which makes reads monotonic.
//   - Anti-entropy: each node walks its partitions, compares a Merkle root
//     with every other holder and exchanges only the entries of differing
//     leaves, so replicas converge after a partition heals or a node returns.
//
// Deterministic core: state changes happen only in the calls of a node's
// Step or Tick, and every effect goes out through the meta store's records
// and the rpc outbox.
package table
