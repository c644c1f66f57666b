package s3api

import (
	"context"
	"errors"
	"fmt"
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
	// Noncurrent counts the noncurrent versions deleted, Markers the lone
	// delete markers removed.
	Noncurrent, Markers int
	// Refused counts the versions the store refused to delete (an object
	// lock keeps them): they are left, and the pass goes on.
	Refused int
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
		if stats.Expired > 0 || stats.Aborted > 0 || stats.Noncurrent > 0 || stats.Markers > 0 || stats.Refused > 0 {
			a.log.Info("lifecycle pass", zap.Int("buckets", stats.Buckets), zap.Int("expired", stats.Expired), zap.Int("aborted", stats.Aborted),
				zap.Int("noncurrent", stats.Noncurrent), zap.Int("markers", stats.Markers), zap.Int("refused", stats.Refused))
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
// multipart uploads a rule finds stale; with versions, it deletes the
// noncurrent versions and lone delete markers the rules expire (after
// the current versions, so that one expired now becomes noncurrent now).
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
		// A bucket whose versioning was never enabled has no noncurrent
		// versions, and its null markers are no versions S3 shows.
		if b.Versioning() != model.VersioningOff {
			if err := a.expireVersions(ctx, b.ID, cfg, now, &stats); err != nil {
				return stats, err
			}
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
				expires, err := objectExpires(cfg, e, now)
				if err != nil {
					return expired, err
				}
				if !expires {
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

func objectExpires(cfg bucketcfg.Lifecycle, e object.ListEntry, now time.Time) (bool, error) {
	tags, err := objectTags(e.Meta.Headers, e.Attrs)
	if err != nil {
		return false, fmt.Errorf("lifecycle of %q: %w", e.Key, err)
	}
	for _, r := range cfg.Rules {
		if r.Enabled && r.Applies(e.Key, e.Meta.Size, tags) && r.ObjectExpired(millisTime(e.Timestamp), now) {
			return true, nil
		}
	}
	return false, nil
}

// expireVersions deletes, by version id, the noncurrent versions and the
// lone delete markers the rules expire (bucketcfg's ExpiredVersions),
// listing only the key ranges some such rule selects. A version the store
// refuses to delete (one an object lock keeps) is counted and left.
func (a *API) expireVersions(ctx context.Context, bucket model.BucketID, cfg bucketcfg.Lifecycle, now time.Time, stats *LifecycleStats) error {
	for _, prefix := range cfg.Prefixes(bucketcfg.ExpireVersions) {
		start, end := prefix, prefixEnd(prefix)
		for {
			l, err := a.backend.ListObjectVersions(ctx, object.ListVersions{Bucket: bucket, Start: start, End: end, Limit: maxListKeys, NullMarkers: true})
			if err != nil {
				return err
			}
			for _, kv := range l.Keys {
				if err := a.expireKeyVersions(ctx, bucket, cfg, kv, now, stats); err != nil {
					return err
				}
			}
			if !l.More {
				break
			}
			start = l.Next
		}
	}
	return nil
}

func (a *API) expireKeyVersions(ctx context.Context, bucket model.BucketID, cfg bucketcfg.Lifecycle, kv object.KeyVersions, now time.Time, stats *LifecycleStats) error {
	versions := make([]bucketcfg.Version, len(kv.Versions))
	for i, v := range kv.Versions {
		tags, err := objectTags(v.State.Meta.Headers, v.State.Attrs)
		if err != nil {
			return fmt.Errorf("lifecycle of %q: %w", kv.Key, err)
		}
		versions[i] = bucketcfg.Version{Modified: millisTime(v.Timestamp), Marker: v.State.Data == model.DeleteMarker, Size: v.State.Meta.Size, Tags: tags}
	}
	for _, i := range cfg.ExpiredVersions(kv.Key, versions, now) {
		v := kv.Versions[i]
		ref, err := model.ParseVersionRef(v.S3VersionID())
		if err != nil {
			return fmt.Errorf("lifecycle of %q: version %s: %w", kv.Key, v.S3VersionID(), err)
		}
		_, err = a.backend.DeleteObjectVersion(ctx, bucket, kv.Key, ref)
		switch {
		case err == nil && versions[i].Marker && len(versions) == 1:
			stats.Markers++
		case err == nil:
			stats.Noncurrent++
		case refusedDeletion(err):
			stats.Refused++
			a.log.Info("lifecycle: version kept by the store", zap.String("key", kv.Key), zap.String("version", v.S3VersionID()), zap.Error(err))
		default:
			return fmt.Errorf("lifecycle: delete %q version %s: %w", kv.Key, v.S3VersionID(), err)
		}
	}
	return nil
}

// refusedDeletion reports whether the store decided not to delete a
// version (an object lock keeps it), as opposed to failing to reach a
// decision (no quorum, the pass's end), which ends the pass so that the
// next one retries.
func refusedDeletion(err error) bool { return errors.Is(err, object.ErrObjectLocked) }

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
