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
	"abac", "accelerate", "acl", "analytics", "attributes", "intelligent-tiering", "inventory",
	"legal-hold", "logging", "metadataConfiguration", "metadataInventoryTable", "metadataJournalTable",
	"metadataTable", "metrics", "notification", "object-lock", "ownershipControls",
	"policy", "policyStatus", "publicAccessBlock", "renameObject", "replication", "requestPayment", "restore",
	"retention", "select", "session", "tagging", "torrent", "versionId", "versions",
}

// unimplementedHeaders are request headers whose meaning this store does
// not implement and whose absence would change what the client believes
// (its object encrypted with KMS, locked, public, tagged, or an owner
// checked; SSE-S3 and SSE-C are implemented, sse.go):
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
	{"x-amz-object-lock-mode", nil},
	{"x-amz-object-lock-retain-until-date", nil},
	{"x-amz-object-lock-legal-hold", nil},
	{"x-amz-bucket-object-lock-enabled", []string{"false"}},
	{"x-amz-bypass-governance-retention", nil},
	{"x-amz-mfa", nil},
	{"x-amz-tagging", nil},
	{"x-amz-tagging-directive", []string{"COPY"}},
	// The bucket owner has full control of every object already; the
	// other canned ACLs and the grants would make objects public.
	{"x-amz-acl", []string{"private", "bucket-owner-full-control"}},
	{"x-amz-grant-read", nil},
	{"x-amz-grant-write", nil},
	{"x-amz-grant-read-acp", nil},
	{"x-amz-grant-write-acp", nil},
	{"x-amz-grant-full-control", nil},
	{"x-amz-object-ownership", []string{"BucketOwnerEnforced"}},
	{"x-amz-storage-class", []string{"STANDARD"}},
	{"x-amz-expected-bucket-owner", nil},
	{"x-amz-source-expected-bucket-owner", nil},
	{"x-amz-write-offset-bytes", nil},
	{"x-amz-if-match-last-modified-time", nil},
	{"x-amz-if-match-size", nil},
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
		if q.Has(sub) && !(sub == "versionId" && q.Get(sub) == "null") {
			return endpoint{}, s3err.New(s3err.NotImplemented, "The %q sub-resource is not implemented by this store.", sub)
		}
	}
	if key != "" && q.Has("encryption") { // UpdateObjectEncryption; "encryption" on a bucket is its default
		return endpoint{}, s3err.New(s3err.NotImplemented, "The \"encryption\" sub-resource of an object is not implemented by this store.")
	}
	switch {
	case bucket == "":
		if method == http.MethodGet {
			return endpoint{"ListBuckets", needNothing, (*request).listBuckets}, nil
		}
	case key == "":
		if ep, ok := bucketEndpoint(method, q, h); ok {
			return ep, nil
		}
	default:
		if ep, ok := objectEndpoint(method, q, h); ok {
			return ep, nil
		}
	}
	return endpoint{}, s3err.New(s3err.MethodNotAllowed, "The specified method is not allowed against this resource.")
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
		{http.MethodGet, "uploads", endpoint{"ListMultipartUploads", needRead, (*request).listMultipartUploads}},
		{http.MethodPost, "delete", endpoint{"DeleteObjects", needWrite, (*request).deleteObjects}},
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
		if q.Has("uploadId") {
			return endpoint{"ListParts", needRead, (*request).listParts}, true
		}
		return endpoint{"GetObject", needRead, (*request).getObject}, true
	case http.MethodHead:
		return endpoint{"HeadObject", needRead, (*request).getObject}, true
	case http.MethodPut:
		switch {
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
		if q.Has("uploadId") {
			return endpoint{"AbortMultipartUpload", needWrite, (*request).abortMultipartUpload}, true
		}
		return endpoint{"DeleteObject", needWrite, (*request).deleteObject}, true
	}
	return endpoint{}, false
}
