package sigv2

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

const testSecret = "garage-secret"

var signedAt = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// hmacV2 signs a string to sign written out by hand, independently of
// stringToSign.
func hmacV2(secret, sts string) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(sts))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// signed is a header-signed request whose signature covers sts.
func signed(method, target, bucket string, virtual bool, header map[string][]string, sts string) Request {
	path, rawQuery, _ := strings.Cut(target, "?")
	q, _ := url.ParseQuery(rawQuery)
	h := map[string][]string{"Date": {signedAt.Format("Mon, 02 Jan 2006 15:04:05 GMT")}}
	for k, v := range header {
		h[k] = v
	}
	h["Authorization"] = []string{"AWS AKID:" + hmacV2(testSecret, sts)}
	return Request{Method: method, EscapedPath: path, Query: q, Header: h, Bucket: bucket, VirtualHost: virtual}
}

func verify(req Request, now time.Time) error {
	a, err := Parse(req)
	if err != nil {
		return err
	}
	return a.Verify(req, testSecret, now)
}

const day = "Sun, 01 Mar 2026 12:00:00 GMT"

func TestCanonicalization(t *testing.T) {
	for _, tc := range []struct {
		name, method, target, bucket string
		virtual                      bool
		header                       map[string][]string
		sts                          string
	}{
		{"sub-resources sorted, others left out", "GET", "/b/k?versionId=null&uploadId=U1&max-parts=2&partNumber=3&x-id=GetObject", "b", false, nil,
			"GET\n\n\n" + day + "\n/b/k?partNumber=3&uploadId=U1&versionId=null"},
		{"empty sub-resource values have no '='", "POST", "/b/k?uploads=", "b", false, nil,
			"POST\n\n\n" + day + "\n/b/k?uploads"},
		{"response overrides signed decoded", "GET", "/b/k?response-content-disposition=attachment%3B%20filename%3D%22a%20b%22&response-content-type=text%2Fhtml", "b", false, nil,
			"GET\n\n\n" + day + "\n/b/k?response-content-disposition=attachment; filename=\"a b\"&response-content-type=text/html"},
		{"cors, delete and lifecycle", "POST", "/b/?delete&cors&lifecycle", "b", false, nil,
			"POST\n\n\n" + day + "\n/b/?cors&delete&lifecycle"},
		{"the path is signed as sent", "GET", "/b/a%2Fb%20c~", "b", false, nil,
			"GET\n\n\n" + day + "\n/b/a%2Fb%20c~"},
		{"virtual host", "GET", "/k?acl", "b", true, nil,
			"GET\n\n\n" + day + "\n/b/k?acl"},
		{"virtual host bucket root", "GET", "/", "b", true, nil,
			"GET\n\n\n" + day + "\n/b/"},
		{"path-style bucket without its slash", "GET", "/b", "b", false, nil,
			"GET\n\n\n" + day + "\n/b"},
		{"path-style bucket signed with a slash (botocore)", "GET", "/b", "b", false, nil,
			"GET\n\n\n" + day + "\n/b/"},
		{"x-amz headers lowercased, sorted, joined, unfolded and trimmed", "PUT", "/b/k", "b", false,
			map[string][]string{
				"X-Amz-Meta-Zeta": {" z "}, "x-amz-meta-alpha": {"a"}, "X-Amz-Meta-Alpha": {"b"},
				"X-Amz-Meta-Folded": {"one\r\n  two\r\n\tthree"}, "X-Amz-Meta-Empty": {""},
				"Content-Type": {"text/plain"}, "Content-Md5": {"1B2M2Y8AsgTpgAmY7PhCfg=="}, "Content-Length": {"0"},
			},
			"PUT\n1B2M2Y8AsgTpgAmY7PhCfg==\ntext/plain\n" + day + "\nx-amz-meta-alpha:b,a\nx-amz-meta-empty:\nx-amz-meta-folded:one two three\nx-amz-meta-zeta:z\n/b/k"},
	} {
		req := signed(tc.method, tc.target, tc.bucket, tc.virtual, tc.header, tc.sts)
		if err := verify(req, signedAt); err != nil {
			a, _ := Parse(req)
			t.Errorf("%s: %v\nserver signs %q\nclient signed %q", tc.name, err, a.StringToSign(req), tc.sts)
		}
	}
}

func TestTamperingIsRefused(t *testing.T) {
	base := func() Request {
		return signed("PUT", "/b/k?partNumber=1&uploadId=U1", "b", false,
			map[string][]string{"Content-Md5": {"1B2M2Y8AsgTpgAmY7PhCfg=="}, "X-Amz-Meta-A": {"1"}},
			"PUT\n1B2M2Y8AsgTpgAmY7PhCfg==\n\n"+day+"\nx-amz-meta-a:1\n/b/k?partNumber=1&uploadId=U1")
	}
	if err := verify(base(), signedAt); err != nil {
		t.Fatalf("untampered: %v", err)
	}
	for name, tamper := range map[string]func(*Request){
		"method":          func(r *Request) { r.Method = "POST" },
		"path":            func(r *Request) { r.EscapedPath = "/b/other" },
		"bucket":          func(r *Request) { r.EscapedPath = "/c/k"; r.Bucket = "c" },
		"sub-resource":    func(r *Request) { r.Query.Set("partNumber", "2") },
		"added resource":  func(r *Request) { r.Query.Set("acl", "") },
		"dropped upload":  func(r *Request) { r.Query.Del("uploadId") },
		"content-md5":     func(r *Request) { r.Header["Content-Md5"] = []string{"XrY7u+Ae7tCTyyK7j1rNww=="} },
		"content-type":    func(r *Request) { r.Header["Content-Type"] = []string{"text/html"} },
		"x-amz header":    func(r *Request) { r.Header["X-Amz-Meta-A"] = []string{"2"} },
		"added x-amz":     func(r *Request) { r.Header["X-Amz-Copy-Source"] = []string{"b/secret"} },
		"date":            func(r *Request) { r.Header["Date"] = []string{"Sun, 01 Mar 2026 12:00:01 GMT"} },
		"signature":       func(r *Request) { r.Header["Authorization"] = []string{"AWS AKID:" + hmacV2(testSecret, "x")} },
		"not base64":      func(r *Request) { r.Header["Authorization"] = []string{"AWS AKID:!!!"} },
		"virtual hosting": func(r *Request) { r.VirtualHost = true },
	} {
		req := base()
		tamper(&req)
		err := verify(req, signedAt)
		if !isCode(err, "SignatureDoesNotMatch") {
			t.Errorf("%s: %v", name, err)
		}
	}
	// The error shows what the server signed, as AWS's does.
	req := base()
	req.Header["Content-Type"] = []string{"text/html"}
	e := mustBeS3Error(t, verify(req, signedAt))
	sts, _ := detail(e, "StringToSign")
	if want := "PUT\n1B2M2Y8AsgTpgAmY7PhCfg==\ntext/html\n" + day + "\nx-amz-meta-a:1\n/b/k?partNumber=1&uploadId=U1"; sts != want {
		t.Errorf("StringToSign %q", sts)
	}
	if b, _ := detail(e, "StringToSignBytes"); !strings.HasPrefix(b, "50 55 54 0a") {
		t.Errorf("StringToSignBytes %q", b)
	}
	if k, _ := detail(e, "AWSAccessKeyId"); k != "AKID" {
		t.Errorf("AWSAccessKeyId %q", k)
	}
}

func TestClockSkew(t *testing.T) {
	req := signed("GET", "/b/k", "b", false, nil, "GET\n\n\n"+day+"\n/b/k")
	for _, d := range []time.Duration{0, 14 * time.Minute, -14 * time.Minute, MaxClockSkew, -MaxClockSkew} {
		if err := verify(req, signedAt.Add(d)); err != nil {
			t.Errorf("skew %v: %v", d, err)
		}
	}
	for _, d := range []time.Duration{MaxClockSkew + time.Second, -MaxClockSkew - time.Second, 20 * time.Minute, -20 * time.Minute} {
		err := verify(req, signedAt.Add(d))
		if !isCode(err, "RequestTimeTooSkewed") {
			t.Errorf("skew %v: %v", d, err)
			continue
		}
		if rt, _ := detail(mustBeS3Error(t, err), "RequestTime"); rt != day {
			t.Errorf("RequestTime %q", rt)
		}
	}
	// The skew is judged on x-amz-date when there is one.
	amz := signed("GET", "/b/k", "b", false, map[string][]string{"X-Amz-Date": {"Sun, 01 Mar 2026 13:00:00 GMT"}},
		"GET\n\n\n\nx-amz-date:Sun, 01 Mar 2026 13:00:00 GMT\n/b/k")
	if err := verify(amz, signedAt.Add(time.Hour)); err != nil {
		t.Errorf("x-amz-date: %v", err)
	}
	if err := verify(amz, signedAt); !isCode(err, "RequestTimeTooSkewed") {
		t.Errorf("x-amz-date an hour ahead: %v", err)
	}
}

func presigned(target string, expires int64, bucket string) Request {
	path, rawQuery, _ := strings.Cut(target, "?")
	q, _ := url.ParseQuery(rawQuery)
	sts := "GET\n\n\n" + strconv.FormatInt(expires, 10) + "\n" + path
	if sub := canonicalSubResources(q); sub != "" {
		sts += sub
	}
	q.Set("AWSAccessKeyId", "AKID")
	q.Set("Expires", strconv.FormatInt(expires, 10))
	q.Set("Signature", hmacV2(testSecret, sts))
	return Request{Method: "GET", EscapedPath: path, Query: q, Header: map[string][]string{}, Bucket: bucket}
}

func TestPresignedTimes(t *testing.T) {
	expires := signedAt.Add(time.Hour).Unix()
	req := presigned("/b/k?response-content-type=text%2Fplain", expires, "b")
	if err := verify(req, signedAt); err != nil {
		t.Fatal(err)
	}
	if err := verify(req, time.Unix(expires, 0)); err != nil {
		t.Errorf("at Expires: %v", err)
	}
	err := verify(req, time.Unix(expires+1, 0))
	if !isCode(err, "AccessDenied") {
		t.Fatalf("expired: %v", err)
	}
	e := mustBeS3Error(t, err)
	if e.Message != "Request has expired" {
		t.Errorf("message %q", e.Message)
	}
	if x, _ := detail(e, "Expires"); x != "2026-03-01T13:00:00Z" {
		t.Errorf("Expires %q", x)
	}
	// A URL still a week and a quarter of an hour out is the longest.
	week := presigned("/b/k", signedAt.Add(MaxPresignExpiry+MaxClockSkew).Unix(), "b")
	if err := verify(week, signedAt); err != nil {
		t.Errorf("a week: %v", err)
	}
	for _, far := range []time.Duration{MaxPresignExpiry + MaxClockSkew + time.Second, 10 * 365 * 24 * time.Hour} {
		long := presigned("/b/k", signedAt.Add(far).Unix(), "b")
		if err := verify(long, signedAt); !isCode(err, "AuthorizationQueryParametersError") {
			t.Errorf("%v out: %v", far, err)
		}
	}
	// A presigned URL does not cover a Content-Type its user adds.
	req.Header["Content-Type"] = []string{"text/html"}
	if err := verify(req, signedAt); !isCode(err, "SignatureDoesNotMatch") {
		t.Errorf("added Content-Type: %v", err)
	}
}
