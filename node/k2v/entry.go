package k2v

import (
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/table"
	"github.com/garagego/garage/node/wire"
)

// Table ids of K2V's tables.
const (
	ItemsTable table.ID = 20
	IndexTable table.ID = 21
)

// entry is an item as the item table stores it: with its address, so the
// hooks that run on every replica know which polls and which counts a
// change touches (the table's storage key holds only a hash of the
// partition key).
type entry struct {
	Bucket    model.BucketID
	Partition string
	Sort      string
	Item      Item
}

func (e entry) Join(o entry) entry {
	e.Item = e.Item.Join(o.Item)
	return e
}

func (e entry) Encode(enc *wire.Encoder) {
	enc.Raw(e.Bucket[:])
	enc.String(e.Partition)
	enc.String(e.Sort)
	e.Item.Encode(enc)
}

func decodeEntry(d *wire.Decoder) entry {
	var e entry
	d.Fixed(e.Bucket[:])
	e.Partition = d.String()
	e.Sort = d.String()
	e.Item = DecodeItem(d)
	return e
}

// itemKey places an item: the partition key is the bucket id followed by
// the K2V partition key (the id has a fixed length, so the pair is
// unambiguous), hashed by the table, so all items of one partition key sit
// on the same nodes, sorted by sort key.
func itemKey(bucket model.BucketID, partition, sort string) table.Key {
	return table.Key{Partition: itemPartition(bucket, partition), Sort: sort}
}

func itemPartition(bucket model.BucketID, partition string) string {
	return string(bucket[:]) + partition
}

// indexKey places a partition key's counts: under the bucket, sorted by
// partition key, so ReadIndex is one range read.
func indexKey(bucket model.BucketID, partition string) table.Key {
	return table.Key{Partition: string(bucket[:]), Sort: partition}
}
