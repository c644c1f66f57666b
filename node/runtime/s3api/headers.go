package s3api

import (
	"encoding/hex"
	"net/http"
	"slices"
	"strings"

	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/runtime/httpapi"
	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/s3/storageclass"
)

// StampHeader carries, on the responses to object writes, reads and
// deletes, the stamp of the version written or read (a delete marker's on
// a 404), in hex: object.Stamp, the order of the key's versions. It is this
// store's extension; a history of real clients recorded with it can be
// checked like the simulator's (internal/chaos). StampsHeader: "true" on a
// listing request adds each entry's stamp as <GarageStamp>.
const (
	StampHeader  = "x-garage-stamp"
	StampsHeader = "x-garage-stamps"
)

// setStamp sets the response's StampHeader, if there is a version.
func (rq *request) setStamp(stamp []byte) {
	if stamp != nil {
		rq.w.Header().Set(StampHeader, hex.EncodeToString(stamp))
	}
}

// versioned reports whether the request's bucket has versioning enabled:
// its writes make versions of their own.
func (rq *request) versioned() bool { return rq.bucket.Versioning() == model.VersioningEnabled }

// setVersionID answers the version a request wrote or read in
// x-amz-version-id, as S3 does in a bucket whose versioning was ever
// enabled ("null" for a null version).
func (rq *request) setVersionID(id string) {
	if rq.bucket.Versioning() != model.VersioningOff && id != "" {
		rq.w.Header().Set("x-amz-version-id", id)
	}
}

// internalPrefix marks the headers the store keeps with an object for
// itself (its ACL, its encryption parameters, how its checksum was
// computed): they are never returned to clients, and no client can set one,
// since a request only gives the storedHeaders and x-amz-meta-* headers.
const internalPrefix = httpapi.InternalPrefix

// maxUserMetadata is S3's limit on the size of the x-amz-meta-* headers.
const maxUserMetadata = 2 << 10

// storedHeaders are the standard headers an object keeps and returns.
// The storage class is one of them, but kept only when it is not
// STANDARD (see storageclass.Stored).
var storedHeaders = []string{"cache-control", "content-disposition", "content-encoding", "content-language",
	"content-type", "expires", "x-amz-website-redirect-location", storageclass.Header}

// objectHeaders gathers the headers an object is stored with from a PUT,
// a copy with directive REPLACE or a multipart upload's creation, sorted
// as the model wants them.
func objectHeaders(h http.Header) ([]model.Header, error) {
	var out []model.Header
	class, err := requestStorageClass(h)
	if err != nil {
		return nil, err
	}
	out = withStorageClass(out, class)
	for _, name := range storedHeaders {
		if name == storageclass.Header {
			continue
		}
		v := h.Get(name)
		if name == "content-encoding" {
			v = withoutAWSChunked(strings.Join(h.Values(name), ","))
		}
		if v != "" {
			out = append(out, model.Header{Name: name, Value: v})
		}
	}
	if h.Get("content-type") == "" {
		out = append(out, model.Header{Name: "content-type", Value: "binary/octet-stream"})
	}
	userSize := 0
	for name, values := range h {
		lower := strings.ToLower(name)
		if !strings.HasPrefix(lower, "x-amz-meta-") {
			continue
		}
		v := strings.Join(values, ",")
		userSize += len(lower) - len("x-amz-meta-") + len(v)
		out = append(out, model.Header{Name: lower, Value: v})
	}
	if userSize > maxUserMetadata {
		return nil, s3err.New(s3err.MetadataTooLarge, "Your metadata headers exceed the maximum allowed metadata size of %d bytes.", maxUserMetadata)
	}
	sortHeaders(out)
	return out, nil
}

func sortHeaders(hs []model.Header) {
	slices.SortFunc(hs, func(a, b model.Header) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Value, b.Value)
	})
}

// withHeader returns hs with header set (replacing one of the same name).
func withHeader(hs []model.Header, header model.Header) []model.Header {
	out := slices.DeleteFunc(slices.Clone(hs), func(h model.Header) bool { return h.Name == header.Name })
	out = append(out, header)
	sortHeaders(out)
	return out
}

// requestStorageClass is the storage class h asks for (STANDARD when it
// names none), or InvalidStorageClass.
func requestStorageClass(h http.Header) (string, error) {
	values := h.Values(storageclass.Header)
	if len(values) > 1 {
		return "", s3err.New(s3err.InvalidStorageClass, "The storage class you specified is not valid: it is given %d times.", len(values))
	}
	if len(values) == 0 {
		return storageclass.Standard, nil
	}
	return storageclass.Parse(values[0])
}

// withStorageClass returns hs keeping class (no header for STANDARD).
func withStorageClass(hs []model.Header, class string) []model.Header {
	if v := storageclass.Stored(class); v != "" {
		return withHeader(hs, model.Header{Name: storageclass.Header, Value: v})
	}
	return slices.DeleteFunc(slices.Clone(hs), func(h model.Header) bool { return h.Name == storageclass.Header })
}

// storageClassOf is the class an object (or an upload) was stored with.
func storageClassOf(hs []model.Header) string {
	return storageclass.OfStored(headerValue(hs, storageclass.Header))
}

// withoutAWSChunked drops the "aws-chunked" coding, which describes how
// the request was sent, not the object, and keeps the other codings as
// they were sent ("gzip, aws-chunked, br" keeps "gzip, br"): what is left
// of "aws-chunked" alone is no Content-Encoding at all.
func withoutAWSChunked(v string) string {
	var keep []string
	for _, c := range strings.Split(v, ",") {
		if !strings.EqualFold(strings.TrimSpace(c), "aws-chunked") {
			keep = append(keep, c)
		}
	}
	return strings.TrimSpace(strings.Join(keep, ","))
}

// headerValue returns the stored header name, "" if absent.
func headerValue(hs []model.Header, name string) string { return model.HeaderValue(hs, name) }
