package s3api

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/runtime/server"
	"github.com/garagego/garage/node/s3/policy"
	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/s3/tagging"
)

// Object and bucket tags.
//
// An object's tags are set when it is written (x-amz-tagging, PostObject's
// tagging field, a copy's tagging directive) and kept in its headers as
// tagsHeader; PutObjectTagging and DeleteObjectTagging change them in place
// as the version's tagsAttr attribute, which, once set, overrides the
// header (an empty value is no tags): no new version is made, and the
// ETag and Last-Modified stay. Both hold tagging's query encoding.
// objectTags reads them; everything that looks at an object's tags goes
// through it. A bucket's tags are its model.ConfigTagging configuration.

const (
	tagsHeader = internalPrefix + "tags"
	tagsAttr   = "tags"
)

// objectTags is the effective tag set of a version stored with headers
// and attrs: its tags attribute if set, else the tags it was written with.
func objectTags(headers []model.Header, attrs []model.Attr) (tagging.Set, error) {
	v, _ := model.Setting(headers, attrs, tagsAttr, tagsHeader)
	tags, err := tagging.ParseQuery(v)
	if err != nil {
		return nil, fmt.Errorf("stored object tags %q: %w", v, err)
	}
	return tags, nil
}

// withTags returns headers keeping tags as the tags an object is written
// with (none: no header).
func withTags(headers []model.Header, tags tagging.Set) []model.Header {
	out := slices.DeleteFunc(slices.Clone(headers), func(h model.Header) bool { return h.Name == tagsHeader })
	if len(tags) > 0 {
		out = withHeader(out, model.Header{Name: tagsHeader, Value: tags.Query()})
	}
	return out
}

// requestTags reads the tags an object write asks for in x-amz-tagging
// (none without one), within AWS's limits.
func requestTags(h http.Header) (tagging.Set, error) {
	values := h.Values("x-amz-tagging")
	if len(values) == 0 {
		return nil, nil
	}
	tags, err := tagging.ParseQuery(strings.Join(values, "&"))
	if err != nil {
		return nil, err
	}
	return tags, tags.CheckObject()
}

// taggingDirective reads a copy's x-amz-tagging-directive: whether the
// copy takes its source's tags (COPY, the default) or the request's
// (REPLACE).
func taggingDirective(h http.Header) (replace bool, err error) {
	switch d := h.Get("x-amz-tagging-directive"); d {
	case "", "COPY":
		return false, nil
	case "REPLACE":
		return true, nil
	default:
		return false, s3err.New(s3err.InvalidArgument, "Unknown tagging directive %q: use COPY or REPLACE.", d)
	}
}

// copyTags is the tag set a copy of src is written with.
func (rq *request) copyTags(src object.Object) (tagging.Set, error) {
	replace, err := taggingDirective(rq.r.Header)
	if err != nil {
		return nil, err
	}
	if replace {
		return requestTags(rq.r.Header)
	}
	return objectTags(src.Meta.Headers, src.Attrs)
}

// setTaggingCount answers x-amz-tagging-count on a GET or HEAD of an
// object that has tags.
func setTaggingCount(h http.Header, obj object.Object) error {
	tags, err := objectTags(obj.Meta.Headers, obj.Attrs)
	if err != nil {
		return err
	}
	if len(tags) > 0 {
		h.Set("x-amz-tagging-count", strconv.Itoa(len(tags)))
	}
	return nil
}

func (rq *request) getObjectTagging() error {
	obj, _, err := rq.addressedVersion()
	if err != nil {
		return err
	}
	tags, err := objectTags(obj.Meta.Headers, obj.Attrs)
	if err != nil {
		return err
	}
	return rq.writeDocument(http.StatusOK, "application/xml", tags.XML())
}

func (rq *request) putObjectTagging() error {
	body, err := rq.readBody(maxXMLBody)
	if err != nil {
		return err
	}
	tags, err := tagging.ParseXML(body)
	if err != nil {
		return err
	}
	if err := tags.CheckObject(); err != nil {
		return err
	}
	if err := rq.setObjectTags(tags); err != nil {
		return err
	}
	return rq.writeEmpty(http.StatusOK)
}

func (rq *request) deleteObjectTagging() error {
	if err := rq.setObjectTags(nil); err != nil {
		return err
	}
	return rq.writeEmpty(http.StatusNoContent)
}

// setObjectTags sets the tags of the version the request addresses, in
// place. It names the version it found by its id, so that a version
// written meanwhile is not the one tagged.
func (rq *request) setObjectTags(tags tagging.Set) error {
	obj, ref, err := rq.addressedVersion()
	if err != nil {
		return err
	}
	exact, err := model.ParseVersionRef(obj.S3VersionID())
	if err != nil {
		return fmt.Errorf("version %s of %q: %w", obj.S3VersionID(), rq.key, err)
	}
	_, err = rq.api.backend.SetObjectAttr(rq.ctx, rq.bucket.ID, rq.key, exact, tagsAttr, []byte(tags.Query()))
	if errors.Is(err, object.ErrNoSuchVersion) { // deleted since it was read
		if ref.Set {
			return s3err.New(s3err.NoSuchVersion, "The specified version does not exist.")
		}
		return s3err.New(s3err.NoSuchKey, "The specified key does not exist.")
	}
	return err
}

// --- bucket tags ------------------------------------------------------------

func (rq *request) putBucketTagging() error {
	body, err := rq.readBody(maxXMLBody)
	if err != nil {
		return err
	}
	tags, err := tagging.ParseXML(body)
	if err != nil {
		return err
	}
	if err := tags.CheckBucket(); err != nil {
		return err
	}
	var value []byte // an empty tag set leaves the bucket without tags
	if len(tags) > 0 {
		value = []byte(tags.Query())
	}
	return rq.storeConfig(model.ConfigTagging, value, http.StatusNoContent)
}

func (rq *request) getBucketTagging() error {
	data, ok := rq.bucket.Config(model.ConfigTagging)
	if !ok {
		return s3err.New(s3err.NoSuchTagSet, "The TagSet does not exist")
	}
	tags, err := tagging.ParseQuery(string(data))
	if err != nil {
		return fmt.Errorf("bucket %s: stored tags: %w", rq.bucket.ID, err)
	}
	return rq.writeDocument(http.StatusOK, "application/xml", tags.XML())
}

func (rq *request) deleteBucketTagging() error {
	return rq.storeConfig(model.ConfigTagging, nil, http.StatusNoContent)
}

// --- policies ---------------------------------------------------------------

// existingTagActions are the actions whose requests carry the addressed
// object's tags as s3:ExistingObjectTag/<key>, as AWS's service
// authorization reference lists them: reads and changes of an existing
// object's data, ACL and tags (not writes of a new object).
var existingTagActions = []string{
	"s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectAcl", "s3:GetObjectVersionAcl",
	"s3:PutObjectAcl", "s3:PutObjectVersionAcl",
	"s3:GetObjectTagging", "s3:GetObjectVersionTagging", "s3:PutObjectTagging", "s3:PutObjectVersionTagging",
	"s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging",
}

// policyContext is the request's condition context for c, with the
// addressed object's tags when the policy reads them and c's action
// carries them. An object that does not exist has none: its keys are
// absent.
func (rq *request) policyContext(c check) (map[string][]string, error) {
	base := rq.conditionContext()
	if c.key == "" || !slices.Contains(existingTagActions, c.action) || !c.ac.policy.UsesKeyPrefix(policy.ExistingObjectTagPrefix) {
		return base, nil
	}
	obj, err := rq.api.backend.HeadObjectVersion(rq.ctx, c.ac.bucket.ID, c.key, c.version)
	if errors.Is(err, server.ErrNoSuchObject) {
		return base, nil
	}
	if err != nil {
		return nil, fmt.Errorf("tags of %q for the bucket policy: %w", c.key, err)
	}
	tags, err := objectTags(obj.Meta.Headers, obj.Attrs)
	if err != nil {
		return nil, err
	}
	ctx := maps.Clone(base)
	for _, t := range tags {
		ctx[policy.ExistingObjectTagPrefix+strings.ToLower(t.Key)] = []string{t.Value}
	}
	return ctx, nil
}
