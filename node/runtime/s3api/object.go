package s3api

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/garagego/garage/node/checksum"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/runtime/httpapi"
	"github.com/garagego/garage/node/runtime/server"
	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/s3/s3xml"
)

// maxPutSize is S3's limit on a single PUT; larger objects go multipart.
const maxPutSize = 5 << 30

// checkBody verifies a body once it has been read, before it is stored:
// its length, its Content-MD5 and the checksum it declares (computed by s).
func (rq *request) checkBody(meta model.ObjectMeta, decl *declared, s *summer) error {
	if rq.body.Size >= 0 && meta.Size != uint64(rq.body.Size) {
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
	if decl != nil {
		return decl.verify(s, rq.body.Trailer())
	}
	return nil
}

func (rq *request) putObject() error {
	h := rq.r.Header
	if rq.body.Size > maxPutSize {
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
	tags, err := requestTags(h)
	if err != nil {
		return err
	}
	headers = withTags(withObjectACL(headers, objACL), tags)
	if headers, err = rq.withLockHeaders(headers); err != nil {
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
	decl, err := requestChecksum(h)
	if err != nil {
		return err
	}
	if _, err := parseTypeHeader(h); err != nil {
		return err
	}
	cond, err := writeCondition(h)
	if err != nil {
		return err
	}
	// The object keeps the checksum the client sent, or S3's default.
	store := checksum.Default.Algorithm
	if decl != nil {
		store = decl.algo
	}
	sums := newSummer(rq.body, store)
	var stored storedChecksum
	check := func(meta *model.ObjectMeta) error {
		if err := rq.checkBody(*meta, decl, sums); err != nil {
			return err
		}
		stored = fullObject(sums, store)
		meta.Headers = withChecksum(meta.Headers, stored)
		return nil
	}
	w, meta, err := rq.api.backend.PutObjectWith(rq.ctx, rq.bucket.ID, rq.key, headers, sums,
		server.PutOptions{Check: enc.etagCheck(check), Seal: enc.sealer(), Cond: cond, Versioned: rq.versioned()})
	if err != nil {
		return err
	}
	rq.setStamp(w.Stamp())
	rq.setVersionID(w.S3VersionID())
	rq.w.Header().Set("ETag", quote(meta.ETag))
	enc.setResponseHeaders(rq.w.Header())
	stored.set(rq.w.Header())
	return rq.writeEmpty(http.StatusOK)
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

// getObject answers GetObject and HeadObject, of the current version or
// of the one versionId names.
func (rq *request) getObject() error {
	obj, _, err := rq.addressedVersion()
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
	if err := httpapi.ReadConditions(rq.r.Header).Check(meta.ETag, modified, false); err != nil {
		if e, _ := s3err.As(err); e.Code == s3err.NotModified {
			h.Set("ETag", quote(meta.ETag))
			h.Set("Last-Modified", modified.Format(http.TimeFormat))
		}
		return err
	}
	httpapi.SetObjectHeaders(h, meta, modified)
	if err := setTaggingCount(h, obj); err != nil {
		return err
	}
	rq.setLockHeaders(h, obj)
	if strings.EqualFold(rq.r.Header.Get("x-amz-checksum-mode"), "ENABLED") {
		spanChecksum(obj, q.Get("partNumber"), partial, span).set(h)
	}
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
		if !rq.w.Started() {
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

// spanChecksum is the checksum a read returns with checksum mode on: the
// object's for the whole object; for part n of a multipart object with a
// composite checksum, that part's (a full-object checksum has no part
// checksums to offer); none for a range.
func spanChecksum(obj object.Object, partNumber string, partial bool, span byteRange) storedChecksum {
	c := objectChecksum(obj.Meta.Headers)
	if !partial || span == (byteRange{0, obj.Meta.Size}) && partNumber != "" && partCount(obj) == 1 {
		return c
	}
	if partNumber == "" || c.typ != checksum.Composite.String() {
		return storedChecksum{}
	}
	n, _ := strconv.ParseUint(partNumber, 10, 32)
	for _, p := range obj.Parts {
		if uint64(p.Part) == n && p.Checksum != "" {
			return storedChecksum{algo: c.algo, value: p.Checksum, typ: c.typ}
		}
	}
	return storedChecksum{}
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
	if !w.rq.w.Started() {
		w.rq.writeHeader(w.status)
	}
	return w.rq.w.Write(p)
}

// deleteObject writes a delete marker (a versioned one where versioning is
// enabled), or with versionId removes that version for good.
func (rq *request) deleteObject() error {
	cond, err := deleteCondition(rq.r.Header)
	if err != nil {
		return err
	}
	ref, err := versionParam(rq.query)
	if err != nil {
		return err
	}
	if ref.Set {
		if cond != nil {
			return s3err.New(s3err.NotImplemented, "Conditional deletes of a specific version are not implemented.")
		}
		bypass, err := rq.bypassGovernance(rq.key)
		if err != nil {
			return err
		}
		res, err := rq.deleteVersion(rq.key, ref, bypass)
		if err != nil {
			return err
		}
		rq.w.Header().Set("x-amz-version-id", ref.String())
		if res.Found && res.Version.State.Data == model.DeleteMarker {
			rq.w.Header().Set("x-amz-delete-marker", "true")
		}
		return rq.writeEmpty(http.StatusNoContent)
	}
	w, err := rq.api.backend.DeleteObjectWith(rq.ctx, rq.bucket.ID, rq.key, server.WriteOptions{Cond: cond, Versioned: rq.versioned()})
	if err != nil {
		return err
	}
	rq.setStamp(w.Stamp())
	if rq.bucket.Versioning() != model.VersioningOff {
		rq.setVersionID(w.S3VersionID())
		rq.w.Header().Set("x-amz-delete-marker", "true")
	}
	return rq.writeEmpty(http.StatusNoContent)
}

// addressedVersion reads the version the request addresses (versionId,
// else the current one) and answers its version id as S3 does (see
// setVersionID; always when versionId named it). When there is none it
// answers as GET does: 404 NoSuchKey or NoSuchVersion, 405 for a delete
// marker named by id (see missingVersion).
func (rq *request) addressedVersion() (object.Object, model.VersionRef, error) {
	ref, err := versionParam(rq.query)
	if err != nil {
		return object.Object{}, ref, err
	}
	obj, err := rq.api.backend.HeadObjectVersion(rq.ctx, rq.bucket.ID, rq.key, ref)
	if err != nil {
		return obj, ref, rq.missingVersion(err, obj, ref)
	}
	rq.setVersionID(obj.S3VersionID())
	if ref.Set {
		rq.w.Header().Set("x-amz-version-id", obj.S3VersionID())
	}
	return obj, ref, nil
}

// versionParam reads the versionId parameter: "null", a version id, or
// none. A malformed id is S3's 400 InvalidArgument.
func versionParam(q url.Values) (model.VersionRef, error) {
	if !q.Has("versionId") {
		return model.VersionRef{}, nil
	}
	return parseVersionID(q.Get("versionId"))
}

func parseVersionID(s string) (model.VersionRef, error) {
	ref, err := model.ParseVersionRef(s)
	if err != nil || !ref.Set {
		return model.VersionRef{}, s3err.New(s3err.InvalidArgument, "Invalid version id specified")
	}
	return ref, nil
}

// missingVersion is S3's answer to a read that found no version: with a
// versionId, 404 NoSuchVersion, or 405 MethodNotAllowed when it names a
// delete marker; without one, 404 NoSuchKey, with x-amz-delete-marker
// when the current version is a marker.
func (rq *request) missingVersion(err error, obj object.Object, ref model.VersionRef) error {
	if !errors.Is(err, server.ErrNoSuchObject) {
		return err
	}
	if obj.Marker && rq.bucket.Versioning() != model.VersioningOff {
		rq.w.Header().Set("x-amz-delete-marker", "true")
		rq.setVersionID(obj.S3VersionID())
		if ref.Set {
			rq.w.Header().Set("Allow", "DELETE")
			return s3err.New(s3err.MethodNotAllowed, "The specified method is not allowed against this resource.")
		}
	}
	if ref.Set {
		return s3err.New(s3err.NoSuchVersion, "The specified version does not exist.")
	}
	return err
}

// deleteParallelism bounds the deletions of one DeleteObjects in flight.
const deleteParallelism = 16

// deleteObjects deletes up to 1,000 keys, each under the conditions its
// entry states (ETag, LastModifiedTime, Size), and answers exactly one
// result per entry, in the order asked: Deleted (a key that does not exist
// is deleted, as in S3), or Error with the entry's own code. In quiet mode
// only the errors are listed. The body must come with a Content-MD5 or an
// x-amz-checksum-* (header or trailer), which it is checked against.
func (rq *request) deleteObjects() error {
	h := rq.r.Header
	decl, err := requestChecksum(h)
	if err != nil {
		return err
	}
	if decl == nil && h.Get("Content-MD5") == "" {
		return s3err.New(s3err.InvalidRequest, "Missing required header for this request: Content-MD5 OR x-amz-checksum-*")
	}
	data, err := rq.readBodyChecked(maxXMLBody, decl)
	if err != nil {
		return err
	}
	req, err := s3xml.ParseDelete(data)
	if err != nil {
		return err
	}
	errs := make([]error, len(req.Objects))
	results := make([]s3xml.DeletedObject, len(req.Objects))
	var wg sync.WaitGroup
	slots := make(chan struct{}, deleteParallelism)
	for i, o := range req.Objects {
		switch {
		case len(o.Key) > MaxKeyLength:
			errs[i] = s3err.New(s3err.KeyTooLong, "Your key is too long.")
			continue
		}
		var ref model.VersionRef
		if o.VersionID != "" {
			if ref, errs[i] = parseVersionID(o.VersionID); errs[i] != nil {
				continue
			}
		}
		// Each key is its own decision, as in S3: a policy may allow
		// deleting some of them.
		if errs[i] = rq.authorize(check{ac: rq.access, bucket: rq.bucketName, key: o.Key, action: "s3:DeleteObject", need: needWrite}); errs[i] != nil {
			continue
		}
		cond := entryCondition(o)
		if ref.Set && cond != nil {
			errs[i] = s3err.New(s3err.NotImplemented, "Conditional deletes of a specific version are not implemented.")
			continue
		}
		bypass := false // decided here, not in the goroutines: authorize caches
		if ref.Set {
			if bypass, errs[i] = rq.bypassGovernance(o.Key); errs[i] != nil {
				continue
			}
		}
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			results[i], errs[i] = rq.deleteOne(o.Key, ref, cond, bypass)
		}()
	}
	wg.Wait()
	var out s3xml.DeleteResult
	for i, o := range req.Objects {
		if errs[i] != nil {
			e := toS3(errs[i])
			out.Errors = append(out.Errors, s3xml.DeleteError{Key: o.Key, VersionID: o.VersionID, Code: e.Code, Message: e.Message})
		} else if !req.Quiet {
			out.Deleted = append(out.Deleted, results[i])
		}
	}
	return rq.writeXML(http.StatusOK, out)
}

// deleteOne deletes one DeleteObjects entry: a version by its id, or the
// key (a delete marker), and says what it did as S3 reports it. bypass:
// the request may bypass a GOVERNANCE retention of key.
func (rq *request) deleteOne(key string, ref model.VersionRef, cond *object.Condition, bypass bool) (s3xml.DeletedObject, error) {
	out := s3xml.DeletedObject{Key: key}
	if ref.Set {
		res, err := rq.deleteVersion(key, ref, bypass)
		if err != nil {
			return out, err
		}
		out.VersionID = ref.String()
		if res.Found && res.Version.State.Data == model.DeleteMarker {
			out.DeleteMarker, out.DeleteMarkerVersionID = true, ref.String()
		}
		return out, nil
	}
	w, err := rq.api.backend.DeleteObjectWith(rq.ctx, rq.bucket.ID, key, server.WriteOptions{Cond: cond, Versioned: rq.versioned()})
	if err != nil {
		return out, err
	}
	if rq.bucket.Versioning() != model.VersioningOff {
		out.DeleteMarker, out.DeleteMarkerVersionID = true, w.S3VersionID()
	}
	return out, nil
}

// entryCondition is the condition a DeleteObjects entry states, nil if
// none.
func entryCondition(o s3xml.ObjectIdentifier) *object.Condition {
	if o.ETag == "" && o.Modified == nil && o.SizeIs == nil {
		return nil
	}
	c := &object.Condition{IfMatch: o.ETag, IfMatchSize: o.SizeIs}
	if o.Modified != nil {
		secs := o.Modified.Unix()
		c.IfMatchModified = &secs
	}
	return c
}
