package s3api

import (
	"net/http"
	"strings"

	"github.com/garagego/garage/node/runtime/httpapi"
	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/s3/sigv2"
	"github.com/garagego/garage/node/s3/sigv4"
)

// sigv2Request is what a Signature Version 2 check reads of the request:
// the path exactly as sent, and the bucket the addressing found, with
// whether the Host header named it.
func (rq *request) sigv2Request() sigv2.Request {
	return sigv2.Request{
		Method: rq.r.Method, EscapedPath: requestPath(rq.r), Query: rq.query, Header: rq.r.Header,
		Bucket: rq.bucketName, VirtualHost: rq.api.hostBucket(rq.r) != "",
	}
}

// requestPath is the path of the request line as the client sent it: V2
// signs it literally, where r.URL.EscapedPath() may re-encode it.
func requestPath(r *http.Request) string {
	if p, _, _ := strings.Cut(r.RequestURI, "?"); strings.HasPrefix(p, "/") {
		return p
	}
	return r.URL.EscapedPath()
}

// authenticateV2 checks a Signature Version 2 header or presigned URL.
// V2 has no region to check and does not sign the body.
func (rq *request) authenticateV2(req sigv2.Request) error {
	auth, err := sigv2.Parse(req)
	if err != nil {
		return err
	}
	key, err := rq.lookupKey(auth.AccessKey)
	if err != nil {
		if e, ok := s3err.As(err); ok && e.Code == s3err.InvalidAccessKeyID {
			e.With("AWSAccessKeyId", auth.AccessKey)
		}
		return err
	}
	if err := auth.Verify(req, key.Secret, rq.api.cfg.Now()); err != nil {
		return err
	}
	rq.accessKey = key
	rq.body, err = bodyForV2(rq.r)
	return err
}

// bodyForV2 is the body of a V2-signed request. The signature does not
// cover it: it is checked against the Content-MD5 the handlers verify
// before committing (bodyCheck, readBody) and, should the client have
// declared one, against its x-amz-content-sha256. An aws-chunked body is
// refused: its framing is verified with SigV4's chunk signatures, and
// stored as it is it would be corrupt.
func bodyForV2(r *http.Request) (*httpapi.VerifiedBody, error) {
	b := &httpapi.VerifiedBody{Reader: r.Body, Size: r.ContentLength}
	for _, c := range strings.Split(strings.Join(r.Header.Values("Content-Encoding"), ","), ",") {
		if strings.EqualFold(strings.TrimSpace(c), "aws-chunked") {
			return nil, s3err.New(s3err.InvalidRequest, "An aws-chunked body needs Signature Version 4; this request is signed with Signature Version 2.")
		}
	}
	values, declared := r.Header[http.CanonicalHeaderKey("x-amz-content-sha256")]
	if !declared {
		return b, nil
	}
	payload, err := sigv4.ParseContentSHA256(strings.Join(values, ","))
	if err != nil {
		return nil, err
	}
	switch payload.Mode {
	case sigv4.PayloadUnsigned:
		return b, nil
	case sigv4.PayloadHash:
		b.Reader = sigv4.NewPayloadChecker(r.Body, payload.SHA256)
		return b, nil
	}
	return nil, s3err.New(s3err.InvalidRequest, "An aws-chunked body (x-amz-content-sha256: %s) needs Signature Version 4; this request is signed with Signature Version 2.", payload.Chunked)
}

// authenticatePostV2 checks a browser form whose policy is signed with
// V2: Signature is the HMAC-SHA1 of the base64 policy under the secret of
// AWSAccessKeyId. The policy's expiration is its only time limit, as in S3.
func (rq *request) authenticatePostV2(fields map[string]string) error {
	keyID, signature, err := sigv2.PostCredentials(fields)
	if err != nil {
		return err
	}
	accessKey, err := rq.lookupKey(keyID)
	if err != nil {
		return err
	}
	if err := sigv2.VerifyPost(fields["policy"], keyID, signature, accessKey.Secret); err != nil {
		return err
	}
	rq.accessKey = accessKey
	return nil
}
