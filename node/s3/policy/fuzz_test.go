package policy

import (
	"reflect"
	"testing"

	"github.com/garagego/garage/node/s3/s3err"
)

// FuzzParse: on any document the parser answers a policy or a
// MalformedPolicy error, never panics; what it accepts evaluates without
// panicking, parses again to the same value, and a Deny statement it
// accepted for every principal, action and resource denies.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bkt/*"}}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		p, err := Parse(doc, "bkt")
		if err != nil {
			if e, ok := err.(*s3err.Error); !ok || e.Code != s3err.MalformedPolicy {
				t.Fatalf("error %v (%T) is not MalformedPolicy", err, err)
			}
			return
		}
		again, err := Parse(doc, "bkt")
		if err != nil || !reflect.DeepEqual(p, again) {
			t.Fatalf("parsing twice differs: %v", err)
		}
		for _, r := range []Request{
			{Action: "s3:GetObject", Resource: "arn:aws:s3:::bkt/a", Context: map[string][]string{"aws:sourceip": {"127.0.0.1"}, "aws:securetransport": {"false"}}},
			{Principal: keyB, Action: "s3:ListBucket", Resource: "arn:aws:s3:::bkt", Context: map[string][]string{"s3:prefix": {"a/"}, "s3:max-keys": {"10"}}},
		} {
			d := p.Evaluate(r)
			for _, s := range p.Statements {
				if s.Effect == Deny && s.AnyPrincipal && !s.NotAction && !s.NotResource && len(s.Conditions) == 0 &&
					len(s.Actions) == 1 && s.Actions[0] == "*" && len(s.Resources) == 1 && s.Resources[0] == "*" && d != Denied {
					t.Fatalf("a Deny of everything did not deny %+v: %s", r, d)
				}
			}
		}
		p.IsPublic()
	})
}
