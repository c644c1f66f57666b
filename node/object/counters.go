package object

import (
	"fmt"
	"slices"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/crdt"
	"github.com/garagego/garage/node/layout"
	"github.com/garagego/garage/node/meta"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/table"
	"github.com/garagego/garage/node/wire"
)

// Bucket counters, as Garage keeps them (its object counter table): every
// storage node of a bucket's object entries counts what it holds of them
// (model.CountsOf each entry, moved by the objects table's hooks), keeps
// its counts in its store with a stamp it raises with every change, and
// publishes them, stamped, to the bucket_counters table through the insert
// queue. The counters' partition key is the objects', so the same nodes
// hold both. A reader takes, per count, the greatest among the nodes that
// store the bucket now (crdt.PerNode): a lagging node has counted fewer
// changes, a node that handed the bucket over has subtracted what it held.

// countsPrefix + bucket id: this node's stamp and counts of the bucket's
// object entries it holds.
const countsPrefix = "o/c/"

// Counting is what counting and quotas need besides the object tables:
// the node's store (its own counts), the buckets table (full-copy: quotas
// are read from the local copy) and the layout (who holds a bucket now).
type Counting struct {
	Store   *meta.Store
	Buckets *table.Table[model.Bucket]
	Layout  func() *layout.History
}

// EnableCounting starts counting and enforcing quotas; without it (a
// service built for a test of its own) nothing is counted and no quota
// holds.
func (s *Service) EnableCounting(c Counting) { s.counting = c }

// count moves this node's counts of bucket by delta and publishes them.
func (s *Service) count(bucket model.BucketID, delta model.Counts) {
	if s.counting.Store == nil || delta == (model.Counts{}) {
		return
	}
	stamp, c := s.LocalCounts(bucket)
	stamp++
	c = c.Add(delta)
	e := wire.NewEncoder(nil)
	e.Uvarint(stamp)
	for _, v := range c.Vector() {
		e.Varint(v)
	}
	s.counting.Store.Put(countsPrefix+string(bucket[:]), e.Bytes())
	s.counters.QueueInsert(model.BucketCountersKey(bucket), model.BucketCounters{Bucket: bucket, Nodes: crdt.PerNode{}.Set(s.self, stamp, c.Vector())})
}

// LocalCounts is this node's own stamp and counts of bucket (for tests and
// inspection).
func (s *Service) LocalCounts(bucket model.BucketID) (uint64, model.Counts) {
	if s.counting.Store == nil {
		return 0, model.Counts{}
	}
	b, ok := s.counting.Store.Get(countsPrefix + string(bucket[:]))
	if !ok {
		return 0, model.Counts{}
	}
	d := wire.NewDecoder(b)
	stamp := d.Uvarint()
	var v []int64
	for range len(model.Counts{}.Vector()) {
		v = append(v, d.Varint())
	}
	return stamp, model.CountsFromVector(v)
}

// holders are the nodes whose counts of bucket a reader trusts: those
// that store its object entries in the layout version reads go to.
func (s *Service) holders(bucket model.BucketID) []cluster.NodeID {
	h := s.counting.Layout()
	if h == nil || len(h.Versions) == 0 {
		return nil
	}
	return slices.Clone(h.ReadVersion().NodesOf(s.counters.PartitionOf(bucket.String())))
}

// Counts reads the bucket's counters from a quorum.
func (s *Service) Counts(now cluster.Time, bucket model.BucketID, done func(cluster.Time, model.Counts, error)) {
	if s.counting.Layout == nil {
		done(now, model.Counts{}, fmt.Errorf("bucket counters are not enabled on this node"))
		return
	}
	s.counters.Get(now, model.BucketCountersKey(bucket), func(now cluster.Time, c model.BucketCounters, _ bool, err error) {
		if err != nil {
			done(now, model.Counts{}, fmt.Errorf("read the bucket's counters: %w", err))
			return
		}
		done(now, c.Read(s.holders(bucket)), nil)
	})
}

// Usage is what bucket holds, from its counters (see model.Counts.Usage).
// The counters are eventually consistent: a write acknowledged a moment
// ago may not be counted yet.
func (s *Service) Usage(now cluster.Time, bucket model.Bucket, done func(cluster.Time, model.Usage, error)) {
	s.Counts(now, bucket.ID, func(now cluster.Time, c model.Counts, err error) {
		done(now, c.Usage(bucket.Versioning()), err)
	})
}

// UsageScan counts what bucket holds by reading every object entry, page
// by page: what the counters converge to (for tests and checks; it is
// slow on a large bucket). It does not count unfinished uploads.
func (s *Service) UsageScan(now cluster.Time, bucket model.Bucket, done func(cluster.Time, model.Usage, error)) {
	var u model.Usage
	var page func(now cluster.Time, start string)
	page = func(now cluster.Time, start string) {
		s.listVersions(now, ListVersions{Bucket: bucket.ID, Start: start, NullMarkers: bucket.Versioning() != model.VersioningOff}, func(now cluster.Time, res any, err error) {
			if err != nil {
				done(now, u, err)
				return
			}
			l := res.(VersionListing)
			for _, k := range l.Keys {
				u.Add(k.Versions)
			}
			if !l.More {
				done(now, u, nil)
				return
			}
			page(now, l.Next)
		})
	}
	page(now, "")
}
