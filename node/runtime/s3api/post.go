package s3api

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/garagego/garage/node/checksum"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/runtime/server"
	"github.com/garagego/garage/node/s3/postpolicy"
	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/s3/s3xml"
	"github.com/garagego/garage/node/s3/sigv2"
	"github.com/garagego/garage/node/s3/sigv4"
	"github.com/garagego/garage/node/s3/sse"
)

// maxFormFields bounds the size of a POST form's fields before the file.
const maxFormFields = 64 << 10

func isFormUpload(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "multipart/form-data"
}

// postObject answers a browser-based upload (PostObject): a form whose
// fields carry a policy signed with the key's secret, then the file.
func (rq *request) postObject() error {
	mr, err := rq.r.MultipartReader()
	if err != nil {
		return s3err.New(s3err.MalformedPOSTRequest, "The body of your POST request is not well-formed multipart/form-data: %v.", err)
	}
	fields := map[string]string{}
	var file *multipart.Part
	budget := maxFormFields
	for file == nil {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return s3err.New(s3err.InvalidArgument, "POST requires exactly one file upload per request.")
		}
		if err != nil {
			return s3err.New(s3err.MalformedPOSTRequest, "The body of your POST request is not well-formed multipart/form-data: %v.", err)
		}
		name := strings.ToLower(part.FormName())
		if name == "file" {
			file = part
			break
		}
		value, err := io.ReadAll(io.LimitReader(part, int64(budget)+1))
		if err != nil {
			return s3err.New(s3err.MalformedPOSTRequest, "The body of your POST request is not well-formed multipart/form-data: %v.", err)
		}
		if budget -= len(value); budget < 0 {
			return s3err.New(s3err.MalformedPOSTRequest, "The form fields of your POST request exceed %d bytes.", maxFormFields)
		}
		fields[name] = string(value)
	}
	key := fields["key"]
	if key == "" {
		return s3err.New(s3err.InvalidArgument, "Bucket POST must contain a field named 'key'.")
	}
	key = strings.ReplaceAll(key, "${filename}", file.FileName())
	if len(key) > MaxKeyLength {
		return s3err.New(s3err.KeyTooLong, "Your key is too long.")
	}
	if err := rq.authenticatePost(fields, key); err != nil {
		return err
	}
	rq.key = key
	if err := rq.resolveBucket(); err != nil {
		return err
	}
	if err := rq.authorize(check{ac: rq.access, bucket: rq.bucketName, key: key, action: endpointActions["PostObject"], need: needWrite}); err != nil {
		return err
	}
	rq.addCORSHeaders()
	policy, err := postpolicy.Parse(fields["policy"])
	if err != nil {
		return err
	}
	checked := map[string]string{"bucket": rq.bucketName}
	for k, v := range fields {
		checked[k] = v
	}
	checked["key"] = key
	if err := policy.Check(checked, rq.api.cfg.Now()); err != nil {
		return err
	}
	if err := refuseUnimplemented(rq.r.Header); err != nil {
		return err
	}
	if err := rq.checkEncryptionHeaders("PostObject"); err != nil {
		return err // a form's encryption is in its fields, not the request's headers
	}
	if err := refuseUnimplemented(formRequestHeaders(fields)); err != nil {
		return err
	}
	headers, err := objectHeaders(formHeaders(fields))
	if err != nil {
		return err
	}
	objACL, err := rq.objectACLForWrite(formRequestHeaders(fields), key)
	if err != nil {
		return err
	}
	headers = withObjectACL(headers, objACL)
	encFields := formEncryptionHeaders(fields)
	if sse.HasCustomerHeaders(encFields, false) && !rq.secureForKeys() {
		return errInsecureKeys()
	}
	target, err := rq.writeTarget(encFields)
	if err != nil {
		return err
	}
	enc, err := rq.newEncryption(target, nil)
	if err != nil {
		return err
	}
	headers = enc.withHeaders(headers)
	minSize, maxSize, limited := policy.ContentLengthRange()
	body := io.Reader(file)
	if limited {
		body = io.LimitReader(file, maxSize+1)
	}
	// A checksum field is checked as its header would be; the object keeps
	// it, or S3's default.
	decl, err := requestChecksum(formChecksumFields(fields))
	if err != nil {
		return err
	}
	store := checksum.Default.Algorithm
	if decl != nil {
		store = decl.algo
	}
	sums := newSummer(body, store)
	w, meta, err := rq.api.backend.PutObjectWith(rq.ctx, rq.bucket.ID, key, headers, sums, server.PutOptions{Seal: enc.sealer(), Versioned: rq.versioned(), Check: enc.etagCheck(func(meta *model.ObjectMeta) error {
		switch {
		case limited && int64(meta.Size) > maxSize:
			return s3err.New(s3err.EntityTooLarge, "Your proposed upload exceeds the maximum allowed size of the policy (%d bytes).", maxSize)
		case limited && int64(meta.Size) < minSize:
			return s3err.New(s3err.EntityTooSmall, "Your proposed upload is smaller than the minimum allowed size of the policy (%d bytes).", minSize)
		}
		if decl != nil {
			if err := decl.verify(sums, nil); err != nil {
				return err
			}
		}
		meta.Headers = withChecksum(meta.Headers, fullObject(sums, store))
		return nil
	})})
	if err != nil {
		return err
	}
	rq.setStamp(w.Stamp())
	rq.setVersionID(w.S3VersionID())
	enc.setResponseHeaders(rq.w.Header())
	etag := quote(meta.ETag)
	rq.w.Header().Set("ETag", etag)
	location := "/" + rq.bucketName + "/" + key
	rq.w.Header().Set("Location", location)
	if redirect := fields["success_action_redirect"]; redirect != "" {
		if u, err := url.Parse(redirect); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			q := u.Query()
			q.Set("bucket", rq.bucketName)
			q.Set("key", key)
			q.Set("etag", etag)
			u.RawQuery = q.Encode()
			rq.w.Header().Set("Location", u.String())
			return rq.writeEmpty(http.StatusSeeOther)
		}
	}
	switch fields["success_action_status"] {
	case "200":
		return rq.writeEmpty(http.StatusOK)
	case "201":
		return rq.writeXML(http.StatusCreated, s3xml.PostResponse{Location: location, Bucket: rq.bucketName, Key: key, ETag: s3xml.ETag(meta.ETag)})
	}
	return rq.writeEmpty(http.StatusNoContent)
}

// authenticatePost checks the form's policy signature: SigV2's if the form
// carries its fields, SigV4's otherwise.
func (rq *request) authenticatePost(fields map[string]string, key string) error {
	if fields["policy"] == "" {
		return s3err.New(s3err.AccessDenied, "Anonymous uploads are not allowed: the form needs a signed policy.")
	}
	if sigv2.IsPostForm(fields) {
		return rq.authenticatePostV2(fields)
	}
	if algo := fields["x-amz-algorithm"]; algo != "AWS4-HMAC-SHA256" {
		return s3err.New(s3err.InvalidArgument, "x-amz-algorithm must be AWS4-HMAC-SHA256, not %q.", algo)
	}
	credential := fields["x-amz-credential"]
	keyID, _, _ := strings.Cut(credential, "/")
	accessKey, err := rq.lookupKey(keyID)
	if err != nil {
		return err
	}
	if err := sigv4.VerifyPostSignature(fields["policy"], credential, fields["x-amz-date"], fields["x-amz-signature"],
		accessKey.Secret, rq.api.cfg.Region, rq.api.cfg.Now()); err != nil {
		return err
	}
	rq.accessKey = accessKey
	return nil
}

// formHeaders presents a form's header-like fields as request headers.
func formHeaders(fields map[string]string) http.Header {
	h := http.Header{}
	for name, v := range fields {
		if strings.HasPrefix(name, "x-amz-meta-") || slices.Contains(storedHeaders, name) {
			h.Set(name, v)
		}
	}
	return h
}

// formChecksumFields are the form's checksum fields (x-amz-checksum-*,
// x-amz-sdk-checksum-algorithm) as the headers they stand for.
func formChecksumFields(fields map[string]string) http.Header {
	h := http.Header{}
	for name, v := range fields {
		if strings.HasPrefix(name, checksumPrefix) || name == "x-amz-sdk-checksum-algorithm" {
			h.Set(name, v)
		}
	}
	return h
}

// formRequestHeaders presents every form field as the request header it
// stands for: the x-amz-* fields as they are, "acl" and "tagging" as
// x-amz-acl and x-amz-tagging.
func formRequestHeaders(fields map[string]string) http.Header {
	h := http.Header{}
	for name, v := range fields {
		switch name {
		case "acl":
			h.Set("x-amz-acl", v)
		case "tagging":
			h.Set("x-amz-tagging", v)
		default:
			h.Set(name, v)
		}
	}
	return h
}
