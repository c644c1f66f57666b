package httpapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/garagego/garage/node"
	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/s3/sigv4"
)

// Doer runs an operation on the node: the runtime server's Do. Keys and
// buckets are looked up through it.
type Doer interface {
	Do(ctx context.Context, op node.Op) (any, error)
}

// SigV4 authenticates requests signed with AWS Signature V4 (an
// Authorization header or a presigned URL's query) for one service and
// region.
type SigV4 struct {
	Service string // the scope's service: "s3", "k2v"
	Region  string
	Now     func() time.Time // the clock signing times are checked against
}

// Signed is what a verified signature establishes: the key that signed,
// and the body to read through the checks the signature calls for.
type Signed struct {
	Key  model.Key
	Body *VerifiedBody
}

// Authenticate checks r's SigV4 signature against its access key's
// secret, looked up through d. A request that carries no SigV4
// signature is not signed (false, no error): what such a request may do is
// the API's to decide.
func (s SigV4) Authenticate(ctx context.Context, d Doer, r *http.Request, query url.Values) (Signed, bool, error) {
	req := SigV4Request(r, query)
	auth, signed, err := sigv4.Parse(req)
	if err != nil || !signed {
		return Signed{}, signed, err
	}
	key, err := LookupKey(ctx, d, auth.AccessKey)
	if err != nil {
		return Signed{}, true, err
	}
	verified, err := auth.VerifyService(req, key.Secret, s.Region, s.Service, s.Now())
	if err != nil {
		return Signed{}, true, err
	}
	body, err := BodyFor(r, verified)
	if err != nil {
		return Signed{}, true, err
	}
	return Signed{Key: key, Body: body}, true, nil
}

// SigV4Request is what signature checks read of r (query: r's, parsed).
func SigV4Request(r *http.Request, query url.Values) sigv4.Request {
	req := sigv4.Request{Method: r.Method, EscapedPath: r.URL.EscapedPath(), Query: query, Header: r.Header, Host: r.Host}
	if len(r.TransferEncoding) > 0 {
		// Go moves Transfer-Encoding out of the headers; some SDKs sign it.
		req.Header = r.Header.Clone()
		req.Header["Transfer-Encoding"] = []string{strings.Join(r.TransferEncoding, ", ")}
	}
	return req
}

// IsNotFound reports whether err is the node's "no such key or bucket".
func IsNotFound(err error) bool { return errors.Is(err, admin.ErrNotFound) }

// LookupKey reads an access key; an unknown one is InvalidAccessKeyId.
// It may come from this node's own copy of the keys (admin.GetAccessKey).
func LookupKey(ctx context.Context, d Doer, id string) (model.Key, error) {
	return lookupKey(ctx, d, admin.GetAccessKey{ID: id})
}

func lookupKey(ctx context.Context, d Doer, op admin.GetAccessKey) (model.Key, error) {
	res, err := d.Do(ctx, op)
	if err != nil {
		if IsNotFound(err) {
			return model.Key{}, s3err.New(s3err.InvalidAccessKeyID, "The AWS access key Id you provided does not exist in our records.")
		}
		return model.Key{}, err
	}
	return res.(model.Key), nil
}

// ResolveBucket finds the bucket name means to key: its local alias for
// the key, else the global alias (the zero key has no local aliases). An
// unknown name is NoSuchBucket. It may come from this node's own copy of
// the buckets (admin.LookupBucket).
func ResolveBucket(ctx context.Context, d Doer, name string, key model.Key) (model.Bucket, error) {
	return resolveBucket(ctx, d, admin.LookupBucket{Name: name, Key: key})
}

func resolveBucket(ctx context.Context, d Doer, op admin.LookupBucket) (model.Bucket, error) {
	res, err := d.Do(ctx, op)
	if err != nil {
		if IsNotFound(err) {
			return model.Bucket{}, s3err.New(s3err.NoSuchBucket, "The specified bucket does not exist.")
		}
		return model.Bucket{}, err
	}
	return res.(model.Bucket), nil
}

// RereadAccess reads the key keyID ("" for an anonymous request) and the
// bucket name means to it again, with a quorum: what a request does before
// it refuses for a missing right, since a local copy can lag a grant.
func RereadAccess(ctx context.Context, d Doer, keyID, name string) (model.Key, model.Bucket, error) {
	var key model.Key
	if keyID != "" {
		var err error
		if key, err = lookupKey(ctx, d, admin.GetAccessKey{ID: keyID, Quorum: true}); err != nil {
			return model.Key{}, model.Bucket{}, err
		}
	}
	b, err := resolveBucket(ctx, d, admin.LookupBucket{Name: name, Key: key, Quorum: true})
	return key, b, err
}

// VerifiedBody is a request body read through the checks its signature
// calls for: a SHA-256 the client declared, or the signatures of an
// aws-chunked stream, which also carries a trailer.
type VerifiedBody struct {
	io.Reader
	Chunked *sigv4.ChunkedReader // nil unless the body is aws-chunked
	// Size is the length of the decoded content, -1 if unknown.
	Size int64
}

// Trailer returns the trailing headers of an aws-chunked body (after EOF).
func (b *VerifiedBody) Trailer() map[string]string {
	if b.Chunked == nil {
		return nil
	}
	return b.Chunked.Trailer()
}

// BodyFor wraps r's body in the checks its x-amz-content-sha256 declares.
func BodyFor(r *http.Request, v sigv4.Verified) (*VerifiedBody, error) {
	b := &VerifiedBody{Reader: r.Body, Size: r.ContentLength}
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
	b.Chunked = sigv4.NewChunkedReader(r.Body, chunkMode, v)
	b.Reader = b.Chunked
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
	b.Chunked.SetDecodedLength(n)
	b.Size = n
	return b, nil
}
