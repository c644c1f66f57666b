package sigv4

import (
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/garagego/garage/node/s3/s3err"
)

func TestParseAnonymous(t *testing.T) {
	req := Request{Method: "GET", EscapedPath: "/b/k", Query: url.Values{"prefix": {"a"}}, Header: map[string][]string{"Range": {"bytes=0-1"}}}
	a, ok, err := Parse(req)
	if ok || err != nil || a.AccessKey != "" {
		t.Fatalf("Parse = %+v, %v, %v; want anonymous", a, ok, err)
	}
}

func TestParseHeaderSeparators(t *testing.T) {
	const sig = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
	for _, value := range []string{
		"AWS4-HMAC-SHA256 Credential=" + exampleCredential + ",SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=" + sig,
		"AWS4-HMAC-SHA256 Credential=" + exampleCredential + ", SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=" + sig,
		"  AWS4-HMAC-SHA256  Credential=" + exampleCredential + " ,  SignedHeaders=host;range;x-amz-content-sha256;x-amz-date ,Signature=" + sig + " ",
		"AWS4-HMAC-SHA256 Credential=" + exampleCredential + " SignedHeaders=host;range;x-amz-content-sha256;x-amz-date Signature=" + sig,
		"AWS4-HMAC-SHA256 Signature=" + sig + ", Credential=" + exampleCredential + ", SignedHeaders=host;range;x-amz-content-sha256;x-amz-date",
	} {
		req := getVector(t)
		req.Header["Authorization"] = []string{value}
		a := parseOK(t, req)
		if _, err := a.Verify(req, exampleCreds.Secret, "us-east-1", exampleTime); err != nil {
			t.Errorf("%q: %v", value, err)
		}
	}
}

func TestParseHeaderFields(t *testing.T) {
	a := parseOK(t, getVector(t))
	want := Auth{
		AccessKey: "AKIAIOSFODNN7EXAMPLE", Date: exampleTime, Scope: "20130524/us-east-1/s3/aws4_request",
		Region: "us-east-1", Service: "s3", SignedHeaders: []string{"host", "range", "x-amz-content-sha256", "x-amz-date"},
		Signature: "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41", ContentSHA256: emptySHA256,
	}
	if a.AccessKey != want.AccessKey || !a.Date.Equal(want.Date) || a.Scope != want.Scope || a.Region != want.Region ||
		a.Service != want.Service || !slices.Equal(a.SignedHeaders, want.SignedHeaders) || a.Signature != want.Signature ||
		a.ContentSHA256 != want.ContentSHA256 || a.Presigned || a.Expires != 0 {
		t.Errorf("Auth = %+v\nwant %+v", a, want)
	}
}

func TestParseHeaderErrors(t *testing.T) {
	const good = "AWS4-HMAC-SHA256 Credential=" + exampleCredential + ",SignedHeaders=host,Signature=abc"
	for _, tc := range []struct {
		name, value string
		code        s3err.Code
		want        string
	}{
		{"Signature Version 2", "AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=", s3err.InvalidRequest, "Please use AWS4-HMAC-SHA256"},
		{"SigV4a", "AWS4-ECDSA-P256-SHA256 Credential=x", s3err.InvalidRequest, "Please use AWS4-HMAC-SHA256"},
		{"empty", "", s3err.InvalidRequest, "Please use AWS4-HMAC-SHA256"},
		{"no signature", "AWS4-HMAC-SHA256 Credential=" + exampleCredential + ",SignedHeaders=host", s3err.AuthorizationHeaderMalformed, "must contain"},
		{"empty signature", "AWS4-HMAC-SHA256 Credential=" + exampleCredential + ",SignedHeaders=host,Signature=", s3err.AuthorizationHeaderMalformed, "must contain"},
		{"repeated component", good + ",Signature=abc", s3err.AuthorizationHeaderMalformed, "repeated"},
		{"unknown component", good + ",Foo=bar", s3err.AuthorizationHeaderMalformed, "not recognised"},
		{"component without =", good + ",Foo", s3err.AuthorizationHeaderMalformed, "malformed"},
		{"short credential", "AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3,SignedHeaders=host,Signature=abc", s3err.AuthorizationHeaderMalformed, "mal-formed"},
		{"bad terminal", "AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws5_request,SignedHeaders=host,Signature=abc", s3err.AuthorizationHeaderMalformed, "terminal"},
		{"bad credential date", "AWS4-HMAC-SHA256 Credential=AKID/2013-05-24/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=abc", s3err.AuthorizationHeaderMalformed, "yyyyMMdd"},
		{"empty access key", "AWS4-HMAC-SHA256 Credential=/20130524/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=abc", s3err.AuthorizationHeaderMalformed, "access key"},
		{"empty signed header", "AWS4-HMAC-SHA256 Credential=" + exampleCredential + ",SignedHeaders=host;;x-amz-date,Signature=abc", s3err.AuthorizationHeaderMalformed, "SignedHeaders"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := getVector(t)
			req.Header["Authorization"] = []string{tc.value}
			_, ok, err := Parse(req)
			if ok {
				t.Fatal("Parse accepted it")
			}
			wantCode(t, err, tc.code, tc.want)
		})
	}
}

func TestParseDate(t *testing.T) {
	req := getVector(t)
	delete(req.Header, "X-Amz-Date")
	_, _, err := Parse(req)
	wantCode(t, err, s3err.AccessDenied, "Date or x-amz-date")

	for _, date := range []string{"Fri, 24 May 2013 00:00:00 GMT", "Friday, 24-May-13 00:00:00 GMT", "Fri May 24 00:00:00 2013", "20130524T000000Z"} {
		req.Header["Date"] = []string{date}
		if a := parseOK(t, req); !a.Date.Equal(exampleTime) {
			t.Errorf("Date %q parsed as %v", date, a.Date)
		}
	}
	// X-Amz-Date wins over Date, and must be exact.
	req.Header["X-Amz-Date"] = []string{"20130524T000001Z"}
	if a := parseOK(t, req); !a.Date.Equal(exampleTime.Add(time.Second)) {
		t.Errorf("X-Amz-Date not preferred: %v", a.Date)
	}
	for _, bad := range []string{"20130524T000000.5Z", "20130524T000000", "2013-05-24T00:00:00Z", "20130532T000000Z"} {
		req.Header["X-Amz-Date"] = []string{bad}
		_, _, err := Parse(req)
		wantCode(t, err, s3err.AccessDenied, "Date")
	}
}

func TestParseRejectsTwoMechanisms(t *testing.T) {
	req := presignedRequest(t)
	req.Header["Authorization"] = getVector(t).Header["Authorization"]
	_, _, err := Parse(req)
	wantCode(t, err, s3err.InvalidArgument, "Only one auth mechanism")
}

func TestParsePresignedV2(t *testing.T) {
	req := Request{Query: url.Values{"AWSAccessKeyId": {"AKID"}, "Expires": {"1"}, "Signature": {"x"}}}
	_, _, err := Parse(req)
	wantCode(t, err, s3err.InvalidRequest, "Please use AWS4-HMAC-SHA256")
}

func TestParsePresignedErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(url.Values)
		want   string
	}{
		{"missing signature", func(q url.Values) { q.Del("X-Amz-Signature") }, "requires the X-Amz-Algorithm"},
		{"missing expires", func(q url.Values) { q.Del("X-Amz-Expires") }, "requires the X-Amz-Algorithm"},
		{"empty date", func(q url.Values) { q.Set("X-Amz-Date", "") }, "requires the X-Amz-Algorithm"},
		{"repeated signature", func(q url.Values) { q.Add("X-Amz-Signature", "00") }, "repeated"},
		{"other algorithm", func(q url.Values) { q.Set("X-Amz-Algorithm", "AWS4-HMAC-SHA1") }, "only supports"},
		{"bad credential", func(q url.Values) { q.Set("X-Amz-Credential", "AKID/20130524/us-east-1/s3") }, "X-Amz-Credential"},
		{"bad date", func(q url.Values) { q.Set("X-Amz-Date", "2013-05-24") }, "ISO8601"},
		{"expires not a number", func(q url.Values) { q.Set("X-Amz-Expires", "soon") }, "should be a number"},
		{"expires zero", func(q url.Values) { q.Set("X-Amz-Expires", "0") }, "positive"},
		{"expires over a week", func(q url.Values) { q.Set("X-Amz-Expires", "604801") }, "604800"},
		{"bad signed headers", func(q url.Values) { q.Set("X-Amz-SignedHeaders", "host;") }, "SignedHeaders"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := presignedRequest(t)
			tc.change(req.Query)
			_, ok, err := Parse(req)
			if ok {
				t.Fatal("Parse accepted it")
			}
			wantCode(t, err, s3err.AuthorizationQueryParamsError, tc.want)
		})
	}
	req := presignedRequest(t)
	req.Query.Set("X-Amz-Expires", "604800")
	if a := parseOK(t, req); a.Expires != MaxPresignExpiry {
		t.Errorf("Expires = %v", a.Expires)
	}
}

func TestParsePresignedPayloadHash(t *testing.T) {
	req := presignedRequest(t)
	req.Query.Set("X-Amz-Content-Sha256", emptySHA256)
	if a := parseOK(t, req); a.ContentSHA256 != emptySHA256 {
		t.Errorf("query payload hash ignored: %q", a.ContentSHA256)
	}
	req.Header["X-Amz-Content-Sha256"] = []string{"STREAMING-UNSIGNED-PAYLOAD-TRAILER"}
	if a := parseOK(t, req); a.ContentSHA256 != "STREAMING-UNSIGNED-PAYLOAD-TRAILER" {
		t.Errorf("header payload hash not preferred: %q", a.ContentSHA256)
	}
}

func TestParseCredential(t *testing.T) {
	c, err := ParseCredential("AK/ID/20151229/us-east-1/s3/aws4_request")
	if err != nil || c.AccessKey != "AK/ID" || c.Date != "20151229" || c.Region != "us-east-1" || c.Service != "s3" {
		t.Fatalf("ParseCredential = %+v, %v", c, err)
	}
	if c.Scope() != "20151229/us-east-1/s3/aws4_request" {
		t.Errorf("Scope = %q", c.Scope())
	}
	for _, bad := range []string{"", "AKID", "AKID/20151229/us-east-1/s3/aws4_requests", "AKID/20151229//s3/aws4_request", "AKID/20151229/us-east-1//aws4_request", "AKID/20151329/us-east-1/s3/aws4_request"} {
		_, err := ParseCredential(bad)
		wantCode(t, err, s3err.InvalidArgument, "X-Amz-Credential")
	}
}
