package table

import (
	"github.com/garagego/garage/node/cluster"
)

// ID numbers a table; it prefixes its storage keys and tags its messages.
type ID uint8

// Key addresses an entry: the partition key picks the partition (and so the
// nodes), the sort key orders entries within one partition key.
type Key struct {
	Partition string
	Sort      string
}

// storage keys are "t" + table id + BLAKE2b(partition key) + sort key: all
// entries of one partition key are contiguous and sorted by sort key, and
// the first hash byte is the partition.
const (
	storagePrefixLen = 2
	storageHashLen   = 32
	storageHeaderLen = storagePrefixLen + storageHashLen
)

func tablePrefix(id ID) string { return "t" + string([]byte{byte(id)}) }

// partitionHash places a partition key: BLAKE2b of it, or, for tables
// whose partition keys are already uniformly random 32-byte values (block
// hashes), the key itself — so a block's references live on the same nodes
// as the block.
func partitionHash(raw bool, partitionKey string) cluster.Hash {
	var h cluster.Hash
	if raw && len(partitionKey) == len(h) {
		copy(h[:], partitionKey)
		return h
	}
	return cluster.SumString(partitionKey)
}

// partitionPrefix is the storage prefix of every entry under one partition key.
func (t *tableState) partitionPrefix(partitionKey string) string {
	h := partitionHash(t.rawPartitionKeys, partitionKey)
	return tablePrefix(t.id) + string(h[:])
}

func (t *tableState) storageKey(k Key) string { return t.partitionPrefix(k.Partition) + k.Sort }

// partitionOfStorageKey reads the partition from a storage key.
func partitionOfStorageKey(key string) cluster.Partition {
	return cluster.Partition(key[storagePrefixLen])
}

// sortKeyOf strips the prefix and hash from a storage key.
func sortKeyOf(key string) string { return key[storageHeaderLen:] }

// validStorageKey checks a key received from a peer before it is used.
func validStorageKey(id ID, key string) bool {
	return len(key) >= storageHeaderLen && key[:storagePrefixLen] == tablePrefix(id)
}
