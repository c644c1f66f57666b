package bucketcfg

import (
	"slices"
	"strings"
	"time"

	"github.com/garagego/garage/node/s3/tagging"
)

// Applies reports whether r is enabled and selects the object key of the
// given size and tags: it must have every tag of the filter.
func (r LifecycleRule) Applies(key string, size uint64, tags tagging.Set) bool {
	f := r.Filter
	for _, want := range f.Tags {
		if v, ok := tags.Get(want.Key); !ok || v != want.Value {
			return false
		}
	}
	return r.Enabled && strings.HasPrefix(key, f.Prefix) &&
		(f.ObjectSizeGreaterThan == nil || size > *f.ObjectSizeGreaterThan) &&
		(f.ObjectSizeLessThan == nil || size < *f.ObjectSizeLessThan)
}

// AppliesToUpload reports whether r is enabled and selects an unfinished
// multipart upload of key. Its size is not known yet, so only the prefix
// counts.
func (r LifecycleRule) AppliesToUpload(key string) bool {
	return r.Enabled && strings.HasPrefix(key, r.Filter.Prefix)
}

// ObjectExpired reports whether, at now, r's expiration has come for an
// object last modified at lastModified. As S3 does, a delay of Days ends at
// the first midnight UTC after lastModified + Days; a Date expires every
// object from that date on. It does not look at the filter: see Applies.
func (r LifecycleRule) ObjectExpired(lastModified, now time.Time) bool {
	switch {
	case !r.Enabled:
		return false
	case r.ExpirationDays > 0:
		return !now.Before(midnightAfter(lastModified, r.ExpirationDays))
	case !r.ExpirationDate.IsZero():
		return !now.Before(r.ExpirationDate)
	}
	return false
}

// UploadAbortable reports whether, at now, an unfinished multipart upload
// initiated at initiated is old enough for r to abort it: at the first
// midnight UTC after initiated + DaysAfterInitiation. It does not look at
// the filter: see AppliesToUpload.
func (r LifecycleRule) UploadAbortable(initiated, now time.Time) bool {
	return r.Enabled && r.AbortIncompleteUploadDays > 0 &&
		!now.Before(midnightAfter(initiated, r.AbortIncompleteUploadDays))
}

// midnightAfter is the first midnight UTC strictly after t + days.
func midnightAfter(t time.Time, days int) time.Time {
	end := t.UTC().AddDate(0, 0, days)
	return time.Date(end.Year(), end.Month(), end.Day()+1, 0, 0, 0, 0, time.UTC)
}

// Action is what a lifecycle rule does.
type Action int

const (
	Expire         Action = iota // delete current objects
	AbortUpload                  // abort unfinished multipart uploads
	ExpireVersions               // delete noncurrent versions and lone delete markers
)

// Prefixes is the least sorted set of key prefixes holding every key an
// enabled rule with action may act on, so a pass lists only those ranges:
// [""] when some such rule covers every key, none when no rule has action.
func (l Lifecycle) Prefixes(action Action) []string {
	var prefixes []string
	for _, r := range l.Rules {
		has := r.ExpirationDays != 0 || !r.ExpirationDate.IsZero()
		switch action {
		case AbortUpload:
			has = r.AbortIncompleteUploadDays != 0
		case ExpireVersions:
			// Days also removes lone delete markers old enough for it.
			has = r.NoncurrentDays != 0 || r.ExpiredObjectDeleteMarker || r.ExpirationDays != 0
		}
		if r.Enabled && has {
			prefixes = append(prefixes, r.Filter.Prefix)
		}
	}
	slices.Sort(prefixes)
	var out []string
	for _, p := range prefixes {
		if n := len(out); n > 0 && strings.HasPrefix(p, out[n-1]) {
			continue // covered by a shorter prefix already kept
		}
		out = append(out, p)
	}
	return out
}

// Version is one version of a key as lifecycle rules see it.
type Version struct {
	Modified time.Time // when it was written
	Marker   bool      // a delete marker (no size, no tags)
	Size     uint64
	Tags     tagging.Set
}

// ExpiredVersions lists which of a key's versions, newest first (the
// first is the current one, perhaps a delete marker), the rules delete at
// now, by index:
//
//   - a noncurrent version, NoncurrentDays after it became noncurrent (the
//     time the version after it was written), unless it is one of the
//     NewerNoncurrentVersions newest noncurrent versions;
//   - a delete marker that is the only version left, with
//     ExpiredObjectDeleteMarker, or once it is as old as an Expiration's
//     Days (S3 cleans such markers up with Days rules too).
//
// The current version is not among them: ObjectExpired expires it (which,
// with versioning, adds a delete marker).
func (l Lifecycle) ExpiredVersions(key string, versions []Version, now time.Time) []int {
	var out []int
	if len(versions) == 1 && versions[0].Marker && l.markerExpires(key, versions[0], now) {
		return []int{0}
	}
	for i := 1; i < len(versions); i++ {
		if l.noncurrentExpires(key, versions[i], i-1, versions[i-1].Modified, now) {
			out = append(out, i)
		}
	}
	return out
}

// markerExpires reports whether a rule removes m, a lone delete marker.
func (l Lifecycle) markerExpires(key string, m Version, now time.Time) bool {
	for _, r := range l.Rules {
		if !r.Applies(key, 0, nil) {
			continue
		}
		if r.ExpiredObjectDeleteMarker || r.ExpirationDays > 0 && r.ObjectExpired(m.Modified, now) {
			return true
		}
	}
	return false
}

// noncurrentExpires reports whether a rule deletes v, a noncurrent version
// that became noncurrent at since and has newer noncurrent versions newer
// than it.
func (l Lifecycle) noncurrentExpires(key string, v Version, newer int, since, now time.Time) bool {
	for _, r := range l.Rules {
		if r.NoncurrentDays == 0 || newer < r.NewerNoncurrentVersions {
			continue
		}
		size, tags := v.Size, v.Tags
		if v.Marker {
			size, tags = 0, nil
		}
		if r.Applies(key, size, tags) && !now.Before(midnightAfter(since, r.NoncurrentDays)) {
			return true
		}
	}
	return false
}
