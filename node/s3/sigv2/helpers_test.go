package sigv2

import (
	"testing"

	"github.com/garagego/garage/node/s3/s3err"
)

func isCode(err error, code string) bool {
	e, ok := s3err.As(err)
	return ok && string(e.Code) == code
}

// mustBeS3Error fails unless err is an *s3err.Error: every failure a client
// can cause must reach it as an S3 error, not a 500.
func mustBeS3Error(t *testing.T, err error) *s3err.Error {
	t.Helper()
	e, ok := s3err.As(err)
	if !ok {
		t.Fatalf("error %T %v is not an *s3err.Error", err, err)
	}
	return e
}

func detail(e *s3err.Error, name string) (string, bool) {
	for _, d := range e.Details {
		if d.Name == name {
			return d.Value, true
		}
	}
	return "", false
}
