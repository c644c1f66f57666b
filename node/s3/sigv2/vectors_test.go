package sigv2

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// The credentials of AWS's Signature Version 2 examples: today's, and the
// ones its examples used until about 2014 (whose example set is the only
// one consistent on x-amz-date; see TestDeleteWithAmzDate).
const (
	exampleKey       = "AKIAIOSFODNN7EXAMPLE"
	exampleSecret    = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	oldExampleKey    = "0PN5J17HBGZHT7JJ3X82"
	oldExampleSecret = "uV3F3YluFJax1cknvbcGwgjvx4QpvB+leU8dUj2o"
)

// vector is a worked example of "Signing and authenticating REST
// requests" (S3 developer guide): the request, what it signs, and the
// signature AWS gives.
type vector struct {
	name        string
	method      string
	target      string // path and query, as on the request line
	bucket      string // what the addressing found
	virtualHost bool
	header      map[string][]string
	key, secret string
	signature   string
	sts         string
}

func (v vector) request(t *testing.T) Request {
	t.Helper()
	path, rawQuery, _ := strings.Cut(v.target, "?")
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		t.Fatal(err)
	}
	h := map[string][]string{}
	for k, vs := range v.header {
		h[k] = vs
	}
	if v.signature != "" && !q.Has(querySignature) {
		h["Authorization"] = []string{"AWS " + v.key + ":" + v.signature}
	}
	return Request{Method: v.method, EscapedPath: path, Query: q, Header: h, Bucket: v.bucket, VirtualHost: v.virtualHost}
}

func uploadHeaders(domain string) map[string][]string {
	return map[string][]string{
		"Date":                         {"Tue, 27 Mar 2007 21:06:08 +0000"},
		"User-Agent":                   {"curl/7.15.5"},
		"X-Amz-Acl":                    {"public-read"},
		"Content-Type":                 {"application/x-download"},
		"Content-Md5":                  {"4gJE4saaMU4BqNR0kLY+lw=="},
		"X-Amz-Meta-Reviewedby":        {"joe@" + domain, "jane@" + domain},
		"X-Amz-Meta-Filechecksum":      {"0x02661779"},
		"X-Amz-Meta-Checksumalgorithm": {"crc32"},
		"Content-Disposition":          {"attachment; filename=database.dat"},
		"Content-Encoding":             {"gzip"},
		"Content-Length":               {"5913339"},
	}
}

func uploadSTS(domain, bucket string) string {
	return "PUT\n4gJE4saaMU4BqNR0kLY+lw==\napplication/x-download\nTue, 27 Mar 2007 21:06:08 +0000\n" +
		"x-amz-acl:public-read\nx-amz-meta-checksumalgorithm:crc32\nx-amz-meta-filechecksum:0x02661779\n" +
		"x-amz-meta-reviewedby:joe@" + domain + ",jane@" + domain + "\n/" + bucket + "/db-backup.dat.gz"
}

func date(s string) map[string][]string { return map[string][]string{"Date": {s}} }

// headerVectors are the examples, with each set's credentials. The
// current guide renamed johnsmith to awsexamplebucket1 and recomputed most
// signatures; both sets are here. (Its upload example now reads
// static.example.com but keeps the signature of
// static.awsexamplebucket1.net, which is the form used here.)
func headerVectors() []vector {
	var vs []vector
	for _, set := range []struct {
		bucket, key, secret                                      string
		get, put, list, acl, upload, service, unicode, uploadDom string
		uploadBucket                                             string
	}{
		{"awsexamplebucket1", exampleKey, exampleSecret, "qgk2+6Sv9/oM7G3qLEjTH1a1l1g=", "iqRzw+ileNPu1fhspnRs8nOjjIA=",
			"m0WP8eCtspQl5Ahe6L1SozdX9YA=", "82ZHiFIjc+WbcwFKGUVEQspPn+0=", "dKZcB+bz2EPXgSdXZp9ozGeOM4I=",
			"qGdzdERIC03wnaRNKh6OqZehG9s=", "DNEZGsoieTZ92F3bUfSPQcbGmlM=", "awsexamplebucket1.net", "static.awsexamplebucket1.net"},
		{"johnsmith", exampleKey, exampleSecret, "bWq2s1WEIj+Ydj0vQ697zp+IXMU=", "MyyxeRY7whkBe+bq8fHCL/2kKUg=",
			"htDYFYduRNen8P9ZfE/s9SuKy0U=", "c2WLPFtWHVgbEmeEG93a4cG37dM=", "ilyl83RwaSoYIEdixDQcA4OnAnc=",
			"qGdzdERIC03wnaRNKh6OqZehG9s=", "DNEZGsoieTZ92F3bUfSPQcbGmlM=", "johnsmith.net", "static.johnsmith.net"},
		{"johnsmith", oldExampleKey, oldExampleSecret, "xXjDGYUmKxnwqr5KXNPGldn5LbA=", "hcicpDDvL9SsO6AkvxqmIWkmOuQ=",
			"jsRt/rhG+Vtp88HrYL706QhE4w4=", "thdUi9VAkzhkniLj96JIrOPGi0g=", "C0FlOtU8Ylb9KDTpZqYkZPX91iI=",
			"Db+gepJSUbZKwpx1FR0DLtEYoZA=", "dxhSBHoI6eVSPcXJqEghlUzZMnY=", "johnsmith.net", "static.johnsmith.net"},
	} {
		b, k, s := set.bucket, set.key, set.secret
		vs = append(vs,
			vector{b + " object GET", "GET", "/photos/puppy.jpg", b, true, date("Tue, 27 Mar 2007 19:36:42 +0000"), k, s, set.get,
				"GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/" + b + "/photos/puppy.jpg"},
			vector{b + " object PUT", "PUT", "/photos/puppy.jpg", b, true,
				map[string][]string{"Date": {"Tue, 27 Mar 2007 21:15:45 +0000"}, "Content-Type": {"image/jpeg"}, "Content-Length": {"94328"}},
				k, s, set.put, "PUT\n\nimage/jpeg\nTue, 27 Mar 2007 21:15:45 +0000\n/" + b + "/photos/puppy.jpg"},
			vector{b + " list", "GET", "/?prefix=photos&max-keys=50&marker=puppy", b, true,
				map[string][]string{"Date": {"Tue, 27 Mar 2007 19:42:41 +0000"}, "User-Agent": {"Mozilla/5.0"}},
				k, s, set.list, "GET\n\n\nTue, 27 Mar 2007 19:42:41 +0000\n/" + b + "/"},
			vector{b + " fetch acl", "GET", "/?acl", b, true, date("Tue, 27 Mar 2007 19:44:46 +0000"), k, s, set.acl,
				"GET\n\n\nTue, 27 Mar 2007 19:44:46 +0000\n/" + b + "/?acl"},
			vector{b + " upload to a CNAME bucket", "PUT", "/db-backup.dat.gz", set.uploadBucket, true, uploadHeaders(set.uploadDom),
				k, s, set.upload, uploadSTS(set.uploadDom, set.uploadBucket)},
			vector{b + " list all my buckets", "GET", "/", "", false, date("Wed, 28 Mar 2007 01:29:59 +0000"), k, s, set.service,
				"GET\n\n\nWed, 28 Mar 2007 01:29:59 +0000\n/"},
			vector{b + " unicode keys", "GET", "/dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re", "dictionary", false,
				date("Wed, 28 Mar 2007 01:49:49 +0000"), k, s, set.unicode,
				"GET\n\n\nWed, 28 Mar 2007 01:49:49 +0000\n/dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re"},
		)
	}
	return vs
}

func TestDocumentedHeaderExamples(t *testing.T) {
	for _, v := range headerVectors() {
		t.Run(v.name, func(t *testing.T) {
			req := v.request(t)
			if !Claims(req) {
				t.Fatal("not claimed as Signature Version 2")
			}
			a, err := Parse(req)
			if err != nil {
				t.Fatal(err)
			}
			if a.AccessKey != v.key || a.Signature != v.signature || a.Presigned {
				t.Fatalf("parsed %+v", a)
			}
			if got := a.StringToSign(req); got != v.sts {
				t.Fatalf("string to sign\n%q\nwant\n%q", got, v.sts)
			}
			if err := a.Verify(req, v.secret, a.Date.Add(time.Minute)); err != nil {
				t.Fatalf("verify: %v", err)
			}
			if err := a.Verify(req, v.secret+"x", a.Date); err == nil {
				t.Fatal("verified with the wrong secret")
			}
		})
	}
}

// TestDeleteWithAmzDate: with x-amz-date, the Date line is empty and
// x-amz-date is signed among the x-amz-* headers, as the guide's text
// says. The older example set agrees (k3nL7...); today's DELETE example
// signs x-amz-date's value on the Date line instead, against its own
// text, and its signature is refused.
func TestDeleteWithAmzDate(t *testing.T) {
	h := map[string][]string{"Date": {"Tue, 27 Mar 2007 21:20:27 +0000"}, "X-Amz-Date": {"Tue, 27 Mar 2007 21:20:26 +0000"}, "User-Agent": {"dotnet"}}
	const sts = "DELETE\n\n\n\nx-amz-date:Tue, 27 Mar 2007 21:20:26 +0000\n/johnsmith/photos/puppy.jpg"
	good := vector{"delete", "DELETE", "/johnsmith/photos/puppy.jpg", "johnsmith", false, h, oldExampleKey, oldExampleSecret,
		"k3nL7gH3+PadhTEVn5Ip83xlYzk=", sts}
	req := good.request(t)
	a, err := Parse(req)
	if err != nil {
		t.Fatal(err)
	}
	if got := a.StringToSign(req); got != sts {
		t.Fatalf("string to sign %q", got)
	}
	if !a.Date.Equal(time.Date(2007, 3, 27, 21, 20, 26, 0, time.UTC)) {
		t.Fatalf("date %v: x-amz-date must win over Date", a.Date)
	}
	if err := a.Verify(req, oldExampleSecret, a.Date); err != nil {
		t.Fatalf("older example: %v", err)
	}
	for _, sig := range []string{"lx3byBScXR6KzyMaifNkardMwNk=", "XbyTlbQdu9Xw5o8P4iMwPktxQd8="} {
		bad := good
		bad.key, bad.signature = exampleKey, sig
		req := bad.request(t)
		a, err := Parse(req)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Verify(req, exampleSecret, a.Date); !isCode(err, "SignatureDoesNotMatch") {
			t.Errorf("%s (x-amz-date on the Date line): %v", sig, err)
		}
	}
}

// TestDocumentedPresignedExample is the guide's query string example.
// Today's guide kept johnsmith's signature beside awsexamplebucket1's
// resource, which no secret signs, so only the johnsmith form is a vector.
func TestDocumentedPresignedExample(t *testing.T) {
	target := "/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620"
	v := vector{"presigned", "GET", target, "johnsmith", true, nil, exampleKey, exampleSecret, "NpgCjnDzrM+WFzoENXmpNDUsSn8=",
		"GET\n\n\n1175139620\n/johnsmith/photos/puppy.jpg"}
	req := v.request(t)
	if !Claims(req) {
		t.Fatal("not claimed")
	}
	a, err := Parse(req)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Presigned || a.AccessKey != exampleKey || a.Signature != v.signature || a.Expires.Unix() != 1175139620 {
		t.Fatalf("parsed %+v", a)
	}
	if got := a.StringToSign(req); got != v.sts {
		t.Fatalf("string to sign %q", got)
	}
	if err := a.Verify(req, exampleSecret, a.Expires.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := a.Verify(req, exampleSecret, a.Expires.Add(time.Second)); !isCode(err, "AccessDenied") {
		t.Fatalf("after Expires: %v", err)
	}
	req.Bucket = "awsexamplebucket1"
	if err := a.Verify(req, exampleSecret, a.Expires.Add(-time.Hour)); !isCode(err, "SignatureDoesNotMatch") {
		t.Fatalf("another bucket: %v", err)
	}
}

// TestDocumentedPostExample is the policy of "Upload examples (AWS
// signature version 2)", signed with the older example secret.
func TestDocumentedPostExample(t *testing.T) {
	const policy = "eyAiZXhwaXJhdGlvbiI6ICIyMDA3LTEyLTAxVDEyOjAwOjAwLjAwMFoiLAogICJjb25kaXRpb25zIjogWwogICAgeyJidWNrZXQiOiAiam9obnNtaXRoIn0sCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci9lcmljLyJdLAogICAgeyJhY2wiOiAicHVibGljLXJlYWQifSwKICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL2pvaG5zbWl0aC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwKICAgIFsic3RhcnRzLXdpdGgiLCAiJENvbnRlbnQtVHlwZSIsICJpbWFnZS8iXSwKICAgIHsieC1hbXotbWV0YS11dWlkIjogIjE0MzY1MTIzNjUxMjc0In0sCiAgICBbInN0YXJ0cy13aXRoIiwgIiR4LWFtei1tZXRhLXRhZyIsICIiXQogIF0KfQo="
	if err := VerifyPost(policy, oldExampleKey, "0RavWzkygo6QX9caELEqKi9kDbU=", oldExampleSecret); err != nil {
		t.Fatal(err)
	}
	if err := VerifyPost(policy, exampleKey, "0RavWzkygo6QX9caELEqKi9kDbU=", exampleSecret); !isCode(err, "SignatureDoesNotMatch") {
		t.Fatalf("wrong secret: %v", err)
	}
	if err := VerifyPost(policy+" ", oldExampleKey, "0RavWzkygo6QX9caELEqKi9kDbU=", oldExampleSecret); !isCode(err, "SignatureDoesNotMatch") {
		t.Fatalf("altered policy: %v", err)
	}
}

func TestPostForm(t *testing.T) {
	for _, tc := range []struct {
		fields map[string]string
		v2     bool
		err    string
	}{
		{map[string]string{"awsaccesskeyid": "a", "signature": "s", "policy": "p"}, true, ""},
		{map[string]string{"awsaccesskeyid": "a", "policy": "p"}, true, "InvalidArgument"},
		{map[string]string{"signature": "s", "policy": "p"}, true, "InvalidArgument"},
		{map[string]string{"awsaccesskeyid": "a", "signature": "s", "x-amz-algorithm": "AWS4-HMAC-SHA256"}, false, ""},
		{map[string]string{"x-amz-credential": "c", "policy": "p"}, false, ""},
	} {
		if got := IsPostForm(tc.fields); got != tc.v2 {
			t.Errorf("%v: IsPostForm = %v", tc.fields, got)
		}
		if !tc.v2 {
			continue
		}
		key, sig, err := PostCredentials(tc.fields)
		switch {
		case tc.err != "" && !isCode(err, tc.err):
			t.Errorf("%v: %v, want %s", tc.fields, err, tc.err)
		case tc.err == "" && (err != nil || key != "a" || sig != "s"):
			t.Errorf("%v: %q %q %v", tc.fields, key, sig, err)
		}
	}
}
