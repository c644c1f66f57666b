package s3xml

import (
	"errors"
	"testing"

	"github.com/garagego/garage/node/s3/s3err"
)

// wantCode fails unless err is an *s3err.Error with code want.
func wantCode(t *testing.T, err error, want s3err.Code) {
	t.Helper()
	var e *s3err.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *s3err.Error", err, err)
	}
	if e.Code != want {
		t.Fatalf("code %s, want %s (%v)", e.Code, want, err)
	}
}

// mustBeS3Error fails unless err is exactly an *s3err.Error.
func mustBeS3Error(t *testing.T, err error) {
	t.Helper()
	if _, ok := err.(*s3err.Error); !ok {
		t.Fatalf("error %v (%T) is not an *s3err.Error", err, err)
	}
}
