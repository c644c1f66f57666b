package s3api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/garagego/garage/node/checksum"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/runtime/server"
	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/s3/s3xml"
	"github.com/garagego/garage/node/s3/sse"
)

// uploadID reads the uploadId parameter; one that cannot be an upload's
// id names no upload.
func (rq *request) uploadID() (model.VersionID, error) {
	id, err := model.ParseVersionID(rq.query.Get("uploadId"))
	if err != nil {
		return id, s3err.New(s3err.NoSuchUpload, "The specified multipart upload does not exist: malformed upload id.")
	}
	return id, nil
}

// partTarget reads the upload and the part number a part upload names.
func (rq *request) partTarget() (model.VersionID, uint32, error) {
	upload, err := rq.uploadID()
	if err != nil {
		return upload, 0, err
	}
	part, err := rq.partNumber()
	return upload, part, err
}

// partNumber reads the partNumber parameter.
func (rq *request) partNumber() (uint32, error) {
	v := rq.query.Get("partNumber")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > object.MaxPartNumber {
		return 0, s3err.New(s3err.InvalidArgument, "Part number must be an integer between 1 and 10000, inclusive, not %q.", v)
	}
	return uint32(n), nil
}

// uploadChecksum reads the checksum a CreateMultipartUpload asks for, as S3
// does: x-amz-checksum-algorithm, and x-amz-checksum-type only with it and
// only in a combination S3 allows (FULL_OBJECT for the CRCs, COMPOSITE for
// all but CRC64NVME). Without a type the algorithm's default applies.
func uploadChecksum(h http.Header) (checksum.Spec, error) {
	algo, err := parseAlgorithmHeader(h, "x-amz-checksum-algorithm")
	if err != nil {
		return checksum.Spec{}, err
	}
	typ, err := parseTypeHeader(h)
	if err != nil {
		return checksum.Spec{}, err
	}
	switch {
	case typ != checksum.TypeNone && algo == checksum.None:
		return checksum.Spec{}, s3err.New(s3err.InvalidRequest, "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")
	case algo == checksum.None:
		return checksum.Spec{}, nil
	case typ == checksum.TypeNone:
		typ = algo.DefaultType()
	case !algo.Supports(typ):
		return checksum.Spec{}, s3err.New(s3err.InvalidRequest, "The %s checksum type cannot be used with the %s checksum algorithm.", typ, algo.Lower())
	}
	return checksum.Spec{Algorithm: algo, Type: typ}, nil
}

func (rq *request) createMultipartUpload() error {
	headers, err := objectHeaders(rq.r.Header)
	if err != nil {
		return err
	}
	// The upload keeps the ACL; the object it completes into gets it.
	objACL, err := rq.objectACLForWrite(rq.r.Header, rq.key)
	if err != nil {
		return err
	}
	// So do its tags.
	tags, err := requestTags(rq.r.Header)
	if err != nil {
		return err
	}
	headers = withTags(withObjectACL(headers, objACL), tags)
	if headers, err = rq.withLockHeaders(headers); err != nil {
		return err
	}
	// The upload's data key is drawn now; every part is sealed with it.
	target, err := rq.writeTarget(rq.r.Header)
	if err != nil {
		return err
	}
	enc, err := rq.newEncryption(target, nil)
	if err != nil {
		return err
	}
	spec, err := uploadChecksum(rq.r.Header)
	if err != nil {
		return err
	}
	w, err := rq.api.backend.CreateMultipartWith(rq.ctx, rq.bucket.ID, rq.key, enc.withHeaders(headers), spec, rq.versioned())
	if err != nil {
		return err
	}
	enc.setResponseHeaders(rq.w.Header())
	if spec.Algorithm.Valid() {
		rq.w.Header().Set("x-amz-checksum-algorithm", spec.Algorithm.String())
		rq.w.Header().Set(checksumTypeHeader, spec.Type.String())
	}
	return rq.writeXML(http.StatusOK, s3xml.InitiateMultipartUploadResult{Bucket: rq.bucketName, Key: rq.key, UploadID: w.Version.String()})
}

// partChecksums decides, once a part upload is accepted, which checksums
// are computed over its body: the one the client declared (decl), and the
// one recorded with the part, in the upload's effective algorithm. An
// upload created with an algorithm takes parts with that checksum only,
// and, if it is composite, only parts that come with theirs (S3's rule: a
// composite checksum combines what the client computed).
func partChecksums(s *summer, decl *declared, spec checksum.Spec) (checksum.Algorithm, error) {
	eff := spec.Effective()
	if spec.Algorithm.Valid() {
		actual := "null"
		if decl != nil {
			actual = decl.algo.Lower()
		}
		if decl != nil && decl.algo != spec.Algorithm || decl == nil && eff.Type == checksum.Composite {
			return checksum.None, s3err.New(s3err.InvalidRequest, "Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s", spec.Algorithm.Lower(), actual)
		}
	}
	if decl != nil {
		s.add(decl.algo)
	}
	s.add(eff.Algorithm)
	return eff.Algorithm, nil
}

func (rq *request) uploadPart() error {
	upload, part, err := rq.partTarget()
	if err != nil {
		return err
	}
	if rq.body.Size > maxPutSize {
		return s3err.New(s3err.EntityTooLarge, "A part may hold at most 5 GiB.")
	}
	decl, err := requestChecksum(rq.r.Header)
	if err != nil {
		return err
	}
	enc, err := rq.uploadEncryption(upload)
	if err != nil {
		return err
	}
	// The part's ETag, for SSE-C keyed by the upload's key, replaces the
	// plaintext MD5 once the body checks passed.
	etagCheck := enc.etagCheck(nil)
	sums := newSummer(rq.body)
	var record checksum.Algorithm
	etag, _, sum, err := rq.api.backend.PutPartWith(rq.ctx, server.PartUpload{
		Bucket: rq.bucket.ID, Key: rq.key, Upload: upload, Part: part, Body: sums, Seal: enc.sealer(),
		Begun: func(b object.PartBegun) error {
			algo, err := partChecksums(sums, decl, b.Checksum)
			record = algo
			return err
		},
		Check: func(meta *model.ObjectMeta) (string, error) {
			if err := rq.checkBody(*meta, decl, sums); err != nil {
				return "", err
			}
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
	h := rq.w.Header()
	h.Set("ETag", quote(etag))
	enc.setResponseHeaders(h)
	if decl != nil && decl.algo != record {
		h.Set(decl.algo.Header(), sums.value(decl.algo))
	}
	h.Set(record.Header(), sum)
	return rq.writeEmpty(http.StatusOK)
}

// completedParts reads the parts of a completion, each with the one
// checksum it may list.
func completedParts(parts []s3xml.CompletedPart) ([]object.CompletedPart, error) {
	var out []object.CompletedPart
	for _, p := range parts {
		if p.PartNumber < 1 || p.PartNumber > object.MaxPartNumber {
			return nil, s3err.New(s3err.InvalidArgument, "Part number must be an integer between 1 and 10000, inclusive.")
		}
		cp := object.CompletedPart{Number: uint32(p.PartNumber), ETag: p.ETag}
		names, values := p.Checksums.Set()
		if len(names) > 1 {
			return nil, s3err.New(s3err.InvalidArgument, "Invalid Base64 or multiple checksums present in request (part %d lists %s).", p.PartNumber, strings.Join(names, ", "))
		}
		if len(names) == 1 {
			a, err := checksum.ParseAlgorithm(names[0])
			if err == nil {
				_, err = a.Decode(values[0])
			}
			if err != nil {
				return nil, s3err.New(s3err.InvalidArgument, "Invalid Base64 or multiple checksums present in request (part %d: %s %q).", p.PartNumber, names[0], values[0])
			}
			cp.ChecksumAlgorithm, cp.Checksum = a, values[0]
		}
		out = append(out, cp)
	}
	return out, nil
}

func (rq *request) completeMultipartUpload() error {
	upload, err := rq.uploadID()
	if err != nil {
		return err
	}
	h := rq.r.Header
	typ, err := parseTypeHeader(h)
	if err != nil {
		return err
	}
	stated, err := completeChecksum(h)
	if err != nil {
		return err
	}
	var size *uint64
	if v := h.Get("x-amz-mp-object-size"); v != "" {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		switch {
		case err != nil:
			return s3err.New(s3err.InvalidRequest, "Value for x-amz-mp-object-size header is invalid: %q.", v)
		case n < 0:
			return s3err.New(s3err.InvalidRequest, "Value for x-amz-mp-object-size header is less than zero: '%d'", n)
		}
		u := uint64(n)
		size = &u
	}
	cond, err := writeCondition(h)
	if err != nil {
		return err
	}
	// The body is the parts list: its x-amz-checksum-* headers are the
	// object's, so only its Content-MD5 is checked against it.
	data, err := rq.readBodyChecked(maxXMLBody, nil)
	if err != nil {
		return err
	}
	req, err := s3xml.ParseCompleteMultipart(data)
	if err != nil {
		return err
	}
	parts, err := completedParts(req.Parts)
	if err != nil {
		return err
	}
	if sse.HasCustomerHeaders(rq.r.Header, false) {
		// Not needed to complete, but a key that is given must be the
		// upload's.
		if _, err := rq.uploadEncryption(upload); err != nil {
			return err
		}
	}
	op := object.CompleteMultipart{Bucket: rq.bucket.ID, Key: rq.key, UploadID: upload, Parts: parts,
		Cond: cond, ChecksumType: typ, Checksum: stated, Size: size}
	done, err := rq.api.backend.CompleteMultipart(rq.ctx, op)
	if err != nil {
		return err
	}
	rq.setStamp(done.Stamp())
	rq.setVersionID(done.S3VersionID())
	if p, err := sse.ParseParams(headerValue(done.Meta.Headers, sseHeader)); err == nil && p.Mode == sse.Managed {
		rq.w.Header().Set(sse.HeaderSSE, sse.AES256)
	}
	sum := objectChecksum(done.Meta.Headers)
	return rq.writeXML(http.StatusOK, s3xml.CompleteMultipartUploadResult{Location: "/" + rq.bucketName + "/" + rq.key,
		Bucket: rq.bucketName, Key: rq.key, ETag: s3xml.ETag(done.Meta.ETag),
		Checksums: s3xml.ChecksumOf(sum.algo.String(), sum.value), ChecksumType: sum.typ})
}

func (rq *request) abortMultipartUpload() error {
	upload, err := rq.uploadID()
	if err != nil {
		return err
	}
	if err := rq.api.backend.AbortMultipart(rq.ctx, rq.bucket.ID, rq.key, upload); err != nil {
		return err
	}
	return rq.writeEmpty(http.StatusNoContent)
}

func (rq *request) listParts() error {
	upload, err := rq.uploadID()
	if err != nil {
		return err
	}
	q := rq.query
	limit, err := maxKeys(q, "max-parts")
	if err != nil {
		return err
	}
	var after uint64
	if v := q.Get("part-number-marker"); v != "" {
		if after, err = strconv.ParseUint(v, 10, 32); err != nil {
			return s3err.New(s3err.InvalidArgument, "part-number-marker must be a part number, not %q.", v)
		}
	}
	res, err := rq.api.backend.Do(rq.ctx, object.ListParts{Bucket: rq.bucket.ID, Key: rq.key, UploadID: upload, After: uint32(after), Limit: max(limit, 1)})
	if err != nil {
		return err
	}
	list := res.(object.PartList)
	owner := rq.owner()
	eff := list.Checksum.Effective()
	out := s3xml.ListPartsResult{Bucket: rq.bucketName, Key: rq.key, UploadID: upload.String(), PartNumberMarker: int(after),
		MaxParts: limit, IsTruncated: list.More, StorageClass: storageClassOf(list.Meta.Headers), Owner: owner, Initiator: owner,
		ChecksumAlgorithm: eff.Algorithm.String(), ChecksumType: eff.Type.String()}
	for _, p := range list.Parts {
		out.Parts = append(out.Parts, s3xml.Part{PartNumber: int(p.Number), LastModified: s3xml.Time(millisTime(p.Timestamp)),
			ETag: s3xml.ETag(p.ETag), Size: p.Size, Checksums: s3xml.ChecksumOf(eff.Algorithm.String(), p.Checksum)})
	}
	if list.More {
		out.NextPartNumberMarker = int(list.Next)
	} else if n := len(list.Parts); n > 0 {
		out.NextPartNumberMarker = int(list.Parts[n-1].Number)
	}
	return rq.writeXML(http.StatusOK, out)
}

func (rq *request) listMultipartUploads() error {
	q := rq.query
	l, err := readListing(q, "max-uploads")
	if err != nil {
		return err
	}
	prefix, delimiter := q.Get("prefix"), q.Get("delimiter")
	keyMarker, idMarker := q.Get("key-marker"), q.Get("upload-id-marker")
	out := s3xml.ListMultipartUploadsResult{Bucket: rq.bucketName, KeyMarker: l.enc(keyMarker), UploadIDMarker: idMarker,
		Prefix: l.enc(prefix), Delimiter: l.enc(delimiter), MaxUploads: l.limit, EncodingType: l.encType}
	owner := rq.owner()
	start := max(prefix, keyMarker)
	passedMarker := false
	count := 0
	lastPrefix := ""
	for {
		res, err := rq.api.backend.Do(rq.ctx, object.ListMultipartUploads{Bucket: rq.bucket.ID, Prefix: prefix, Start: start, Limit: maxListKeys})
		if err != nil {
			return err
		}
		list := res.(object.UploadList)
		for _, u := range list.Uploads {
			id := u.UploadID.String()
			if u.Key < keyMarker {
				continue
			}
			if u.Key == keyMarker && (idMarker == "" || !passedMarker) {
				// Without an upload-id-marker the marker's key is done;
				// with one, its uploads up to that one are.
				passedMarker = passedMarker || id == idMarker
				continue
			}
			cp, rolled := commonPrefix(u.Key, prefix, delimiter)
			if rolled && (cp == lastPrefix || cp <= keyMarker) {
				continue
			}
			if count == l.limit {
				out.IsTruncated = true
				return rq.writeXML(http.StatusOK, out)
			}
			count++
			if rolled {
				lastPrefix = cp
				out.CommonPrefixes = append(out.CommonPrefixes, s3xml.CommonPrefix{Prefix: l.enc(cp)})
				out.NextKeyMarker, out.NextUploadIDMarker = l.enc(cp), ""
				continue
			}
			out.Uploads = append(out.Uploads, s3xml.Upload{Key: l.enc(u.Key), UploadID: id, Initiated: s3xml.Time(millisTime(u.Timestamp)),
				StorageClass: storageClassOf(u.Meta.Headers), Owner: owner, Initiator: owner})
			out.NextKeyMarker, out.NextUploadIDMarker = l.enc(u.Key), id
		}
		if !list.More {
			return rq.writeXML(http.StatusOK, out)
		}
		start = list.Next
	}
}
