package s3api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/runtime/httpapi"
	"github.com/garagego/garage/node/s3/s3err"
)

// conditions are a read's conditional headers (httpapi's, shared with the
// website endpoint).
type conditions = httpapi.Conditions

// byteRange is [from, to) of an object.
type byteRange struct{ from, to uint64 }

// parseRange reads a Range header (httpapi.ParseRange).
func parseRange(header string, size uint64) (byteRange, bool, error) {
	r, ok, err := httpapi.ParseRange(header, size)
	return byteRange{r.From, r.To}, ok, err
}

func readCopySourceConditions(h http.Header) conditions {
	return conditions{IfMatch: h.Get("x-amz-copy-source-if-match"), IfNoneMatch: h.Get("x-amz-copy-source-if-none-match"),
		IfModifiedSince: h.Get("x-amz-copy-source-if-modified-since"), IfUnmodifiedSince: h.Get("x-amz-copy-source-if-unmodified-since")}
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
		t, ok := httpapi.ParseHTTPTime(v)
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
