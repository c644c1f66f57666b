package bucketcfg

import (
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
