package sigv2

import (
	"net/url"
	"testing"
	"time"
)

func headerRequest(authorization string, header map[string][]string) Request {
	h := map[string][]string{"Authorization": {authorization}}
	for k, v := range header {
		h[k] = v
	}
	return Request{Method: "GET", EscapedPath: "/b/k", Query: url.Values{}, Header: h, Bucket: "b"}
}

func TestClaims(t *testing.T) {
	for _, tc := range []struct {
		name   string
		auth   []string
		query  string
		claims bool
	}{
		{"v2 header", []string{"AWS AKID:c2ln"}, "", true},
		{"v2 header with a V2 query (refused by Parse)", []string{"AWS AKID:c2ln"}, "Signature=x", true},
		{"v2 header with a V4 query (refused by Parse)", []string{"AWS AKID:c2ln"}, "X-Amz-Algorithm=AWS4-HMAC-SHA256", true},
		{"bare scheme (refused by Parse)", []string{"AWS"}, "", true},
		{"v4 header", []string{"AWS4-HMAC-SHA256 Credential=a/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=x"}, "", false},
		{"v4 header with a V2 query", []string{"AWS4-HMAC-SHA256 Credential=x"}, "AWSAccessKeyId=a&Signature=b", false},
		{"lowercase scheme", []string{"aws AKID:c2ln"}, "", false},
		{"two headers", []string{"AWS AKID:c2ln", "AWS AKID:c2ln"}, "", false},
		{"v2 query", nil, "AWSAccessKeyId=a&Signature=b&Expires=1", true},
		{"partial v2 query (refused by Parse)", nil, "Signature=b", true},
		{"only Expires (refused by Parse)", nil, "Expires=1", true},
		{"v2 and v4 query", nil, "AWSAccessKeyId=a&Signature=b&Expires=1&X-Amz-Credential=c", false},
		{"anonymous", nil, "list-type=2", false},
	} {
		q, _ := url.ParseQuery(tc.query)
		h := map[string][]string{}
		if tc.auth != nil {
			h["Authorization"] = tc.auth
		}
		if got := Claims(Request{Method: "GET", EscapedPath: "/", Query: q, Header: h}); got != tc.claims {
			t.Errorf("%s: Claims = %v", tc.name, got)
		}
	}
}

func TestParseHeaderRefusals(t *testing.T) {
	now := date("Tue, 27 Mar 2007 19:36:42 GMT")
	for _, tc := range []struct {
		name, auth string
		header     map[string][]string
		query      string
		code       string
	}{
		{"garbage", "AWS HAHAHA", now, "", "InvalidArgument"},
		{"no signature", "AWS AKID:", now, "", "InvalidArgument"},
		{"no key", "AWS :c2ln", now, "", "InvalidArgument"},
		{"two colons", "AWS AKID:c2ln:x", now, "", "InvalidArgument"},
		{"two blanks", "AWS  AKID:c2ln", now, "", "InvalidArgument"},
		{"inner blank", "AWS AKID:c2 ln", now, "", "InvalidArgument"},
		{"bare scheme", "AWS", now, "", "InvalidArgument"},
		{"no date", "AWS AKID:c2ln", nil, "", "AccessDenied"},
		{"bad date", "AWS AKID:c2ln", date("yesterday"), "", "AccessDenied"},
		{"bad x-amz-date beside a good Date", "AWS AKID:c2ln", map[string][]string{"Date": {"Tue, 27 Mar 2007 19:36:42 GMT"}, "X-Amz-Date": {"Bad Date"}}, "", "AccessDenied"},
		{"empty x-amz-date", "AWS AKID:c2ln", map[string][]string{"Date": {"Tue, 27 Mar 2007 19:36:42 GMT"}, "X-Amz-Date": {""}}, "", "AccessDenied"},
		{"before the epoch", "AWS AKID:c2ln", map[string][]string{"X-Amz-Date": {"Tue, 07 Jul 1950 21:53:04 GMT"}}, "", "AccessDenied"},
		{"a zone name that is not GMT", "AWS AKID:c2ln", date("Tue, 27 Mar 2007 19:36:42 PST"), "", "AccessDenied"},
		{"header and query", "AWS AKID:c2ln", now, "AWSAccessKeyId=a&Signature=b&Expires=1", "InvalidArgument"},
		{"header and V4 query", "AWS AKID:c2ln", now, "X-Amz-Signature=abc", "InvalidArgument"},
	} {
		req := headerRequest(tc.auth, tc.header)
		req.Query, _ = url.ParseQuery(tc.query)
		_, err := Parse(req)
		if e := mustBeS3Error(t, err); string(e.Code) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	_, err := Parse(headerRequest("AWS HAHAHA", now))
	if v, _ := detail(mustBeS3Error(t, err), "ArgumentValue"); v != "AWS HAHAHA" {
		t.Errorf("ArgumentValue %q", v)
	}
}

func TestParseDates(t *testing.T) {
	want := time.Date(2007, 3, 27, 19, 36, 42, 0, time.UTC)
	for _, s := range []string{
		"Tue, 27 Mar 2007 19:36:42 GMT",
		"Tue, 27 Mar 2007 19:36:42 UTC",
		"Tue, 27 Mar 2007 19:36:42 +0000",
		"Tue, 27 Mar 2007 21:36:42 +0200",
		"Tuesday, 27-Mar-07 19:36:42 GMT",
		"Tue Mar 27 19:36:42 2007",
		" Tue, 27 Mar 2007 19:36:42 GMT ",
	} {
		if got, ok := parseDate(s); !ok || !got.Equal(want) {
			t.Errorf("%q: %v %v", s, got, ok)
		}
	}
	if got, ok := parseDate("Tue, 7 Jul 2010 21:53:04 GMT"); !ok || got.Day() != 7 {
		t.Errorf("one-digit day: %v %v", got, ok)
	}
	for _, s := range []string{"", "20070327T193642Z", "Tue, 27 Mar 2007 19:36:42", "Tue, 27 Mar 10000 19:36:42 GMT", "1175139620"} {
		if _, ok := parseDate(s); ok {
			t.Errorf("%q parsed", s)
		}
	}
}

func TestParseQueryRefusals(t *testing.T) {
	for _, tc := range []struct{ query, code string }{
		{"Signature=x", "AccessDenied"},
		{"AWSAccessKeyId=a&Signature=x", "AccessDenied"},
		{"AWSAccessKeyId=a&Expires=1", "AccessDenied"},
		{"AWSAccessKeyId=a&Signature=&Expires=1", "AccessDenied"},
		{"AWSAccessKeyId=a&AWSAccessKeyId=b&Signature=x&Expires=1", "AccessDenied"},
		{"AWSAccessKeyId=a&Signature=x&Expires=soon", "AccessDenied"},
		{"AWSAccessKeyId=a&Signature=x&Expires=-1", "AccessDenied"},
		{"AWSAccessKeyId=a&Signature=x&Expires=99999999999999999999", "AccessDenied"},
		{"AWSAccessKeyId=a&Signature=x&Expires=1&x-amz-meta-a=b", "NotImplemented"},
		{"AWSAccessKeyId=a&Signature=x&Expires=1&X-Amz-Acl=public-read", "NotImplemented"},
	} {
		q, _ := url.ParseQuery(tc.query)
		req := Request{Method: "GET", EscapedPath: "/b/k", Query: q, Header: map[string][]string{}, Bucket: "b"}
		if !Claims(req) {
			t.Errorf("%s: not claimed", tc.query)
			continue
		}
		_, err := Parse(req)
		if e := mustBeS3Error(t, err); string(e.Code) != tc.code {
			t.Errorf("%s: %v, want %s", tc.query, err, tc.code)
		}
	}
	// A Content-Type in the query is an unknown parameter: the header is
	// what is signed.
	q, _ := url.ParseQuery("AWSAccessKeyId=a&Signature=x&Expires=1&content-type=text%2Fplain")
	if _, err := Parse(Request{Method: "PUT", EscapedPath: "/b/k", Query: q, Header: map[string][]string{}}); err != nil {
		t.Errorf("content-type in the query: %v", err)
	}
	// An unencoded '+' of the signature arrives as a blank.
	q, _ = url.ParseQuery("AWSAccessKeyId=a&Signature=ab+c=&Expires=1")
	a, err := Parse(Request{Method: "GET", EscapedPath: "/", Query: q, Header: map[string][]string{}})
	if err != nil || a.Signature != "ab+c=" {
		t.Errorf("signature %q, %v", a.Signature, err)
	}
}
