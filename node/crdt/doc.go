// Package crdt holds the conflict-free replicated data types that every
// table entry is built from. Each type has a Join that is commutative,
// associative and idempotent, so replicas that have seen the same writes in
// any order and any number of times hold equal values — and, because every
// type encodes canonically, byte-identical ones, which the Merkle trees need.
//
// Types: Register (last-writer-wins with tombstones, ordered by Stamp), Max,
// Counter (per-node maxima, summed), and Map (a sorted map of registers).
// Causal multi-value registers for K2V will join this package.
package crdt
