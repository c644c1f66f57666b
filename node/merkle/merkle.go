// Package merkle summarises the entries of one partition of one table so two
// replicas can find their differences cheaply: equal roots mean equal
// entries; otherwise comparing the 256 leaf digests narrows the difference
// to the few leaves worth exchanging item by item.
//
// A Tree is a fixed hash tree. Each entry lands in one of 256 leaves by a
// hash of its key; a leaf's digest is BLAKE2b over its items in key order;
// 16 groups of 16 leaves each hash their leaf digests, and the root hashes
// the 16 group digests. Digests are recomputed lazily, only along the paths
// of leaves changed since they were last read, so an insert costs a binary
// search and a slice insert, and a root after one change hashes 1 KiB.
//
// Deterministic core.
package merkle

import (
	"hash/fnv"
	"slices"
	"strings"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/wire"
	"golang.org/x/crypto/blake2b"
)

// Leaves is the number of leaves under a root.
const Leaves = 256

const groupSize = 16 // leaves per group; Leaves/groupSize groups

// Item is what a tree knows of one entry: its key and the hash of its
// encoded value.
type Item struct {
	Key       string
	ValueHash cluster.Hash
}

// Tree summarises one partition of one table.
type Tree struct {
	leaves     [Leaves]*leaf
	groups     [Leaves / groupSize]cluster.Hash
	dirtyGroup uint16 // bit g: group g must be rehashed
	root       cluster.Hash
	rootDirty  bool
	count      int
}

type leaf struct {
	items  []Item // sorted by Key
	digest cluster.Hash
	dirty  bool
}

// LeafOf picks the leaf of a key. It only needs to spread keys, not resist
// attack, so a fast non-cryptographic hash does.
func LeafOf(key string) uint8 {
	h := fnv.New32a()
	h.Write([]byte(key))
	s := h.Sum32()
	return uint8(s ^ s>>8 ^ s>>16 ^ s>>24)
}

// Set records that key now has the value hashing to valueHash.
func (t *Tree) Set(key string, valueHash cluster.Hash) {
	li := LeafOf(key)
	l := t.leaves[li]
	if l == nil {
		l = &leaf{}
		t.leaves[li] = l
	}
	i, found := slices.BinarySearchFunc(l.items, key, compareItemKey)
	if found {
		if l.items[i].ValueHash == valueHash {
			return
		}
		l.items[i].ValueHash = valueHash
	} else {
		l.items = slices.Insert(l.items, i, Item{Key: key, ValueHash: valueHash})
		t.count++
	}
	t.touch(li)
}

// touch marks leaf li and its path to the root for rehashing.
func (t *Tree) touch(li uint8) {
	t.leaves[li].dirty = true
	t.dirtyGroup |= 1 << (li / groupSize)
	t.rootDirty = true
}

// Remove forgets key.
func (t *Tree) Remove(key string) {
	l := t.leaves[LeafOf(key)]
	if l == nil {
		return
	}
	i, found := slices.BinarySearchFunc(l.items, key, compareItemKey)
	if !found {
		return
	}
	l.items = slices.Delete(l.items, i, i+1)
	t.touch(LeafOf(key))
	t.count--
}

// Len is the number of items.
func (t *Tree) Len() int { return t.count }

// Root is the digest of the whole tree; the zero hash for an empty tree.
func (t *Tree) Root() cluster.Hash {
	if !t.rootDirty {
		return t.root
	}
	t.rootDirty = false
	if t.count == 0 {
		t.root = cluster.Hash{}
		return t.root
	}
	var buf [len(t.groups) * 32]byte
	for g := range t.groups {
		if t.dirtyGroup&(1<<g) != 0 {
			t.groups[g] = t.hashGroup(g)
		}
		copy(buf[g*32:], t.groups[g][:])
	}
	t.dirtyGroup = 0
	t.root = blake2b.Sum256(buf[:])
	return t.root
}

// hashGroup digests group g's leaf digests; a group with no items is the
// zero hash, as it is before any item ever landed in it, so that a tree
// emptied of some keys has the root of one that never held them.
func (t *Tree) hashGroup(g int) cluster.Hash {
	var buf [groupSize * 32]byte
	empty := true
	for i := range groupSize {
		d := t.LeafDigest(uint8(g*groupSize + i))
		empty = empty && d == cluster.Hash{}
		copy(buf[i*32:], d[:])
	}
	if empty {
		return cluster.Hash{}
	}
	return blake2b.Sum256(buf[:])
}

// LeafDigest is the digest of leaf i; the zero hash when it is empty.
func (t *Tree) LeafDigest(i uint8) cluster.Hash {
	l := t.leaves[i]
	if l == nil || len(l.items) == 0 {
		return cluster.Hash{}
	}
	if l.dirty {
		e := wire.NewEncoder(make([]byte, 0, 64*len(l.items)))
		for _, it := range l.items {
			e.String(it.Key)
			e.Raw(it.ValueHash[:])
		}
		l.digest = cluster.Sum(e.Bytes())
		l.dirty = false
	}
	return l.digest
}

// LeafDigests returns every leaf digest, in leaf order.
func (t *Tree) LeafDigests() []cluster.Hash {
	out := make([]cluster.Hash, Leaves)
	for i := range out {
		out[i] = t.LeafDigest(uint8(i))
	}
	return out
}

// LeafItems returns the items of leaf i in key order. The slice is the
// tree's own; callers must not modify it or keep it across updates.
func (t *Tree) LeafItems(i uint8) []Item {
	if l := t.leaves[i]; l != nil {
		return l.items
	}
	return nil
}

func compareItemKey(it Item, key string) int { return strings.Compare(it.Key, key) }
