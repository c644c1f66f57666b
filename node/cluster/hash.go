package cluster

import (
	"encoding/hex"

	"golang.org/x/crypto/blake2b"
)

// Hash is a 32-byte BLAKE2b digest. It places partition keys and blocks on
// partitions and identifies entries in Merkle trees.
type Hash [32]byte

// Sum hashes data with BLAKE2b-256.
func Sum(data []byte) Hash { return blake2b.Sum256(data) }

// SumString hashes s without copying it to a byte slice twice.
func SumString(s string) Hash { return blake2b.Sum256([]byte(s)) }

// Partition is the partition a hash falls in: its first byte.
func (h Hash) Partition() Partition { return Partition(h[0]) }

// String shows the hash in hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// Partition numbers the 256 slices of the hash ring.
type Partition uint8

// NumPartitions is fixed: the first byte of a hash picks the partition.
const NumPartitions = 256
