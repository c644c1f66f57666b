package model

import (
	"github.com/garagego/garage/node/table"
)

// Tables are the model's tables on one node.
type Tables struct {
	Buckets *table.Table[Bucket]
	Keys    *table.Table[Key]
	Aliases *table.Table[Alias]
}

// Register adds the model's tables to engine.
func Register(e *table.Engine) *Tables {
	return &Tables{
		Buckets: table.Register(e, table.Schema[Bucket]{ID: BucketsTable, Name: "buckets", Decode: DecodeBucket, Replication: table.FullCopy,
			Tombstone: func(b Bucket) bool { return b.Deleted }}),
		Keys: table.Register(e, table.Schema[Key]{ID: KeysTable, Name: "keys", Decode: DecodeKey, Replication: table.FullCopy,
			Tombstone: func(k Key) bool { return k.Deleted }}),
		Aliases: table.Register(e, table.Schema[Alias]{ID: AliasesTable, Name: "aliases", Decode: DecodeAlias, Replication: table.FullCopy,
			Tombstone: func(a Alias) bool { return a.Deleted }}),
	}
}

// Entry keys: each full-copy table lives under the single partition key "",
// so one range read lists it.
func BucketKey(id BucketID) table.Key { return table.Key{Sort: id.String()} }
func KeyKey(id string) table.Key      { return table.Key{Sort: id} }
func AliasKey(name string) table.Key  { return table.Key{Sort: name} }
