package s3api

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/garagego/garage/node/s3/s3err"
)

// routeCases reaches every endpoint of route (and some requests that must
// reach none).
var routeCases = []struct {
	method, bucket, key, query string
	header                     http.Header
}{
	{"GET", "", "", "", nil},
	{"GET", "b", "", "", nil}, {"GET", "b", "", "list-type=2", nil}, {"HEAD", "b", "", "", nil},
	{"PUT", "b", "", "", nil}, {"DELETE", "b", "", "", nil},
	{"GET", "b", "", "location", nil}, {"GET", "b", "", "versioning", nil}, {"PUT", "b", "", "versioning", nil},
	{"GET", "b", "", "cors", nil}, {"PUT", "b", "", "cors", nil}, {"DELETE", "b", "", "cors", nil},
	{"GET", "b", "", "website", nil}, {"PUT", "b", "", "website", nil}, {"DELETE", "b", "", "website", nil},
	{"GET", "b", "", "lifecycle", nil}, {"PUT", "b", "", "lifecycle", nil}, {"DELETE", "b", "", "lifecycle", nil},
	{"GET", "b", "", "uploads", nil}, {"GET", "b", "", "versions", nil}, {"POST", "b", "", "delete", nil},
	{"GET", "b", "", "acl", nil}, {"PUT", "b", "", "acl", nil},
	{"GET", "b", "", "ownershipControls", nil}, {"PUT", "b", "", "ownershipControls", nil}, {"DELETE", "b", "", "ownershipControls", nil},
	{"GET", "b", "", "policy", nil}, {"PUT", "b", "", "policy", nil}, {"DELETE", "b", "", "policy", nil},
	{"GET", "b", "", "policyStatus", nil},
	{"GET", "b", "", "publicAccessBlock", nil}, {"PUT", "b", "", "publicAccessBlock", nil}, {"DELETE", "b", "", "publicAccessBlock", nil},
	{"GET", "b", "k", "", nil}, {"HEAD", "b", "k", "", nil}, {"PUT", "b", "k", "", nil}, {"DELETE", "b", "k", "", nil},
	{"GET", "b", "k", "acl", nil}, {"PUT", "b", "k", "acl", nil}, {"GET", "b", "k", "attributes", nil},
	{"PUT", "b", "k", "", http.Header{"X-Amz-Copy-Source": {"b/j"}}},
	{"POST", "b", "k", "uploads", nil}, {"POST", "b", "k", "uploadId=u", nil}, {"GET", "b", "k", "uploadId=u", nil},
	{"PUT", "b", "k", "partNumber=1&uploadId=u", nil}, {"PUT", "b", "k", "partNumber=1&uploadId=u", http.Header{"X-Amz-Copy-Source": {"b/j"}}},
	{"DELETE", "b", "k", "uploadId=u", nil},
	{"GET", "b", "", "tagging", nil}, {"PUT", "b", "", "tagging", nil}, {"DELETE", "b", "", "tagging", nil},
	{"GET", "b", "k", "tagging", nil}, {"PUT", "b", "k", "tagging", nil}, {"DELETE", "b", "k", "tagging", nil},
	{"GET", "b", "k", "tagging&versionId=null", nil},
	{"GET", "b", "", "object-lock", nil}, {"PUT", "b", "", "object-lock", nil},
	{"GET", "b", "k", "retention", nil}, {"PUT", "b", "k", "retention", nil},
	{"GET", "b", "k", "legal-hold", nil}, {"PUT", "b", "k", "legal-hold", nil},
}

// TestEveryEndpointHasAnAction: every endpoint names its IAM action, so
// that policies can grant and deny it.
func TestEveryEndpointHasAnAction(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range routeCases {
		q, _ := url.ParseQuery(tc.query)
		ep, err := route(tc.method, tc.bucket, tc.key, q, tc.header)
		if err != nil {
			t.Errorf("%s /%s/%s?%s: %v", tc.method, tc.bucket, tc.key, tc.query, err)
			continue
		}
		seen[ep.name] = true
		if endpointActions[ep.name] == "" {
			t.Errorf("endpoint %s has no IAM action", ep.name)
		}
	}
	for name := range endpointActions {
		if !seen[name] && name != "PostObject" {
			t.Errorf("endpointActions names %s, which no request reached", name)
		}
	}
}

// TestAccessSubresourcesNeverFallThrough: a request naming an access
// sub-resource with a method it does not take is refused, never served as
// the plain operation (a DELETE ?acl deleting the object).
func TestAccessSubresourcesNeverFallThrough(t *testing.T) {
	for _, tc := range []struct{ method, bucket, key, query string }{
		{"DELETE", "b", "k", "acl"}, {"DELETE", "b", "", "acl"}, {"POST", "b", "", "acl"}, {"HEAD", "b", "k", "acl"},
		{"PUT", "b", "", "policyStatus"}, {"DELETE", "b", "", "policyStatus"}, {"POST", "b", "", "policy"},
		{"GET", "b", "k", "policy"}, {"PUT", "b", "k", "publicAccessBlock"}, {"DELETE", "b", "k", "ownershipControls"},
		{"GET", "b", "", "acl&policy"},
	} {
		q, _ := url.ParseQuery(tc.query)
		ep, err := route(tc.method, tc.bucket, tc.key, q, nil)
		if e, ok := s3err.As(err); !ok || e.Code != s3err.MethodNotAllowed {
			t.Errorf("%s /%s/%s?%s routed to %q (%v), want MethodNotAllowed", tc.method, tc.bucket, tc.key, tc.query, ep.name, err)
		}
	}
}
