package sigv2

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// FuzzParse feeds Parse and Verify arbitrary requests: whatever they are
// given, they answer an *s3err.Error or an Auth, never panic; and a request
// re-signed with the string to sign the server reports must then verify,
// under that secret only.
func FuzzParse(f *testing.F) {
	for _, v := range headerVectors() {
		_, q, _ := strings.Cut(v.target, "?")
		path, _, _ := strings.Cut(v.target, "?")
		f.Add(v.method, path, q, "AWS "+v.key+":"+v.signature, v.header["Date"][0], "", v.bucket, v.virtualHost)
	}
	f.Add("GET", "/photos/puppy.jpg", "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620", "", "", "", "johnsmith", true)
	f.Add("DELETE", "/johnsmith/photos/puppy.jpg", "", "AWS 0PN5J17HBGZHT7JJ3X82:k3nL7gH3+PadhTEVn5Ip83xlYzk=", "Tue, 27 Mar 2007 21:20:27 +0000", "Tue, 27 Mar 2007 21:20:26 +0000", "johnsmith", false)
	f.Add("PUT", "/b", "uploads=&acl&partNumber=1", "AWS HAHAHA", "Bad Date", "", "b", false)
	f.Add("GET", "/", "Expires=99999999999999999999&Signature=%zz", "", "", "", "", false)
	f.Fuzz(func(t *testing.T, method, path, rawQuery, authorization, date, amzDate, bucket string, virtual bool) {
		query, _ := url.ParseQuery(rawQuery) // as r.URL.Query() does
		header := map[string][]string{"X-Amz-Meta-A": {" 1 "}, "Content-Type": {"text/plain"}}
		if authorization != "" {
			header["Authorization"] = []string{authorization}
		}
		if date != "" {
			header["Date"] = []string{date}
		}
		if amzDate != "" {
			header["X-Amz-Date"] = []string{amzDate}
		}
		req := Request{Method: method, EscapedPath: path, Query: query, Header: header, Bucket: bucket, VirtualHost: virtual}
		if !Claims(req) {
			return
		}
		a, err := Parse(req)
		if err != nil {
			mustBeS3Error(t, err)
			return
		}
		if a.AccessKey == "" || a.Signature == "" || (a.Presigned && a.Expires.IsZero()) || (!a.Presigned && a.Date.IsZero()) {
			t.Fatalf("Parse accepted incomplete authentication %+v", a)
		}
		sts := a.StringToSign(req)
		if !strings.HasPrefix(sts, method+"\n") || sts != a.StringToSign(req) {
			t.Fatalf("string to sign %q", sts)
		}
		now := a.Date
		if a.Presigned {
			now = a.Expires.Add(-time.Minute)
		}
		if err := a.Verify(req, "secret", now); err != nil {
			mustBeS3Error(t, err)
		}
		// Re-signed as the server says, the request verifies.
		good := hmacV2("secret", sts)
		if a.Presigned {
			query.Set(querySignature, good)
		} else {
			header["Authorization"] = []string{"AWS " + a.AccessKey + ":" + good}
		}
		again, err := Parse(req)
		if err != nil {
			t.Fatalf("re-signed request no longer parses: %v", err)
		}
		if err := again.Verify(req, "secret", now); err != nil {
			t.Fatalf("re-signed request: %v (string to sign %q)", err, sts)
		}
		if err := again.Verify(req, "other", now); !isCode(err, "SignatureDoesNotMatch") {
			t.Fatalf("verified under another secret: %v", err)
		}
	})
}
