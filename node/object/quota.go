package object

import (
	"errors"
	"fmt"
	"math"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/model"
)

// ErrQuotaExceeded: the write would make its bucket exceed a quota; it was
// refused before it committed (nothing became visible). It comes as a
// *Refusal with Garage's message (AccessDenied, 403).
var ErrQuotaExceeded = errors.New("bucket quota exceeded")

// Quotas are a bucket's quotas as this node's copy of the buckets table
// (full-copy, so every node holds it) says.
func (s *Service) Quotas(bucket model.BucketID) model.Quotas {
	if s.counting.Buckets == nil {
		return model.Quotas{}
	}
	b, ok := s.counting.Buckets.Local(model.BucketKey(bucket))
	if !ok || b.Deleted {
		return model.Quotas{}
	}
	return b.Quotas()
}

// checkQuotas refuses a write of size bytes to key if it would make the
// bucket exceed a quota, as Garage's check does: the write's difference to
// the counts (one object more only if the key has no current data; its
// size, less that of the null version it supersedes when it is a null
// write) against the bucket's counters, refused only if the difference is
// positive and the sum goes over. A bucket without quotas costs nothing.
//
// The check is soft, as Garage's is: concurrent writes each check against
// counts that include none of the others, and the counters trail the
// writes by the insert queue's delay, so a bucket may end over its quota by
// what was written meanwhile.
func (s *Service) checkQuotas(now cluster.Time, bucket model.BucketID, key string, size uint64, versioned bool, done func(cluster.Time, error)) {
	q := s.Quotas(bucket)
	if !q.Any() {
		done(now, nil)
		return
	}
	var prev model.Object
	var counts model.Counts
	var prevErr, countsErr error
	both(now, func(next func(cluster.Time)) {
		s.objects.Get(now, model.ObjectKey(bucket, key), func(now cluster.Time, o model.Object, _ bool, err error) {
			prev, prevErr = o, err
			next(now)
		})
	}, func(next func(cluster.Time)) {
		s.Counts(now, bucket, func(now cluster.Time, c model.Counts, err error) {
			counts, countsErr = c, err
			next(now)
		})
	}, func(now cluster.Time) {
		if err := errors.Join(prevErr, countsErr); err != nil {
			done(now, fmt.Errorf("%w: check the bucket's quotas: %w", ErrNotWritten, err))
			return
		}
		objects, bytes := writeDiff(prev, size, versioned)
		done(now, quotaRefusal(q, counts, objects, bytes))
	})
}

// writeDiff is what writing a version of size bytes to the key whose entry
// is prev adds to the bucket's objects and bytes.
func writeDiff(prev model.Object, size uint64, versioned bool) (objects, bytes int64) {
	if _, live := prev.Live(); !live {
		objects = 1
	}
	bytes = int64(size)
	if !versioned {
		if v, ok := prev.NullVersion(); ok && v.State.Data != model.DeleteMarker {
			bytes -= int64(v.State.Meta.Size) // the null write supersedes it
		}
	}
	return objects, bytes
}

// quotaRefusal is the refusal, if any, of a write adding objects and bytes
// to a bucket holding counts, with Garage's messages.
func quotaRefusal(q model.Quotas, counts model.Counts, objects, bytes int64) error {
	if q.MaxObjects != nil && objects > 0 && counts.Objects+objects > limit(*q.MaxObjects) {
		return fmt.Errorf("%w: %w", ErrNotWritten, refusal(ErrQuotaExceeded, "Object quota is reached, maximum objects for this bucket: %d", *q.MaxObjects))
	}
	if q.MaxSize != nil && bytes > 0 && counts.Bytes+bytes > limit(*q.MaxSize) {
		return fmt.Errorf("%w: %w", ErrNotWritten, refusal(ErrQuotaExceeded,
			"Bucket size quota is reached, maximum total size of objects for this bucket: %d. The bucket is already %d bytes, and this object would add %d bytes.",
			*q.MaxSize, counts.Bytes, bytes))
	}
	return nil
}

// limit is a quota as a count (a quota beyond any count never binds).
func limit(q uint64) int64 { return int64(min(q, math.MaxInt64)) }
