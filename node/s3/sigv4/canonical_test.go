package sigv4

import (
	"net/url"
	"testing"
)

// The canonical requests AWS prints for its examples.
func TestPublishedCanonicalRequests(t *testing.T) {
	get := getVector(t)
	a := parseOK(t, get)
	want := "GET\n/test.txt\n\n" +
		"host:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n" +
		"x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nx-amz-date:20130524T000000Z\n\n" +
		"host;range;x-amz-content-sha256;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	if got := canonicalRequest(get, a.SignedHeaders, a.ContentSHA256, false); got != want {
		t.Errorf("GET Object canonical request:\n%s\nwant\n%s", got, want)
	}

	put := headerVectors()[1].request(t, true)
	a = parseOK(t, put)
	want = "PUT\n/test%24file.text\n\n" +
		"date:Fri, 24 May 2013 00:00:00 GMT\nhost:examplebucket.s3.amazonaws.com\n" +
		"x-amz-content-sha256:44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072\n" +
		"x-amz-date:20130524T000000Z\nx-amz-storage-class:REDUCED_REDUNDANCY\n\n" +
		"date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class\n" +
		"44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"
	if got := canonicalRequest(put, a.SignedHeaders, a.ContentSHA256, false); got != want {
		t.Errorf("PUT Object canonical request:\n%s\nwant\n%s", got, want)
	}

	lifecycle := headerVectors()[2].request(t, true)
	a = parseOK(t, lifecycle)
	if got := sha256Hex([]byte(canonicalRequest(lifecycle, a.SignedHeaders, a.ContentSHA256, false))); got != "9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca" {
		t.Errorf("GET Bucket Lifecycle canonical request hash %s", got)
	}

	pre := presignedRequest(t)
	a = parseOK(t, pre)
	want = "GET\n/test.txt\n" +
		"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\n" +
		"host:examplebucket.s3.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD"
	got := canonicalRequest(pre, a.SignedHeaders, a.ContentSHA256, true)
	if got != want {
		t.Errorf("presigned canonical request:\n%s\nwant\n%s", got, want)
	}
	if h := sha256Hex([]byte(got)); h != "3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04" {
		t.Errorf("presigned canonical request hash %s", h)
	}
}

func TestURIEncode(t *testing.T) {
	for in, want := range map[string]string{
		"":               "",
		"AZaz09-_.~":     "AZaz09-_.~",
		"a b":            "a%20b",
		"a+b":            "a%2Bb",
		"a/b":            "a%2Fb",
		"100%":           "100%25",
		"$&'()*,;=:@!?#": "%24%26%27%28%29%2A%2C%3B%3D%3A%40%21%3F%23",
		"€":              "%E2%82%AC",
		"\x00\xff":       "%00%FF",
	} {
		if got := uriEncode(in); got != want {
			t.Errorf("uriEncode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCanonicalURI(t *testing.T) {
	for in, want := range map[string]string{
		"":                  "/",
		"/":                 "/",
		"/bucket/key":       "/bucket/key",
		"/test$file.text":   "/test%24file.text",
		"/test%24file.text": "/test%24file.text",
		"/a%2fb/c%2Fd":      "/a%2Fb/c%2Fd",       // escaped slashes stay escaped
		"/%7Euser/~x":       "/~user/~x",          // unreserved characters are never escaped
		"/a b/%20":          "/a%20b/%20",         // no double encoding
		"/a//b/./../c":      "/a//b/./../c",       // no normalisation
		"/100%/%zz/%4":      "/100%25/%25zz/%254", // a bare % is a character
		"/%e2%82%ac":        "/%E2%82%AC",
	} {
		if got := canonicalURI(in); got != want {
			t.Errorf("canonicalURI(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCanonicalQuery(t *testing.T) {
	q := url.Values{
		"b":               {"2"},
		"a":               {"x y", "+", "a"},
		"X-Amz-Signature": {"sig"},
		"c d":             {""},
	}
	if got, want := canonicalQuery(q, false), "X-Amz-Signature=sig&a=%2B&a=a&a=x%20y&b=2&c%20d="; got != want {
		t.Errorf("canonicalQuery = %q, want %q", got, want)
	}
	if got, want := canonicalQuery(q, true), "a=%2B&a=a&a=x%20y&b=2&c%20d="; got != want {
		t.Errorf("presigned canonicalQuery = %q, want %q", got, want)
	}
	if got := canonicalQuery(nil, false); got != "" {
		t.Errorf("empty query gives %q", got)
	}
}

func TestCanonicalHeaderValue(t *testing.T) {
	req := Request{
		Host: "h:9000",
		Header: map[string][]string{
			"X-Amz-Meta-A": {"  one   two  three ", "\tfour"},
			"x-amz-meta-a": {"five"},
			"Host":         {"ignored"},
		},
	}
	if got, want := canonicalHeaderValue(req, "x-amz-meta-a"), "one two three,four,five"; got != want {
		t.Errorf("value %q, want %q", got, want)
	}
	if got := canonicalHeaderValue(req, "host"); got != "h:9000" {
		t.Errorf("host %q", got)
	}
	req.Host = ""
	if got := canonicalHeaderValue(req, "host"); got != "ignored" {
		t.Errorf("host without req.Host: %q", got)
	}
	if got := canonicalHeaderValue(req, "absent"); got != "" {
		t.Errorf("absent header %q", got)
	}
}
