package table

import (
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/merkle"
	"github.com/garagego/garage/node/rpc"
	"github.com/garagego/garage/node/wire"
)

// Message kinds of the table engine.
const (
	KindUpdate        rpc.Kind = 0x0101
	KindAck           rpc.Kind = 0x0102
	KindRead          rpc.Kind = 0x0103
	KindEntries       rpc.Kind = 0x0104
	KindReadRange     rpc.Kind = 0x0105
	KindSyncRoot      rpc.Kind = 0x0106
	KindSyncLeafs     rpc.Kind = 0x0107
	KindSyncItems     rpc.Kind = 0x0108
	KindSyncDiff      rpc.Kind = 0x0109
	KindSyncRoots     rpc.Kind = 0x010a
	KindSyncDiffering rpc.Kind = 0x010b
	KindGCDelete      rpc.Kind = 0x010c
)

func init() {
	rpc.Register(KindUpdate, "TableUpdate", func(d *wire.Decoder) rpc.Body { return decodeUpdate(d) })
	rpc.Register(KindAck, "TableAck", func(d *wire.Decoder) rpc.Body { return Ack{} })
	rpc.Register(KindRead, "TableRead", func(d *wire.Decoder) rpc.Body { return Read{Table: ID(d.Uint8()), Key: d.String()} })
	rpc.Register(KindEntries, "TableEntries", func(d *wire.Decoder) rpc.Body { return decodeEntries(d) })
	rpc.Register(KindReadRange, "TableReadRange", func(d *wire.Decoder) rpc.Body { return decodeReadRange(d) })
	rpc.Register(KindSyncRoot, "TableSyncRoot", func(d *wire.Decoder) rpc.Body { return decodeSyncRoot(d) })
	rpc.Register(KindSyncLeafs, "TableSyncLeaves", func(d *wire.Decoder) rpc.Body { return decodeSyncLeaves(d) })
	rpc.Register(KindSyncItems, "TableSyncItems", func(d *wire.Decoder) rpc.Body { return decodeSyncItems(d) })
	rpc.Register(KindSyncDiff, "TableSyncDiff", func(d *wire.Decoder) rpc.Body { return decodeSyncDiff(d) })
	rpc.Register(KindSyncRoots, "TableSyncRoots", func(d *wire.Decoder) rpc.Body { return decodeSyncRoots(d) })
	rpc.Register(KindSyncDiffering, "TableSyncDiffering", func(d *wire.Decoder) rpc.Body { return decodeSyncDiffering(d) })
	rpc.Register(KindGCDelete, "TableGCDelete", func(d *wire.Decoder) rpc.Body { return decodeGCDelete(d) })
}

// GCDelete asks a holder to forget the tombstones a collector found on
// every holder: each entry whose value still hashes to ValueHash.
type GCDelete struct {
	Table ID
	Items []merkle.Item
}

func (GCDelete) Kind() rpc.Kind { return KindGCDelete }
func (b GCDelete) Encode(e *wire.Encoder) {
	e.Uint8(uint8(b.Table))
	e.Uvarint(uint64(len(b.Items)))
	for _, it := range b.Items {
		e.String(it.Key)
		e.Raw(it.ValueHash[:])
	}
}
func decodeGCDelete(d *wire.Decoder) GCDelete {
	b := GCDelete{Table: ID(d.Uint8())}
	n := d.Len(33)
	b.Items = make([]merkle.Item, 0, n)
	for range n {
		it := merkle.Item{Key: d.String()}
		d.Fixed(it.ValueHash[:])
		b.Items = append(b.Items, it)
	}
	return b
}

// KV is an entry as stored: its storage key and encoded value.
type KV struct {
	Key   string
	Value []byte
}

func encodeKVs(e *wire.Encoder, kvs []KV) {
	e.Uvarint(uint64(len(kvs)))
	for _, kv := range kvs {
		e.String(kv.Key)
		e.BytesField(kv.Value)
	}
}

func decodeKVs(d *wire.Decoder) []KV {
	n := d.Len(2)
	kvs := make([]KV, 0, n)
	for range n {
		kvs = append(kvs, KV{Key: d.String(), Value: d.BytesField()})
	}
	return kvs
}

// Update asks a replica to join entries into its copy; it answers Ack once
// they are durable.
type Update struct {
	Table   ID
	Entries []KV
}

func (Update) Kind() rpc.Kind { return KindUpdate }
func (b Update) Encode(e *wire.Encoder) {
	e.Uint8(uint8(b.Table))
	encodeKVs(e, b.Entries)
}
func decodeUpdate(d *wire.Decoder) Update { return Update{Table: ID(d.Uint8()), Entries: decodeKVs(d)} }

// Ack confirms an Update.
type Ack struct{}

func (Ack) Kind() rpc.Kind         { return KindAck }
func (Ack) Encode(e *wire.Encoder) {}

// Read asks a replica for one entry.
type Read struct {
	Table ID
	Key   string
}

func (Read) Kind() rpc.Kind { return KindRead }
func (b Read) Encode(e *wire.Encoder) {
	e.Uint8(uint8(b.Table))
	e.String(b.Key)
}

// ReadRange asks a replica for the entries of one partition key whose sort
// keys lie in [Start, End) (End "" = unbounded), tombstones included, at
// most Limit of them. With Reverse, the keys lie in (End, Start] (Start ""
// = unbounded) and come in descending order.
type ReadRange struct {
	Table        ID
	PartitionKey string
	Start, End   string
	Limit        int
	Reverse      bool
}

func (ReadRange) Kind() rpc.Kind { return KindReadRange }
func (b ReadRange) Encode(e *wire.Encoder) {
	e.Uint8(uint8(b.Table))
	e.String(b.PartitionKey)
	e.String(b.Start)
	e.String(b.End)
	e.Uvarint(uint64(b.Limit))
	e.Bool(b.Reverse)
}
func decodeReadRange(d *wire.Decoder) ReadRange {
	return ReadRange{Table: ID(d.Uint8()), PartitionKey: d.String(), Start: d.String(), End: d.String(), Limit: int(d.Uvarint()), Reverse: d.Bool()}
}

// Entries answers Read and ReadRange. Full reports that a range read
// stopped at its limit, so keys after the last one were not looked at.
type Entries struct {
	Entries []KV
	Full    bool
}

func (Entries) Kind() rpc.Kind { return KindEntries }
func (b Entries) Encode(e *wire.Encoder) {
	encodeKVs(e, b.Entries)
	e.Bool(b.Full)
}
func decodeEntries(d *wire.Decoder) Entries { return Entries{Entries: decodeKVs(d), Full: d.Bool()} }

// SyncRoot opens an anti-entropy exchange: the sender's Merkle root for one
// partition of one table.
type SyncRoot struct {
	Table     ID
	Partition cluster.Partition
	Root      cluster.Hash
}

func (SyncRoot) Kind() rpc.Kind { return KindSyncRoot }
func (b SyncRoot) Encode(e *wire.Encoder) {
	e.Uint8(uint8(b.Table))
	e.Uint8(uint8(b.Partition))
	e.Raw(b.Root[:])
}
func decodeSyncRoot(d *wire.Decoder) SyncRoot {
	b := SyncRoot{Table: ID(d.Uint8()), Partition: cluster.Partition(d.Uint8())}
	d.Fixed(b.Root[:])
	return b
}

// SyncLeaves answers SyncRoot: nil Digests when the roots match, else the
// responder's 256 leaf digests.
type SyncLeaves struct {
	Digests []cluster.Hash
}

func (SyncLeaves) Kind() rpc.Kind { return KindSyncLeafs }
func (b SyncLeaves) Encode(e *wire.Encoder) {
	e.Uvarint(uint64(len(b.Digests)))
	for _, h := range b.Digests {
		e.Raw(h[:])
	}
}
func decodeSyncLeaves(d *wire.Decoder) SyncLeaves {
	n := d.Len(32)
	if n != 0 && n != merkle.Leaves {
		d.Failf("sync leaves: %d digests, want 0 or %d", n, merkle.Leaves)
		return SyncLeaves{}
	}
	b := SyncLeaves{Digests: make([]cluster.Hash, n)}
	for i := range b.Digests {
		d.Fixed(b.Digests[i][:])
	}
	return b
}

// LeafItems is what one side holds in one Merkle leaf.
type LeafItems struct {
	Leaf  uint8
	Items []merkle.Item
}

// SyncItems sends the sender's items of the leaves that differ.
type SyncItems struct {
	Table     ID
	Partition cluster.Partition
	Leaves    []LeafItems
}

func (SyncItems) Kind() rpc.Kind { return KindSyncItems }
func (b SyncItems) Encode(e *wire.Encoder) {
	e.Uint8(uint8(b.Table))
	e.Uint8(uint8(b.Partition))
	e.Uvarint(uint64(len(b.Leaves)))
	for _, l := range b.Leaves {
		e.Uint8(l.Leaf)
		e.Uvarint(uint64(len(l.Items)))
		for _, it := range l.Items {
			e.String(it.Key)
			e.Raw(it.ValueHash[:])
		}
	}
}
func decodeSyncItems(d *wire.Decoder) SyncItems {
	b := SyncItems{Table: ID(d.Uint8()), Partition: cluster.Partition(d.Uint8())}
	n := d.Len(2)
	for range n {
		l := LeafItems{Leaf: d.Uint8()}
		m := d.Len(33)
		for range m {
			it := merkle.Item{Key: d.String()}
			d.Fixed(it.ValueHash[:])
			l.Items = append(l.Items, it)
		}
		b.Leaves = append(b.Leaves, l)
	}
	return b
}

// SyncDiff answers SyncItems: the entries the responder has that the
// sender lacks or holds differently, and the keys it wants in return.
type SyncDiff struct {
	Push []KV
	Want []string
}

func (SyncDiff) Kind() rpc.Kind { return KindSyncDiff }
func (b SyncDiff) Encode(e *wire.Encoder) {
	encodeKVs(e, b.Push)
	e.Uvarint(uint64(len(b.Want)))
	for _, k := range b.Want {
		e.String(k)
	}
}
func decodeSyncDiff(d *wire.Decoder) SyncDiff {
	b := SyncDiff{Push: decodeKVs(d)}
	n := d.Len(1)
	for range n {
		b.Want = append(b.Want, d.String())
	}
	return b
}

// PartitionRoot is one partition's Merkle root.
type PartitionRoot struct {
	Partition cluster.Partition
	Root      cluster.Hash
}

// SyncRoots opens a sync pass with a peer: the sender's roots of every
// partition of one table that both store.
type SyncRoots struct {
	Table ID
	Roots []PartitionRoot
}

func (SyncRoots) Kind() rpc.Kind { return KindSyncRoots }
func (b SyncRoots) Encode(e *wire.Encoder) {
	e.Uint8(uint8(b.Table))
	e.Uvarint(uint64(len(b.Roots)))
	for _, r := range b.Roots {
		e.Uint8(uint8(r.Partition))
		e.Raw(r.Root[:])
	}
}
func decodeSyncRoots(d *wire.Decoder) SyncRoots {
	b := SyncRoots{Table: ID(d.Uint8())}
	n := d.Len(33)
	if n > cluster.NumPartitions {
		d.Failf("sync roots: %d partitions", n)
		return SyncRoots{}
	}
	for range n {
		r := PartitionRoot{Partition: cluster.Partition(d.Uint8())}
		d.Fixed(r.Root[:])
		b.Roots = append(b.Roots, r)
	}
	return b
}

// SyncDiffering answers SyncRoots with the partitions whose roots differ.
type SyncDiffering struct {
	Partitions []cluster.Partition
}

func (SyncDiffering) Kind() rpc.Kind { return KindSyncDiffering }
func (b SyncDiffering) Encode(e *wire.Encoder) {
	e.Uvarint(uint64(len(b.Partitions)))
	for _, p := range b.Partitions {
		e.Uint8(uint8(p))
	}
}
func decodeSyncDiffering(d *wire.Decoder) SyncDiffering {
	n := d.Len(1)
	if n > cluster.NumPartitions {
		d.Failf("sync differing: %d partitions", n)
		return SyncDiffering{}
	}
	b := SyncDiffering{Partitions: make([]cluster.Partition, n)}
	for i := range b.Partitions {
		b.Partitions[i] = cluster.Partition(d.Uint8())
	}
	return b
}
