// Package admin is the operator's view of a node: cluster status, layout
// staging and application, access keys and buckets. Each operation is a
// small state machine over quorum reads and writes of the model's tables
// (or a change of the gossiped layout), run by whichever node the operator's
// CLI reached; the results are plain structs that the runtime serialises.
//
// Operations that need randomness (a new key's id and secret, a new
// bucket's id) receive it in the operation: the node never draws it.
//
// Deterministic core.
package admin
