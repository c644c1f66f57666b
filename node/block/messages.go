package block

import (
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/rpc"
	"github.com/garagego/garage/node/wire"
)

// Message kinds of the block manager.
const (
	KindPutBlock  rpc.Kind = 0x0301
	KindBlockAck  rpc.Kind = 0x0302
	KindGetBlock  rpc.Kind = 0x0303
	KindBlockData rpc.Kind = 0x0304
	KindNeedBlock rpc.Kind = 0x0305
	KindNeed      rpc.Kind = 0x0306
)

func init() {
	rpc.Register(KindPutBlock, "PutBlock", func(d *wire.Decoder) rpc.Body {
		b := PutBlock{}
		d.Fixed(b.Hash[:])
		b.Compressed = d.Bool()
		b.Data = d.BytesField()
		return b
	})
	rpc.Register(KindBlockAck, "BlockAck", func(d *wire.Decoder) rpc.Body { return BlockAck{} })
	rpc.Register(KindGetBlock, "GetBlock", func(d *wire.Decoder) rpc.Body {
		b := GetBlock{}
		d.Fixed(b.Hash[:])
		return b
	})
	rpc.Register(KindNeedBlock, "NeedBlock", func(d *wire.Decoder) rpc.Body {
		b := NeedBlock{}
		d.Fixed(b.Hash[:])
		return b
	})
	rpc.Register(KindNeed, "Need", func(d *wire.Decoder) rpc.Body { return Need{Referenced: d.Bool(), Missing: d.Bool()} })
	rpc.Register(KindBlockData, "BlockData", func(d *wire.Decoder) rpc.Body {
		b := BlockData{Compressed: d.Bool()}
		b.Data = d.BytesField()
		return b
	})
}

// PutBlock asks a holder to store a block; it answers BlockAck once the
// block is on its disk.
type PutBlock struct {
	Hash       cluster.Hash
	Compressed bool
	Data       []byte
}

func (PutBlock) Kind() rpc.Kind { return KindPutBlock }
func (b PutBlock) Encode(e *wire.Encoder) {
	e.Raw(b.Hash[:])
	e.Bool(b.Compressed)
	e.BytesField(b.Data)
}

// BlockAck confirms a PutBlock.
type BlockAck struct{}

func (BlockAck) Kind() rpc.Kind         { return KindBlockAck }
func (BlockAck) Encode(e *wire.Encoder) {}

// GetBlock asks a holder for a block.
type GetBlock struct{ Hash cluster.Hash }

func (GetBlock) Kind() rpc.Kind           { return KindGetBlock }
func (b GetBlock) Encode(e *wire.Encoder) { e.Raw(b.Hash[:]) }

// BlockData answers GetBlock.
type BlockData struct {
	Compressed bool
	Data       []byte
}

func (BlockData) Kind() rpc.Kind { return KindBlockData }
func (b BlockData) Encode(e *wire.Encoder) {
	e.Bool(b.Compressed)
	e.BytesField(b.Data)
}

// NeedBlock asks another holder, before this node drops a block, whether
// it counts references to the block, and whether it lacks it.
type NeedBlock struct{ Hash cluster.Hash }

func (NeedBlock) Kind() rpc.Kind           { return KindNeedBlock }
func (b NeedBlock) Encode(e *wire.Encoder) { e.Raw(b.Hash[:]) }

// Need answers NeedBlock.
type Need struct {
	Referenced bool // the holder counts a live reference
	Missing    bool // ...and does not have the block
}

func (Need) Kind() rpc.Kind { return KindNeed }
func (b Need) Encode(e *wire.Encoder) {
	e.Bool(b.Referenced)
	e.Bool(b.Missing)
}
