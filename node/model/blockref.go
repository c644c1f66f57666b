package model

import (
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/table"
	"github.com/garagego/garage/node/wire"
)

// BlockRefKey addresses a block reference. The partition key is the block's
// raw hash, which the table (registered with RawPartitionKeys) uses as its
// own placement: a block's references live on the nodes that store the
// block, and its reference count is kept locally from them.
func BlockRefKey(block cluster.Hash, version VersionID) table.Key {
	return table.Key{Partition: string(block[:]), Sort: version.String()}
}

// BlockRef is the entry of the block references table: version Version uses
// block Block. A block is deleted once no live reference is left.
type BlockRef struct {
	Block   cluster.Hash
	Version VersionID
	// Deleted is final: it wins every join.
	Deleted bool
}

// Join merges two states of one reference.
func (r BlockRef) Join(o BlockRef) BlockRef {
	return BlockRef{Block: r.Block, Version: r.Version, Deleted: r.Deleted || o.Deleted}
}

// Encode writes r.
func (r BlockRef) Encode(e *wire.Encoder) {
	e.Raw(r.Block[:])
	e.Raw(r.Version[:])
	e.Bool(r.Deleted)
}

// DecodeBlockRef reads a BlockRef.
func DecodeBlockRef(d *wire.Decoder) BlockRef {
	var r BlockRef
	d.Fixed(r.Block[:])
	d.Fixed(r.Version[:])
	r.Deleted = d.Bool()
	return r
}
