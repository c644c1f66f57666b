package model

import (
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/crdt"
	"github.com/garagego/garage/node/table"
	"github.com/garagego/garage/node/wire"
)

// BucketCountersTable holds each bucket's counters (Garage's object
// counter table).
const BucketCountersTable table.ID = 17

// Counts are what one object entry adds to its bucket's counters, and,
// summed, what a bucket holds.
type Counts struct {
	Objects  int64 // keys whose current version holds data
	Bytes    int64 // of every data version, current or not (what quotas limit)
	Versions int64 // data versions, current or not
	// DeleteMarkers are versioned delete markers; NullMarkers null ones
	// (written while versioning was off or suspended), which S3 lists only
	// in a bucket whose versioning was once enabled.
	DeleteMarkers int64
	NullMarkers   int64
	Uploads       int64 // multipart uploads not completed nor aborted
}

// CountsOf is what the object entry o adds to its bucket's counts. An
// entry that only records deletions counts nothing: tombstones are
// collected without the table's hooks running, so they must not count.
func CountsOf(o Object) Counts {
	var c Counts
	if len(o.Versions) == 0 || o.IsTombstone() {
		return c
	}
	for i, v := range o.Listed() {
		switch {
		case v.State.Data == DeleteMarker && v.Versioned:
			c.DeleteMarkers++
		case v.State.Data == DeleteMarker:
			c.NullMarkers++
		default:
			if i == 0 {
				c.Objects++
			}
			c.Versions++
			c.Bytes += int64(v.State.Meta.Size)
		}
	}
	for _, v := range o.Versions {
		if v.State.Kind == Uploading && v.State.Multipart {
			c.Uploads++
		}
	}
	return c
}

// Add returns c + o.
func (c Counts) Add(o Counts) Counts {
	return Counts{c.Objects + o.Objects, c.Bytes + o.Bytes, c.Versions + o.Versions,
		c.DeleteMarkers + o.DeleteMarkers, c.NullMarkers + o.NullMarkers, c.Uploads + o.Uploads}
}

// Sub returns c - o.
func (c Counts) Sub(o Counts) Counts {
	return c.Add(Counts{-o.Objects, -o.Bytes, -o.Versions, -o.DeleteMarkers, -o.NullMarkers, -o.Uploads})
}

// Vector is c in the order the counters table stores it.
func (c Counts) Vector() []int64 {
	return []int64{c.Objects, c.Bytes, c.Versions, c.DeleteMarkers, c.NullMarkers, c.Uploads}
}

// CountsFromVector reads counts stored by Vector (missing ones are zero,
// extra ones, from a newer version, ignored).
func CountsFromVector(v []int64) Counts {
	at := func(i int) int64 {
		if i < len(v) {
			return v[i]
		}
		return 0
	}
	return Counts{at(0), at(1), at(2), at(3), at(4), at(5)}
}

// Usage is what the counts say the bucket holds, as S3 would list it: null
// delete markers count only if the bucket's versioning was ever enabled.
func (c Counts) Usage(v Versioning) Usage {
	u := Usage{Objects: nonNegative(c.Objects), Versions: nonNegative(c.Versions), Bytes: nonNegative(c.Bytes),
		DeleteMarkers: nonNegative(c.DeleteMarkers), UnfinishedUploads: nonNegative(c.Uploads)}
	if v != VersioningOff {
		u.DeleteMarkers += nonNegative(c.NullMarkers)
	}
	return u
}

func nonNegative(v int64) uint64 { return uint64(max(v, 0)) }

// BucketCounters is the entry of the counters table (partition key the
// bucket id as the objects table writes it, sort key ""): each storage
// node's latest counts of the bucket's object entries it holds, stamped
// (see crdt.PerNode). The counters live with the objects: the same nodes
// hold a bucket's object entries and its counters.
type BucketCounters struct {
	Bucket BucketID
	Nodes  crdt.PerNode
}

// BucketCountersKey places a bucket's counters.
func BucketCountersKey(id BucketID) table.Key { return table.Key{Partition: id.String()} }

// Join keeps each node's newer counts.
func (b BucketCounters) Join(o BucketCounters) BucketCounters {
	return BucketCounters{Bucket: b.Bucket, Nodes: b.Nodes.Join(o.Nodes)}
}

// Encode writes b canonically.
func (b BucketCounters) Encode(e *wire.Encoder) {
	e.Raw(b.Bucket[:])
	b.Nodes.Encode(e)
}

// DecodeBucketCounters reads a BucketCounters.
func DecodeBucketCounters(d *wire.Decoder) BucketCounters {
	var b BucketCounters
	d.Fixed(b.Bucket[:])
	b.Nodes = crdt.DecodePerNode(d)
	return b
}

// Read is the bucket's counts as the nodes that store it now report them.
func (b BucketCounters) Read(holders []cluster.NodeID) Counts {
	return CountsFromVector(b.Nodes.Read(holders))
}
