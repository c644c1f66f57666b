package admin

import (
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/crdt"
	"github.com/garagego/garage/node/model"
)

// SetBucketQuotas sets both of a bucket's quotas, as Garage's UpdateBucket
// does: a nil field means no limit (`garage bucket set-quotas` fills the
// one not given from the bucket's current quotas). Answers BucketInfo.
type SetBucketQuotas struct {
	Name       string  `json:"name"`
	MaxSize    *uint64 `json:"maxSize"`
	MaxObjects *uint64 `json:"maxObjects"`
}

func (SetBucketQuotas) OpName() string { return "SetBucketQuotas" }

// setBucketQuotas writes the quotas as the bucket's ConfigQuotas register
// (a tombstone when neither limits anything), stamped after its previous
// value.
func (s *Service) setBucketQuotas(now cluster.Time, op SetBucketQuotas, done Done) {
	s.resolveBucket(now, op.Name, done, func(now cluster.Time, b model.Bucket) {
		q := model.Quotas{MaxSize: op.MaxSize, MaxObjects: op.MaxObjects}
		stamp := s.stamp(now, b.Configs.Get(model.ConfigQuotas).Stamp)
		reg := crdt.Tombstone(stamp)
		if q.Any() {
			reg = crdt.Put(stamp, model.EncodeQuotas(q))
		}
		b.Configs = b.Configs.Set(model.ConfigQuotas, reg)
		s.tables.Buckets.Insert(now, model.BucketKey(b.ID), b, then(done, func(now cluster.Time) { done(now, bucketInfo(b, nil), nil) }))
	})
}
