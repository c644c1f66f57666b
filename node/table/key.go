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

// partitionPrefix is the storage prefix of every entry under one partition key.
func partitionPrefix(id ID, partitionKey string) string {
	h := cluster.SumString(partitionKey)
	return tablePrefix(id) + string(h[:])
}

func storageKey(id ID, k Key) string { return partitionPrefix(id, k.Partition) + k.Sort }

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
