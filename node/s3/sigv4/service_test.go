package sigv4

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/garagego/garage/node/s3/s3err"
)

// TestVerifyServiceAgainstAWSSigner checks VerifyService against the
// signatures AWS's own signer computes for a service other than S3 (K2V's
// "k2v"), whose canonical URI encodes the path twice: partition keys with
// spaces, escaped slashes, dots and percent signs all verify, and the
// same signature is refused for S3 or another region.
func TestVerifyServiceAgainstAWSSigner(t *testing.T) {
	creds := aws.Credentials{AccessKeyID: "GKexample", SecretAccessKey: "secret"}
	now := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, path := range []string{"/bucket", "/bucket/pk", "/bucket/a%20b", "/bucket/a%2Fb", "/bucket/a/../b", "/bucket/100%25", "/bucket/caf%C3%A9"} {
		r, err := http.NewRequest("GET", "http://127.0.0.1:3904"+path+"?sort_key=x%20y", nil)
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("X-Amz-Content-Sha256", UnsignedPayload)
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, UnsignedPayload, "k2v", "garage", now); err != nil {
			t.Fatal(err)
		}
		req := Request{Method: r.Method, EscapedPath: r.URL.EscapedPath(), Query: r.URL.Query(), Header: r.Header, Host: r.Host}
		auth, signed, err := Parse(req)
		if err != nil || !signed {
			t.Fatalf("%s: Parse = %v, %v", path, signed, err)
		}
		if _, err := auth.VerifyService(req, creds.SecretAccessKey, "garage", "k2v", now); err != nil {
			t.Errorf("%s: VerifyService(k2v) = %v, want it verified", path, err)
		}
		if _, err := auth.Verify(req, creds.SecretAccessKey, "garage", now); !isCode(err, s3err.AuthorizationHeaderMalformed) {
			t.Errorf("%s: Verify (s3) of a k2v signature = %v, want AuthorizationHeaderMalformed", path, err)
		}
		if _, err := auth.VerifyService(req, creds.SecretAccessKey, "other", "k2v", now); !isCode(err, s3err.AuthorizationHeaderMalformed) {
			t.Errorf("%s: VerifyService in another region = %v, want AuthorizationHeaderMalformed", path, err)
		}
		if _, err := auth.VerifyService(req, "wrong", "garage", "k2v", now); !isCode(err, s3err.SignatureDoesNotMatch) {
			t.Errorf("%s: VerifyService with a wrong secret = %v, want SignatureDoesNotMatch", path, err)
		}
		// The scope rewritten to name k2v on a signature made for s3: the
		// scope checks pass and the signature must not.
		r.Header.Del("Authorization")
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, UnsignedPayload, "s3", "garage", now); err != nil {
			t.Fatal(err)
		}
		r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/s3/aws4_request", "/k2v/aws4_request", 1))
		req.Header = r.Header
		auth, _, err = Parse(req)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := auth.VerifyService(req, creds.SecretAccessKey, "garage", "k2v", now); !isCode(err, s3err.SignatureDoesNotMatch) {
			t.Errorf("%s: an s3 signature under a k2v scope = %v, want SignatureDoesNotMatch", path, err)
		}
	}
}

func isCode(err error, code s3err.Code) bool {
	e, ok := s3err.As(err)
	return ok && e.Code == code
}
