package k2v

import (
	"time"

	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/rpc"
	"github.com/garagego/garage/node/wire"
)

// RPC kinds of K2V.
const (
	KindInsertItems     rpc.Kind = 0x0701
	KindInserted        rpc.Kind = 0x0702
	KindPollItem        rpc.Kind = 0x0703
	KindPollItemResult  rpc.Kind = 0x0704
	KindPollRange       rpc.Kind = 0x0705
	KindPollRangeResult rpc.Kind = 0x0706
)

func init() {
	rpc.Register(KindInsertItems, "K2VInsertItems", func(d *wire.Decoder) rpc.Body { return decodeInsertItems(d) })
	rpc.Register(KindInserted, "K2VInserted", func(*wire.Decoder) rpc.Body { return inserted{} })
	rpc.Register(KindPollItem, "K2VPollItem", func(d *wire.Decoder) rpc.Body { return decodePollItemRequest(d) })
	rpc.Register(KindPollItemResult, "K2VPollItemResult", func(d *wire.Decoder) rpc.Body { return decodePollItemResult(d) })
	rpc.Register(KindPollRange, "K2VPollRange", func(d *wire.Decoder) rpc.Body { return decodePollRangeRequest(d) })
	rpc.Register(KindPollRangeResult, "K2VPollRangeResult", func(d *wire.Decoder) rpc.Body { return decodePollRangeResult(d) })
}

// insertItems asks a storage node to coordinate writes: stamp each with
// its own counter, then write it to a quorum.
type insertItems struct {
	Bucket model.BucketID
	Items  []BatchItem
}

func (insertItems) Kind() rpc.Kind { return KindInsertItems }
func (b insertItems) Encode(e *wire.Encoder) {
	e.Raw(b.Bucket[:])
	e.Uvarint(uint64(len(b.Items)))
	for _, it := range b.Items {
		e.String(it.Partition)
		e.String(it.Sort)
		e.Bool(it.Context != nil)
		if it.Context != nil {
			encodeContext(e, *it.Context)
		}
		e.Bool(it.Value.Deleted)
		if !it.Value.Deleted {
			e.BytesField(it.Value.Data)
		}
	}
}
func decodeInsertItems(d *wire.Decoder) insertItems {
	var b insertItems
	d.Fixed(b.Bucket[:])
	n := d.Len(4)
	for range n {
		it := BatchItem{Partition: d.String(), Sort: d.String()}
		if d.Bool() {
			c := decodeContext(d)
			it.Context = &c
		}
		if it.Value.Deleted = d.Bool(); !it.Value.Deleted {
			it.Value.Data = d.BytesField()
		}
		b.Items = append(b.Items, it)
	}
	return b
}

// inserted acknowledges insertItems: every item reached a write quorum.
type inserted struct{}

func (inserted) Kind() rpc.Kind         { return KindInserted }
func (inserted) Encode(e *wire.Encoder) {}

// pollItemRequest asks a storage node to answer once its copy of an item
// holds a value ctx has not seen, or after timeout on its own clock.
type pollItemRequest struct {
	Bucket          model.BucketID
	Partition, Sort string
	Context         Context
	Timeout         time.Duration
}

func (pollItemRequest) Kind() rpc.Kind { return KindPollItem }
func (b pollItemRequest) Encode(e *wire.Encoder) {
	e.Raw(b.Bucket[:])
	e.String(b.Partition)
	e.String(b.Sort)
	encodeContext(e, b.Context)
	e.Uvarint(uint64(b.Timeout / time.Millisecond))
}
func decodePollItemRequest(d *wire.Decoder) pollItemRequest {
	var b pollItemRequest
	d.Fixed(b.Bucket[:])
	b.Partition, b.Sort = d.String(), d.String()
	b.Context = decodeContext(d)
	b.Timeout = time.Duration(min(d.Uvarint(), uint64(MaxPollTimeout/time.Millisecond))) * time.Millisecond
	return b
}

// pollItemResult answers pollItemRequest: the item if it changed.
type pollItemResult struct {
	Changed bool
	Item    Item
}

func (pollItemResult) Kind() rpc.Kind { return KindPollItemResult }
func (b pollItemResult) Encode(e *wire.Encoder) {
	e.Bool(b.Changed)
	b.Item.Encode(e)
}
func decodePollItemResult(d *wire.Decoder) pollItemResult {
	return pollItemResult{Changed: d.Bool(), Item: DecodeItem(d)}
}

// pollRangeRequest asks a storage node to answer with the items of a range
// that are new to a seen marker, once there are some, or after timeout.
type pollRangeRequest struct {
	Bucket             model.BucketID
	Partition          string
	Prefix, Start, End string
	Marker             marker
	Timeout            time.Duration
}

func (pollRangeRequest) Kind() rpc.Kind { return KindPollRange }
func (b pollRangeRequest) Encode(e *wire.Encoder) {
	e.Raw(b.Bucket[:])
	e.String(b.Partition)
	e.String(b.Prefix)
	e.String(b.Start)
	e.String(b.End)
	b.Marker.encode(e)
	e.Uvarint(uint64(b.Timeout / time.Millisecond))
}
func decodePollRangeRequest(d *wire.Decoder) pollRangeRequest {
	var b pollRangeRequest
	d.Fixed(b.Bucket[:])
	b.Partition, b.Prefix, b.Start, b.End = d.String(), d.String(), d.String(), d.String()
	b.Marker = decodeMarker(d)
	b.Timeout = time.Duration(min(d.Uvarint(), uint64(MaxPollTimeout/time.Millisecond))) * time.Millisecond
	return b
}

// pollRangeResult answers pollRangeRequest: the new items (none on
// timeout). Complete says they are all the new items the node held, so
// the marker may count every stamp of that node up to theirs as seen.
type pollRangeResult struct {
	Items    []RangeItem
	Complete bool
}

func (pollRangeResult) Kind() rpc.Kind { return KindPollRangeResult }
func (b pollRangeResult) Encode(e *wire.Encoder) {
	e.Uvarint(uint64(len(b.Items)))
	for _, it := range b.Items {
		e.String(it.Sort)
		it.Item.Encode(e)
	}
	e.Bool(b.Complete)
}
func decodePollRangeResult(d *wire.Decoder) pollRangeResult {
	var b pollRangeResult
	n := d.Len(2)
	for range n {
		b.Items = append(b.Items, RangeItem{Sort: d.String(), Item: DecodeItem(d)})
	}
	b.Complete = d.Bool()
	return b
}

func encodeContext(e *wire.Encoder, c Context) {
	e.Uvarint(uint64(len(c.Dots)))
	for _, dot := range c.Dots {
		e.Uint64(uint64(dot.Node))
		e.Uvarint(dot.Time)
	}
}

// decodeContext reads a context, refusing one that is not canonical.
func decodeContext(d *wire.Decoder) Context {
	var c Context
	n := d.Len(9)
	for range n {
		dot := Dot{Node: NodeID(d.Uint64()), Time: d.Uvarint()}
		if k := len(c.Dots); dot.Time == 0 || k > 0 && c.Dots[k-1].Node >= dot.Node {
			d.Failf("k2v context not canonical")
			return Context{}
		}
		c.Dots = append(c.Dots, dot)
	}
	return c
}
