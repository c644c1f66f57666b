package s3api

import (
	"net/http"
	"strconv"

	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
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
	headers = withObjectACL(headers, objACL)
	// The upload's data key is drawn now; every part is sealed with it.
	target, err := rq.writeTarget(rq.r.Header)
	if err != nil {
		return err
	}
	enc, err := rq.newEncryption(target, nil)
	if err != nil {
		return err
	}
	w, err := rq.api.backend.CreateMultipart(rq.ctx, rq.bucket.ID, rq.key, enc.withHeaders(headers))
	if err != nil {
		return err
	}
	enc.setResponseHeaders(rq.w.Header())
	if algo := rq.r.Header.Get("x-amz-checksum-algorithm"); algo != "" {
		rq.w.Header().Set("x-amz-checksum-algorithm", algo)
	}
	return rq.writeXML(http.StatusOK, s3xml.InitiateMultipartUploadResult{Bucket: rq.bucketName, Key: rq.key, UploadID: w.Version.String()})
}

func (rq *request) uploadPart() error {
	upload, part, err := rq.partTarget()
	if err != nil {
		return err
	}
	if rq.body.size > maxPutSize {
		return s3err.New(s3err.EntityTooLarge, "A part may hold at most 5 GiB.")
	}
	cs, err := requestChecksum(rq.r.Header)
	if err != nil {
		return err
	}
	enc, err := rq.uploadEncryption(upload)
	if err != nil {
		return err
	}
	var stored model.Header
	check := rq.bodyCheck(cs)
	etag, _, err := rq.api.backend.PutPartSealed(rq.ctx, rq.bucket.ID, rq.key, upload, part, cs.wrap(rq.body), enc.etagCheck(func(meta *model.ObjectMeta) error {
		if err := check(meta); err != nil {
			return err
		}
		if cs != nil {
			stored = model.Header{Name: cs.header, Value: headerValue(meta.Headers, cs.header)}
		}
		return nil
	}), enc.sealer())
	if err != nil {
		return err
	}
	rq.w.Header().Set("ETag", quote(etag))
	enc.setResponseHeaders(rq.w.Header())
	if stored.Name != "" {
		rq.w.Header().Set(stored.Name, stored.Value)
	}
	return rq.writeEmpty(http.StatusOK)
}

func (rq *request) completeMultipartUpload() error {
	upload, err := rq.uploadID()
	if err != nil {
		return err
	}
	data, err := rq.readBody(maxXMLBody)
	if err != nil {
		return err
	}
	req, err := s3xml.ParseCompleteMultipart(data)
	if err != nil {
		return err
	}
	op := object.CompleteMultipart{Bucket: rq.bucket.ID, Key: rq.key, UploadID: upload}
	for _, p := range req.Parts {
		if p.PartNumber < 1 || p.PartNumber > object.MaxPartNumber {
			return s3err.New(s3err.InvalidArgument, "Part number must be an integer between 1 and 10000, inclusive.")
		}
		op.Parts = append(op.Parts, object.CompletedPart{Number: uint32(p.PartNumber), ETag: p.ETag})
	}
	if err := rq.checkWriteConditions(); err != nil {
		return err
	}
	if sse.HasCustomerHeaders(rq.r.Header, false) {
		// Not needed to complete, but a key that is given must be the
		// upload's.
		if _, err := rq.uploadEncryption(upload); err != nil {
			return err
		}
	}
	done, err := rq.api.backend.CompleteMultipart(rq.ctx, op)
	if err != nil {
		return err
	}
	rq.setStamp(done.Stamp())
	if p, err := sse.ParseParams(headerValue(done.Meta.Headers, sseHeader)); err == nil && p.Mode == sse.Managed {
		rq.w.Header().Set(sse.HeaderSSE, sse.AES256)
	}
	return rq.writeXML(http.StatusOK, s3xml.CompleteMultipartUploadResult{Location: "/" + rq.bucketName + "/" + rq.key,
		Bucket: rq.bucketName, Key: rq.key, ETag: s3xml.ETag(done.Meta.ETag)})
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
	out := s3xml.ListPartsResult{Bucket: rq.bucketName, Key: rq.key, UploadID: upload.String(), PartNumberMarker: int(after),
		MaxParts: limit, IsTruncated: list.More, StorageClass: "STANDARD", Owner: owner, Initiator: owner}
	for _, p := range list.Parts {
		out.Parts = append(out.Parts, s3xml.Part{PartNumber: int(p.Number), LastModified: s3xml.Time(millisTime(p.Timestamp)),
			ETag: s3xml.ETag(p.ETag), Size: p.Size})
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
				StorageClass: "STANDARD", Owner: owner, Initiator: owner})
			out.NextKeyMarker, out.NextUploadIDMarker = l.enc(u.Key), id
		}
		if !list.More {
			return rq.writeXML(http.StatusOK, out)
		}
		start = list.Next
	}
}
