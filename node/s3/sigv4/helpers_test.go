package sigv4

import (
	"strings"
	"testing"

	"github.com/garagego/garage/node/s3/s3err"
)

// wantCode fails unless err is an *s3err.Error with code whose message
// contains inMessage.
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

// getVector is AWS's "GET Object" example, ready to verify.
func getVector(t *testing.T) Request {
	t.Helper()
	return headerVectors()[0].request(t, true)
}

// parseOK parses req, failing the test unless it carries valid-looking
// authentication.
func parseOK(t testing.TB, req Request) Auth {
	t.Helper()
	a, ok, err := Parse(req)
	if err != nil || !ok {
		t.Fatalf("Parse = %v, %v", ok, err)
	}
	return a
}
