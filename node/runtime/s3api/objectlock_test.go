package s3api

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/garagego/garage/node/s3/s3err"
)

// TestLockSubresourcesNeverFallThrough: a request naming an object lock
// sub-resource with a method it does not take is refused, never served as
// the plain operation (a DELETE ?object-lock deleting the bucket, a DELETE
// ?retention deleting the object).
func TestLockSubresourcesNeverFallThrough(t *testing.T) {
	for _, tc := range []struct{ method, bucket, key, query string }{
		{"DELETE", "b", "", "object-lock"}, {"POST", "b", "", "object-lock"}, {"HEAD", "b", "", "object-lock"},
		{"GET", "b", "k", "object-lock"}, {"PUT", "b", "", "retention"}, {"GET", "b", "", "legal-hold"},
		{"DELETE", "b", "k", "retention"}, {"DELETE", "b", "k", "legal-hold"}, {"POST", "b", "k", "retention"},
		{"HEAD", "b", "k", "legal-hold"}, {"GET", "b", "k", "retention&legal-hold"},
	} {
		q, _ := url.ParseQuery(tc.query)
		ep, err := route(tc.method, tc.bucket, tc.key, q, nil)
		if e, ok := s3err.As(err); !ok || e.Code != s3err.MethodNotAllowed {
			t.Errorf("%s /%s/%s?%s routed to %q (%v), want MethodNotAllowed", tc.method, tc.bucket, tc.key, tc.query, ep.name, err)
		}
	}
}

// TestLockHeadersOnlyWhereTaken: the lock headers are refused on the
// endpoints that do not take them, never ignored.
func TestLockHeadersOnlyWhereTaken(t *testing.T) {
	for _, tc := range []struct {
		endpoint, header, value string
		ok                      bool
	}{
		{"PutObject", "x-amz-object-lock-mode", "GOVERNANCE", true},
		{"CopyObject", "x-amz-object-lock-legal-hold", "ON", true},
		{"CreateMultipartUpload", "x-amz-object-lock-retain-until-date", "2030-01-01T00:00:00Z", true},
		{"UploadPart", "x-amz-object-lock-mode", "GOVERNANCE", false},
		{"PostObject", "x-amz-object-lock-legal-hold", "ON", false},
		{"DeleteObject", "x-amz-bypass-governance-retention", "true", true},
		{"DeleteObjects", "x-amz-bypass-governance-retention", "true", true},
		{"PutObjectRetention", "x-amz-bypass-governance-retention", "true", true},
		{"PutObject", "x-amz-bypass-governance-retention", "true", false},
		{"PutObject", "x-amz-bypass-governance-retention", "false", true},
		{"CreateBucket", "x-amz-bucket-object-lock-enabled", "true", true},
		{"PutObject", "x-amz-bucket-object-lock-enabled", "false", true},
		{"PutObject", "x-amz-bucket-object-lock-enabled", "true", false},
	} {
		h := http.Header{}
		h.Set(tc.header, tc.value)
		err := refuseMisplacedLock(tc.endpoint, h)
		if tc.ok != (err == nil) {
			t.Errorf("%s with %s: %v, want accepted %v", tc.endpoint, tc.header, err, tc.ok)
		}
	}
}
