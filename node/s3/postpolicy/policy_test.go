package postpolicy

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/garagego/garage/node/s3/s3err"
)

// awsExamplePolicy is the policy of AWS's "Example: Browser-Based Upload
// using HTTP POST (Using AWS Signature Version 4)", base64 as published.
const awsExamplePolicy = "eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9"

var beforeExpiry = time.Date(2015, 12, 29, 12, 0, 0, 0, time.UTC)

// awsExampleForm is the example's HTML form as a browser would send it for
// a file named photo.jpg, with the caller's "bucket" added.
func awsExampleForm() map[string]string {
	return map[string]string{
		"bucket":                       "sigv4examplebucket",
		"key":                          "user/user1/photo.jpg",
		"acl":                          "public-read",
		"success_action_redirect":      "http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html",
		"Content-Type":                 "image/jpeg",
		"x-amz-meta-uuid":              "14365123651274",
		"x-amz-server-side-encryption": "AES256",
		"X-Amz-Credential":             "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request",
		"X-Amz-Algorithm":              "AWS4-HMAC-SHA256",
		"X-Amz-Date":                   "20151229T000000Z",
		"x-amz-meta-tag":               "",
		"Policy":                       awsExamplePolicy,
		"X-Amz-Signature":              "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e",
	}
}

func encode(doc string) string { return base64.StdEncoding.EncodeToString([]byte(doc)) }

func mustParse(t *testing.T, doc string) Policy {
	t.Helper()
	p, err := Parse(encode(doc))
	if err != nil {
		t.Fatalf("Parse(%s): %v", doc, err)
	}
	return p
}

func wantCode(t *testing.T, err error, code s3err.Code, inMessage string) {
	t.Helper()
	e, ok := s3err.As(err)
	if !ok {
		t.Fatalf("error %v, want %s", err, code)
	}
	if e.Code != code || !strings.Contains(e.Message, inMessage) {
		t.Fatalf("error %s %q, want %s containing %q", e.Code, e.Message, code, inMessage)
	}
}

func TestAWSExamplePolicy(t *testing.T) {
	p, err := Parse(awsExamplePolicy)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2015, 12, 30, 12, 0, 0, 0, time.UTC); !p.Expiration.Equal(want) {
		t.Errorf("expiration %v, want %v", p.Expiration, want)
	}
	if len(p.Conditions) != 11 {
		t.Fatalf("%d conditions, want 11", len(p.Conditions))
	}
	if c := p.Conditions[1]; c.Op != OpStartsWith || c.Field != "key" || c.Value != "user/user1/" {
		t.Errorf("second condition %+v", c)
	}
	if c := p.Conditions[4]; c.Field != "content-type" || c.String() != `["starts-with", "$Content-Type", "image/"]` {
		t.Errorf("fifth condition %+v", c)
	}
	if err := p.Check(awsExampleForm(), beforeExpiry); err != nil {
		t.Fatalf("the example form fails its own policy: %v", err)
	}
	if _, _, ok := p.ContentLengthRange(); ok {
		t.Error("the example has no content-length-range")
	}
}

func TestCheckFailures(t *testing.T) {
	p, err := Parse(awsExamplePolicy)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		change func(map[string]string)
		now    time.Time
		want   string
	}{
		{"expired", func(map[string]string) {}, time.Date(2015, 12, 30, 12, 0, 1, 0, time.UTC),
			"Invalid according to Policy: Policy expired."},
		{"key outside the prefix", func(f map[string]string) { f["key"] = "user/user2/photo.jpg" }, beforeExpiry,
			`Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "user/user1/"]`},
		{"wrong bucket", func(f map[string]string) { f["bucket"] = "other" }, beforeExpiry,
			`Policy Condition failed: ["eq", "$bucket", "sigv4examplebucket"]`},
		{"exact match differs in case", func(f map[string]string) { f["acl"] = "Public-Read" }, beforeExpiry,
			`["eq", "$acl", "public-read"]`},
		{"absent field fails starts-with empty", func(f map[string]string) { delete(f, "x-amz-meta-tag") }, beforeExpiry,
			`["starts-with", "$x-amz-meta-tag", ""]`},
		{"content-type list with a stray type", func(f map[string]string) { f["Content-Type"] = "image/jpg,text/plain" }, beforeExpiry,
			`["starts-with", "$Content-Type", "image/"]`},
		{"extra field", func(f map[string]string) { f["X-Amz-Meta-Other"] = "1"; f["filename"] = "x" }, beforeExpiry,
			"Invalid according to Policy: Extra input fields: filename, x-amz-meta-other"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := awsExampleForm()
			tc.change(form)
			wantCode(t, p.Check(form, tc.now), s3err.AccessDenied, tc.want)
		})
	}
}

func TestCheckAccepts(t *testing.T) {
	p, err := Parse(awsExamplePolicy)
	if err != nil {
		t.Fatal(err)
	}
	for name, change := range map[string]func(map[string]string){
		"content-type list":  func(f map[string]string) { f["Content-Type"] = "image/jpg, image/png,image/gif" },
		"x-ignore- field":    func(f map[string]string) { f["x-ignore-flash"] = "1" },
		"SigV2 fields":       func(f map[string]string) { f["AWSAccessKeyId"] = "AKID"; f["signature"] = "sig" },
		"file field":         func(f map[string]string) { f["file"] = "" },
		"any x-amz-meta-tag": func(f map[string]string) { f["x-amz-meta-tag"] = "anything" },
	} {
		t.Run(name, func(t *testing.T) {
			form := awsExampleForm()
			change(form)
			if err := p.Check(form, beforeExpiry); err != nil {
				t.Fatal(err)
			}
		})
	}
	if err := p.Check(awsExampleForm(), p.Expiration); err != nil {
		t.Errorf("at the expiration instant itself: %v", err)
	}
}

func TestOperatorsAndNamesAreCaseInsensitive(t *testing.T) {
	p := mustParse(t, `{"expiration": "2030-01-01T00:00:00Z", "conditions": [
		{"bUcKeT": "b"}, ["StArTs-WiTh", "$KeY", "foo"], ["EQ", "$AcL", "private"]]}`)
	form := map[string]string{"bucket": "b", "kEy": "foo.txt", "aCl": "private", "pOLICy": "x"}
	if err := p.Check(form, time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
}

func TestNameWithoutDollarNeverMatches(t *testing.T) {
	p := mustParse(t, `{"expiration": "2030-01-01T00:00:00Z", "conditions": [["eq", "key", "k"]]}`)
	err := p.Check(map[string]string{"key": "k"}, time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC))
	wantCode(t, err, s3err.AccessDenied, `Policy Condition failed: ["eq", "key", "k"]`)
}

func TestContentLengthRange(t *testing.T) {
	now := time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)
	p := mustParse(t, `{"expiration": "2030-01-01T00:00:00.000Z", "conditions": [{"key": "k"},
		["content-length-range", 1048576, 10485760], ["content-length-range", "5", "8388608"]]}`)
	lo, hi, ok := p.ContentLengthRange()
	if !ok || lo != 1048576 || hi != 8388608 {
		t.Errorf("ContentLengthRange = %d, %d, %v; want the intersection 1048576, 8388608", lo, hi, ok)
	}
	if err := p.Check(map[string]string{"key": "k"}, now); err != nil {
		t.Fatalf("a size range is the caller's to check: %v", err)
	}

	bad := mustParse(t, `{"expiration": "2030-01-01T00:00:00Z", "conditions": [{"key": "k"}, ["content-length-range", "test", 10]]}`)
	wantCode(t, bad.Check(map[string]string{"key": "k"}, now), s3err.AccessDenied, `["content-length-range", "test", 10]`)
	if _, _, ok := bad.ContentLengthRange(); ok {
		t.Error("a range that is not numeric gives no bounds")
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, policy string
		code         s3err.Code
		want         string
	}{
		{"not base64", "!!!not base64!!!", s3err.MalformedPOSTRequest, "Base64"},
		{"not JSON", encode(`{"expiration": `), s3err.MalformedPOSTRequest, "Invalid JSON"},
		{"no expiration", encode(`{"conditions": []}`), s3err.InvalidArgument, "Policy missing expiration."},
		{"expiration is case-sensitive", encode(`{"EXPIRATION": "2030-01-01T00:00:00Z", "conditions": []}`), s3err.InvalidArgument, "missing expiration"},
		{"bad expiration", encode(`{"expiration": "2030-01-01 00:00:00", "conditions": []}`), s3err.InvalidArgument, "Invalid 'expiration' value"},
		{"numeric expiration", encode(`{"expiration": 1, "conditions": []}`), s3err.InvalidArgument, "Invalid 'expiration' value"},
		{"no conditions", encode(`{"expiration": "2030-01-01T00:00:00Z"}`), s3err.InvalidArgument, "Policy missing conditions."},
		{"conditions is case-sensitive", encode(`{"expiration": "2030-01-01T00:00:00Z", "CONDITIONS": []}`), s3err.InvalidArgument, "missing conditions"},
		{"null conditions", encode(`{"expiration": "2030-01-01T00:00:00Z", "conditions": null}`), s3err.InvalidArgument, "missing conditions"},
		{"empty simple condition", encode(`{"expiration": "2030-01-01T00:00:00Z", "conditions": [{}]}`), s3err.InvalidArgument, "exactly one property"},
		{"two-property simple condition", encode(`{"expiration": "2030-01-01T00:00:00Z", "conditions": [{"a": "1", "b": "2"}]}`), s3err.InvalidArgument, "exactly one property"},
		{"non-string simple value", encode(`{"expiration": "2030-01-01T00:00:00Z", "conditions": [{"Content-Length": 6199034}]}`), s3err.InvalidArgument, "value must be a string"},
		{"scalar condition", encode(`{"expiration": "2030-01-01T00:00:00Z", "conditions": ["eq"]}`), s3err.InvalidArgument, "object or an array"},
		{"unknown operator", encode(`{"expiration": "2030-01-01T00:00:00Z", "conditions": [["ends-with", "$key", "x"]]}`), s3err.InvalidArgument, "unknown operator"},
		{"short eq", encode(`{"expiration": "2030-01-01T00:00:00Z", "conditions": [["eq", "$key"]]}`), s3err.InvalidArgument, "takes a field name"},
		{"short range", encode(`{"expiration": "2030-01-01T00:00:00Z", "conditions": [["content-length-range", 0]]}`), s3err.InvalidArgument, "minimum and a maximum"},
		{"negative range", encode(`{"expiration": "2030-01-01T00:00:00Z", "conditions": [["content-length-range", -1, 0]]}`), s3err.InvalidArgument, "negative"},
		{"empty array", encode(`{"expiration": "2030-01-01T00:00:00Z", "conditions": [[]]}`), s3err.InvalidArgument, "needs an operator"},
		{"too large", strings.Repeat("A", maxPolicySize+4), s3err.InvalidArgument, "larger than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.policy)
			wantCode(t, err, tc.code, tc.want)
		})
	}
}

func TestParseToleratesUnpaddedAndWrappedBase64(t *testing.T) {
	doc := `{"expiration": "2030-01-01T00:00:00Z", "conditions": [{"key": "k"}]}`
	raw := base64.RawStdEncoding.EncodeToString([]byte(doc))
	wrapped := raw[:20] + "\r\n" + raw[20:]
	for _, s := range []string{raw, wrapped} {
		if _, err := Parse(s); err != nil {
			t.Errorf("Parse(%q): %v", s, err)
		}
	}
}
