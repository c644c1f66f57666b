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
		Buckets: table.Register(e, table.Schema[Bucket]{ID: BucketsTable, Name: "buckets", Decode: DecodeBucket, Replication: table.FullCopy}),
		Keys:    table.Register(e, table.Schema[Key]{ID: KeysTable, Name: "keys", Decode: DecodeKey, Replication: table.FullCopy}),
		Aliases: table.Register(e, table.Schema[Alias]{ID: AliasesTable, Name: "aliases", Decode: DecodeAlias, Replication: table.FullCopy}),
	}
}

// Entry keys: each full-copy table lives under the single partition key "",
// so one range read lists it.
func BucketKey(id BucketID) table.Key { return table.Key{Sort: id.String()} }
func KeyKey(id string) table.Key      { return table.Key{Sort: id} }
func AliasKey(name string) table.Key  { return table.Key{Sort: name} }
