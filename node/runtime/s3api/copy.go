package s3api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/garagego/garage/node/checksum"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/runtime/server"
	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/s3/s3xml"
	"github.com/garagego/garage/node/s3/storageclass"
)

// copySource is the object an x-amz-copy-source header names, read and
// checked against the copy's source conditions.
type copySource struct {
	bucket model.Bucket
	key    string
	obj    object.Object
	enc    *encryption // nil: plaintext
	// version is the version the source names (none: the current one).
	version model.VersionRef
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
	v, err := url.ParseQuery(query)
	if err != nil {
		return copySource{}, s3err.New(s3err.InvalidArgument, "Invalid copy source %q: its query is not URL-encoded.", raw)
	}
	ref, err := versionParam(v)
	if err != nil {
		return copySource{}, err
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
	src := copySource{bucket: b, key: key, version: ref}
	if err := rq.authorize(check{ac: ac, bucket: bucketName, key: key, action: "s3:GetObject", need: needRead,
		objectACL: rq.objectACLReader(b.ID, key), version: ref}); err != nil {
		return src, err
	}
	if src.obj, err = rq.api.backend.HeadObjectVersion(rq.ctx, src.bucket.ID, key, ref); err != nil {
		if errors.Is(err, server.ErrNoSuchObject) && ref.Set {
			if src.obj.Marker {
				return src, s3err.New(s3err.InvalidRequest, "The source of a copy request may not specifically refer to a delete marker by version id.")
			}
			return src, s3err.New(s3err.NoSuchVersion, "The specified version does not exist.")
		}
		return src, err
	}
	if src.bucket.Versioning() != model.VersioningOff {
		rq.w.Header().Set("x-amz-copy-source-version-id", src.obj.S3VersionID())
	}
	if src.enc, err = rq.storedEncryption(src.obj.Meta, readSource); err != nil {
		return src, err
	}
	if err := readCopySourceConditions(rq.r.Header).Check(src.obj.Meta.ETag, millisTime(src.obj.Timestamp), true); err != nil {
		return src, err
	}
	return src, nil
}

// open streams bytes [from, to) of the source, decrypted if it is
// encrypted; closing the reader before its end stops the read.
func (rq *request) open(src copySource, from, to uint64) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(rq.api.backend.ReadObjectSealed(rq.ctx, src.obj, from, to, pw, src.enc.sealer()))
	}()
	return pr
}

func (rq *request) copyObject() error {
	src, err := rq.readCopySource()
	if err != nil {
		return err
	}
	if src.obj.Meta.Size > maxCopySource {
		return copySourceTooLarge()
	}
	// The copy is encrypted as its request (or its bucket's default) says,
	// not as its source was.
	target, err := rq.writeTarget(rq.r.Header)
	if err != nil {
		return err
	}
	objACL, err := rq.objectACLForWrite(rq.r.Header, rq.key)
	if err != nil {
		return err
	}
	algo, err := parseAlgorithmHeader(rq.r.Header, "x-amz-checksum-algorithm")
	if err != nil {
		return err
	}
	cond, err := writeCondition(rq.r.Header)
	if err != nil {
		return err
	}
	// The copy's class is the one the request names, STANDARD otherwise,
	// whatever the directive: as in S3, a class is not copied.
	class, err := requestStorageClass(rq.r.Header)
	if err != nil {
		return err
	}
	_, classNamed := rq.r.Header[http.CanonicalHeaderKey(storageclass.Header)]
	headers := src.obj.Meta.Headers
	switch d := rq.r.Header.Get("x-amz-metadata-directive"); d {
	case "", "COPY":
		if src.bucket.ID == rq.bucket.ID && src.key == rq.key && !src.version.Set && !target.explicit && algo == checksum.None && !classNamed {
			return s3err.New(s3err.InvalidRequest, "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
		}
	case "REPLACE":
		if headers, err = objectHeaders(rq.r.Header); err != nil {
			return err
		}
	default:
		return s3err.New(s3err.InvalidArgument, "Unknown metadata directive %q: use COPY or REPLACE.", d)
	}
	// A copy does not take its source's ACL: it gets the one it asks for.
	// Its tags are its source's (the effective ones), or with directive
	// REPLACE the request's; its lock is the request's, or the bucket's
	// default (never the source's).
	tags, err := rq.copyTags(src.obj)
	if err != nil {
		return err
	}
	headers = withStorageClass(withTags(withObjectACL(headers, objACL), tags), class)
	if headers, err = rq.withLockHeaders(headers); err != nil {
		return err
	}
	// The content, and so its checksum, is the source's; with
	// x-amz-checksum-algorithm the copy gets that checksum, computed over
	// the source's data (read through this node).
	sum := objectChecksum(src.obj.Meta.Headers)
	if algo != checksum.None {
		if sum, err = rq.computeChecksum(src, algo); err != nil {
			return err
		}
	}
	headers = withChecksum(headers, sum)
	var (
		w    object.Written
		meta model.ObjectMeta
		enc  *encryption
	)
	switch {
	case src.enc == nil && target.mode == 0:
		w, meta, err = rq.api.backend.CopyObjectWith(rq.ctx, rq.bucket.ID, rq.key, src.obj, headers, server.WriteOptions{Cond: cond, Versioned: rq.versioned()})
	case src.enc != nil && src.enc.mode() == target.mode:
		// The same kind of encryption: the blocks are shared as they are
		// stored, and only the data key is wrapped anew (under the new
		// customer key, when re-keying). The ETag, keyed by the data key,
		// stays the source's.
		if enc, err = rq.newEncryption(target, &src.enc.dataKey); err != nil {
			return err
		}
		w, meta, err = rq.api.backend.CopyObjectWith(rq.ctx, rq.bucket.ID, rq.key, src.obj, enc.withHeaders(headers), server.WriteOptions{Cond: cond, Versioned: rq.versioned()})
	default:
		// Into or out of encryption, or from one kind to the other: the
		// data is streamed through, opened with the source's key and
		// sealed with a new one.
		if enc, err = rq.newEncryption(target, nil); err != nil {
			return err
		}
		body := rq.open(src, 0, src.obj.Meta.Size)
		defer body.Close()
		w, meta, err = rq.api.backend.PutObjectWith(rq.ctx, rq.bucket.ID, rq.key, enc.withHeaders(headers), body,
			server.PutOptions{Check: enc.etagCheck(copiedSize(src.obj.Meta.Size)), Seal: enc.sealer(), Cond: cond, Versioned: rq.versioned()})
	}
	if err != nil {
		return err
	}
	rq.setStamp(w.Stamp())
	rq.setVersionID(w.S3VersionID())
	enc.setResponseHeaders(rq.w.Header())
	return rq.writeXML(http.StatusOK, s3xml.CopyObjectResult{ETag: s3xml.ETag(meta.ETag), LastModified: s3xml.Time(rq.api.cfg.Now()),
		Checksums: s3xml.ChecksumOf(sum.algo.String(), sum.value), ChecksumType: sum.typ})
}

// computeChecksum reads the whole source and computes its checksum of
// algorithm a, a full-object one.
func (rq *request) computeChecksum(src copySource, a checksum.Algorithm) (storedChecksum, error) {
	h := a.New()
	if err := rq.api.backend.ReadObjectSealed(rq.ctx, src.obj, 0, src.obj.Meta.Size, h, src.enc.sealer()); err != nil {
		return storedChecksum{}, fmt.Errorf("read the copy source to compute its %s: %w", a, err)
	}
	return storedChecksum{algo: a, value: checksum.Encode(h.Sum(nil)), typ: checksum.FullObject.String()}, nil
}

// copiedSize checks that a streamed copy read the whole source: a source
// that ended short (replaced meanwhile) must not make a short copy.
func copiedSize(want uint64) server.BodyCheck {
	return func(meta *model.ObjectMeta) error {
		if meta.Size != want {
			return fmt.Errorf("copy: read %d bytes of a %d-byte source", meta.Size, want)
		}
		return nil
	}
}

// copySourceRangeHeader names the first and last bytes UploadPartCopy
// copies.
const copySourceRangeHeader = "x-amz-copy-source-range"

// maxCopySource is the most one copy (CopyObject, or one UploadPartCopy)
// may read, as S3's error says it.
const maxCopySource = 5 << 30

// copySourceTooLarge is S3's refusal of a copy of more than 5 GiB.
func copySourceTooLarge() error {
	return s3err.New(s3err.InvalidRequest, "The specified copy source is larger than the maximum allowable size for a copy source: %d", maxCopySource)
}

// parseCopyRange reads an x-amz-copy-source-range: exactly
// "bytes=first-last", first <= last. Unlike a GET's Range nothing is
// clamped or ignored, and a malformed one is S3's InvalidArgument naming
// the header.
func parseCopyRange(v string) (first, last uint64, err error) {
	bad := s3err.New(s3err.InvalidArgument, "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy").
		With("ArgumentName", copySourceRangeHeader).With("ArgumentValue", v)
	spec, ok := strings.CutPrefix(v, "bytes=")
	a, b, found := strings.Cut(spec, "-")
	if !ok || !found {
		return 0, 0, bad
	}
	first, errA := strconv.ParseUint(a, 10, 64)
	last, errB := strconv.ParseUint(b, 10, 64)
	if errA != nil || errB != nil || first > last {
		return 0, 0, bad
	}
	return first, last, nil
}

// copyRange is the part of a source of size bytes that an UploadPartCopy
// with x-amz-copy-source-range v ("" for the whole source) copies, refused
// as S3 refuses it: a malformed range is InvalidArgument; one starting
// past the end InvalidRequest; one ending past it InvalidArgument; more
// than 5 GiB InvalidRequest.
func copyRange(v string, size uint64) (byteRange, error) {
	r := byteRange{0, size}
	if v != "" {
		first, last, err := parseCopyRange(v)
		if err != nil {
			return byteRange{}, err
		}
		switch {
		case first >= size:
			return byteRange{}, s3err.New(s3err.InvalidRequest, "The specified copy range is invalid for the source object size")
		case last >= size:
			return byteRange{}, s3err.New(s3err.InvalidArgument, "Range specified is not valid for source object of size: %d", size).
				With("ArgumentName", copySourceRangeHeader).With("ArgumentValue", v)
		}
		r = byteRange{first, last + 1}
	}
	if r.to-r.from > maxCopySource {
		return byteRange{}, copySourceTooLarge()
	}
	return r, nil
}

func (rq *request) uploadPartCopy() error {
	upload, part, err := rq.partTarget()
	if err != nil {
		return err
	}
	rangeHeader := rq.r.Header.Get(copySourceRangeHeader)
	if rangeHeader != "" { // its syntax is judged before the source is read
		if _, _, err := parseCopyRange(rangeHeader); err != nil {
			return err
		}
	}
	src, err := rq.readCopySource()
	if err != nil {
		return err
	}
	span, err := copyRange(rangeHeader, src.obj.Meta.Size)
	if err != nil {
		return err
	}
	enc, err := rq.uploadEncryption(upload)
	if err != nil {
		return err
	}
	etagCheck := enc.etagCheck(copiedSize(span.to - span.from))
	body := rq.open(src, span.from, span.to)
	defer body.Close()
	// The part's checksum, in the upload's algorithm, is computed over the
	// bytes copied.
	sums := newSummer(body)
	var record checksum.Algorithm
	etag, _, sum, err := rq.api.backend.PutPartWith(rq.ctx, server.PartUpload{
		Bucket: rq.bucket.ID, Key: rq.key, Upload: upload, Part: part, Body: sums, Seal: enc.sealer(),
		Begun: func(b object.PartBegun) error {
			record = b.Checksum.Effective().Algorithm
			sums.add(record)
			return nil
		},
		Check: func(meta *model.ObjectMeta) (string, error) {
			if etagCheck != nil {
				if err := etagCheck(meta); err != nil {
					return "", err
				}
			}
			return sums.value(record), nil
		},
	})
	if err != nil {
		return err
	}
	enc.setResponseHeaders(rq.w.Header())
	return rq.writeXML(http.StatusOK, s3xml.CopyPartResult{ETag: s3xml.ETag(etag), LastModified: s3xml.Time(rq.api.cfg.Now()),
		Checksums: s3xml.ChecksumOf(record.String(), sum)})
}
