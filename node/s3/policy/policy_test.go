package policy

import (
	"fmt"
	"strings"
	"testing"

	"github.com/garagego/garage/node/s3/s3err"
)

const (
	keyA = "GK000000000000000000000001"
	keyB = "GK000000000000000000000002"
)

func mustParse(t testing.TB, doc string) *Policy {
	t.Helper()
	p, err := Parse([]byte(doc), "bkt")
	if err != nil {
		t.Fatalf("parse %s: %v", doc, err)
	}
	return p
}

func ctx(kv ...string) map[string][]string {
	m := map[string][]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = append(m[kv[i]], kv[i+1])
	}
	return m
}

func TestEvaluate(t *testing.T) {
	p := mustParse(t, `{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Sid": "PublicPhotos", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bkt/photos/*"},
	    {"Sid": "KeyBReports", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::`+keyB+`:root"]}, "Action": ["s3:Get*", "s3:PutObject"], "Resource": "arn:aws:s3:::bkt/reports/*"},
	    {"Sid": "KeyBList", "Effect": "Allow", "Principal": {"AWS": "`+keyB+`"}, "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::bkt",
	     "Condition": {"StringLike": {"s3:prefix": ["reports/*", ""]}, "NumericLessThanEquals": {"s3:max-keys": 100}}},
	    {"Sid": "NoSecret", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::bkt/photos/secret/*"},
	    {"Sid": "TLSOnlyWrites", "Effect": "Deny", "Principal": "*", "NotAction": ["s3:Get*", "s3:List*"], "Resource": ["arn:aws:s3:::bkt", "arn:aws:s3:::bkt/*"],
	     "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
	    {"Sid": "Office", "Effect": "Allow", "Principal": {"CanonicalUser": "`+keyA+`"}, "Action": "s3:DeleteObject", "NotResource": "arn:aws:s3:::bkt/keep/*",
	     "Condition": {"IpAddress": {"aws:SourceIp": ["127.0.0.0/8", "2001:db8::/32"]}, "StringNotEquals": {"aws:Referer": "http://evil.example"}}}
	  ]}`)
	tls := []string{"aws:securetransport", "true"}
	plain := []string{"aws:securetransport", "false"}
	for _, tc := range []struct {
		name     string
		who      string
		action   string
		resource string
		ctx      []string
		want     Decision
	}{
		{"anonymous photo", "", "s3:GetObject", "arn:aws:s3:::bkt/photos/cat.jpg", plain, Allowed},
		{"anonymous other prefix", "", "s3:GetObject", "arn:aws:s3:::bkt/private/x", plain, NoMatch},
		{"anonymous secret photo", "", "s3:GetObject", "arn:aws:s3:::bkt/photos/secret/x", plain, Denied},
		{"action case", "", "S3:getobject", "arn:aws:s3:::bkt/photos/cat.jpg", plain, Allowed},
		{"resource case matters", "", "s3:GetObject", "arn:aws:s3:::bkt/Photos/cat.jpg", plain, NoMatch},
		{"key B report", keyB, "s3:GetObjectAcl", "arn:aws:s3:::bkt/reports/q1", tls, Allowed},
		{"key B put over TLS", keyB, "s3:PutObject", "arn:aws:s3:::bkt/reports/q1", tls, Allowed},
		{"key B put in the clear", keyB, "s3:PutObject", "arn:aws:s3:::bkt/reports/q1", plain, Denied},
		{"key A is not B", keyA, "s3:GetObject", "arn:aws:s3:::bkt/reports/q1", tls, NoMatch},
		{"key B list reports", keyB, "s3:ListBucket", "arn:aws:s3:::bkt", append([]string{"s3:prefix", "reports/2024/", "s3:max-keys", "50"}, tls...), Allowed},
		{"key B list root", keyB, "s3:ListBucket", "arn:aws:s3:::bkt", append([]string{"s3:prefix", "", "s3:max-keys", "100"}, tls...), Allowed},
		{"key B list photos", keyB, "s3:ListBucket", "arn:aws:s3:::bkt", append([]string{"s3:prefix", "photos/", "s3:max-keys", "50"}, tls...), NoMatch},
		{"key B list many", keyB, "s3:ListBucket", "arn:aws:s3:::bkt", append([]string{"s3:prefix", "reports/", "s3:max-keys", "1000"}, tls...), NoMatch},
		{"key B list no prefix", keyB, "s3:ListBucket", "arn:aws:s3:::bkt", append([]string{"s3:max-keys", "10"}, tls...), NoMatch},
		{"key A delete from office", keyA, "s3:DeleteObject", "arn:aws:s3:::bkt/tmp/x", append([]string{"aws:sourceip", "127.0.0.1"}, tls...), Allowed},
		{"key A delete over v6", keyA, "s3:DeleteObject", "arn:aws:s3:::bkt/tmp/x", append([]string{"aws:sourceip", "2001:db8::7"}, tls...), Allowed},
		{"key A delete from elsewhere", keyA, "s3:DeleteObject", "arn:aws:s3:::bkt/tmp/x", append([]string{"aws:sourceip", "10.1.2.3"}, tls...), NoMatch},
		{"key A delete kept", keyA, "s3:DeleteObject", "arn:aws:s3:::bkt/keep/x", append([]string{"aws:sourceip", "127.0.0.1"}, tls...), NoMatch},
		{"key A delete with bad referer", keyA, "s3:DeleteObject", "arn:aws:s3:::bkt/tmp/x", append([]string{"aws:sourceip", "127.0.0.1", "aws:referer", "http://evil.example"}, tls...), NoMatch},
	} {
		got := p.Evaluate(Request{Principal: tc.who, Action: tc.action, Resource: tc.resource, Context: ctx(tc.ctx...)})
		if got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	if !p.IsPublic() {
		t.Error("a policy granting GetObject to * is public")
	}
}

func TestConditionQualifiers(t *testing.T) {
	eval := func(cond string, kv ...string) Decision {
		p := mustParse(t, `{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::bkt", "Condition": `+cond+`}}`)
		return p.Evaluate(Request{Action: "s3:ListBucket", Resource: "arn:aws:s3:::bkt", Context: ctx(kv...)})
	}
	for _, tc := range []struct {
		cond string
		kv   []string
		want Decision
	}{
		{`{"StringEquals": {"s3:prefix": "a/"}}`, nil, NoMatch},
		{`{"StringNotEquals": {"s3:prefix": "a/"}}`, nil, Allowed},
		{`{"StringEqualsIfExists": {"s3:prefix": "a/"}}`, nil, Allowed},
		{`{"StringEqualsIfExists": {"s3:prefix": "a/"}}`, []string{"s3:prefix", "b/"}, NoMatch},
		{`{"StringNotLike": {"s3:prefix": ["a/*", "b/*"]}}`, []string{"s3:prefix", "b/c"}, NoMatch},
		{`{"StringNotLike": {"s3:prefix": ["a/*", "b/*"]}}`, []string{"s3:prefix", "c/"}, Allowed},
		{`{"StringEqualsIgnoreCase": {"s3:delimiter": "X"}}`, []string{"s3:delimiter", "x"}, Allowed},
		{`{"ForAllValues:StringLike": {"s3:prefix": "a*"}}`, nil, Allowed},
		{`{"ForAnyValue:StringLike": {"s3:prefix": "a*"}}`, nil, NoMatch},
		{`{"ForAnyValue:StringLike": {"s3:prefix": "a*"}}`, []string{"s3:prefix", "ab"}, Allowed},
		{`{"Null": {"s3:prefix": "true"}}`, nil, Allowed},
		{`{"Null": {"s3:prefix": "false"}}`, nil, NoMatch},
		{`{"NumericGreaterThan": {"s3:max-keys": "10"}}`, []string{"s3:max-keys", "11"}, Allowed},
		{`{"NumericGreaterThan": {"s3:max-keys": "10"}}`, []string{"s3:max-keys", "x"}, NoMatch},
		{`{"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}`, []string{"aws:sourceip", "127.0.0.1"}, Allowed},
		{`{"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}`, []string{"aws:sourceip", "10.9.9.9"}, NoMatch},
		{`{"IpAddress": {"aws:SourceIp": "127.0.0.1"}}`, []string{"aws:sourceip", "::ffff:127.0.0.1"}, Allowed},
		// An object without the tag: the key is absent from the request.
		{`{"StringEquals": {"s3:ExistingObjectTag/class": "public"}}`, nil, NoMatch},
		{`{"StringNotEquals": {"s3:ExistingObjectTag/class": "secret"}}`, nil, Allowed},
		{`{"StringEquals": {"s3:ExistingObjectTag/class": "public"}}`, []string{"s3:existingobjecttag/class", "public"}, Allowed},
		{`{"StringNotEquals": {"s3:ExistingObjectTag/class": "secret"}}`, []string{"s3:existingobjecttag/class", "secret"}, NoMatch},
		{`{"StringLike": {"aws:Referer": "https://*.example.com/*"}}`, []string{"aws:referer", "https://www.example.com/page"}, Allowed},
		{`{"StringLike": {"aws:Referer": "https://*.example.com/*"}}`, []string{"aws:referer", "https://example.org/"}, NoMatch},
		{`{"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}`, []string{"s3:x-amz-acl", "bucket-owner-full-control"}, Allowed},
		{`{"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}`, nil, NoMatch},
	} {
		if got := eval(tc.cond, tc.kv...); got != tc.want {
			t.Errorf("%s with %v: %s, want %s", tc.cond, tc.kv, got, tc.want)
		}
	}
}

func TestParseRefusals(t *testing.T) {
	stmt := func(s string) string { return `{"Version": "2012-10-17", "Statement": [` + s + `]}` }
	ok := `"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bkt/*"`
	for _, tc := range []struct {
		doc, want string
	}{
		{``, "empty"},
		{`{`, "not a valid JSON"},
		{`{"Statement": []}`, "must not be empty"},
		{`{"Version": "2013-01-01", "Statement": {` + ok + `}}`, "Version"},
		{`{"Statement": {` + ok + `}, "Extra": 1}`, "Unknown field"},
		{`{"Statement": {` + ok + `}} {}`, "not a valid JSON"},
		{`{"Version": "2012-10-17"}`, "Missing required field Statement"},
		{stmt(`{` + ok + `, "Effect": "Maybe"}`), "Effect"},
		{stmt(`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bkt/*"}`), "Principal"},
		{stmt(`{"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bkt/*"}`), "principal type"},
		{stmt(`{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bkt/*"}`), "names no access key"},
		{stmt(`{"Effect": "Allow", "NotPrincipal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bkt/*"}`), "NotPrincipal"},
		{stmt(`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObjects", "Resource": "arn:aws:s3:::bkt/*"}`), "invalid action"},
		{stmt(`{"Effect": "Allow", "Principal": "*", "Action": "ec2:RunInstances", "Resource": "arn:aws:s3:::bkt/*"}`), "invalid action"},
		{stmt(`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "NotAction": "s3:PutObject", "Resource": "arn:aws:s3:::bkt/*"}`), "not both"},
		{stmt(`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}`), "Resource"},
		{stmt(`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other/*"}`), "must be in the bucket"},
		{stmt(`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "bkt/*"}`), "invalid resource"},
		{stmt(`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bkt/${aws:username}/*"}`), "policy variables"},
		{stmt(`{` + ok + `, "Condition": {"StringEqualz": {"s3:prefix": "a"}}}`), "unknown operator"},
		{stmt(`{` + ok + `, "Condition": {"ForSomeValues:StringEquals": {"s3:prefix": "a"}}}`), "qualifier"},
		{stmt(`{` + ok + `, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}}`), "invalid condition key"},
		{stmt(`{` + ok + `, "Condition": {"IpAddress": {"s3:prefix": "10.0.0.0/8"}}}`), "cannot be used"},
		{stmt(`{` + ok + `, "Condition": {"StringEquals": {"aws:SourceIp": "10.0.0.1"}}}`), "cannot be used"},
		{stmt(`{` + ok + `, "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.300"}}}`), "Invalid IP"},
		{stmt(`{` + ok + `, "Condition": {"Bool": {"aws:SecureTransport": "yes"}}}`), "Bool takes"},
		{stmt(`{` + ok + `, "Condition": {"NumericLessThan": {"s3:max-keys": "many"}}}`), "takes numbers"},
		{stmt(`{` + ok + `, "Condition": {"StringEquals": {"s3:prefix": []}}}`), "non-empty"},
		{stmt(`{"Sid": "x", ` + ok + `}, {"Sid": "x", ` + ok + `}`), "unique"},
		{`{"Statement": {` + ok + `}, "Padding": "` + strings.Repeat("x", MaxSize) + `"}`, "at most"},
	} {
		_, err := Parse([]byte(tc.doc), "bkt")
		e, isS3 := err.(*s3err.Error)
		if !isS3 || e.Code != s3err.MalformedPolicy || !strings.Contains(e.Message, tc.want) {
			t.Errorf("%.120s: got %v, want MalformedPolicy mentioning %q", tc.doc, err, tc.want)
		}
	}
}

func TestIsPublic(t *testing.T) {
	for _, tc := range []struct {
		stmt   string
		public bool
	}{
		{`{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bkt/*"}`, true},
		{`{"Effect": "Allow", "Principal": {"AWS": "` + keyB + `"}, "Action": "s3:*", "Resource": "arn:aws:s3:::bkt/*"}`, false},
		{`{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::bkt/*"}`, false},
		{`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bkt/*", "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}`, false},
		{`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bkt/*", "Condition": {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}}`, true},
		{`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bkt/*", "Condition": {"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}`, true},
		{`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bkt/*", "Condition": {"StringLike": {"aws:Referer": "https://example.com/*"}}}`, true},
	} {
		p := mustParse(t, `{"Statement": `+tc.stmt+`}`)
		if p.IsPublic() != tc.public {
			t.Errorf("%s: public %v, want %v", tc.stmt, p.IsPublic(), tc.public)
		}
	}
}

func TestWildcardMatch(t *testing.T) {
	for _, tc := range []struct {
		p, s string
		want bool
	}{
		{"*", "", true}, {"a*", "abc", true}, {"a?c", "abc", true}, {"a?c", "ac", false},
		{"*b*", "abc", true}, {"*x*", "abc", false}, {"a*c*e", "abcde", true}, {"a*c*e", "abcdf", false},
		{"", "", true}, {"", "a", false}, {strings.Repeat("*a", 30) + "b", strings.Repeat("a", 200), false},
	} {
		if got := wildcardMatch(tc.p, tc.s, false); got != tc.want {
			t.Errorf("match(%q, %q) = %v", tc.p, tc.s, got)
		}
	}
}

// twentyStatements is a policy of 20 statements of the kinds deployments
// write. The benchmark's request matches the principal and action of the
// first 19 and the resource of one, whose IP condition fails, then meets
// the final Deny: every statement is evaluated.
func twentyStatements() string {
	var stmts []string
	for i := range 19 {
		stmts = append(stmts, fmt.Sprintf(`{"Sid": "s%d", "Effect": "Allow", "Principal": {"AWS": ["%s"]}, "Action": ["s3:GetObject", "s3:PutObject", "s3:List*"],
		  "Resource": ["arn:aws:s3:::bkt/team%d/*", "arn:aws:s3:::bkt"],
		  "Condition": {"IpAddress": {"aws:SourceIp": ["10.%d.0.0/16", "192.0.2.0/24"]}, "StringLike": {"aws:Referer": "https://team%d.example.com/*"}}}`,
			i, keyB, i, i, i))
	}
	stmts = append(stmts, `{"Sid": "last", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::bkt/*",
	  "Condition": {"Bool": {"aws:SecureTransport": "false"}, "NotIpAddress": {"aws:SourceIp": "127.0.0.0/8"}}}`)
	return `{"Version": "2012-10-17", "Statement": [` + strings.Join(stmts, ",") + `]}`
}

func BenchmarkEvaluate20Statements(b *testing.B) {
	p := mustParse(b, twentyStatements())
	r := Request{Principal: keyB, Action: "s3:GetObject", Resource: "arn:aws:s3:::bkt/team7/reports/2024/q1.csv",
		Context: ctx("aws:sourceip", "10.99.1.2", "aws:securetransport", "false", "aws:referer", "https://team7.example.com/x")}
	if got := p.Evaluate(r); got != Denied {
		b.Fatalf("verdict %s, want deny", got)
	}
	b.ReportAllocs()
	for b.Loop() {
		p.Evaluate(r)
	}
}

func BenchmarkParse20Statements(b *testing.B) {
	doc := []byte(twentyStatements())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(doc, "bkt"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestUsesKeyPrefix(t *testing.T) {
	tagged := mustParse(t, `{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bkt/*"},
	  {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bkt/*", "Condition": {"StringEquals": {"s3:ExistingObjectTag/Class": "secret"}}}]}`)
	if !tagged.UsesKeyPrefix(ExistingObjectTagPrefix) {
		t.Error("a policy with an ExistingObjectTag condition does not say it reads tags")
	}
	plain := mustParse(t, `{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bkt/*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}}`)
	if plain.UsesKeyPrefix(ExistingObjectTagPrefix) {
		t.Error("a policy without tag conditions says it reads tags")
	}
}
