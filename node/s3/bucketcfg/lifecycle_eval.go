package bucketcfg

import (
	"slices"
	"strings"
	"time"
)

// Applies reports whether r is enabled and selects the object key of the
// given size.
func (r LifecycleRule) Applies(key string, size uint64) bool {
	f := r.Filter
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
	Expire      Action = iota // delete current objects
	AbortUpload               // abort unfinished multipart uploads
)

// Prefixes is the least sorted set of key prefixes holding every key an
// enabled rule with action may act on, so a pass lists only those ranges:
// [""] when some such rule covers every key, none when no rule has action.
func (l Lifecycle) Prefixes(action Action) []string {
	var prefixes []string
	for _, r := range l.Rules {
		has := r.ExpirationDays != 0 || !r.ExpirationDate.IsZero()
		if action == AbortUpload {
			has = r.AbortIncompleteUploadDays != 0
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
