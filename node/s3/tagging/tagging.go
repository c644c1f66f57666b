// Package tagging is S3's tag sets, as objects and buckets carry them:
// the <Tagging> document of Put/GetObjectTagging and Put/GetBucketTagging,
// the URL-query form of the x-amz-tagging header, and AWS's limits on
// them. It knows nothing of where tags are kept.
package tagging

import (
	"encoding/xml"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/s3/s3xml"
)

// AWS's limits on tag sets.
const (
	MaxObjectTags = 10
	MaxBucketTags = 50
	MaxKeyLen     = 128 // characters (Unicode code points), not bytes
	MaxValueLen   = 256
)

// Tag is one key-value pair.
type Tag struct {
	Key, Value string
}

// Set is a tag set, in the order it was given; nil is no tags.
type Set []Tag

// Get returns the value of the tag key, if the set has it.
func (s Set) Get(key string) (string, bool) {
	for _, t := range s {
		if t.Key == key {
			return t.Value, true
		}
	}
	return "", false
}

// Keys lists the set's keys, in order.
func (s Set) Keys() []string {
	out := make([]string, len(s))
	for i, t := range s {
		out[i] = t.Key
	}
	return out
}

// taggingDoc is the <Tagging> document. Pointers tell an element left out
// from one left empty: S3 requires TagSet, and Key and Value in each Tag.
type taggingDoc struct {
	XMLName xml.Name     `xml:"http://s3.amazonaws.com/doc/2006-03-01/ Tagging"`
	TagSet  *tagSetDoc   `xml:"TagSet"`
	Extra   []anyElement `xml:",any"`
}

type tagSetDoc struct {
	Tags  []tagDoc     `xml:"Tag"`
	Extra []anyElement `xml:",any"`
}

type tagDoc struct {
	Key   *string      `xml:"Key"`
	Value *string      `xml:"Value"`
	Extra []anyElement `xml:",any"`
}

// anyElement catches an element the schema does not have.
type anyElement struct {
	XMLName xml.Name
}

// ParseXML reads a <Tagging> document (PutObjectTagging, PutBucketTagging,
// PostObject's tagging field): MalformedXML when it is not one. The
// limits are the caller's to check (CheckObject, CheckBucket), as they
// differ between objects and buckets.
func ParseXML(body []byte) (Set, error) {
	var doc taggingDoc
	if err := s3xml.Decode(body, s3xml.MaxBodySize, &doc); err != nil {
		return nil, err
	}
	if len(doc.Extra) > 0 {
		return nil, s3xml.Malformed("unexpected element " + doc.Extra[0].XMLName.Local + " in Tagging")
	}
	if doc.TagSet == nil {
		return nil, s3xml.Malformed("Tagging has no TagSet")
	}
	if len(doc.TagSet.Extra) > 0 {
		return nil, s3xml.Malformed("unexpected element " + doc.TagSet.Extra[0].XMLName.Local + " in TagSet")
	}
	var s Set
	for _, td := range doc.TagSet.Tags {
		switch {
		case len(td.Extra) > 0:
			return nil, s3xml.Malformed("unexpected element " + td.Extra[0].XMLName.Local + " in Tag")
		case td.Key == nil:
			return nil, s3xml.Malformed("a Tag has no Key")
		case td.Value == nil:
			return nil, s3xml.Malformed("a Tag has no Value")
		}
		s = append(s, Tag{Key: *td.Key, Value: *td.Value})
	}
	return s, nil
}

// XML renders s as the body of GetObjectTagging or GetBucketTagging; an
// empty set is an empty <TagSet/>, as S3 answers for an untagged object.
func (s Set) XML() []byte {
	doc := taggingDoc{TagSet: &tagSetDoc{}}
	for _, t := range s {
		k, v := t.Key, t.Value
		doc.TagSet.Tags = append(doc.TagSet.Tags, tagDoc{Key: &k, Value: &v})
	}
	return s3xml.Marshal(doc)
}

// headerMisencoded is AWS's answer to an x-amz-tagging header it cannot
// read, duplicate keys included.
func headerMisencoded() error {
	return s3err.New(s3err.InvalidArgument, "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
}

// ParseQuery reads the x-amz-tagging header: URL-query-encoded pairs
// ("k1=v1&k2=v2"; a key without "=" has an empty value). A misencoded
// header, or one naming a key twice, is InvalidArgument, as AWS answers.
// It is also how tags are stored (Query writes it), so it reads back
// exactly what Query wrote.
func ParseQuery(v string) (Set, error) {
	var s Set
	for _, pair := range strings.Split(v, "&") {
		if pair == "" {
			continue
		}
		rawKey, rawValue, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(rawKey)
		if err != nil {
			return nil, headerMisencoded()
		}
		value, err := url.QueryUnescape(rawValue)
		if err != nil {
			return nil, headerMisencoded()
		}
		if !utf8.ValidString(key) || !utf8.ValidString(value) {
			return nil, headerMisencoded()
		}
		if _, dup := s.Get(key); dup {
			return nil, headerMisencoded()
		}
		s = append(s, Tag{Key: key, Value: value})
	}
	return s, nil
}

// Query writes s as ParseQuery reads it ("" for no tags).
func (s Set) Query() string {
	parts := make([]string, len(s))
	for i, t := range s {
		parts[i] = url.QueryEscape(t.Key) + "=" + url.QueryEscape(t.Value)
	}
	return strings.Join(parts, "&")
}

func invalidTag(format string, args ...any) error {
	return s3err.New(s3err.InvalidTag, format, args...)
}

// CheckObject applies AWS's limits on an object's tags: at most 10, keys
// of 1 to 128 characters and values of up to 256, keys unique (InvalidTag).
func (s Set) CheckObject() error {
	if len(s) > MaxObjectTags {
		return invalidTag("Object tags cannot be greater than %d", MaxObjectTags)
	}
	return s.CheckTags()
}

// CheckBucket applies AWS's limits on a bucket's tags: at most 50, keys
// and values as for objects, and no key in the aws: namespace, which is
// AWS's own (InvalidTag).
func (s Set) CheckBucket() error {
	if len(s) > MaxBucketTags {
		return invalidTag("Bucket tag count cannot be greater than %d", MaxBucketTags)
	}
	for _, t := range s {
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return invalidTag("System tags cannot be added/updated by requester")
		}
	}
	return s.CheckTags()
}

// CheckTags applies the limits on each tag, whatever the count: keys of 1
// to 128 characters, values of up to 256, keys unique (InvalidTag). A
// lifecycle rule's filter tags are checked so.
func (s Set) CheckTags() error {
	seen := make(map[string]bool, len(s))
	for _, t := range s {
		switch {
		case t.Key == "" || !utf8.ValidString(t.Key):
			return invalidTag("The TagKey you have provided is invalid")
		case !utf8.ValidString(t.Value):
			return invalidTag("The TagValue you have provided is invalid")
		case utf8.RuneCountInString(t.Key) > MaxKeyLen:
			return invalidTag("The TagKey you have provided is too long, max %d", MaxKeyLen)
		case utf8.RuneCountInString(t.Value) > MaxValueLen:
			return invalidTag("The TagValue you have provided is too long, max %d", MaxValueLen)
		case seen[t.Key]:
			return invalidTag("Cannot provide multiple Tags with the same key")
		}
		seen[t.Key] = true
	}
	return nil
}
