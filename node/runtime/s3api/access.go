package s3api

import (
	"bytes"
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/s3/acl"
	"github.com/garagego/garage/node/s3/policy"
	"github.com/garagego/garage/node/s3/s3err"
)

// The access control operations: ACLs, ownership controls, bucket
// policies and the public access block. Each is stored in Bucket.Configs
// (an object's ACL in its objectACLHeader).

// displayName gives the requesting key's name; other keys' names would
// cost a read each, and S3 deprecates DisplayName anyway.
func (rq *request) displayName(id string) string {
	if id != "" && id == rq.accessKey.ID {
		return rq.accessKey.DisplayName()
	}
	return ""
}

func (rq *request) writeDocument(status int, contentType string, body []byte) error {
	h := rq.w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	rq.writeHeader(status)
	rq.w.Write(body) //nolint:errcheck // the client went away
	return nil
}

// storeConfig sets (or, with nil, removes) a bucket configuration and
// answers status.
func (rq *request) storeConfig(name string, value []byte, status int) error {
	if _, err := rq.api.backend.Do(rq.ctx, admin.SetBucketConfig{Bucket: rq.bucket.ID, Name: name, Value: value}); err != nil {
		return err
	}
	return rq.writeEmpty(status)
}

// aclNotSupported refuses an ACL under BucketOwnerEnforced.
func aclNotSupported() error {
	return s3err.New(s3err.AccessControlListNotSupported, "The bucket does not allow ACLs: its object ownership is BucketOwnerEnforced.")
}

// publicACLBlocked refuses a public ACL under BlockPublicAcls.
func publicACLBlocked() error {
	return s3err.New(s3err.AccessDenied, "Access Denied: the bucket's public access block (BlockPublicAcls) refuses public ACLs.")
}

// requestedACL reads an ACL-setting request: grants from the headers, or
// an AccessControlPolicy body, never both.
func (rq *request) requestedACL() (acl.Requested, *acl.Document, error) {
	req, err := acl.ParseHeaders(rq.r.Header.Values)
	if err != nil {
		return req, nil, err
	}
	body, err := rq.readBody(maxXMLBody)
	if err != nil {
		return req, nil, err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if !req.Present() {
			return req, nil, s3err.New(s3err.MissingSecurityHeader, "Your request was missing a required header: an ACL needs x-amz-acl, x-amz-grant-* headers or an AccessControlPolicy body.")
		}
		return req, nil, nil
	}
	if req.Present() {
		return req, nil, s3err.New(s3err.UnexpectedContent, "This request does not support content: the ACL is in the headers already.")
	}
	doc, err := acl.ParsePolicy(body)
	if err != nil {
		return req, nil, err
	}
	return req, &doc, nil
}

// fromDocument is the ACL an AccessControlPolicy sets on a resource
// owned by owner ("" the bucket owner, whose keys are owners): the
// document must name that owner, and its grants of full control to the
// owner are the owner's own.
func fromDocument(doc acl.Document, owner string, owners []string) (acl.ACL, error) {
	mine := owners
	if owner != "" {
		mine = []string{owner}
	}
	if doc.OwnerID != "" && !slices.Contains(mine, doc.OwnerID) {
		return acl.ACL{}, s3err.New(s3err.AccessDenied, "Access Denied: an ACL cannot change the owner (%s is not the owner).", doc.OwnerID)
	}
	a := acl.ACL{Owner: owner}
	for _, g := range doc.Grants {
		if g.Permission == acl.FullControl && slices.Contains(mine, g.Grantee.ID) {
			continue
		}
		a.Grants = append(a.Grants, g)
	}
	return acl.Requested{Grants: a.Grants}.ACL(owner, "")
}

// objectACLForWrite is the ACL an object write (PutObject, CopyObject,
// CreateMultipartUpload, PostObject) asks for in h: refused under
// BucketOwnerEnforced unless it asks for nothing beyond the owner's, and
// when public under BlockPublicAcls; one granting anything needs
// s3:PutObjectAcl too, as in S3. The object is owned by the bucket owner
// unless ObjectWriter (or BucketOwnerPreferred without
// bucket-owner-full-control) makes another key its writer and owner.
func (rq *request) objectACLForWrite(h http.Header, key string) (acl.ACL, error) {
	req, err := acl.ParseHeaders(h.Values)
	if err != nil {
		return acl.ACL{}, err
	}
	ac := rq.access
	if !ac.ownership.ACLsEnabled() {
		if !req.OnlyOwner() {
			return acl.ACL{}, aclNotSupported()
		}
		return acl.ACL{}, nil
	}
	owner := "" // the bucket owner
	writerOwns := ac.ownership.Writer() || ac.ownership == acl.BucketOwnerPreferred && req.Canned != acl.BucketOwnerFullControl
	if writerOwns && !rq.perms.Owner {
		owner = rq.principal() // "" when anonymous: the bucket owner's
	}
	a, err := req.ACL(owner, ac.firstOwner())
	if err != nil {
		return acl.ACL{}, err
	}
	if ac.pab.BlockPublicAcls && a.Public() {
		return acl.ACL{}, publicACLBlocked()
	}
	if !req.OnlyOwner() {
		if err := rq.authorize(check{ac: ac, bucket: rq.bucketName, key: key, action: "s3:PutObjectAcl", need: needWrite}); err != nil {
			return acl.ACL{}, err
		}
	}
	return a, nil
}

// --- bucket ACL -------------------------------------------------------------

func (rq *request) getBucketACL() error {
	ac := rq.access
	a := ac.acl
	if !ac.ownership.ACLsEnabled() {
		a = acl.ACL{} // S3 shows the owner's full control alone
	}
	return rq.writeDocument(http.StatusOK, "application/xml", a.XML(ac.owners(), rq.displayName))
}

func (rq *request) putBucketACL() error {
	req, doc, err := rq.requestedACL()
	if err != nil {
		return err
	}
	ac := rq.access
	var a acl.ACL
	if doc != nil {
		a, err = fromDocument(*doc, "", ac.owners())
	} else {
		a, err = req.ACL("", ac.firstOwner())
	}
	if err != nil {
		return err
	}
	if !ac.ownership.ACLsEnabled() && !a.OnlyOwner(ac.firstOwner()) {
		return aclNotSupported()
	}
	if ac.pab.BlockPublicAcls && a.Public() {
		return publicACLBlocked()
	}
	return rq.storeConfig(model.ConfigACL, encoded(a.Encode), http.StatusOK)
}

// bucketConfigsForCreate are the configurations CreateBucket writes with
// the bucket: its ownership (x-amz-object-ownership, BucketOwnerEnforced
// by default as in S3) and the ACL its headers ask for.
func (rq *request) bucketConfigsForCreate() ([]admin.BucketConfig, error) {
	ownership := acl.BucketOwnerEnforced
	if v := rq.r.Header.Values("x-amz-object-ownership"); len(v) > 0 {
		o, err := acl.ParseOwnership(v[0])
		if err != nil || len(v) > 1 {
			return nil, s3err.New(s3err.InvalidArgument, "Invalid x-amz-object-ownership %q: use BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter.", v[0])
		}
		ownership = o
	}
	req, err := acl.ParseHeaders(rq.r.Header.Values)
	if err != nil {
		return nil, err
	}
	out := []admin.BucketConfig{{Name: model.ConfigOwnership, Value: encoded(ownership.Encode)}}
	if !req.Present() {
		return out, nil
	}
	a, err := req.ACL("", rq.accessKey.ID)
	if err != nil {
		return nil, err
	}
	if !ownership.ACLsEnabled() && !a.OnlyOwner(rq.accessKey.ID) {
		return nil, s3err.New(s3err.InvalidBucketAclWithObjectOwnership, "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting.")
	}
	return append(out, admin.BucketConfig{Name: model.ConfigACL, Value: encoded(a.Encode)}), nil
}

// --- object ACL -------------------------------------------------------------

func (rq *request) getObjectACL() error {
	obj, _, err := rq.addressedVersion()
	if err != nil {
		return err
	}
	a, err := storedObjectACL(obj)
	if err != nil {
		return err
	}
	owners := rq.access.owners()
	if !rq.access.ownership.ACLsEnabled() {
		a = acl.ACL{}
	}
	return rq.writeDocument(http.StatusOK, "application/xml", a.XML(owners, rq.displayName))
}

// putObjectACL sets the ACL of an object's current version, or of the one
// versionId names, in place: the version's "acl" attribute, so that no
// new version is made and its content, ETag and Last-Modified stay.
func (rq *request) putObjectACL() error {
	req, doc, err := rq.requestedACL()
	if err != nil {
		return err
	}
	obj, _, err := rq.addressedVersion()
	if err != nil {
		return err
	}
	current, err := storedObjectACL(obj)
	if err != nil {
		return err
	}
	ac := rq.access
	var a acl.ACL
	if doc != nil {
		a, err = fromDocument(*doc, current.Owner, ac.owners())
	} else {
		a, err = req.ACL(current.Owner, ac.firstOwner())
	}
	if err != nil {
		return err
	}
	if !ac.ownership.ACLsEnabled() {
		if !a.OnlyOwner(ac.firstOwner()) {
			return aclNotSupported()
		}
		a = acl.ACL{Owner: current.Owner}
	}
	if ac.pab.BlockPublicAcls && a.Public() {
		return publicACLBlocked()
	}
	// The exact version read: a version written meanwhile keeps its own.
	target := model.VersionRef{Set: true, Null: !obj.Versioned, ID: obj.Version}
	if _, err := rq.api.backend.SetObjectAttr(rq.ctx, rq.bucket.ID, rq.key, target, objectACLAttr, []byte(objectACLValue(a))); err != nil {
		if errors.Is(err, object.ErrNoSuchVersion) {
			return s3err.New(s3err.ConditionalRequestConflict, "The object changed while its ACL was being set; try again.")
		}
		return err
	}
	rq.setStamp(obj.Stamp())
	return rq.writeEmpty(http.StatusOK)
}

// --- ownership controls -----------------------------------------------------

// getOwnershipControls answers the bucket's setting: BucketOwnerEnforced
// for a bucket that never had one (the default), not found once deleted.
func (rq *request) getOwnershipControls() error {
	if rq.access.ownership == acl.NoOwnershipControls {
		return s3err.New(s3err.OwnershipControlsNotFoundError, "The bucket ownership controls were not found.")
	}
	return rq.writeDocument(http.StatusOK, "application/xml", rq.access.ownership.XML())
}

func (rq *request) putOwnershipControls() error {
	data, err := rq.readBody(maxXMLBody)
	if err != nil {
		return err
	}
	o, err := acl.ParseOwnershipControls(data)
	if err != nil {
		return err
	}
	if !o.ACLsEnabled() && !rq.access.acl.OnlyOwner(rq.access.firstOwner()) {
		return s3err.New(s3err.InvalidBucketAclWithObjectOwnership, "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting: reset its ACL to private first.")
	}
	return rq.storeConfig(model.ConfigOwnership, encoded(o.Encode), http.StatusOK)
}

// deleteOwnershipControls leaves the bucket without ownership controls,
// which S3 treats as ObjectWriter; stored as such, since a bucket with
// nothing stored is BucketOwnerEnforced.
func (rq *request) deleteOwnershipControls() error {
	return rq.storeConfig(model.ConfigOwnership, encoded(acl.NoOwnershipControls.Encode), http.StatusNoContent)
}

// --- bucket policy ----------------------------------------------------------

func (rq *request) putBucketPolicy() error {
	data, err := rq.readBody(policy.MaxSize + 1)
	if err != nil {
		if e, ok := s3err.As(err); ok && e.Code == s3err.EntityTooLarge {
			return s3err.New(s3err.MalformedPolicy, "Policies must be at most %d bytes.", policy.MaxSize)
		}
		return err
	}
	names := append(slices.Clone(rq.access.names), rq.bucketName)
	p, err := policy.Parse(data, names...)
	if err != nil {
		return err
	}
	if rq.access.pab.BlockPublicPolicy && p.IsPublic() {
		return s3err.New(s3err.AccessDenied, "Access Denied: the bucket's public access block (BlockPublicPolicy) refuses a public policy.")
	}
	return rq.storeConfig(model.ConfigPolicy, data, http.StatusNoContent)
}

func (rq *request) getBucketPolicy() error {
	data, ok := rq.bucket.Config(model.ConfigPolicy)
	if !ok {
		return s3err.New(s3err.NoSuchBucketPolicy, "The bucket policy does not exist.")
	}
	return rq.writeDocument(http.StatusOK, "application/json", data)
}

func (rq *request) deleteBucketPolicy() error {
	return rq.storeConfig(model.ConfigPolicy, nil, http.StatusNoContent)
}

// policyStatus answers GetBucketPolicyStatus.
type policyStatus struct {
	XMLName  struct{} `xml:"http://s3.amazonaws.com/doc/2006-03-01/ PolicyStatus"`
	IsPublic bool     `xml:"IsPublic"`
}

func (rq *request) getBucketPolicyStatus() error {
	if rq.access.policy == nil {
		return s3err.New(s3err.NoSuchBucketPolicy, "The bucket policy does not exist.")
	}
	return rq.writeXML(http.StatusOK, policyStatus{IsPublic: rq.access.policy.IsPublic()})
}

// --- public access block ----------------------------------------------------

func (rq *request) getPublicAccessBlock() error {
	if _, ok := rq.bucket.Config(model.ConfigPublicAccessBlock); !ok {
		return s3err.New(s3err.NoSuchPublicAccessBlockConfiguration, "The public access block configuration was not found.")
	}
	return rq.writeDocument(http.StatusOK, "application/xml", rq.access.pab.XML())
}

func (rq *request) putPublicAccessBlock() error {
	data, err := rq.readBody(maxXMLBody)
	if err != nil {
		return err
	}
	p, err := acl.ParsePublicAccessBlock(data)
	if err != nil {
		return err
	}
	return rq.storeConfig(model.ConfigPublicAccessBlock, encoded(p.Encode), http.StatusOK)
}

func (rq *request) deletePublicAccessBlock() error {
	return rq.storeConfig(model.ConfigPublicAccessBlock, nil, http.StatusNoContent)
}
