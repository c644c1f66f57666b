package bucketcfg

import (
	"encoding/xml"
	"strings"
	"time"

	"github.com/garagego/garage/node/s3/s3xml"
)

// lifecycleDoc is the <LifecycleConfiguration> document of
// PutBucketLifecycleConfiguration and GetBucketLifecycleConfiguration.
// Pointers tell an element left out from one left empty.
type lifecycleDoc struct {
	XMLName xml.Name           `xml:"http://s3.amazonaws.com/doc/2006-03-01/ LifecycleConfiguration"`
	Rules   []lifecycleRuleDoc `xml:"Rule"`
	Unknown []unknownElement   `xml:",any"`
}

type lifecycleRuleDoc struct {
	ID                             string          `xml:"ID,omitempty"`
	Prefix                         *string         `xml:"Prefix"`
	Filter                         *filterDoc      `xml:"Filter"`
	Status                         string          `xml:"Status"`
	Expiration                     *expirationDoc  `xml:"Expiration"`
	AbortIncompleteMultipartUpload *abortUploadDoc `xml:"AbortIncompleteMultipartUpload"`

	// Actions this store cannot take: recognised so the client hears
	// NotImplemented, not MalformedXML.
	Transitions                  []unknownElement `xml:"Transition"`
	NoncurrentVersionTransitions []unknownElement `xml:"NoncurrentVersionTransition"`
	NoncurrentVersionExpirations []unknownElement `xml:"NoncurrentVersionExpiration"`

	Unknown []unknownElement `xml:",any"`
}

type filterDoc struct {
	Prefix                *string          `xml:"Prefix"`
	ObjectSizeGreaterThan *int64           `xml:"ObjectSizeGreaterThan"`
	ObjectSizeLessThan    *int64           `xml:"ObjectSizeLessThan"`
	And                   *andDoc          `xml:"And"`
	Tags                  []unknownElement `xml:"Tag"`
	Unknown               []unknownElement `xml:",any"`
}

type andDoc struct {
	Prefix                *string          `xml:"Prefix"`
	ObjectSizeGreaterThan *int64           `xml:"ObjectSizeGreaterThan"`
	ObjectSizeLessThan    *int64           `xml:"ObjectSizeLessThan"`
	Tags                  []unknownElement `xml:"Tag"`
	Unknown               []unknownElement `xml:",any"`
}

type expirationDoc struct {
	Days                      *int32           `xml:"Days"`
	Date                      *string          `xml:"Date"`
	ExpiredObjectDeleteMarker *bool            `xml:"ExpiredObjectDeleteMarker"`
	Unknown                   []unknownElement `xml:",any"`
}

type abortUploadDoc struct {
	DaysAfterInitiation *int32           `xml:"DaysAfterInitiation"`
	Unknown             []unknownElement `xml:",any"`
}

// dateLayout is how S3 writes an expiration date.
const dateLayout = "2006-01-02T15:04:05.000Z"

// ParseLifecycle reads and validates the body of
// PutBucketLifecycleConfiguration.
func ParseLifecycle(body []byte) (Lifecycle, error) {
	var doc lifecycleDoc
	if err := s3xml.Decode(body, MaxConfigSize, &doc); err != nil {
		return Lifecycle{}, err
	}
	if err := rejectUnknown("LifecycleConfiguration", doc.Unknown); err != nil {
		return Lifecycle{}, err
	}
	var l Lifecycle
	for _, rd := range doc.Rules {
		r, err := rd.rule()
		if err != nil {
			return Lifecycle{}, err
		}
		l.Rules = append(l.Rules, r)
	}
	if err := l.validate(); err != nil {
		return Lifecycle{}, err
	}
	return l, nil
}

// rule converts one <Rule>, refusing what validate cannot see once the
// document is gone: unknown and unsupported elements, and the shape of the
// filter.
func (rd lifecycleRuleDoc) rule() (LifecycleRule, error) {
	r := LifecycleRule{ID: rd.ID}
	where := "lifecycle rule " + quoteID(rd.ID)
	if err := rejectUnknown("Rule", rd.Unknown); err != nil {
		return r, err
	}
	switch {
	case len(rd.Transitions) > 0:
		return r, notImplemented("Transition", where)
	case len(rd.NoncurrentVersionTransitions) > 0:
		return r, notImplemented("NoncurrentVersionTransition", where)
	case len(rd.NoncurrentVersionExpirations) > 0:
		return r, notImplemented("NoncurrentVersionExpiration", where)
	}
	switch strings.TrimSpace(rd.Status) {
	case "Enabled":
		r.Enabled = true
	case "Disabled":
	default:
		return r, s3xml.Malformed("Status of " + where + " must be Enabled or Disabled")
	}
	switch {
	case rd.Prefix != nil && rd.Filter != nil:
		return r, s3xml.Malformed(where + " cannot have both Prefix and Filter")
	case rd.Prefix != nil:
		r.LegacyPrefix = true
		r.Filter.Prefix = *rd.Prefix
	case rd.Filter != nil:
		f, err := rd.Filter.filter(where)
		if err != nil {
			return r, err
		}
		r.Filter = f
	}
	if e := rd.Expiration; e != nil {
		if err := e.apply(&r, where); err != nil {
			return r, err
		}
	}
	if a := rd.AbortIncompleteMultipartUpload; a != nil {
		if err := rejectUnknown("AbortIncompleteMultipartUpload", a.Unknown); err != nil {
			return r, err
		}
		if a.DaysAfterInitiation == nil {
			return r, s3xml.Malformed("AbortIncompleteMultipartUpload of " + where + " has no DaysAfterInitiation")
		}
		if *a.DaysAfterInitiation <= 0 {
			return r, invalidArgument("'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer")
		}
		r.AbortIncompleteUploadDays = int(*a.DaysAfterInitiation)
	}
	return r, nil
}

func (fd filterDoc) filter(where string) (LifecycleFilter, error) {
	if err := rejectUnknown("Filter", fd.Unknown); err != nil {
		return LifecycleFilter{}, err
	}
	if len(fd.Tags) > 0 {
		return LifecycleFilter{}, notImplemented("Tag", "the Filter of "+where)
	}
	conditions := 0
	for _, present := range []bool{fd.Prefix != nil, fd.ObjectSizeGreaterThan != nil, fd.ObjectSizeLessThan != nil, fd.And != nil} {
		if present {
			conditions++
		}
	}
	if conditions > 1 {
		return LifecycleFilter{}, s3xml.Malformed("the Filter of " + where + " can have only one of Prefix, ObjectSizeGreaterThan, ObjectSizeLessThan or And")
	}
	prefix, greater, less := fd.Prefix, fd.ObjectSizeGreaterThan, fd.ObjectSizeLessThan
	if a := fd.And; a != nil {
		if err := rejectUnknown("And", a.Unknown); err != nil {
			return LifecycleFilter{}, err
		}
		if len(a.Tags) > 0 {
			return LifecycleFilter{}, notImplemented("Tag", "the Filter of "+where)
		}
		prefix, greater, less = a.Prefix, a.ObjectSizeGreaterThan, a.ObjectSizeLessThan
	}
	f := LifecycleFilter{Prefix: deref(prefix)}
	var err error
	if f.ObjectSizeGreaterThan, err = sizeBound("ObjectSizeGreaterThan", greater); err != nil {
		return LifecycleFilter{}, err
	}
	if f.ObjectSizeLessThan, err = sizeBound("ObjectSizeLessThan", less); err != nil {
		return LifecycleFilter{}, err
	}
	return f, nil
}

func sizeBound(name string, v *int64) (*uint64, error) {
	if v == nil {
		return nil, nil
	}
	if *v < 0 {
		return nil, invalidArgument("%s cannot be negative", name)
	}
	u := uint64(*v)
	return &u, nil
}

// apply sets r's expiration from the <Expiration> element.
func (e expirationDoc) apply(r *LifecycleRule, where string) error {
	if err := rejectUnknown("Expiration", e.Unknown); err != nil {
		return err
	}
	// Delete markers exist only with versioning; "false" asks for nothing
	// and some tools send it with every rule.
	if e.ExpiredObjectDeleteMarker != nil && *e.ExpiredObjectDeleteMarker {
		return notImplemented("ExpiredObjectDeleteMarker", where)
	}
	if e.Days == nil && e.Date == nil && e.ExpiredObjectDeleteMarker == nil {
		return s3xml.Malformed("Expiration of " + where + " has neither Days nor Date")
	}
	if e.Days != nil {
		if *e.Days <= 0 {
			return invalidArgument("'Days' for Expiration action must be a positive integer")
		}
		r.ExpirationDays = int(*e.Days)
	}
	if e.Date != nil {
		date, err := time.Parse(time.RFC3339, strings.TrimSpace(*e.Date))
		if err != nil {
			return s3xml.Malformed("the Expiration Date of " + where + " is not an ISO 8601 date and time")
		}
		if err := checkExpirationDate(date); err != nil {
			return err
		}
		r.ExpirationDate = date.UTC()
	}
	return nil
}

func quoteID(id string) string {
	if id == "" {
		return "without ID"
	}
	return `"` + id + `"`
}

// XML renders l as the body of GetBucketLifecycleConfiguration.
func (l Lifecycle) XML() []byte {
	var doc lifecycleDoc
	for _, r := range l.Rules {
		rd := lifecycleRuleDoc{ID: r.ID, Status: "Disabled"}
		if r.Enabled {
			rd.Status = "Enabled"
		}
		if r.LegacyPrefix {
			prefix := r.Filter.Prefix
			rd.Prefix = &prefix
		} else {
			rd.Filter = r.Filter.doc()
		}
		switch {
		case r.ExpirationDays > 0:
			days := int32(r.ExpirationDays)
			rd.Expiration = &expirationDoc{Days: &days}
		case !r.ExpirationDate.IsZero():
			date := r.ExpirationDate.UTC().Format(dateLayout)
			rd.Expiration = &expirationDoc{Date: &date}
		}
		if r.AbortIncompleteUploadDays > 0 {
			days := int32(r.AbortIncompleteUploadDays)
			rd.AbortIncompleteMultipartUpload = &abortUploadDoc{DaysAfterInitiation: &days}
		}
		doc.Rules = append(doc.Rules, rd)
	}
	return s3xml.Marshal(doc)
}

// doc writes the filter in the simplest form S3 reads: a lone condition
// directly, several under <And>. A filter on the prefix alone always names
// it, empty or not, as clients that sent <Prefix></Prefix> expect to read.
func (f LifecycleFilter) doc() *filterDoc {
	greater, less := signed(f.ObjectSizeGreaterThan), signed(f.ObjectSizeLessThan)
	switch {
	case greater == nil && less == nil:
		prefix := f.Prefix
		return &filterDoc{Prefix: &prefix}
	case f.Prefix == "" && (greater == nil || less == nil):
		return &filterDoc{ObjectSizeGreaterThan: greater, ObjectSizeLessThan: less}
	default:
		return &filterDoc{And: &andDoc{Prefix: nonEmpty(f.Prefix), ObjectSizeGreaterThan: greater, ObjectSizeLessThan: less}}
	}
}

func signed(v *uint64) *int64 {
	if v == nil {
		return nil
	}
	s := int64(*v)
	return &s
}
