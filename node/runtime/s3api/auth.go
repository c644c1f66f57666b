package s3api

import (
	"strings"

	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/runtime/httpapi"
	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/s3/sigv2"
)

// authenticate checks the request's signature (SigV2's if the request
// asks for it, SigV4's otherwise) against its key's secret and sets up its
// body to be verified as it is read.
func (rq *request) authenticate() error {
	if v2 := rq.sigv2Request(); sigv2.Claims(v2) {
		return rq.authenticateV2(v2)
	}
	signed, ok, err := rq.api.sigv4.Authenticate(rq.ctx, rq.api.backend, rq.r, rq.query)
	if err != nil {
		return err
	}
	if !ok {
		return rq.anonymousAccess()
	}
	rq.accessKey, rq.body = signed.Key, signed.Body
	return nil
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
	rq.body = &httpapi.VerifiedBody{Reader: rq.r.Body, Size: rq.r.ContentLength}
	return nil
}

// lookupKey reads an access key; an unknown one is InvalidAccessKeyId.
func (rq *request) lookupKey(id string) (model.Key, error) {
	return httpapi.LookupKey(rq.ctx, rq.api.backend, id)
}
