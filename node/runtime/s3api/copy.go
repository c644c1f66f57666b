package s3api

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/s3/s3xml"
)

// copySource is the object an x-amz-copy-source header names, read and
// checked against the copy's source conditions.
type copySource struct {
	bucket model.Bucket
	key    string
	obj    object.Object
}

// readCopySource resolves x-amz-copy-source ("bucket/key" or
// "/bucket/key", URL-encoded), checks the key may read it, and evaluates
// the x-amz-copy-source-if-* conditions.
func (rq *request) readCopySource() (copySource, error) {
	raw := rq.r.Header.Get("x-amz-copy-source")
	if strings.TrimSpace(raw) == "" {
		return copySource{}, s3err.New(s3err.InvalidArgument, "Copy Source must mention the source bucket and key: sourcebucket/sourcekey.")
	}
	path, query, _ := strings.Cut(raw, "?")
	if v, err := url.ParseQuery(query); err == nil && v.Has("versionId") && v.Get("versionId") != "null" {
		return copySource{}, s3err.New(s3err.NotImplemented, "Copying a specific version is not implemented: versioning is off.")
	}
	decoded, err := url.PathUnescape(path)
	if err != nil {
		return copySource{}, s3err.New(s3err.InvalidArgument, "Invalid copy source %q: not URL-encoded.", raw)
	}
	bucketName, key, ok := strings.Cut(strings.TrimPrefix(decoded, "/"), "/")
	if !ok || bucketName == "" || key == "" {
		return copySource{}, s3err.New(s3err.InvalidArgument, "Invalid copy source %q: want bucket/key.", raw)
	}
	b, ac, err := rq.lookupBucket(bucketName)
	if err != nil {
		if e, ok := s3err.As(err); ok && e.Code == s3err.NoSuchBucket {
			return copySource{}, s3err.New(s3err.NoSuchBucket, "The source bucket %q does not exist.", bucketName)
		}
		return copySource{}, err
	}
	src := copySource{bucket: b, key: key}
	if err := rq.authorize(check{ac: ac, bucket: bucketName, key: key, action: "s3:GetObject", need: needRead,
		objectACL: rq.objectACLReader(b.ID, key)}); err != nil {
		return src, err
	}
	if src.obj, err = rq.api.backend.HeadObject(rq.ctx, src.bucket.ID, key); err != nil {
		return src, err
	}
	if err := readCopySourceConditions(rq.r.Header).check(src.obj.Meta.ETag, millisTime(src.obj.Timestamp), true); err != nil {
		return src, err
	}
	return src, nil
}

// open streams bytes [from, to) of the source; closing the reader before
// its end stops the read.
func (rq *request) open(src copySource, from, to uint64) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(rq.api.backend.ReadObject(rq.ctx, src.obj, from, to, pw))
	}()
	return pr
}

func (rq *request) copyObject() error {
	src, err := rq.readCopySource()
	if err != nil {
		return err
	}
	if src.obj.Meta.Size > maxPutSize {
		return s3err.New(s3err.InvalidRequest, "The source object is larger than 5 GiB: copy it with UploadPartCopy.")
	}
	objACL, err := rq.objectACLForWrite(rq.r.Header, rq.key)
	if err != nil {
		return err
	}
	headers := src.obj.Meta.Headers
	switch d := rq.r.Header.Get("x-amz-metadata-directive"); d {
	case "", "COPY":
		if src.bucket.ID == rq.bucket.ID && src.key == rq.key {
			return s3err.New(s3err.InvalidRequest, "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
		}
	case "REPLACE":
		if headers, err = objectHeaders(rq.r.Header); err != nil {
			return err
		}
		if sum := checksumHeader(src.obj.Meta.Headers); sum.Name != "" {
			headers = withHeader(headers, sum) // the content, and so its checksum, is the source's
		}
	default:
		return s3err.New(s3err.InvalidArgument, "Unknown metadata directive %q: use COPY or REPLACE.", d)
	}
	// A copy does not take its source's ACL: it gets the one it asks for.
	headers = withObjectACL(headers, objACL)
	w, meta, err := rq.api.backend.CopyObject(rq.ctx, rq.bucket.ID, rq.key, src.obj, headers)
	if err != nil {
		return err
	}
	rq.setStamp(w.Stamp())
	return rq.writeXML(http.StatusOK, s3xml.CopyObjectResult{ETag: s3xml.ETag(meta.ETag), LastModified: s3xml.Time(rq.api.cfg.Now())})
}

// copyRange reads an x-amz-copy-source-range: "bytes=first-last", both
// within a source of size bytes. Unlike a GET's Range, nothing is clamped
// or ignored: the part must be exactly the bytes asked for, or refused.
func copyRange(v string, size uint64) (byteRange, error) {
	bad := s3err.New(s3err.InvalidArgument, "The x-amz-copy-source-range %q must be bytes=first-last within the source object of %d bytes.", v, size)
	spec, ok := strings.CutPrefix(v, "bytes=")
	first, last, found := strings.Cut(spec, "-")
	if !ok || !found {
		return byteRange{}, bad
	}
	a, errA := strconv.ParseUint(first, 10, 64)
	b, errB := strconv.ParseUint(last, 10, 64)
	if errA != nil || errB != nil || a > b || b >= size {
		return byteRange{}, bad
	}
	return byteRange{a, b + 1}, nil
}

// checksumHeader is the stored additional checksum, if any.
func checksumHeader(hs []model.Header) model.Header {
	for _, h := range hs {
		if strings.HasPrefix(h.Name, checksumPrefix) {
			return h
		}
	}
	return model.Header{}
}

func (rq *request) uploadPartCopy() error {
	upload, part, err := rq.partTarget()
	if err != nil {
		return err
	}
	src, err := rq.readCopySource()
	if err != nil {
		return err
	}
	span := byteRange{0, src.obj.Meta.Size}
	if v := rq.r.Header.Get("x-amz-copy-source-range"); v != "" {
		if span, err = copyRange(v, src.obj.Meta.Size); err != nil {
			return err
		}
	}
	if span.to-span.from > maxPutSize {
		return s3err.New(s3err.InvalidRequest, "A part may hold at most 5 GiB.")
	}
	body := rq.open(src, span.from, span.to)
	defer body.Close()
	etag, _, err := rq.api.backend.PutPartChecked(rq.ctx, rq.bucket.ID, rq.key, upload, part, body, nil)
	if err != nil {
		return err
	}
	return rq.writeXML(http.StatusOK, s3xml.CopyPartResult{ETag: s3xml.ETag(etag), LastModified: s3xml.Time(rq.api.cfg.Now())})
}
