package s3api

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/runtime/httpapi"
	"github.com/garagego/garage/node/runtime/server"
	"github.com/garagego/garage/node/s3/bucketcfg"
	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/s3/sse"
	"github.com/garagego/garage/node/wire"
)

// Server-side encryption. An encrypted object keeps its parameters
// (sse.Params: the data key wrapped by the customer's key or by the
// cluster's master key) in its sseHeader, an internal header; its data is
// sealed block by block by the runtime server (server.Sealer). The rules
// of which request may carry which header, and how each mistake is
// answered, are here.

// sseHeader is the stored header holding an encrypted object's parameters.
const sseHeader = httpapi.SSEHeader

// encryption is how one object's data is encrypted, as a request resolved
// it: the data key is only ever in memory.
type encryption struct {
	params   sse.Params
	dataKey  [sse.KeySize]byte
	key      sse.ObjectKey
	customer *sse.CustomerKey // SSE-C: the key the request gave
}

func newEncryptionFrom(p sse.Params, dataKey [sse.KeySize]byte, ck *sse.CustomerKey) *encryption {
	return &encryption{params: p, dataKey: dataKey, key: sse.DeriveObjectKey(&dataKey), customer: ck}
}

// sealer seals the object's blocks; nil for plaintext.
func (e *encryption) sealer() server.Sealer {
	if e == nil {
		return nil
	}
	return server.NewSealer(e.key)
}

func (e *encryption) mode() sse.Mode {
	if e == nil {
		return 0
	}
	return e.params.Mode
}

// header is the stored header carrying the parameters.
func (e *encryption) header() model.Header {
	return model.Header{Name: sseHeader, Value: e.params.String()}
}

// withHeaders sets (or, for plaintext, drops) the parameters in hs.
func (e *encryption) withHeaders(hs []model.Header) []model.Header {
	out := make([]model.Header, 0, len(hs)+1)
	for _, h := range hs {
		if h.Name != sseHeader {
			out = append(out, h)
		}
	}
	if e == nil {
		return out
	}
	return withHeader(out, e.header())
}

// setResponseHeaders writes what S3 answers about an object's encryption.
func (e *encryption) setResponseHeaders(h http.Header) {
	switch e.mode() {
	case sse.Customer:
		h.Set(sse.HeaderCustomerAlgorithm, sse.AES256)
		h.Set("x-amz-server-side-encryption-customer-key-MD5", e.customer.MD5Base64())
	case sse.Managed:
		h.Set(sse.HeaderSSE, sse.AES256)
	}
}

// etagCheck wraps check (nil: none) so that, once the body passed it, an
// SSE-C object's ETag becomes one keyed by its data key: the plaintext's
// MD5 is never stored or answered for it. SSE-S3 and plaintext objects
// keep the MD5, as S3 does.
func (e *encryption) etagCheck(check server.BodyCheck) server.BodyCheck {
	if e.mode() != sse.Customer {
		return check
	}
	return func(meta *model.ObjectMeta) error {
		if check != nil {
			if err := check(meta); err != nil {
				return err
			}
		}
		sum, err := decodeHexMD5(meta.ETag)
		if err != nil {
			return err
		}
		meta.ETag = e.key.CustomerETag(sum)
		return nil
	}
}

func decodeHexMD5(etag string) ([]byte, error) {
	sum, err := hex.DecodeString(etag)
	if err != nil || len(sum) != 16 {
		return nil, fmt.Errorf("ETag %q is not an MD5", etag)
	}
	return sum, nil
}

// sseTarget is the encryption a write asks for.
type sseTarget struct {
	mode     sse.Mode // 0: plaintext
	customer *sse.CustomerKey
	explicit bool // asked by the request's headers, not the bucket's default
}

// writeTarget reads the encryption a write's headers (or a form's fields)
// ask for, else the bucket's default: SSE-C and SSE-S3 together are
// refused, as S3 refuses them.
func (rq *request) writeTarget(h sse.Header) (sseTarget, error) {
	ck, err := sse.ParseCustomerKey(h, false)
	if err != nil {
		return sseTarget{}, err
	}
	managed, err := sse.ParseSSE(h)
	if err != nil {
		return sseTarget{}, err
	}
	switch {
	case ck != nil && managed:
		return sseTarget{}, s3err.New(s3err.InvalidArgument, "Server Side Encryption with Customer provided key is incompatible with the encryption method specified.")
	case ck != nil:
		return sseTarget{mode: sse.Customer, customer: ck, explicit: true}, nil
	case managed:
		return sseTarget{mode: sse.Managed, explicit: true}, nil
	}
	if _, ok := rq.bucket.Config(model.ConfigEncryption); ok {
		return sseTarget{mode: sse.Managed}, nil
	}
	return sseTarget{}, nil
}

// errNoMasterKey refuses SSE-S3 on a node without a master key.
func errNoMasterKey() error { return httpapi.ErrNoMasterKey() }

// newEncryption makes the encryption of a new object for t: nil for
// plaintext. dataKey is the data key to keep (a copy that re-wraps its
// source's), or nil to draw a new one.
func (rq *request) newEncryption(t sseTarget, dataKey *[sse.KeySize]byte) (*encryption, error) {
	if t.mode == 0 {
		return nil, nil
	}
	var dk [sse.KeySize]byte
	var salt [sse.SaltSize]byte
	var nonce [sse.NonceSize]byte
	if dataKey != nil {
		dk = *dataKey
	} else if _, err := rand.Read(dk[:]); err != nil {
		return nil, fmt.Errorf("draw a data key: %w", err)
	}
	if _, err := rand.Read(salt[:]); err != nil {
		return nil, fmt.Errorf("draw a salt: %w", err)
	}
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, fmt.Errorf("draw a nonce: %w", err)
	}
	switch t.mode {
	case sse.Customer:
		return newEncryptionFrom(sse.WrapCustomer(t.customer, &dk, salt, nonce), dk, t.customer), nil
	default:
		master := rq.api.cfg.SSEMasterKey
		if master == nil {
			return nil, errNoMasterKey()
		}
		return newEncryptionFrom(sse.WrapManaged(master, &dk, salt, nonce), dk, nil), nil
	}
}

// readWhat names what an encrypted object is read as, for the errors.
type readWhat uint8

const (
	readObject readWhat = iota // GetObject, HeadObject: the request's SSE-C headers
	readSource                 // a copy's source: the x-amz-copy-source-* SSE-C headers
	readUpload                 // a multipart upload's parts: the request's SSE-C headers
)

// storedEncryption resolves how a stored object (or upload) is encrypted,
// with the SSE-C key the request gives for it: none for a plaintext
// object, the right one for an SSE-C object.
func (rq *request) storedEncryption(meta model.ObjectMeta, what readWhat) (*encryption, error) {
	ck, err := sse.ParseCustomerKey(rq.r.Header, what == readSource)
	if err != nil {
		return nil, err
	}
	p, encrypted, err := httpapi.StoredSSE(meta)
	if err != nil {
		return nil, err
	}
	if !encrypted {
		if ck == nil {
			return nil, nil
		}
		if what == readUpload {
			return nil, s3err.New(s3err.InvalidRequest, "The multipart upload initiate did not request encryption: the part request must not include encryption parameters.")
		}
		return nil, s3err.New(s3err.InvalidRequest, "The encryption parameters are not applicable to this object.")
	}
	switch p.Mode {
	case sse.Customer:
		if ck == nil {
			if what == readUpload {
				return nil, s3err.New(s3err.InvalidRequest, "The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters.")
			}
			return nil, s3err.New(s3err.InvalidRequest, "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.")
		}
		dk, err := p.UnwrapCustomer(ck)
		if errors.Is(err, sse.ErrWrongKey) {
			return nil, s3err.New(s3err.AccessDenied, "Access Denied: the customer-provided key does not match the one the object was encrypted with.")
		}
		if err != nil {
			return nil, fmt.Errorf("unwrap the data key: %w", err)
		}
		return newEncryptionFrom(p, dk, ck), nil
	default:
		if ck != nil {
			return nil, s3err.New(s3err.InvalidRequest, "The encryption parameters are not applicable to this object: it is encrypted with SSE-S3.")
		}
		dk, err := httpapi.ManagedDataKey(p, rq.api.cfg.SSEMasterKey)
		if err != nil {
			return nil, err
		}
		return newEncryptionFrom(p, dk, nil), nil
	}
}

// uploadEncryption reads a multipart upload and resolves its encryption
// with the request's SSE-C key.
func (rq *request) uploadEncryption(upload model.VersionID) (*encryption, error) {
	res, err := rq.api.backend.Do(rq.ctx, object.GetUpload{Bucket: rq.bucket.ID, Key: rq.key, UploadID: upload})
	if err != nil {
		return nil, err
	}
	return rq.storedEncryption(res.(object.UploadInfo).Meta, readUpload)
}

// The operations that take each kind of encryption header; any other
// carrying one is refused, never served as if it were not there.
var (
	takesSSE             = []string{"PutObject", "CopyObject", "CreateMultipartUpload"}
	takesCustomerKey     = []string{"PutObject", "GetObject", "HeadObject", "CopyObject", "CreateMultipartUpload", "UploadPart", "UploadPartCopy", "CompleteMultipartUpload"}
	takesCopySourceKeyOf = []string{"CopyObject", "UploadPartCopy"}
)

// checkEncryptionHeaders refuses the encryption headers an operation does
// not take, and SSE-C keys sent in the clear (S3 refuses every such
// request; allow_sse_c_over_http accepts them behind a TLS-terminating
// proxy).
func (rq *request) checkEncryptionHeaders(op string) error {
	// SDKs keep these headers out of presigned URLs' queries (they must be
	// signed as headers); one found in a query would otherwise be ignored,
	// and an object meant to be encrypted stored in clear.
	for name := range rq.query {
		if lower := strings.ToLower(name); strings.HasPrefix(lower, sse.HeaderSSE) || strings.HasPrefix(lower, sse.CopySourcePrefix+"server-side-encryption") {
			return s3err.New(s3err.NotImplemented, "Encryption parameters in the query string (%s) are not implemented: send them as headers.", name)
		}
	}
	h := rq.r.Header
	if len(h.Values(sse.HeaderSSE)) > 0 && !slices.Contains(takesSSE, op) {
		return s3err.New(s3err.InvalidArgument, "The x-amz-server-side-encryption header is not supported for this operation (%s).", op)
	}
	customer, source := sse.HasCustomerHeaders(h, false), sse.HasCustomerHeaders(h, true)
	if customer && !slices.Contains(takesCustomerKey, op) {
		return s3err.New(s3err.InvalidArgument, "The x-amz-server-side-encryption-customer-* headers are not supported for this operation (%s).", op)
	}
	if source && !slices.Contains(takesCopySourceKeyOf, op) {
		return s3err.New(s3err.InvalidArgument, "The x-amz-copy-source-server-side-encryption-customer-* headers are not supported for this operation (%s).", op)
	}
	if (customer || source) && !rq.secureForKeys() {
		return errInsecureKeys()
	}
	return nil
}

func errInsecureKeys() error {
	return s3err.New(s3err.InvalidRequest, "Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.")
}

// secureForKeys reports whether SSE-C keys may arrive on this request.
func (rq *request) secureForKeys() bool { return rq.r.TLS != nil || rq.api.cfg.AllowSSECOverHTTP }

// Bucket default encryption (PutBucketEncryption and the rest), stored in
// Bucket.Configs like CORS.

func (rq *request) putBucketEncryption() error {
	data, err := rq.readBody(maxXMLBody)
	if err != nil {
		return err
	}
	cfg, err := bucketcfg.ParseEncryption(data)
	if err != nil {
		return err
	}
	if rq.api.cfg.SSEMasterKey == nil {
		return errNoMasterKey()
	}
	return rq.setConfig(model.ConfigEncryption, encoded(cfg.Encode))
}

func (rq *request) getBucketEncryption() error {
	return rq.configXML(model.ConfigEncryption, s3err.NoSuchEncryptionConfiguration, func(d *wire.Decoder) ([]byte, error) {
		return bucketcfg.DecodeEncryption(d).XML(), nil
	})
}

func (rq *request) deleteBucketEncryption() error { return rq.setConfig(model.ConfigEncryption, nil) }

// formEncryptionHeaders presents a POST form's encryption fields as the
// request headers they stand for.
func formEncryptionHeaders(fields map[string]string) http.Header {
	h := http.Header{}
	for name, v := range fields {
		if strings.HasPrefix(name, sse.HeaderSSE) {
			h.Set(name, v)
		}
	}
	return h
}
