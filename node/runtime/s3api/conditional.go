package s3api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/s3/s3err"
)

// Conditional headers, with the names of the x-amz-copy-source-if-*
// variants a copy checks on its source.
type conditions struct {
	ifMatch, ifNoneMatch               string
	ifModifiedSince, ifUnmodifiedSince string
}

func readConditions(h http.Header) conditions {
	return conditions{h.Get("If-Match"), h.Get("If-None-Match"), h.Get("If-Modified-Since"), h.Get("If-Unmodified-Since")}
}

func readCopySourceConditions(h http.Header) conditions {
	return conditions{h.Get("x-amz-copy-source-if-match"), h.Get("x-amz-copy-source-if-none-match"),
		h.Get("x-amz-copy-source-if-modified-since"), h.Get("x-amz-copy-source-if-unmodified-since")}
}

// check evaluates the conditions against an object's ETag and modification
// time as S3 does: If-Match overrides If-Unmodified-Since, If-None-Match
// overrides If-Modified-Since; a failed If-Match or If-Unmodified-Since is
// a 412, a failed If-None-Match or If-Modified-Since a 304 (for a copy,
// whose source is not being fetched, every failure is a 412).
func (c conditions) check(etag string, modified time.Time, copying bool) error {
	notModified := s3err.New(s3err.NotModified, "Not Modified")
	if copying {
		notModified = s3err.New(s3err.PreconditionFailed, "At least one of the pre-conditions you specified did not hold")
	}
	failed := s3err.New(s3err.PreconditionFailed, "At least one of the pre-conditions you specified did not hold")
	modified = modified.Truncate(time.Second)
	if c.ifMatch != "" {
		if !object.ETagMatches(c.ifMatch, etag) {
			return failed
		}
	} else if t, ok := parseHTTPTime(c.ifUnmodifiedSince); ok && modified.After(t) {
		return failed
	}
	if c.ifNoneMatch != "" {
		if object.ETagMatches(c.ifNoneMatch, etag) {
			return notModified
		}
	} else if t, ok := parseHTTPTime(c.ifModifiedSince); ok && !modified.After(t) {
		return notModified
	}
	return nil
}

func parseHTTPTime(v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, false
	}
	t, err := http.ParseTime(v)
	if err != nil {
		if t, err = time.Parse(time.RFC3339, v); err != nil {
			return time.Time{}, false
		}
	}
	return t, true
}

// byteRange is [from, to) of an object.
type byteRange struct{ from, to uint64 }

// parseRange reads a Range header against an object of size bytes: one
// range, "bytes=a-b", "bytes=a-" or "bytes=-n". ok is false when the header
// is absent or not something S3 honours (it then serves the whole object);
// a range that starts beyond the end is InvalidRange.
func parseRange(header string, size uint64) (r byteRange, ok bool, err error) {
	spec, found := strings.CutPrefix(strings.TrimSpace(header), "bytes=")
	if !found || strings.Contains(spec, ",") {
		return r, false, nil
	}
	first, last, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return r, false, nil
	}
	unsatisfiable := s3err.New(s3err.InvalidRange, "The requested range is not satisfiable")
	switch {
	case first == "" && last == "":
		return r, false, nil
	case first == "":
		n, err := strconv.ParseUint(last, 10, 64)
		if err != nil {
			return r, false, nil
		}
		if n == 0 || size == 0 {
			return r, false, unsatisfiable
		}
		return byteRange{size - min(n, size), size}, true, nil
	}
	a, err := strconv.ParseUint(first, 10, 64)
	if err != nil {
		return r, false, nil
	}
	b := size - 1
	if last != "" {
		if b, err = strconv.ParseUint(last, 10, 64); err != nil || b < a {
			return r, false, nil
		}
	}
	if a >= size {
		return r, false, unsatisfiable
	}
	// The end clamps to the last byte before it is made exclusive: b+1
	// would wrap for bytes=0-18446744073709551615.
	return byteRange{a, min(b, size-1) + 1}, true, nil
}

// writeCondition reads the conditions of a write (PutObject,
// CompleteMultipartUpload, and CopyObject on its destination), judged by
// the core as the write commits: If-None-Match "*" (there must be no
// object), If-Match (there must be one, with one of the ETags listed, or
// NoSuchKey). Other forms S3 does not implement either are refused.
func writeCondition(h http.Header) (*object.Condition, error) {
	ifMatch, ifNoneMatch := h.Get("If-Match"), h.Get("If-None-Match")
	switch {
	case ifMatch == "" && ifNoneMatch == "":
		return nil, nil
	case ifNoneMatch != "" && strings.TrimSpace(ifNoneMatch) != "*":
		return nil, s3err.New(s3err.NotImplemented, "If-None-Match on a write supports only \"*\".")
	case ifMatch != "" && ifNoneMatch != "":
		return nil, s3err.New(s3err.NotImplemented, "If-Match and If-None-Match together on a write are not implemented.")
	}
	return &object.Condition{IfMatch: ifMatch, IfNoneMatch: ifNoneMatch != ""}, nil
}

// deleteCondition reads the conditions of a DeleteObject: If-Match (an
// ETag list or "*"; NoSuchKey when there is no object),
// x-amz-if-match-last-modified-time (an HTTP date) and x-amz-if-match-size
// (bytes), alone or together.
func deleteCondition(h http.Header) (*object.Condition, error) {
	if h.Get("If-None-Match") != "" {
		return nil, s3err.New(s3err.NotImplemented, "If-None-Match on a delete is not implemented.")
	}
	var c object.Condition
	c.IfMatch = h.Get("If-Match")
	if v := h.Get("x-amz-if-match-last-modified-time"); v != "" {
		t, ok := parseHTTPTime(v)
		if !ok {
			return nil, s3err.New(s3err.InvalidArgument, "Invalid x-amz-if-match-last-modified-time header %q: want an HTTP date.", v)
		}
		secs := t.Unix()
		c.IfMatchModified = &secs
	}
	if v := h.Get("x-amz-if-match-size"); v != "" {
		n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return nil, s3err.New(s3err.InvalidArgument, "Invalid x-amz-if-match-size header %q: want a number of bytes.", v)
		}
		c.IfMatchSize = &n
	}
	if c == (object.Condition{}) {
		return nil, nil
	}
	return &c, nil
}
