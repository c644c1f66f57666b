package bucketcfg

import (
	"math"
	"time"

	"github.com/garagego/garage/node/s3/s3xml"
	"github.com/garagego/garage/node/s3/tagging"
)

// Lifecycle is a bucket's lifecycle configuration.
type Lifecycle struct {
	Rules []LifecycleRule
}

// LifecycleRule expires the objects its filter selects, aborts the
// multipart uploads left unfinished, or both.
type LifecycleRule struct {
	ID      string
	Enabled bool // Status Enabled; a disabled rule is kept but never acts
	// LegacyPrefix records that the rule selected by a top-level <Prefix>
	// (the first version of the API) rather than a <Filter>, so that GET
	// answers in the form the client used. Filter holds the prefix either
	// way.
	LegacyPrefix bool
	Filter       LifecycleFilter

	// At most one of ExpirationDays and ExpirationDate is set.
	ExpirationDays int       // 0: no expiration after a delay
	ExpirationDate time.Time // zero: no expiration at a date; else midnight UTC

	// ExpiredObjectDeleteMarker removes a delete marker that is the only
	// version left of its key (Expiration's ExpiredObjectDeleteMarker).
	ExpiredObjectDeleteMarker bool

	// NoncurrentDays deletes a noncurrent version that many days after it
	// became noncurrent (NoncurrentVersionExpiration); 0: never. The
	// NewerNoncurrentVersions newest noncurrent versions are kept anyway.
	NoncurrentDays          int
	NewerNoncurrentVersions int

	AbortIncompleteUploadDays int // 0: unfinished uploads are kept
}

// LifecycleFilter selects objects by key prefix, by size and by tags; a
// bound left nil does not restrict, and an object must have every tag.
type LifecycleFilter struct {
	Prefix                string
	ObjectSizeGreaterThan *uint64
	ObjectSizeLessThan    *uint64
	Tags                  tagging.Set
}

// MaxNewerNoncurrentVersions is the most noncurrent versions a rule can
// keep, as S3 bounds NewerNoncurrentVersions.
const MaxNewerNoncurrentVersions = 100

// MaxLifecycleRules is the most rules a lifecycle configuration may have.
const MaxLifecycleRules = 1000

// maxDays bounds the day counts, which S3 declares as 32-bit integers.
const maxDays = math.MaxInt32

// validate applies S3's rules to a configuration, parsed or decoded.
func (l Lifecycle) validate() error {
	if len(l.Rules) == 0 {
		return s3xml.Malformed("LifecycleConfiguration has no Rule")
	}
	if len(l.Rules) > MaxLifecycleRules {
		return invalidArgument("A lifecycle configuration can have at most %d rules, it has %d", MaxLifecycleRules, len(l.Rules))
	}
	ids := make(map[string]bool, len(l.Rules))
	for _, r := range l.Rules {
		if err := r.validate(); err != nil {
			return err
		}
		if r.ID != "" {
			if ids[r.ID] {
				return invalidArgument("Rule ID must be unique. Found same ID %q for more than one rule", r.ID)
			}
			ids[r.ID] = true
		}
	}
	return nil
}

func (r LifecycleRule) validate() error {
	if len(r.ID) > MaxRuleIDLen {
		return invalidArgument("The ID of a lifecycle rule cannot be longer than %d characters", MaxRuleIDLen)
	}
	f := r.Filter
	if r.LegacyPrefix && (f.ObjectSizeGreaterThan != nil || f.ObjectSizeLessThan != nil || len(f.Tags) > 0) {
		return s3xml.Malformed("a rule selecting by a top-level Prefix cannot also filter by size or tags")
	}
	if f.ObjectSizeLessThan != nil && *f.ObjectSizeLessThan == 0 {
		return invalidArgument("ObjectSizeLessThan must be greater than 0")
	}
	if f.ObjectSizeGreaterThan != nil && f.ObjectSizeLessThan != nil && *f.ObjectSizeGreaterThan >= *f.ObjectSizeLessThan {
		return invalidArgument("ObjectSizeGreaterThan (%d) must be less than ObjectSizeLessThan (%d)", *f.ObjectSizeGreaterThan, *f.ObjectSizeLessThan)
	}
	for _, bound := range []*uint64{f.ObjectSizeGreaterThan, f.ObjectSizeLessThan} {
		if bound != nil && *bound > math.MaxInt64 {
			return invalidArgument("an object size bound cannot exceed %d", int64(math.MaxInt64))
		}
	}
	if err := f.Tags.CheckTags(); err != nil {
		return err
	}
	if r.ExpiredObjectDeleteMarker && (r.ExpirationDays != 0 || !r.ExpirationDate.IsZero()) {
		return invalidArgument("ExpiredObjectDeleteMarker cannot be specified with Days or Date in a Lifecycle Expiration Policy")
	}
	if r.ExpiredObjectDeleteMarker && len(f.Tags) > 0 {
		return invalidArgument("ExpiredObjectDeleteMarker cannot be specified with a tag-based filter")
	}
	if r.AbortIncompleteUploadDays != 0 && len(f.Tags) > 0 {
		return invalidArgument("AbortIncompleteMultipartUpload cannot be specified with Tags")
	}
	if r.NoncurrentDays < 0 || r.NoncurrentDays > maxDays {
		return invalidArgument("'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer")
	}
	if r.NewerNoncurrentVersions < 0 || r.NewerNoncurrentVersions > MaxNewerNoncurrentVersions || (r.NewerNoncurrentVersions > 0 && r.NoncurrentDays == 0) {
		return invalidArgument("'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be a positive integer up to %d", MaxNewerNoncurrentVersions)
	}
	if r.ExpirationDays == 0 && r.ExpirationDate.IsZero() && r.AbortIncompleteUploadDays == 0 && !r.ExpiredObjectDeleteMarker && r.NoncurrentDays == 0 {
		return invalidArgument("At least one action needs to be specified in a rule (rule %q)", r.ID)
	}
	if r.ExpirationDays != 0 && !r.ExpirationDate.IsZero() {
		return invalidArgument("Expiration can have Days or Date, not both")
	}
	if r.ExpirationDays < 0 || r.ExpirationDays > maxDays {
		return invalidArgument("'Days' for Expiration action must be a positive integer")
	}
	if r.AbortIncompleteUploadDays < 0 || r.AbortIncompleteUploadDays > maxDays {
		return invalidArgument("'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer")
	}
	if !r.ExpirationDate.IsZero() {
		return checkExpirationDate(r.ExpirationDate)
	}
	return nil
}

// checkExpirationDate accepts a midnight UTC from 1970 to 9999: the zero
// time.Time (year 1) means "no date", and the XML form has four-digit years.
func checkExpirationDate(t time.Time) error {
	u := t.UTC()
	if u.Year() < 1970 || u.Year() > 9999 {
		return invalidArgument("'Date' must be between 1970 and 9999")
	}
	if !u.Equal(time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)) {
		return invalidArgument("'Date' must be at midnight GMT")
	}
	return nil
}
