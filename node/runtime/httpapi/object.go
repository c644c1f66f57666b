package httpapi

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/garagego/garage/node/checksum"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/s3/sse"
)

// Reading an object over HTTP, as the S3 API's GetObject and the website
// endpoint both do: the conditional headers, the Range header, the headers
// an object is answered with, and the encryption parameters it was stored
// with.

// InternalPrefix marks the headers the store keeps with an object for
// itself (its ACL, its encryption parameters, how its checksum was
// computed): they are never returned to clients, and no client can set one.
const InternalPrefix = "x-garage-"

// SSEHeader is the stored header holding an encrypted object's parameters.
const SSEHeader = InternalPrefix + "sse"

// Quote renders an ETag as S3 sends it.
func Quote(etag string) string { return fmt.Sprintf("%q", etag) }

// MillisTime is a stored timestamp (milliseconds since the epoch) as a time.
func MillisTime(ms uint64) time.Time { return time.UnixMilli(int64(ms)).UTC() }

// SetObjectHeaders writes an object's stored headers and its validators
// to the response, but for its internal headers and its checksum, which a
// read returns only in checksum mode.
func SetObjectHeaders(w http.Header, meta model.ObjectMeta, lastModified time.Time) {
	for _, h := range meta.Headers {
		if strings.HasPrefix(h.Name, InternalPrefix) || strings.HasPrefix(h.Name, checksum.HeaderPrefix) {
			continue
		}
		if strings.HasPrefix(h.Name, "x-amz-meta-") {
			w[h.Name] = append(w[h.Name], h.Value) // as stored: S3 keeps the case clients send
			continue
		}
		w.Set(h.Name, h.Value)
	}
	w.Set("ETag", Quote(meta.ETag))
	w.Set("Last-Modified", lastModified.UTC().Format(http.TimeFormat))
	w.Set("Accept-Ranges", "bytes")
}

// Conditions are a read's conditional headers (or a copy's
// x-amz-copy-source-if-* variants on its source).
type Conditions struct {
	IfMatch, IfNoneMatch               string
	IfModifiedSince, IfUnmodifiedSince string
}

// ReadConditions reads the conditional headers of h.
func ReadConditions(h http.Header) Conditions {
	return Conditions{h.Get("If-Match"), h.Get("If-None-Match"), h.Get("If-Modified-Since"), h.Get("If-Unmodified-Since")}
}

// Check evaluates the conditions against an object's ETag and modification
// time as S3 does: If-Match overrides If-Unmodified-Since, If-None-Match
// overrides If-Modified-Since; a failed If-Match or If-Unmodified-Since is
// a 412, a failed If-None-Match or If-Modified-Since a 304 (for a copy,
// whose source is not being fetched, every failure is a 412).
func (c Conditions) Check(etag string, modified time.Time, copying bool) error {
	notModified := s3err.New(s3err.NotModified, "Not Modified")
	if copying {
		notModified = s3err.New(s3err.PreconditionFailed, "At least one of the pre-conditions you specified did not hold")
	}
	failed := s3err.New(s3err.PreconditionFailed, "At least one of the pre-conditions you specified did not hold")
	modified = modified.Truncate(time.Second)
	if c.IfMatch != "" {
		if !object.ETagMatches(c.IfMatch, etag) {
			return failed
		}
	} else if t, ok := ParseHTTPTime(c.IfUnmodifiedSince); ok && modified.After(t) {
		return failed
	}
	if c.IfNoneMatch != "" {
		if object.ETagMatches(c.IfNoneMatch, etag) {
			return notModified
		}
	} else if t, ok := ParseHTTPTime(c.IfModifiedSince); ok && !modified.After(t) {
		return notModified
	}
	return nil
}

// ParseHTTPTime reads a date header: an HTTP date, or RFC 3339.
func ParseHTTPTime(v string) (time.Time, bool) {
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

// ByteRange is [From, To) of an object.
type ByteRange struct{ From, To uint64 }

// ParseRange reads a Range header against an object of size bytes: one
// range, "bytes=a-b", "bytes=a-" or "bytes=-n". ok is false when the header
// is absent or not something S3 honours (it then serves the whole object);
// a range that starts beyond the end is InvalidRange.
func ParseRange(header string, size uint64) (r ByteRange, ok bool, err error) {
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
		return ByteRange{size - min(n, size), size}, true, nil
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
	return ByteRange{a, min(b, size-1) + 1}, true, nil
}

// StoredSSE reads the encryption parameters an object (or an upload) was
// stored with; encrypted is false for plaintext.
func StoredSSE(meta model.ObjectMeta) (p sse.Params, encrypted bool, err error) {
	stored := model.HeaderValue(meta.Headers, SSEHeader)
	if stored == "" {
		return sse.Params{}, false, nil
	}
	p, err = sse.ParseParams(stored)
	if err != nil {
		return sse.Params{}, false, fmt.Errorf("stored encryption parameters: %w", err)
	}
	return p, true, nil
}

// ErrNoMasterKey refuses SSE-S3 on a node without a master key.
func ErrNoMasterKey() error {
	return s3err.New(s3err.NotImplemented, "SSE-S3 (x-amz-server-side-encryption: AES256, or a bucket's default encryption) needs a master key, and this node has none: set sse_master_key_file in [s3_api].")
}

// ManagedDataKey unwraps the data key of an SSE-S3 object with the node's
// master key (nil: it has none, ErrNoMasterKey).
func ManagedDataKey(p sse.Params, master *[sse.KeySize]byte) ([sse.KeySize]byte, error) {
	if master == nil {
		return [sse.KeySize]byte{}, ErrNoMasterKey()
	}
	dk, err := p.UnwrapManaged(master)
	if err != nil {
		return dk, fmt.Errorf("unwrap an SSE-S3 data key (is this node's sse_master_key the one it was written with?): %w", err)
	}
	return dk, nil
}
