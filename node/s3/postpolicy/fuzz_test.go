package postpolicy

import (
	"testing"
	"time"

	"github.com/garagego/garage/node/s3/s3err"
)

func FuzzPostPolicy(f *testing.F) {
	f.Add(`{"expiration": "2015-12-30T12:00:00.000Z", "conditions": [{"bucket": "b"}, ["starts-with", "$key", "user/"], ["starts-with", "$Content-Type", "image/"]]}`,
		"user/photo.jpg", "image/jpeg,image/png", "x-ignore-a", "1")
	f.Add(`{"expiration": "2030-01-01T00:00:00Z", "conditions": [["eq", "$key", "k"], ["content-length-range", "5", 10], {"x-amz-meta-a": ""}]}`,
		"k", "", "x-amz-meta-a", "")
	f.Add(`{"expiration": "2030-01-01T00:00:00Z", "conditions": [["content-length-range", 1e3, -1], ["EQ", "key", "k"], [], {}]}`,
		"k", "text/plain", "", "")
	f.Add(awsExamplePolicy, "user/user1/a", "image/gif", "acl", "public-read")
	f.Fuzz(func(t *testing.T, doc, key, contentType, extraName, extraValue string) {
		// doc is tried both as the JSON document and as the base64 text.
		for _, text := range []string{encode(doc), doc} {
			p, err := Parse(text)
			if err != nil {
				if _, ok := s3err.As(err); !ok {
					t.Fatalf("Parse error %v is not an *s3err.Error", err)
				}
				continue
			}
			for _, c := range p.Conditions {
				if c.String() == "" || c.Op < OpEq || c.Op > OpContentLengthRange {
					t.Fatalf("condition %+v", c)
				}
			}
			fields := map[string]string{"bucket": "b", "key": key, "content-type": contentType, extraName: extraValue}
			for _, now := range []time.Time{p.Expiration.Add(-time.Second), p.Expiration.Add(time.Second)} {
				err := p.Check(fields, now)
				if err == nil {
					if now.After(p.Expiration) {
						t.Fatal("an expired policy passed")
					}
					continue
				}
				if e, ok := s3err.As(err); !ok || e.Code != s3err.AccessDenied {
					t.Fatalf("Check error %v, want AccessDenied", err)
				}
			}
			if lo, hi, ok := p.ContentLengthRange(); ok && (lo < 0 || hi < 0) {
				t.Fatalf("ContentLengthRange = %d, %d", lo, hi)
			}
		}
	})
}
