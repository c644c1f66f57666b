package sigv4

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/garagego/garage/node/s3/s3err"
)

// tamper changes the character at i of s to another hex digit.
func tamper(s string, i int) string {
	c := byte('0')
	if s[i] == '0' {
		c = '1'
	}
	return s[:i] + string(c) + s[i+1:]
}

func TestTamperedSignatureFails(t *testing.T) {
	const sig = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
	for _, i := range []int{0, 31, 63} {
		req := getVector(t)
		req.Header["Authorization"] = []string{strings.Replace(req.header("Authorization"), sig, tamper(sig, i), 1)}
		_, err := parseOK(t, req).Verify(req, exampleCreds.Secret, "us-east-1", exampleTime)
		wantCode(t, err, s3err.SignatureDoesNotMatch, "does not match")
	}
	req := presignedRequest(t)
	req.Query.Set("X-Amz-Signature", tamper(req.Query.Get("X-Amz-Signature"), 10))
	_, err := parseOK(t, req).Verify(req, exampleCreds.Secret, "us-east-1", exampleTime)
	wantCode(t, err, s3err.SignatureDoesNotMatch, "does not match")
}

func TestUppercaseSignatureAccepted(t *testing.T) {
	req := getVector(t)
	req.Header["Authorization"] = []string{strings.Replace(req.header("Authorization"), "f0e8bdb87c", "F0E8BDB87C", 1)}
	if _, err := parseOK(t, req).Verify(req, exampleCreds.Secret, "us-east-1", exampleTime); err != nil {
		t.Fatal(err)
	}
}

// Every part of the request is covered: changing any of it breaks the
// signature.
func TestSignedPartsAreCovered(t *testing.T) {
	for name, change := range map[string]func(*Request){
		"method":              func(r *Request) { r.Method = "HEAD" },
		"path":                func(r *Request) { r.EscapedPath = "/test.txt2" },
		"double slash":        func(r *Request) { r.EscapedPath = "//test.txt" },
		"query added":         func(r *Request) { r.Query = url.Values{"versionId": {"1"}} },
		"host":                func(r *Request) { r.Host = "otherbucket.s3.amazonaws.com" },
		"signed header value": func(r *Request) { r.Header["Range"] = []string{"bytes=0-99"} },
		"payload hash":        func(r *Request) { r.Header["X-Amz-Content-Sha256"] = []string{UnsignedPayload} },
	} {
		t.Run(name, func(t *testing.T) {
			req := getVector(t)
			change(&req)
			_, err := parseOK(t, req).Verify(req, exampleCreds.Secret, "us-east-1", exampleTime)
			wantCode(t, err, s3err.SignatureDoesNotMatch, "does not match")
		})
	}
	req := getVector(t)
	_, err := parseOK(t, req).Verify(req, "another secret", "us-east-1", exampleTime)
	wantCode(t, err, s3err.SignatureDoesNotMatch, "does not match")

	// An unsigned header may change freely.
	req.Header["User-Agent"] = []string{"test"}
	if _, err := parseOK(t, req).Verify(req, exampleCreds.Secret, "us-east-1", exampleTime); err != nil {
		t.Errorf("an unsigned header broke the signature: %v", err)
	}
}

func TestWrongRegion(t *testing.T) {
	req := getVector(t)
	_, err := parseOK(t, req).Verify(req, exampleCreds.Secret, "eu-west-1", exampleTime)
	wantCode(t, err, s3err.AuthorizationHeaderMalformed, "the region 'us-east-1' is wrong; expecting 'eu-west-1'")

	req = presignedRequest(t)
	_, err = parseOK(t, req).Verify(req, exampleCreds.Secret, "eu-west-1", exampleTime)
	wantCode(t, err, s3err.AuthorizationQueryParamsError, "the region 'us-east-1' is wrong; expecting 'eu-west-1'")
}

func TestWrongService(t *testing.T) {
	req := getVector(t)
	req.Header["Authorization"] = []string{strings.Replace(req.header("Authorization"), "/s3/", "/iam/", 1)}
	_, err := parseOK(t, req).Verify(req, exampleCreds.Secret, "us-east-1", exampleTime)
	wantCode(t, err, s3err.AuthorizationHeaderMalformed, `incorrect service "iam"`)
}

func TestClockSkew(t *testing.T) {
	req := getVector(t)
	a := parseOK(t, req)
	for _, skew := range []time.Duration{-MaxClockSkew, MaxClockSkew, 14 * time.Minute} {
		if _, err := a.Verify(req, exampleCreds.Secret, "us-east-1", exampleTime.Add(skew)); err != nil {
			t.Errorf("skew %v: %v", skew, err)
		}
	}
	for _, skew := range []time.Duration{-MaxClockSkew - time.Second, MaxClockSkew + time.Second, 24 * time.Hour} {
		_, err := a.Verify(req, exampleCreds.Secret, "us-east-1", exampleTime.Add(skew))
		wantCode(t, err, s3err.RequestTimeTooSkewed, "too large")
	}
}

func TestPresignedValidity(t *testing.T) {
	req := presignedRequest(t)
	a := parseOK(t, req)
	for _, at := range []time.Duration{-MaxClockSkew, 0, 24 * time.Hour} {
		if _, err := a.Verify(req, exampleCreds.Secret, "us-east-1", exampleTime.Add(at)); err != nil {
			t.Errorf("at %v: %v", at, err)
		}
	}
	_, err := a.Verify(req, exampleCreds.Secret, "us-east-1", exampleTime.Add(24*time.Hour+time.Second))
	wantCode(t, err, s3err.AccessDenied, "Request has expired")
	_, err = a.Verify(req, exampleCreds.Secret, "us-east-1", exampleTime.Add(-MaxClockSkew-time.Second))
	wantCode(t, err, s3err.AccessDenied, "not valid yet")
}

func TestHostMustBeSigned(t *testing.T) {
	req := getVector(t)
	req.Header["Authorization"] = []string{strings.Replace(req.header("Authorization"), "SignedHeaders=host;", "SignedHeaders=", 1)}
	_, err := parseOK(t, req).Verify(req, exampleCreds.Secret, "us-east-1", exampleTime)
	wantCode(t, err, s3err.AccessDenied, "not signed: host")

	req = presignedRequest(t)
	req.Query.Set("X-Amz-SignedHeaders", "range")
	_, err = parseOK(t, req).Verify(req, exampleCreds.Secret, "us-east-1", exampleTime)
	wantCode(t, err, s3err.AccessDenied, "not signed: host")
}

func TestPresignedRefusesUnsignedAmzHeaders(t *testing.T) {
	req := presignedRequest(t)
	req.Header["X-Amz-Copy-Source"] = []string{"/victim/secret"}
	req.Header["x-amz-acl"] = []string{"public-read"}
	_, err := parseOK(t, req).Verify(req, exampleCreds.Secret, "us-east-1", exampleTime)
	wantCode(t, err, s3err.AccessDenied, "not signed: x-amz-acl, x-amz-copy-source")
}

func TestScopeDateMustMatch(t *testing.T) {
	req := getVector(t)
	req.Header["Authorization"] = []string{strings.Replace(req.header("Authorization"), "/20130524/", "/20130523/", 1)}
	_, err := parseOK(t, req).Verify(req, exampleCreds.Secret, "us-east-1", exampleTime)
	wantCode(t, err, s3err.AuthorizationHeaderMalformed, "Invalid credential date")
}

func TestPayloadHashHeader(t *testing.T) {
	req := getVector(t)
	delete(req.Header, "X-Amz-Content-Sha256")
	_, err := parseOK(t, req).Verify(req, exampleCreds.Secret, "us-east-1", exampleTime)
	wantCode(t, err, s3err.InvalidRequest, "x-amz-content-sha256")

	req.Header["X-Amz-Content-Sha256"] = []string{"not-a-hash"}
	_, err = parseOK(t, req).Verify(req, exampleCreds.Secret, "us-east-1", exampleTime)
	wantCode(t, err, s3err.InvalidArgument, "x-amz-content-sha256 must be")
}

func TestVerifyRejectsHandMadeScope(t *testing.T) {
	a := Auth{Scope: "20130524/us-east-1/s3", SignedHeaders: []string{"host"}}
	_, err := a.Verify(Request{}, "s", "us-east-1", exampleTime)
	wantCode(t, err, s3err.AuthorizationHeaderMalformed, "scope")
}

// Sign and Verify agree on requests whose canonical form is hard to get
// right: reserved and non-ASCII characters, repeated query values, headers
// with several values and inner spaces.
func TestSignVerifyRoundTrip(t *testing.T) {
	creds := Credentials{AccessKey: "GK31c2f218a2e44f485b94239e", Secret: "b892c0665f0ada8a4755dae98baa3b133590e11dae3bcc1f4d9bcd7c1a2de1a0", Region: "garage"}
	now := time.Date(2026, 11, 26, 10, 30, 0, 0, time.UTC)
	for _, path := range []string{"/", "/bucket/a%20b+c", "/bucket/%E2%82%AC/%7Euser/x%2Fy", "/bucket/test$file.text", "/bucket/a//b/../c", "/bucket/%2a%2A"} {
		query := url.Values{"prefix": {"a b/c+d"}, "list-type": {"2"}, "marker": {"z", "a", "é"}, "empty": {""}, "weird key!": {"*"}}
		header := map[string][]string{
			"X-Amz-Meta-Tags": {"  one   two ", "three"},
			"Content-Type":    {"text/plain"},
			"content-md5":     {"XrY7u+Ae7tCTyyK7j1rNww=="},
		}
		req := Request{Method: "PUT", EscapedPath: path, Query: query, Header: header, Host: "127.0.0.1:3900"}
		Sign(&req, creds, now, UnsignedPayload)
		a := parseOK(t, req)
		if _, err := a.Verify(req, creds.Secret, "garage", now.Add(time.Minute)); err != nil {
			t.Errorf("%s: %v", path, err)
		}

		pre := Request{Method: "GET", EscapedPath: path, Query: url.Values{"versionId": {"x y"}}, Host: "127.0.0.1:3900"}
		Presign(&pre, creds, now, time.Hour)
		if _, err := parseOK(t, pre).Verify(pre, creds.Secret, "garage", now.Add(time.Minute)); err != nil {
			t.Errorf("presigned %s: %v", path, err)
		}
	}
}

// Clients disagree on escaping reserved characters in paths; the
// canonical form must not.
func TestEquivalentPathEscapes(t *testing.T) {
	v := headerVectors()[1] // PUT /test$file.text
	req := v.request(t, true)
	req.EscapedPath = "/test%24file.text"
	if _, err := parseOK(t, req).Verify(req, exampleCreds.Secret, "us-east-1", exampleTime); err != nil {
		t.Fatal(err)
	}
}
