package httpapi

import (
	"net/http"
	"testing"
	"time"

	"github.com/garagego/garage/node/s3/s3err"
)

func TestParseRange(t *testing.T) {
	for _, tc := range []struct {
		header string
		size   uint64
		want   ByteRange
		ok     bool
		code   s3err.Code
	}{
		{"bytes=0-9", 100, ByteRange{0, 10}, true, ""},
		{"bytes=90-", 100, ByteRange{90, 100}, true, ""},
		{"bytes=-10", 100, ByteRange{90, 100}, true, ""},
		{"bytes=-500", 100, ByteRange{0, 100}, true, ""},
		{"bytes=50-500", 100, ByteRange{50, 100}, true, ""},
		// The end clamps without wrapping around (it once gave 0-0 and 50-0).
		{"bytes=0-18446744073709551615", 100, ByteRange{0, 100}, true, ""},
		{"bytes=50-18446744073709551615", 100, ByteRange{50, 100}, true, ""},
		{"bytes=99-18446744073709551615", 100, ByteRange{99, 100}, true, ""},
		{"bytes=0-18446744073709551616", 100, ByteRange{}, false, ""}, // not a number: whole object
		{"bytes=100-", 100, ByteRange{}, false, s3err.InvalidRange},
		{"bytes=0-", 0, ByteRange{}, false, s3err.InvalidRange},
		{"bytes=-0", 100, ByteRange{}, false, s3err.InvalidRange},
		{"bytes=5-2", 100, ByteRange{}, false, ""},     // malformed: whole object
		{"bytes=0-1,5-6", 100, ByteRange{}, false, ""}, // several ranges: whole object
		{"items=0-1", 100, ByteRange{}, false, ""},     // unknown unit
		{"", 100, ByteRange{}, false, ""},
	} {
		got, ok, err := ParseRange(tc.header, tc.size)
		if tc.code != "" {
			if e, isS3 := s3err.As(err); !isS3 || e.Code != tc.code {
				t.Errorf("%q: err %v, want %s", tc.header, err, tc.code)
			}
			continue
		}
		if err != nil || ok != tc.ok || got != tc.want {
			t.Errorf("%q on %d: got %v %v %v, want %v %v", tc.header, tc.size, got, ok, err, tc.want, tc.ok)
		}
	}
}

func TestConditions(t *testing.T) {
	modified := time.Date(2026, 11, 1, 12, 0, 0, 500e6, time.UTC)
	before := modified.Add(-time.Hour).Format(http.TimeFormat)
	after := modified.Add(time.Hour).Format(http.TimeFormat)
	exact := modified.Format(http.TimeFormat)
	for _, tc := range []struct {
		name string
		c    Conditions
		want s3err.Code // "" = proceed
	}{
		{"none", Conditions{}, ""},
		{"if-match hit", Conditions{IfMatch: `"abc"`}, ""},
		{"if-match star", Conditions{IfMatch: "*"}, ""},
		{"if-match miss", Conditions{IfMatch: `"xyz"`}, s3err.PreconditionFailed},
		{"if-none-match hit", Conditions{IfNoneMatch: `"abc"`}, s3err.NotModified},
		{"if-none-match miss", Conditions{IfNoneMatch: `"xyz", "def"`}, ""},
		{"modified since before", Conditions{IfModifiedSince: before}, ""},
		{"modified since exact", Conditions{IfModifiedSince: exact}, s3err.NotModified},
		{"unmodified since before", Conditions{IfUnmodifiedSince: before}, s3err.PreconditionFailed},
		{"unmodified since after", Conditions{IfUnmodifiedSince: after}, ""},
		// S3: If-Match true overrides a failing If-Unmodified-Since, and
		// If-None-Match false overrides a passing If-Modified-Since.
		{"if-match overrides unmodified", Conditions{IfMatch: `"abc"`, IfUnmodifiedSince: before}, ""},
		{"if-none-match overrides modified", Conditions{IfNoneMatch: `"xyz"`, IfModifiedSince: after}, ""},
	} {
		err := tc.c.Check("abc", modified, false)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if e, ok := s3err.As(err); !ok || e.Code != tc.want {
			t.Errorf("%s: got %v, want %s", tc.name, err, tc.want)
		}
	}
	if e, _ := s3err.As(Conditions{IfNoneMatch: "*"}.Check("abc", modified, true)); e == nil || e.Code != s3err.PreconditionFailed {
		t.Errorf("a copy's failed if-none-match must be 412, got %v", e)
	}
}
