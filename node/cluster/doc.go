// Package cluster holds the vocabulary every node package shares: node
// identities, the node-local clock value that drivers pass in, and the hash
// that places keys and blocks on partitions.
//
// It is part of the deterministic core: nothing here reads a clock, draws
// randomness or touches the operating system.
package cluster
