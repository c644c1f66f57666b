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
	"github.com/garagego/garage/node/runtime/httpapi"
	"github.com/garagego/garage/node/runtime/server"
	"github.com/garagego/garage/node/s3/postpolicy"
	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/s3/s3xml"
	"github.com/garagego/garage/node/s3/sigv2"
	"github.com/garagego/garage/node/s3/sigv4"
	"github.com/garagego/garage/node/s3/sse"
	"github.com/garagego/garage/node/s3/tagging"
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
	fields, file, err := readFormFields(mr)
	if err != nil {
		return err
	}
	filename, err := formFileName(file)
	if err != nil {
		return err
	}
	key := strings.ReplaceAll(fields["key"], "${filename}", filename)
	if key == "" {
		return s3err.New(s3err.InvalidArgument, "Bucket POST must contain a field named 'key'. If it is specified, please check the order of the fields.").
			With("ArgumentName", "key").With("ArgumentValue", "")
	}
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
	httpapi.AddCORSHeaders(rq.bucket, rq.r, rq.w.Header())
	policy, err := postpolicy.Parse(fields["policy"])
	if err != nil {
		return err
	}
	if err := rq.checkPolicy(policy, fields, key); err != nil {
		return err
	}
	if err := refuseUnimplemented(rq.r.Header); err != nil {
		return err
	}
	if err := rq.checkEncryptionHeaders("PostObject"); err != nil {
		return err // a form's encryption is in its fields, not the request's headers
	}
	// A form takes no lock fields (nor headers); it gets the bucket's
	// default retention.
	if err := refuseMisplacedLock("PostObject", rq.r.Header); err != nil {
		return err
	}
	if err := refuseMisplacedLock("PostObject", formRequestHeaders(fields)); err != nil {
		return err
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
	tags, err := formTags(fields)
	if err != nil {
		return err
	}
	headers = withTags(withObjectACL(headers, objACL), tags)
	if headers, err = rq.withLockHeadersFrom(headers, http.Header{}, key); err != nil {
		return err
	}
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
	decl, store, err := formChecksum(fields)
	if err != nil {
		return err
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
	location := rq.objectURL(key)
	rq.w.Header().Set("Location", location)
	if redirect, ok := successRedirect(fields, rq.bucketName, key, etag); ok {
		rq.w.Header().Set("Location", redirect)
		return rq.writeEmpty(http.StatusSeeOther)
	}
	switch fields["success_action_status"] {
	case "200":
		return rq.writeEmpty(http.StatusOK)
	case "201":
		return rq.writeXML(http.StatusCreated, s3xml.PostResponse{Location: location, Bucket: rq.bucketName, Key: key, ETag: s3xml.ETag(meta.ETag)})
	}
	return rq.writeEmpty(http.StatusNoContent) // S3's default, and its answer to any other value
}

// readFormFields reads a form's fields up to its file part, names
// lowercased, within S3's budget for them. A name given twice has its
// values joined by commas, as S3 checks them against the policy.
func readFormFields(mr *multipart.Reader) (map[string]string, *multipart.Part, error) {
	fields := map[string]string{}
	budget := maxFormFields
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, nil, noFile()
		}
		if err != nil {
			return nil, nil, s3err.New(s3err.MalformedPOSTRequest, "The body of your POST request is not well-formed multipart/form-data: %v.", err)
		}
		name := strings.ToLower(part.FormName())
		if name == "file" {
			return fields, part, nil
		}
		value, err := io.ReadAll(io.LimitReader(part, int64(budget)+1))
		if err != nil {
			return nil, nil, s3err.New(s3err.MalformedPOSTRequest, "The body of your POST request is not well-formed multipart/form-data: %v.", err)
		}
		if budget -= len(value); budget < 0 {
			return nil, nil, s3err.New(s3err.MalformedPOSTRequest, "The form fields of your POST request exceed %d bytes.", maxFormFields)
		}
		if prev, seen := fields[name]; seen {
			value = append([]byte(prev+","), value...)
		}
		fields[name] = string(value)
	}
}

func noFile() error {
	return s3err.New(s3err.InvalidArgument, "POST requires exactly one file upload per request.").
		With("ArgumentName", "file").With("ArgumentValue", "0")
}

// formFileName is the name ${filename} stands for: the file part's file
// name without the path a browser may send with it (what follows the last
// slash or backslash, as S3 documents), "" for a text area (a part with no filename at
// all). A file input left empty sends filename="": S3 counts no file then.
func formFileName(file *multipart.Part) (string, error) {
	_, params, err := mime.ParseMediaType(file.Header.Get("Content-Disposition"))
	if err != nil {
		return "", s3err.New(s3err.MalformedPOSTRequest, "The file part of your POST request has a malformed Content-Disposition: %v.", err)
	}
	name, has := params["filename"]
	if has && name == "" {
		return "", noFile()
	}
	if i := strings.LastIndexAny(name, "/\\"); i >= 0 {
		name = name[i+1:]
	}
	return name, nil
}

// checkPolicy checks the form against its policy. The policy's bucket
// condition is held to the bucket the URL names, the one written: a form
// whose own bucket field names another is refused, so that a policy signed
// for one bucket never uploads into another.
func (rq *request) checkPolicy(policy postpolicy.Policy, fields map[string]string, key string) error {
	if b, ok := fields["bucket"]; ok && b != rq.bucketName {
		return s3err.New(s3err.AccessDenied, "Invalid according to Policy: the form's bucket field (%q) is not the bucket it is posted to (%q).", b, rq.bucketName)
	}
	checked := make(map[string]string, len(fields)+2)
	for k, v := range fields {
		checked[k] = v
	}
	checked["bucket"] = rq.bucketName
	checked["key"] = key
	return policy.Check(checked, rq.api.cfg.Now())
}

// formChecksum is the checksum a form declares for its file (nil if none)
// and the algorithm of the checksum the object is stored with: the
// declared one, else the one x-amz-checksum-algorithm names, else S3's
// default. An x-amz-checksum-algorithm naming another algorithm than the
// checksum sent is refused, as x-amz-sdk-checksum-algorithm is on a PUT.
func formChecksum(fields map[string]string) (*declared, checksum.Algorithm, error) {
	h := formChecksumFields(fields)
	decl, err := requestChecksum(h)
	if err != nil {
		return nil, checksum.None, err
	}
	named, err := parseAlgorithmHeader(h, "x-amz-checksum-algorithm")
	if err != nil {
		return nil, checksum.None, err
	}
	switch {
	case decl != nil && named != checksum.None && named != decl.algo:
		return nil, checksum.None, invalidValue("x-amz-checksum-algorithm")
	case decl != nil:
		return decl, decl.algo, nil
	case named != checksum.None:
		return nil, named, nil
	}
	return nil, checksum.Default.Algorithm, nil
}

// objectURL is the absolute URL of key in the request's bucket, as the
// request reached the store: its scheme (as a trusted proxy's
// X-Forwarded-Proto says, see clientOrigin), its Host, and the bucket in the
// host name (virtual-hosted style) or first in the path. The key is escaped
// as S3 escapes it there, '/' included.
func (rq *request) objectURL(key string) string {
	scheme := "http"
	if _, secure := rq.api.clientOrigin(rq); secure {
		scheme = "https"
	}
	path := "/" + escapeAll(key)
	if rq.api.hostBucket(rq.r) == "" {
		path = "/" + escapeAll(rq.bucketName) + path
	}
	return scheme + "://" + rq.r.Host + path
}

// successRedirect is where a successful upload sends its browser: the
// success_action_redirect field's URL (or the deprecated redirect field's,
// which S3 still honours), with the bucket, key and quoted ETag appended to
// its query in S3's order. ok is false without one, or when the URL is not
// an absolute http(s) URL: S3 ignores a URL it cannot interpret, and
// answers as success_action_status says.
func successRedirect(fields map[string]string, bucket, key, etag string) (string, bool) {
	target, ok := fields["success_action_redirect"]
	if !ok {
		target = fields["redirect"]
	}
	if target == "" {
		return "", false
	}
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	added := "bucket=" + url.QueryEscape(bucket) + "&key=" + url.QueryEscape(key) + "&etag=" + url.QueryEscape(etag)
	if u.RawQuery != "" {
		added = u.RawQuery + "&" + added
	}
	u.RawQuery = added
	return u.String(), true
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

// formTags reads the form's tagging field: a <Tagging> document, as S3
// takes it (not x-amz-tagging's query form).
func formTags(fields map[string]string) (tagging.Set, error) {
	v, ok := fields["tagging"]
	if !ok {
		return nil, nil
	}
	tags, err := tagging.ParseXML([]byte(v))
	if err != nil {
		return nil, err
	}
	return tags, tags.CheckObject()
}

// formRequestHeaders presents every form field as the request header it
// stands for: the x-amz-* fields as they are, "acl" as x-amz-acl. The
// tagging field is formTags'.
func formRequestHeaders(fields map[string]string) http.Header {
	h := http.Header{}
	for name, v := range fields {
		switch name {
		case "acl":
			h.Set("x-amz-acl", v)
		case "tagging":
		default:
			h.Set(name, v)
		}
	}
	return h
}
