package k2v

import (
	"errors"
	"time"

	"github.com/garagego/garage/node/model"
)

// The K2V operations a client submits to a node (node.Submit), each with
// the result type its reply carries. They are the whole contract between
// the core and its drivers: the HTTP API, the simulator and the tests.

// ItemKey addresses one item: a bucket, a partition key, a sort key.
type ItemKey struct {
	Bucket    model.BucketID
	Partition string
	Sort      string
}

// Insert writes one value of an item (Value.Deleted: a tombstone, which is
// how an item is deleted). With a Context, the values it covers are
// superseded; without, the value joins the others as a sibling. The write
// is coordinated by a storage node of the item's partition and
// acknowledged once a write quorum holds it. Result: Inserted.
type Insert struct {
	Key     ItemKey
	Context *Context
	Value   Value
}

// InsertBatch writes many items of one bucket; it is not a transaction:
// on failure some items may be written and others not. Result: Inserted.
type InsertBatch struct {
	Bucket model.BucketID
	Items  []BatchItem
}

// BatchItem is one item of an InsertBatch.
type BatchItem struct {
	Partition, Sort string
	Context         *Context
	Value           Value
}

// Inserted answers Insert and InsertBatch: how many items were written.
type Inserted struct{ Count int }

// Read reads one item from a read quorum. Result: ReadResult.
type Read struct{ Key ItemKey }

// ReadResult is an item as a read quorum holds it. Found is false when no
// replica holds anything for the key (never written, or its tombstone
// collected); an item deleted but not yet collected is Found and
// IsTombstone.
type ReadResult struct {
	Item  Item
	Found bool
}

// Search selects items of one partition key, as ReadBatch and DeleteBatch
// take it. Sort keys are compared as bytes. Forward, the items are those
// with sort keys in [Start, End) that begin with Prefix; with Reverse,
// Start is the highest key returned and End the lowest, excluded. Limit
// (0: no limit) bounds the items returned; SingleItem returns only the
// item at Start. ConflictsOnly keeps items with several values;
// Tombstones also returns items that hold only tombstones.
type Search struct {
	Partition          string
	Prefix, Start, End string
	Limit              int
	Reverse            bool
	SingleItem         bool
	ConflictsOnly      bool
	Tombstones         bool
}

// ReadRange runs one search from read quorums. Result: RangeResult.
type ReadRange struct {
	Bucket model.BucketID
	Search Search
}

// RangeItem is an item with its sort key.
type RangeItem struct {
	Sort string
	Item Item
}

// RangeResult answers ReadRange: the items in order; More with NextStart
// (the first sort key not returned) when Limit stopped the listing.
type RangeResult struct {
	Items     []RangeItem
	More      bool
	NextStart string
}

// DeleteRange deletes every item a search selects (only Partition,
// Prefix, Start, End and SingleItem count): it reads them, then writes a
// tombstone superseding exactly what it read. Result: Deleted.
type DeleteRange struct {
	Bucket model.BucketID
	Search Search
}

// Deleted answers DeleteRange: how many items it deleted.
type Deleted struct{ Count int }

// ReadIndex lists the partition keys of a bucket that hold items, with
// their counts; Prefix, Start, End, Limit and Reverse as in Search.
// Counts are eventually consistent: they converge once replicas are in
// sync. Result: IndexResult.
type ReadIndex struct {
	Bucket             model.BucketID
	Prefix, Start, End string
	Limit              int
	Reverse            bool
}

// IndexEntry is one partition key's counts.
type IndexEntry struct {
	Partition string
	Counts    Counts
}

// IndexResult answers ReadIndex, paginated as RangeResult.
type IndexResult struct {
	Partitions []IndexEntry
	More       bool
	NextStart  string
}

// PollItem waits until the item holds a value Context has not seen, or
// Timeout (at most MaxPollTimeout) passes. Result: PollResult.
type PollItem struct {
	Key     ItemKey
	Context Context
	Timeout time.Duration
}

// PollResult answers PollItem: Changed with the item as the answering
// storage nodes hold it, or not Changed when the timeout passed.
type PollResult struct {
	Changed bool
	Item    Item
}

// PollRange watches the items of one partition key that a search's
// Prefix, Start and End select (forward only). Without a Marker it
// answers at once with every item of the range (tombstones included, so a
// client sees deletions) and a marker of what it returned; with one, it
// waits until some item in the range changed since the marker, or Timeout
// passes, and answers with the changed items and a new marker. Markers are
// opaque strings. Result: PollRangeResult.
type PollRange struct {
	Bucket  model.BucketID
	Search  Search
	Marker  string
	Timeout time.Duration
}

// PollRangeResult answers PollRange.
type PollRangeResult struct {
	Changed bool
	Items   []RangeItem
	Marker  string
}

// MaxPollTimeout bounds a poll's wait, as Garage does.
const MaxPollTimeout = 600 * time.Second

// Errors of K2V operations that are the client's fault.
var (
	// ErrBadMarker is a seen marker that does not decode.
	ErrBadMarker = errors.New("invalid seen marker")
	// ErrBadSearch is a search or poll whose arguments cannot hold
	// (an empty key, a timeout out of range, a reverse poll).
	ErrBadSearch = errors.New("invalid search")
	// ErrTooManyPolls refuses a poll when a node already holds
	// MaxPolls subscriptions.
	ErrTooManyPolls = errors.New("too many polls in progress")
)

func (Insert) OpName() string      { return "K2VInsert" }
func (InsertBatch) OpName() string { return "K2VInsertBatch" }
func (Read) OpName() string        { return "K2VRead" }
func (ReadRange) OpName() string   { return "K2VReadRange" }
func (DeleteRange) OpName() string { return "K2VDeleteRange" }
func (ReadIndex) OpName() string   { return "K2VReadIndex" }
func (PollItem) OpName() string    { return "K2VPollItem" }
func (PollRange) OpName() string   { return "K2VPollRange" }

// Bugs are faults the simulator plants in the K2V core to prove its
// checker notices each broken promise; nothing else sets them.
type Bugs struct {
	// InsertDiscardsSiblings makes a coordinator discard every value of
	// the item on any write, as last-writer-wins would: concurrent values
	// are lost instead of kept as siblings.
	InsertDiscardsSiblings bool
	// InsertIgnoresContext makes a coordinator discard nothing a token
	// covers: superseded values stay and are read again.
	InsertIgnoresContext bool
	// ReadLocalOnly answers a read with the entry node's own copy instead
	// of a read quorum's join.
	ReadLocalOnly bool
	// PollTimesOutEarly makes a storage node end a poll after half its
	// timeout.
	PollTimesOutEarly bool
	// IndexCountsFromZero counts every change of an item as if the item
	// were new, so index counters drift instead of converging.
	IndexCountsFromZero bool
	// MarkerTrustsEveryNode compresses a seen marker with every node's
	// times found in an answer, not only the answering node's: a value
	// another node stamped earlier, still on its way, is taken as seen.
	MarkerTrustsEveryNode bool
	// MarkerForgetsItems drops a seen marker's items when it compacts,
	// keeping only its clock: items seen are reported again.
	MarkerForgetsItems bool
}
