package s3api

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/s3/sigv2"
	"github.com/garagego/garage/node/s3/sigv4"
)

// verifiedBody is a request body read through the checks its signature
// calls for: a SHA-256 the client declared, or the signatures of an
// aws-chunked stream, which also carries a trailer.
type verifiedBody struct {
	io.Reader
	chunked *sigv4.ChunkedReader // nil unless the body is aws-chunked
	// size is the length of the decoded content, -1 if unknown.
	size int64
}

// trailer returns the trailing headers of an aws-chunked body (after EOF).
func (b *verifiedBody) trailer() map[string]string {
	if b.chunked == nil {
		return nil
	}
	return b.chunked.Trailer()
}

func isNotFound(err error) bool { return errors.Is(err, admin.ErrNotFound) }

// sigv4Request is what signature checks read of the request.
func (rq *request) sigv4Request() sigv4.Request {
	return sigv4.Request{Method: rq.r.Method, EscapedPath: rq.r.URL.EscapedPath(), Query: rq.query, Header: rq.r.Header, Host: rq.r.Host}
}

// authenticate checks the request's signature (SigV2's if the request
// asks for it, SigV4's otherwise) against its key's secret and sets up its
// body to be verified as it is read.
func (rq *request) authenticate() error {
	if v2 := rq.sigv2Request(); sigv2.Claims(v2) {
		return rq.authenticateV2(v2)
	}
	req := rq.sigv4Request()
	if len(rq.r.TransferEncoding) > 0 {
		// Go moves Transfer-Encoding out of the headers; some SDKs sign it.
		req.Header = rq.r.Header.Clone()
		req.Header["Transfer-Encoding"] = []string{strings.Join(rq.r.TransferEncoding, ", ")}
	}
	auth, signed, err := sigv4.Parse(req)
	if err != nil {
		return err
	}
	if !signed {
		return rq.anonymousAccess()
	}
	key, err := rq.lookupKey(auth.AccessKey)
	if err != nil {
		return err
	}
	verified, err := auth.Verify(req, key.Secret, rq.api.cfg.Region, rq.api.cfg.Now())
	if err != nil {
		return err
	}
	rq.accessKey = key
	rq.body, err = bodyFor(rq, verified)
	return err
}

// anonymousAccess lets an unsigned request on: it has no key (principal
// ""), so only what the bucket's policy or ACLs grant to everyone is
// authorized (authorize), by global alias only. Its body is taken as
// sent; an aws-chunked one carries signatures nobody can check, and is
// refused.
func (rq *request) anonymousAccess() error {
	if strings.HasPrefix(rq.r.Header.Get("x-amz-content-sha256"), "STREAMING-") ||
		strings.Contains(strings.ToLower(rq.r.Header.Get("Content-Encoding")), "aws-chunked") {
		return s3err.New(s3err.AccessDenied, "Anonymous requests cannot send aws-chunked bodies: sign the request with an access key.")
	}
	rq.body = &verifiedBody{Reader: rq.r.Body, size: rq.r.ContentLength}
	return nil
}

// lookupKey reads an access key; an unknown one is InvalidAccessKeyId.
func (rq *request) lookupKey(id string) (model.Key, error) {
	res, err := rq.api.backend.Do(rq.ctx, admin.GetAccessKey{ID: id})
	if err != nil {
		if isNotFound(err) {
			return model.Key{}, s3err.New(s3err.InvalidAccessKeyID, "The AWS access key Id you provided does not exist in our records.")
		}
		return model.Key{}, err
	}
	return res.(model.Key), nil
}

// bodyFor wraps the request body in the checks its x-amz-content-sha256
// declares.
func bodyFor(rq *request, v sigv4.Verified) (*verifiedBody, error) {
	r := rq.r
	b := &verifiedBody{Reader: r.Body, size: r.ContentLength}
	payload, err := sigv4.ParseContentSHA256(v.ContentSHA256)
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
	chunkMode := payload.Chunked
	b.chunked = sigv4.NewChunkedReader(r.Body, chunkMode, v)
	b.Reader = b.chunked
	// S3 requires the decoded length of an aws-chunked body: without it
	// a body cut short at a chunk boundary would look complete.
	values, present := r.Header[http.CanonicalHeaderKey("x-amz-decoded-content-length")]
	if !present {
		return nil, s3err.New(s3err.MissingContentLength, "An aws-chunked body needs the x-amz-decoded-content-length header.")
	}
	n, err := strconv.ParseInt(values[0], 10, 64)
	if err != nil || n < 0 || len(values) > 1 {
		return nil, s3err.New(s3err.InvalidArgument, "x-amz-decoded-content-length %q is not a length.", strings.Join(values, ","))
	}
	b.chunked.SetDecodedLength(n)
	b.size = n
	return b, nil
}
