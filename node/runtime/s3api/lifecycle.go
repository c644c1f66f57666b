package s3api

import (
	"context"
	"errors"
	"time"

	"go.uber.org/zap"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/runtime/server"
	"github.com/garagego/garage/node/s3/bucketcfg"
	"github.com/garagego/garage/node/wire"
)

// LifecycleStats counts what one lifecycle pass did.
type LifecycleStats struct {
	Buckets int // buckets with a lifecycle configuration
	Expired int // objects deleted
	Aborted int // multipart uploads aborted
}

// RunLifecycle applies the buckets' lifecycle rules every interval until
// ctx ends. Every node runs the loop, but only the lowest-numbered storage
// node that is up does a pass, so the work is done once while that node
// lives and is taken over when it does not; deletions are idempotent, so
// two nodes briefly disagreeing on who leads do no harm.
func (a *API) RunLifecycle(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !a.leadsLifecycle(ctx) {
			continue
		}
		stats, err := a.LifecyclePass(ctx)
		if err != nil {
			a.log.Warn("lifecycle pass failed", zap.Error(err))
			continue
		}
		if stats.Expired > 0 || stats.Aborted > 0 {
			a.log.Info("lifecycle pass", zap.Int("buckets", stats.Buckets), zap.Int("expired", stats.Expired), zap.Int("aborted", stats.Aborted))
		}
	}
}

// leadsLifecycle reports whether this node is the one to run lifecycle
// passes now.
func (a *API) leadsLifecycle(ctx context.Context) bool {
	res, err := a.backend.Do(ctx, admin.GetStatus{})
	if err != nil {
		return false
	}
	st := res.(admin.ClusterStatus)
	leader := ""
	for _, n := range st.Nodes {
		if n.Up && n.HasRole && !n.Gateway && (leader == "" || n.ID < leader) {
			leader = n.ID
		}
	}
	return leader == st.Self
}

// LifecyclePass applies every bucket's lifecycle rules once, as of the
// API's clock: it deletes the objects a rule expires and aborts the
// multipart uploads a rule finds stale.
func (a *API) LifecyclePass(ctx context.Context) (LifecycleStats, error) {
	var stats LifecycleStats
	res, err := a.backend.Do(ctx, admin.ListLifecycleBuckets{})
	if err != nil {
		return stats, err
	}
	now := a.cfg.Now()
	for _, b := range res.([]model.Bucket) {
		data, _ := b.Config(model.ConfigLifecycle)
		d := wire.NewDecoder(data)
		cfg := bucketcfg.DecodeLifecycle(d)
		if d.Finish() != nil {
			a.log.Warn("undecodable lifecycle configuration", zap.String("bucket", b.ID.String()))
			continue
		}
		stats.Buckets++
		expired, err := a.expireObjects(ctx, b, cfg, now)
		stats.Expired += expired
		if err != nil {
			return stats, err
		}
		aborted, err := a.abortStaleUploads(ctx, b.ID, cfg, now)
		stats.Aborted += aborted
		if err != nil {
			return stats, err
		}
	}
	return stats, nil
}

// expireObjects deletes the objects a rule expires, listing only the key
// ranges some expiration rule selects. In a bucket with versioning enabled,
// expiring the current version adds a delete marker, as in S3: the version
// becomes noncurrent.
func (a *API) expireObjects(ctx context.Context, b model.Bucket, cfg bucketcfg.Lifecycle, now time.Time) (int, error) {
	bucket, opts := b.ID, server.WriteOptions{Versioned: b.Versioning() == model.VersioningEnabled}
	expired := 0
	for _, prefix := range cfg.Prefixes(bucketcfg.Expire) {
		start, end := prefix, prefixEnd(prefix)
		for {
			res, err := a.backend.Do(ctx, object.List{Bucket: bucket, Start: start, End: end, Limit: maxListKeys})
			if err != nil {
				return expired, err
			}
			l := res.(object.Listing)
			for _, e := range l.Entries {
				if !objectExpires(cfg, e, now) {
					continue
				}
				if _, err := a.backend.DeleteObjectWith(ctx, bucket, e.Key, opts); err != nil {
					return expired, err
				}
				expired++
			}
			if !l.More {
				break
			}
			start = l.Next
		}
	}
	return expired, nil
}

func objectExpires(cfg bucketcfg.Lifecycle, e object.ListEntry, now time.Time) bool {
	for _, r := range cfg.Rules {
		if r.Enabled && r.Applies(e.Key, e.Meta.Size) && r.ObjectExpired(millisTime(e.Timestamp), now) {
			return true
		}
	}
	return false
}

// abortStaleUploads aborts the multipart uploads a rule finds stale,
// listing only the key ranges some abort rule selects.
func (a *API) abortStaleUploads(ctx context.Context, bucket model.BucketID, cfg bucketcfg.Lifecycle, now time.Time) (int, error) {
	aborted := 0
	for _, prefix := range cfg.Prefixes(bucketcfg.AbortUpload) {
		start := prefix
		for {
			res, err := a.backend.Do(ctx, object.ListMultipartUploads{Bucket: bucket, Prefix: prefix, Start: start, Limit: maxListKeys})
			if err != nil {
				return aborted, err
			}
			l := res.(object.UploadList)
			for _, u := range l.Uploads {
				if !uploadAbortable(cfg, u, now) {
					continue
				}
				err := a.backend.AbortMultipart(ctx, bucket, u.Key, u.UploadID)
				switch {
				case errors.Is(err, object.ErrNoSuchUpload): // completed or aborted meanwhile
				case err != nil:
					return aborted, err
				default:
					aborted++
				}
			}
			if !l.More {
				break
			}
			start = l.Next
		}
	}
	return aborted, nil
}

func uploadAbortable(cfg bucketcfg.Lifecycle, u object.UploadInfo, now time.Time) bool {
	for _, r := range cfg.Rules {
		if r.Enabled && r.AppliesToUpload(u.Key) && r.UploadAbortable(millisTime(u.Timestamp), now) {
			return true
		}
	}
	return false
}
