package s3api

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/garagego/garage/node/s3/s3err"
)

// endpoint is an S3 operation: the right it needs on its bucket, and what
// runs it.
type endpoint struct {
	name string
	need need
	run  func(*request) error
}

// unsupported lists the sub-resources this store does not implement: a
// request for one gets NotImplemented rather than being mistaken for a
// plain object or bucket operation.
//
// Every operation of the S3 API is either routed to its endpoint or refused
// here (or with MethodNotAllowed): TestCompatibilityTableMatchesTheRouter
// checks it against botocore's model of the API.
var unsupported = []string{
	"abac", "accelerate", "analytics", "intelligent-tiering", "inventory",
	"logging", "metadataConfiguration", "metadataInventoryTable", "metadataJournalTable",
	"metadataTable", "metrics", "notification", "renameObject", "replication",
	"requestPayment", "restore", "select", "session", "torrent",
}

// versionedEndpoints are the endpoints that take a versionId: elsewhere it
// is refused, never ignored.
var versionedEndpoints = []string{"GetObject", "HeadObject", "DeleteObject", "GetObjectAttributes", "GetObjectAcl", "PutObjectAcl",
	"GetObjectTagging", "PutObjectTagging", "DeleteObjectTagging",
	"GetObjectRetention", "PutObjectRetention", "GetObjectLegalHold", "PutObjectLegalHold"}

// versionActions are the IAM actions of endpoints addressing a version by
// its id, as S3 names them: a policy allowing s3:GetObject does not allow
// reading old versions.
var versionActions = map[string]string{
	"GetObject":    "s3:GetObjectVersion",
	"HeadObject":   "s3:GetObjectVersion",
	"DeleteObject": "s3:DeleteObjectVersion",
	// GetObjectAttributes needs both actions in S3; the version one here.
	"GetObjectAttributes": "s3:GetObjectVersionAttributes",
	"GetObjectAcl":        "s3:GetObjectVersionAcl",
	"PutObjectAcl":        "s3:PutObjectVersionAcl",
	"GetObjectTagging":    "s3:GetObjectVersionTagging",
	"PutObjectTagging":    "s3:PutObjectVersionTagging",
	"DeleteObjectTagging": "s3:DeleteObjectVersionTagging",
}

// accessSubresources are the access control sub-resources: a request
// naming one is only ever one of their operations, never (say) a
// DeleteObject that happened to carry ?acl.
var accessSubresources = []string{"acl", "ownershipControls", "policy", "policyStatus", "publicAccessBlock"}

// endpointActions gives each endpoint its IAM action, as AWS's "Actions,
// resources and condition keys for Amazon S3" names it: what bucket
// policies grant or deny. The resource is the bucket for bucket-level
// endpoints, bucket/key for object-level ones. An endpoint missing here
// can be granted only by the key's rights (a test keeps the list whole).
var endpointActions = map[string]string{
	"ListBuckets":                     "s3:ListAllMyBuckets",
	"CreateBucket":                    "s3:CreateBucket",
	"DeleteBucket":                    "s3:DeleteBucket",
	"HeadBucket":                      "s3:ListBucket",
	"ListObjects":                     "s3:ListBucket",
	"ListObjectsV2":                   "s3:ListBucket",
	"ListObjectVersions":              "s3:ListBucketVersions",
	"GetBucketLocation":               "s3:GetBucketLocation",
	"GetBucketVersioning":             "s3:GetBucketVersioning",
	"PutBucketVersioning":             "s3:PutBucketVersioning",
	"GetBucketCors":                   "s3:GetBucketCORS",
	"PutBucketCors":                   "s3:PutBucketCORS",
	"DeleteBucketCors":                "s3:PutBucketCORS",
	"GetBucketWebsite":                "s3:GetBucketWebsite",
	"PutBucketWebsite":                "s3:PutBucketWebsite",
	"DeleteBucketWebsite":             "s3:DeleteBucketWebsite",
	"GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
	"PutBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration",
	"DeleteBucketLifecycle":           "s3:PutLifecycleConfiguration",
	"ListMultipartUploads":            "s3:ListBucketMultipartUploads",
	"DeleteObjects":                   "s3:DeleteObject", // decided for each object
	"GetBucketAcl":                    "s3:GetBucketAcl",
	"PutBucketAcl":                    "s3:PutBucketAcl",
	"GetBucketOwnershipControls":      "s3:GetBucketOwnershipControls",
	"PutBucketOwnershipControls":      "s3:PutBucketOwnershipControls",
	"DeleteBucketOwnershipControls":   "s3:PutBucketOwnershipControls",
	"GetBucketPolicy":                 "s3:GetBucketPolicy",
	"PutBucketPolicy":                 "s3:PutBucketPolicy",
	"DeleteBucketPolicy":              "s3:DeleteBucketPolicy",
	"GetBucketPolicyStatus":           "s3:GetBucketPolicyStatus",
	"GetPublicAccessBlock":            "s3:GetBucketPublicAccessBlock",
	"PutPublicAccessBlock":            "s3:PutBucketPublicAccessBlock",
	"DeletePublicAccessBlock":         "s3:PutBucketPublicAccessBlock",
	"GetObject":                       "s3:GetObject",
	"GetObjectAttributes":             "s3:GetObjectAttributes",
	"HeadObject":                      "s3:GetObject",
	"GetObjectAcl":                    "s3:GetObjectAcl",
	"PutObjectAcl":                    "s3:PutObjectAcl",
	"PutObject":                       "s3:PutObject",
	"PostObject":                      "s3:PutObject",
	"CopyObject":                      "s3:PutObject", // and s3:GetObject on the source
	"CreateMultipartUpload":           "s3:PutObject",
	"UploadPart":                      "s3:PutObject",
	"UploadPartCopy":                  "s3:PutObject", // and s3:GetObject on the source
	"CompleteMultipartUpload":         "s3:PutObject",
	"AbortMultipartUpload":            "s3:AbortMultipartUpload",
	"ListParts":                       "s3:ListMultipartUploadParts",
	"DeleteObject":                    "s3:DeleteObject",
	"GetObjectTagging":                "s3:GetObjectTagging",
	"PutObjectTagging":                "s3:PutObjectTagging",
	"DeleteObjectTagging":             "s3:DeleteObjectTagging",
	"GetBucketTagging":                "s3:GetBucketTagging",
	"PutBucketTagging":                "s3:PutBucketTagging",
	"DeleteBucketTagging":             "s3:PutBucketTagging", // as AWS names it
	"GetObjectLockConfiguration":      "s3:GetBucketObjectLockConfiguration",
	"PutObjectLockConfiguration":      "s3:PutBucketObjectLockConfiguration",
	"GetObjectRetention":              "s3:GetObjectRetention",
	"PutObjectRetention":              "s3:PutObjectRetention",
	"GetObjectLegalHold":              "s3:GetObjectLegalHold",
	"PutObjectLegalHold":              "s3:PutObjectLegalHold",
}

// unimplementedHeaders are request headers whose meaning this store does
// not implement and whose absence would change what the client believes
// (its object encrypted with KMS, public, or an owner checked; SSE-S3 and
// SSE-C are implemented, sse.go; storage classes are labels, headers.go;
// tags are tagging.go's and object lock headers objectlock.go's):
// such a request is refused with NotImplemented, never served as if the
// header were not there. accepted lists the values that ask for nothing
// beyond what the store does anyway.
var unimplementedHeaders = []struct {
	name     string
	accepted []string
}{
	{"x-amz-server-side-encryption-aws-kms-key-id", nil},
	{"x-amz-server-side-encryption-context", nil},
	{"x-amz-server-side-encryption-bucket-key-enabled", nil},
	{"x-amz-mfa", nil},
	{"x-amz-expected-bucket-owner", nil},
	{"x-amz-source-expected-bucket-owner", nil},
	{"x-amz-write-offset-bytes", nil},
}

// deleteOnlyHeaders are conditions S3 defines for DeleteObject alone: on
// any other operation they would be silently ignored, so they are refused.
var deleteOnlyHeaders = []string{"x-amz-if-match-last-modified-time", "x-amz-if-match-size"}

// refuseMisplaced fails a request other than DeleteObject carrying one of
// the deleteOnlyHeaders.
func refuseMisplaced(ep endpoint, h http.Header) error {
	if err := refuseMisplacedLock(ep.name, h); err != nil {
		return err
	}
	if ep.name == "DeleteObject" {
		return nil
	}
	for _, name := range deleteOnlyHeaders {
		if _, present := h[http.CanonicalHeaderKey(name)]; present {
			return s3err.New(s3err.NotImplemented, "The %s header applies to DeleteObject only; %s does not implement it.", name, ep.name)
		}
	}
	return nil
}

// refuseUnimplemented fails a request that carries one of the
// unimplementedHeaders with a value that asks for more than the store does.
func refuseUnimplemented(h http.Header) error {
	for _, u := range unimplementedHeaders {
		values, present := h[http.CanonicalHeaderKey(u.name)]
		if !present {
			continue
		}
		for _, v := range values {
			if !slices.ContainsFunc(u.accepted, func(a string) bool { return strings.EqualFold(a, strings.TrimSpace(v)) }) {
				return s3err.New(s3err.NotImplemented, "The %s header is not implemented by this store (value %q); the request was not served, rather than served without it.", u.name, v)
			}
		}
	}
	return nil
}

// route finds the operation of a request from its method, what it
// addresses and its query parameters.
func route(method, bucket, key string, q url.Values, h http.Header) (endpoint, error) {
	for _, sub := range unsupported {
		if q.Has(sub) {
			return endpoint{}, s3err.New(s3err.NotImplemented, "The %q sub-resource is not implemented by this store.", sub)
		}
	}
	if key != "" && q.Has("encryption") { // UpdateObjectEncryption; "encryption" on a bucket is its default
		return endpoint{}, s3err.New(s3err.NotImplemented, "The \"encryption\" sub-resource of an object is not implemented by this store.")
	}
	ep, ok := endpoint{}, false
	switch {
	case bucket == "":
		if method == http.MethodGet {
			ep, ok = endpoint{"ListBuckets", needNothing, (*request).listBuckets}, true
		}
	case key == "":
		ep, ok = bucketEndpoint(method, q, h)
	default:
		ep, ok = objectEndpoint(method, q, h)
	}
	if ok {
		for _, sub := range accessSubresources {
			if q.Has(sub) && !slices.Contains(accessEndpoints[sub], ep.name) {
				ok = false
			}
		}
		if !lockSubresourceAllows(q, ep.name) {
			ok = false
		}
	}
	if !ok {
		return endpoint{}, s3err.New(s3err.MethodNotAllowed, "The specified method is not allowed against this resource.")
	}
	if q.Has("versionId") && !slices.Contains(versionedEndpoints, ep.name) {
		return endpoint{}, s3err.New(s3err.NotImplemented, "%s of a specific version is not implemented by this store.", ep.name)
	}
	return ep, nil
}

// accessEndpoints are the endpoints of each access sub-resource.
var accessEndpoints = map[string][]string{
	"acl":               {"GetBucketAcl", "PutBucketAcl", "GetObjectAcl", "PutObjectAcl"},
	"ownershipControls": {"GetBucketOwnershipControls", "PutBucketOwnershipControls", "DeleteBucketOwnershipControls"},
	"policy":            {"GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy"},
	"policyStatus":      {"GetBucketPolicyStatus"},
	"publicAccessBlock": {"GetPublicAccessBlock", "PutPublicAccessBlock", "DeletePublicAccessBlock"},
}

func bucketEndpoint(method string, q url.Values, _ http.Header) (endpoint, bool) {
	type sub struct {
		method, param string
		ep            endpoint
	}
	for _, s := range []sub{
		{http.MethodGet, "location", endpoint{"GetBucketLocation", needAny, (*request).getBucketLocation}},
		{http.MethodGet, "versioning", endpoint{"GetBucketVersioning", needAny, (*request).getBucketVersioning}},
		{http.MethodPut, "versioning", endpoint{"PutBucketVersioning", needOwner, (*request).putBucketVersioning}},
		{http.MethodGet, "cors", endpoint{"GetBucketCors", needRead, (*request).getBucketCORS}},
		{http.MethodPut, "cors", endpoint{"PutBucketCors", needOwner, (*request).putBucketCORS}},
		{http.MethodDelete, "cors", endpoint{"DeleteBucketCors", needOwner, (*request).deleteBucketCORS}},
		{http.MethodGet, "website", endpoint{"GetBucketWebsite", needRead, (*request).getBucketWebsite}},
		{http.MethodPut, "website", endpoint{"PutBucketWebsite", needOwner, (*request).putBucketWebsite}},
		{http.MethodDelete, "website", endpoint{"DeleteBucketWebsite", needOwner, (*request).deleteBucketWebsite}},
		{http.MethodGet, "lifecycle", endpoint{"GetBucketLifecycleConfiguration", needRead, (*request).getBucketLifecycle}},
		{http.MethodPut, "lifecycle", endpoint{"PutBucketLifecycleConfiguration", needOwner, (*request).putBucketLifecycle}},
		{http.MethodDelete, "lifecycle", endpoint{"DeleteBucketLifecycle", needOwner, (*request).deleteBucketLifecycle}},
		{http.MethodGet, "encryption", endpoint{"GetBucketEncryption", needOwner, (*request).getBucketEncryption}},
		{http.MethodPut, "encryption", endpoint{"PutBucketEncryption", needOwner, (*request).putBucketEncryption}},
		{http.MethodDelete, "encryption", endpoint{"DeleteBucketEncryption", needOwner, (*request).deleteBucketEncryption}},
		{http.MethodGet, "tagging", endpoint{"GetBucketTagging", needRead, (*request).getBucketTagging}},
		{http.MethodPut, "tagging", endpoint{"PutBucketTagging", needOwner, (*request).putBucketTagging}},
		{http.MethodDelete, "tagging", endpoint{"DeleteBucketTagging", needOwner, (*request).deleteBucketTagging}},
		{http.MethodGet, "uploads", endpoint{"ListMultipartUploads", needRead, (*request).listMultipartUploads}},
		{http.MethodGet, "versions", endpoint{"ListObjectVersions", needRead, (*request).listObjectVersions}},
		{http.MethodGet, "object-lock", endpoint{"GetObjectLockConfiguration", needRead, (*request).getObjectLockConfiguration}},
		{http.MethodPut, "object-lock", endpoint{"PutObjectLockConfiguration", needOwner, (*request).putObjectLockConfiguration}},
		{http.MethodPost, "delete", endpoint{"DeleteObjects", needWrite, (*request).deleteObjects}},
		{http.MethodGet, "acl", endpoint{"GetBucketAcl", needRead, (*request).getBucketACL}},
		{http.MethodPut, "acl", endpoint{"PutBucketAcl", needOwner, (*request).putBucketACL}},
		{http.MethodGet, "ownershipControls", endpoint{"GetBucketOwnershipControls", needOwner, (*request).getOwnershipControls}},
		{http.MethodPut, "ownershipControls", endpoint{"PutBucketOwnershipControls", needOwner, (*request).putOwnershipControls}},
		{http.MethodDelete, "ownershipControls", endpoint{"DeleteBucketOwnershipControls", needOwner, (*request).deleteOwnershipControls}},
		{http.MethodGet, "policyStatus", endpoint{"GetBucketPolicyStatus", needOwner, (*request).getBucketPolicyStatus}},
		{http.MethodGet, "policy", endpoint{"GetBucketPolicy", needOwner, (*request).getBucketPolicy}},
		{http.MethodPut, "policy", endpoint{"PutBucketPolicy", needOwner, (*request).putBucketPolicy}},
		{http.MethodDelete, "policy", endpoint{"DeleteBucketPolicy", needOwner, (*request).deleteBucketPolicy}},
		{http.MethodGet, "publicAccessBlock", endpoint{"GetPublicAccessBlock", needOwner, (*request).getPublicAccessBlock}},
		{http.MethodPut, "publicAccessBlock", endpoint{"PutPublicAccessBlock", needOwner, (*request).putPublicAccessBlock}},
		{http.MethodDelete, "publicAccessBlock", endpoint{"DeletePublicAccessBlock", needOwner, (*request).deletePublicAccessBlock}},
	} {
		if method == s.method && q.Has(s.param) {
			return s.ep, true
		}
	}
	switch method {
	case http.MethodGet:
		if q.Get("list-type") == "2" {
			return endpoint{"ListObjectsV2", needRead, (*request).listObjectsV2}, true
		}
		return endpoint{"ListObjects", needRead, (*request).listObjectsV1}, true
	case http.MethodHead:
		return endpoint{"HeadBucket", needAny, (*request).headBucket}, true
	case http.MethodPut:
		return endpoint{"CreateBucket", needNothing, (*request).createBucket}, true
	case http.MethodDelete:
		return endpoint{"DeleteBucket", needOwner, (*request).deleteBucket}, true
	}
	return endpoint{}, false
}

func objectEndpoint(method string, q url.Values, h http.Header) (endpoint, bool) {
	// Present, even empty, makes a copy: an empty source is refused as one,
	// never mistaken for a PutObject of the (empty) body.
	_, copying := h[http.CanonicalHeaderKey("x-amz-copy-source")]
	switch method {
	case http.MethodGet:
		if q.Has("acl") {
			return endpoint{"GetObjectAcl", needRead, (*request).getObjectACL}, true
		}
		if q.Has("tagging") {
			return endpoint{"GetObjectTagging", needRead, (*request).getObjectTagging}, true
		}
		if q.Has("uploadId") {
			return endpoint{"ListParts", needRead, (*request).listParts}, true
		}
		if q.Has("attributes") {
			return endpoint{"GetObjectAttributes", needRead, (*request).getObjectAttributes}, true
		}
		if q.Has("retention") {
			return endpoint{"GetObjectRetention", needRead, (*request).getObjectRetention}, true
		}
		if q.Has("legal-hold") {
			return endpoint{"GetObjectLegalHold", needRead, (*request).getObjectLegalHold}, true
		}
		return endpoint{"GetObject", needRead, (*request).getObject}, true
	case http.MethodHead:
		return endpoint{"HeadObject", needRead, (*request).getObject}, true
	case http.MethodPut:
		switch {
		case q.Has("acl"):
			return endpoint{"PutObjectAcl", needWrite, (*request).putObjectACL}, true
		case q.Has("tagging"):
			return endpoint{"PutObjectTagging", needWrite, (*request).putObjectTagging}, true
		case q.Has("retention"):
			return endpoint{"PutObjectRetention", needWrite, (*request).putObjectRetention}, true
		case q.Has("legal-hold"):
			return endpoint{"PutObjectLegalHold", needWrite, (*request).putObjectLegalHold}, true
		case q.Has("partNumber") && q.Has("uploadId") && copying:
			return endpoint{"UploadPartCopy", needWrite, (*request).uploadPartCopy}, true
		case q.Has("partNumber") && q.Has("uploadId"):
			return endpoint{"UploadPart", needWrite, (*request).uploadPart}, true
		case copying:
			return endpoint{"CopyObject", needWrite, (*request).copyObject}, true
		}
		return endpoint{"PutObject", needWrite, (*request).putObject}, true
	case http.MethodPost:
		switch {
		case q.Has("uploads"):
			return endpoint{"CreateMultipartUpload", needWrite, (*request).createMultipartUpload}, true
		case q.Has("uploadId"):
			return endpoint{"CompleteMultipartUpload", needWrite, (*request).completeMultipartUpload}, true
		}
	case http.MethodDelete:
		if q.Has("tagging") {
			return endpoint{"DeleteObjectTagging", needWrite, (*request).deleteObjectTagging}, true
		}
		if q.Has("uploadId") {
			return endpoint{"AbortMultipartUpload", needWrite, (*request).abortMultipartUpload}, true
		}
		return endpoint{"DeleteObject", needWrite, (*request).deleteObject}, true
	}
	return endpoint{}, false
}
