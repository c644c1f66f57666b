// Package model holds the object store's metadata entries and the tables
// that replicate them: buckets, access keys and global bucket aliases today;
// objects, versions, block references and multipart uploads as they land.
//
// Buckets, keys and aliases are full-copy tables (every node holds them all),
// each under a single partition key so that one range read lists a table
// with a read quorum. Each entry is a CRDT built from the registers and maps
// of package crdt; a deletion is permanent (deleted wins every join), so a
// late update can never resurrect a deleted bucket or key.
//
// Deterministic core.
package model
