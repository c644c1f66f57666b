package membership

import (
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/layout"
	"github.com/garagego/garage/node/rpc"
	"github.com/garagego/garage/node/wire"
)

// Message kinds of membership.
const (
	KindStatus     rpc.Kind = 0x0201
	KindLayoutPush rpc.Kind = 0x0202
)

func init() {
	rpc.Register(KindStatus, "Status", func(d *wire.Decoder) rpc.Body { return decodeStatus(d) })
	rpc.Register(KindLayoutPush, "LayoutPush", func(d *wire.Decoder) rpc.Body { return LayoutPush{History: layout.DecodeHistory(d)} })
}

// Status is a node's periodic description of itself.
type Status struct {
	Info          Info
	LayoutVersion uint64
	LayoutDigest  cluster.Hash
}

func (Status) Kind() rpc.Kind { return KindStatus }
func (b Status) Encode(e *wire.Encoder) {
	e.String(b.Info.Hostname)
	e.String(b.Info.Version)
	e.String(b.Info.RPCAddr)
	e.Uvarint(b.Info.DataAvail)
	e.Uvarint(b.Info.DataTotal)
	e.Uvarint(b.Info.MetaAvail)
	e.Uvarint(b.Info.MetaTotal)
	e.Uvarint(b.LayoutVersion)
	e.Raw(b.LayoutDigest[:])
}
func decodeStatus(d *wire.Decoder) Status {
	var b Status
	b.Info = Info{Hostname: d.String(), Version: d.String(), RPCAddr: d.String(),
		DataAvail: d.Uvarint(), DataTotal: d.Uvarint(), MetaAvail: d.Uvarint(), MetaTotal: d.Uvarint()}
	b.LayoutVersion = d.Uvarint()
	d.Fixed(b.LayoutDigest[:])
	return b
}

// LayoutPush carries a whole layout history, to be merged by the receiver.
type LayoutPush struct{ History *layout.History }

func (LayoutPush) Kind() rpc.Kind           { return KindLayoutPush }
func (b LayoutPush) Encode(e *wire.Encoder) { b.History.Encode(e) }
