package bucketcfg

import (
	"encoding/xml"
	"strings"
	"time"

	"github.com/garagego/garage/node/s3/s3xml"
	"github.com/garagego/garage/node/s3/tagging"
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
	NoncurrentVersionExpiration    *noncurrentDoc  `xml:"NoncurrentVersionExpiration"`
	AbortIncompleteMultipartUpload *abortUploadDoc `xml:"AbortIncompleteMultipartUpload"`

	// Actions this store cannot take: recognised so the client hears
	// NotImplemented, not MalformedXML.
	Transitions                  []unknownElement `xml:"Transition"`
	NoncurrentVersionTransitions []unknownElement `xml:"NoncurrentVersionTransition"`

	Unknown []unknownElement `xml:",any"`
}

type filterDoc struct {
	Prefix                *string          `xml:"Prefix"`
	ObjectSizeGreaterThan *int64           `xml:"ObjectSizeGreaterThan"`
	ObjectSizeLessThan    *int64           `xml:"ObjectSizeLessThan"`
	Tag                   *tagDoc          `xml:"Tag"`
	And                   *andDoc          `xml:"And"`
	Unknown               []unknownElement `xml:",any"`
}

type andDoc struct {
	Prefix                *string          `xml:"Prefix"`
	ObjectSizeGreaterThan *int64           `xml:"ObjectSizeGreaterThan"`
	ObjectSizeLessThan    *int64           `xml:"ObjectSizeLessThan"`
	Tags                  []tagDoc         `xml:"Tag"`
	Unknown               []unknownElement `xml:",any"`
}

// tagDoc is a filter's <Tag>: Key and Value are required.
type tagDoc struct {
	Key     *string          `xml:"Key"`
	Value   *string          `xml:"Value"`
	Unknown []unknownElement `xml:",any"`
}

type noncurrentDoc struct {
	NoncurrentDays          *int32           `xml:"NoncurrentDays"`
	NewerNoncurrentVersions *int32           `xml:"NewerNoncurrentVersions"`
	Unknown                 []unknownElement `xml:",any"`
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
	if n := rd.NoncurrentVersionExpiration; n != nil {
		if err := n.apply(&r, where); err != nil {
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
	conditions := 0
	for _, present := range []bool{fd.Prefix != nil, fd.ObjectSizeGreaterThan != nil, fd.ObjectSizeLessThan != nil, fd.Tag != nil, fd.And != nil} {
		if present {
			conditions++
		}
	}
	if conditions > 1 {
		return LifecycleFilter{}, s3xml.Malformed("the Filter of " + where + " can have only one of Prefix, Tag, ObjectSizeGreaterThan, ObjectSizeLessThan or And")
	}
	prefix, greater, less := fd.Prefix, fd.ObjectSizeGreaterThan, fd.ObjectSizeLessThan
	var tagDocs []tagDoc
	if fd.Tag != nil {
		tagDocs = []tagDoc{*fd.Tag}
	}
	if a := fd.And; a != nil {
		if err := rejectUnknown("And", a.Unknown); err != nil {
			return LifecycleFilter{}, err
		}
		prefix, greater, less, tagDocs = a.Prefix, a.ObjectSizeGreaterThan, a.ObjectSizeLessThan, a.Tags
	}
	f := LifecycleFilter{Prefix: deref(prefix)}
	for _, td := range tagDocs {
		if err := rejectUnknown("Tag", td.Unknown); err != nil {
			return LifecycleFilter{}, err
		}
		if td.Key == nil || td.Value == nil {
			return LifecycleFilter{}, s3xml.Malformed("a Tag in the Filter of " + where + " needs a Key and a Value")
		}
		f.Tags = append(f.Tags, tagging.Tag{Key: *td.Key, Value: *td.Value})
	}
	if _, dup := duplicateKey(f.Tags); dup {
		return LifecycleFilter{}, invalidRequest("Duplicate Tag Keys are not allowed.")
	}
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
	// "false" asks for nothing, and some tools send it with every rule.
	r.ExpiredObjectDeleteMarker = e.ExpiredObjectDeleteMarker != nil && *e.ExpiredObjectDeleteMarker
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

// apply sets r's noncurrent-version expiration from the
// <NoncurrentVersionExpiration> element.
func (n noncurrentDoc) apply(r *LifecycleRule, where string) error {
	if err := rejectUnknown("NoncurrentVersionExpiration", n.Unknown); err != nil {
		return err
	}
	if n.NoncurrentDays == nil {
		return s3xml.Malformed("NoncurrentVersionExpiration of " + where + " has no NoncurrentDays")
	}
	if *n.NoncurrentDays <= 0 {
		return invalidArgument("'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer")
	}
	r.NoncurrentDays = int(*n.NoncurrentDays)
	if v := n.NewerNoncurrentVersions; v != nil {
		if *v <= 0 || *v > MaxNewerNoncurrentVersions {
			return invalidArgument("'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be a positive integer up to %d", MaxNewerNoncurrentVersions)
		}
		r.NewerNoncurrentVersions = int(*v)
	}
	return nil
}

// duplicateKey finds a key given twice in tags.
func duplicateKey(tags tagging.Set) (string, bool) {
	for i, t := range tags {
		if _, dup := tags[:i].Get(t.Key); dup {
			return t.Key, true
		}
	}
	return "", false
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
		case r.ExpiredObjectDeleteMarker:
			yes := true
			rd.Expiration = &expirationDoc{ExpiredObjectDeleteMarker: &yes}
		}
		if r.NoncurrentDays > 0 {
			days := int32(r.NoncurrentDays)
			rd.NoncurrentVersionExpiration = &noncurrentDoc{NoncurrentDays: &days}
			if r.NewerNoncurrentVersions > 0 {
				newer := int32(r.NewerNoncurrentVersions)
				rd.NoncurrentVersionExpiration.NewerNoncurrentVersions = &newer
			}
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
	var tags []tagDoc
	for _, t := range f.Tags {
		k, v := t.Key, t.Value
		tags = append(tags, tagDoc{Key: &k, Value: &v})
	}
	conditions := len(tags)
	for _, present := range []bool{f.Prefix != "", greater != nil, less != nil} {
		if present {
			conditions++
		}
	}
	switch {
	case conditions == 0 || conditions == 1 && f.Prefix != "":
		prefix := f.Prefix
		return &filterDoc{Prefix: &prefix}
	case conditions == 1 && len(tags) == 1:
		return &filterDoc{Tag: &tags[0]}
	case conditions == 1:
		return &filterDoc{ObjectSizeGreaterThan: greater, ObjectSizeLessThan: less}
	default:
		return &filterDoc{And: &andDoc{Prefix: nonEmpty(f.Prefix), ObjectSizeGreaterThan: greater, ObjectSizeLessThan: less, Tags: tags}}
	}
}

func signed(v *uint64) *int64 {
	if v == nil {
		return nil
	}
	s := int64(*v)
	return &s
}
