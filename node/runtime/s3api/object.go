package s3api

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/runtime/server"
	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/s3/s3xml"
)

// maxPutSize is S3's limit on a single PUT; larger objects go multipart.
const maxPutSize = 5 << 30

// bodyCheck verifies a body once it has been read, before it is stored:
// its length, its Content-MD5 and its additional checksum, whose header it
// adds to the metadata.
func (rq *request) bodyCheck(cs *checksum) server.BodyCheck {
	return func(meta *model.ObjectMeta) error {
		if rq.body.size >= 0 && meta.Size != uint64(rq.body.size) {
			return s3err.New(s3err.IncompleteBody, "You did not provide the number of bytes specified by the Content-Length HTTP header.")
		}
		if want := rq.r.Header.Get("Content-MD5"); want != "" {
			sum, err := hex.DecodeString(meta.ETag)
			if err != nil {
				return fmt.Errorf("object ETag %q: %w", meta.ETag, err)
			}
			if err := checkContentMD5(want, sum); err != nil {
				return err
			}
		}
		if cs != nil {
			h, err := cs.verify(rq.body.trailer())
			if err != nil {
				return err
			}
			meta.Headers = withHeader(meta.Headers, h)
		}
		return nil
	}
}

func (rq *request) putObject() error {
	h := rq.r.Header
	if rq.body.size > maxPutSize {
		return s3err.New(s3err.EntityTooLarge, "Your proposed upload exceeds the maximum allowed size of a single PUT (5 GiB); use a multipart upload.")
	}
	headers, err := objectHeaders(h)
	if err != nil {
		return err
	}
	objACL, err := rq.objectACLForWrite(h, rq.key)
	if err != nil {
		return err
	}
	headers = withObjectACL(headers, objACL)
	cs, err := requestChecksum(h)
	if err != nil {
		return err
	}
	target, err := rq.writeTarget(h)
	if err != nil {
		return err
	}
	enc, err := rq.newEncryption(target, nil)
	if err != nil {
		return err
	}
	headers = enc.withHeaders(headers)
	if err := rq.checkWriteConditions(); err != nil {
		return err
	}
	check := rq.bodyCheck(cs)
	if rq.r.Header.Get("If-Match") != "" || rq.r.Header.Get("If-None-Match") != "" {
		// Again just before the commit: another writer may have committed
		// while this body uploaded, and S3 judges a condition at the end.
		bodyOK := check
		check = func(meta *model.ObjectMeta) error {
			if err := bodyOK(meta); err != nil {
				return err
			}
			return rq.checkWriteConditions()
		}
	}
	w, meta, err := rq.api.backend.PutObjectSealed(rq.ctx, rq.bucket.ID, rq.key, headers, cs.wrap(rq.body), enc.etagCheck(check), enc.sealer())
	if err != nil {
		return err
	}
	rq.setStamp(w.Stamp())
	rq.w.Header().Set("ETag", quote(meta.ETag))
	enc.setResponseHeaders(rq.w.Header())
	if cs != nil {
		rq.w.Header().Set(cs.header, headerValue(meta.Headers, cs.header))
	}
	return rq.writeEmpty(http.StatusOK)
}

// checkWriteConditions evaluates the preconditions of a write (PutObject,
// CompleteMultipartUpload) against the object it would replace, as S3's
// conditional writes do: If-None-Match "*" requires that there be none,
// If-Match that there be one whose ETag matches (else NoSuchKey). Ignoring
// an If-Match would let a client overwrite a version it has not seen. The
// check and the write are not atomic: two writers racing may both pass.
func (rq *request) checkWriteConditions() error {
	ifMatch, ifNoneMatch := rq.r.Header.Get("If-Match"), rq.r.Header.Get("If-None-Match")
	if ifMatch == "" && ifNoneMatch == "" {
		return nil
	}
	if ifNoneMatch != "" && ifNoneMatch != "*" {
		return s3err.New(s3err.NotImplemented, "If-None-Match on a write supports only \"*\".")
	}
	obj, err := rq.api.backend.HeadObject(rq.ctx, rq.bucket.ID, rq.key)
	exists := err == nil
	if err != nil && !errors.Is(err, server.ErrNoSuchObject) {
		return err
	}
	failed := s3err.New(s3err.PreconditionFailed, "At least one of the pre-conditions you specified did not hold")
	if ifNoneMatch == "*" && exists {
		return failed
	}
	if ifMatch != "" {
		if !exists {
			return s3err.New(s3err.NoSuchKey, "The specified key does not exist: If-Match needs an object to match.")
		}
		if !etagMatches(ifMatch, obj.Meta.ETag) {
			return failed
		}
	}
	return nil
}

// responseOverrides are the query parameters with which a signed GET sets
// response headers.
var responseOverrides = map[string]string{
	"response-cache-control":       "Cache-Control",
	"response-content-disposition": "Content-Disposition",
	"response-content-encoding":    "Content-Encoding",
	"response-content-language":    "Content-Language",
	"response-content-type":        "Content-Type",
	"response-expires":             "Expires",
}

// getObject answers GetObject and HeadObject.
func (rq *request) getObject() error {
	obj, err := rq.api.backend.HeadObject(rq.ctx, rq.bucket.ID, rq.key)
	rq.setStamp(obj.Stamp()) // a delete marker's too, on a 404
	if err != nil {
		return err
	}
	// The key is checked before anything else is told of the object.
	enc, err := rq.storedEncryption(obj.Meta, readObject)
	if err != nil {
		return err
	}
	meta := obj.Meta
	modified := millisTime(obj.Timestamp)
	q := rq.query
	h := rq.w.Header()
	whole := byteRange{0, meta.Size}
	span, partial, err := rq.requestedSpan(obj)
	if err != nil {
		return err
	}
	if err := readConditions(rq.r.Header).check(meta.ETag, modified, false); err != nil {
		if e, _ := s3err.As(err); e.Code == s3err.NotModified {
			h.Set("ETag", quote(meta.ETag))
			h.Set("Last-Modified", modified.Format(http.TimeFormat))
		}
		return err
	}
	withChecksum := !partial && rq.r.Header.Get("x-amz-checksum-mode") == "ENABLED"
	setObjectHeaders(h, meta, modified, withChecksum)
	enc.setResponseHeaders(h)
	if parts := partCount(obj); parts > 1 || q.Has("partNumber") {
		h.Set("x-amz-mp-parts-count", strconv.Itoa(parts))
	}
	for param, header := range responseOverrides {
		if v := q.Get(param); v != "" {
			h.Set(header, v)
		}
	}
	status := http.StatusOK
	if partial {
		status = http.StatusPartialContent
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", span.from, span.to-1, meta.Size))
	} else {
		span = whole
	}
	h.Set("Content-Length", strconv.FormatUint(span.to-span.from, 10))
	if rq.r.Method == http.MethodHead || span.to == span.from {
		rq.writeHeader(status)
		return nil
	}
	out := &lazyWriter{rq: rq, status: status}
	if err := rq.api.backend.ReadObjectSealed(rq.ctx, obj, span.from, span.to, out, enc.sealer()); err != nil {
		if !rq.w.started() {
			return err
		}
		// Part of the body is gone: cut the connection so the client sees a
		// short read, never a complete-looking corrupt object.
		rq.api.log.Warn("object read failed mid-body: " + err.Error())
		panic(http.ErrAbortHandler)
	}
	return nil
}

// requestedSpan is the part of obj a GET asks for with a Range header or a
// partNumber; partial is false when it asks for the whole object.
func (rq *request) requestedSpan(obj object.Object) (span byteRange, partial bool, err error) {
	q := rq.query
	if pn := q.Get("partNumber"); pn != "" {
		n, err := strconv.Atoi(pn)
		if err != nil || n < 1 || n > object.MaxPartNumber {
			return span, false, s3err.New(s3err.InvalidArgument, "Part number must be an integer between 1 and 10000, inclusive.")
		}
		if rq.r.Header.Get("Range") != "" {
			return span, false, s3err.New(s3err.InvalidRequest, "Cannot specify both Range header and partNumber query parameter.")
		}
		span, ok := partSpan(obj, uint32(n))
		if !ok {
			return span, false, s3err.New(s3err.InvalidPartNumber, "The requested partnumber is not satisfiable")
		}
		return span, true, nil
	}
	return parseRange(rq.r.Header.Get("Range"), obj.Meta.Size)
}

// partSpan is the byte range of part n of obj. An object uploaded in one
// piece has one part.
func partSpan(obj object.Object, n uint32) (byteRange, bool) {
	if obj.Blocks == nil || partCount(obj) == 1 {
		return byteRange{0, obj.Meta.Size}, n == 1
	}
	var at uint64
	r, found := byteRange{}, false
	for _, b := range obj.Blocks {
		if b.Part == n {
			if !found {
				r.from, found = at, true
			}
			r.to = at + b.Size
		}
		at += b.Size
	}
	return r, found
}

// partCount is the number of parts obj was uploaded in.
func partCount(obj object.Object) int {
	n := 0
	var last uint32
	for i, b := range obj.Blocks {
		if i == 0 || b.Part != last {
			n++
			last = b.Part
		}
	}
	return max(n, 1)
}

// lazyWriter sends the status line with the first bytes of the body, so
// that a failure before any data is read can still be a proper S3 error.
type lazyWriter struct {
	rq     *request
	status int
}

func (w *lazyWriter) Write(p []byte) (int, error) {
	if !w.rq.w.started() {
		w.rq.writeHeader(w.status)
	}
	return w.rq.w.Write(p)
}

func (rq *request) deleteObject() error {
	w, err := rq.api.backend.DeleteObject(rq.ctx, rq.bucket.ID, rq.key)
	if err != nil {
		return err
	}
	rq.setStamp(w.Stamp())
	return rq.writeEmpty(http.StatusNoContent)
}

// deleteParallelism bounds the deletions of one DeleteObjects in flight.
const deleteParallelism = 16

func (rq *request) deleteObjects() error {
	data, err := rq.readBody(maxXMLBody)
	if err != nil {
		return err
	}
	req, err := s3xml.ParseDelete(data)
	if err != nil {
		return err
	}
	errs := make([]error, len(req.Objects))
	var wg sync.WaitGroup
	slots := make(chan struct{}, deleteParallelism)
	for i, o := range req.Objects {
		if len(o.Key) > MaxKeyLength {
			errs[i] = s3err.New(s3err.KeyTooLong, "Your key is too long.")
			continue
		}
		// Each key is its own decision, as in S3: a policy may allow
		// deleting some of them.
		if errs[i] = rq.authorize(check{ac: rq.access, bucket: rq.bucketName, key: o.Key, action: "s3:DeleteObject", need: needWrite}); errs[i] != nil {
			continue
		}
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			_, errs[i] = rq.api.backend.DeleteObject(rq.ctx, rq.bucket.ID, o.Key)
		}()
	}
	wg.Wait()
	var out s3xml.DeleteResult
	for i, o := range req.Objects {
		if errs[i] != nil {
			e := toS3(errs[i])
			out.Errors = append(out.Errors, s3xml.DeleteError{Key: o.Key, Code: e.Code, Message: e.Message})
		} else if !req.Quiet {
			out.Deleted = append(out.Deleted, s3xml.DeletedObject{Key: o.Key})
		}
	}
	return rq.writeXML(http.StatusOK, out)
}
