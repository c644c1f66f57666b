package sse

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/base64"
	"strings"

	"github.com/garagego/garage/node/s3/s3err"
)

// The request headers of server-side encryption.
const (
	HeaderSSE               = "x-amz-server-side-encryption"
	HeaderCustomerAlgorithm = "x-amz-server-side-encryption-customer-algorithm"
	HeaderCustomerKey       = "x-amz-server-side-encryption-customer-key"
	HeaderCustomerKeyMD5    = "x-amz-server-side-encryption-customer-key-md5"
	// CopySourcePrefix makes the headers naming a copy source's key:
	// x-amz-copy-source-server-side-encryption-customer-algorithm, ...
	CopySourcePrefix = "x-amz-copy-source-"
)

// AES256 is the one algorithm SSE-C and SSE-S3 accept.
const AES256 = "AES256"

// KeySize is the size of every key here: customer keys, data keys, the
// master key.
const KeySize = 32

// Header is what this package reads of a request's headers (http.Header
// has it).
type Header interface {
	Values(key string) []string
}

// CustomerKey is an SSE-C key as a request gave it, checked against its
// MD5.
type CustomerKey struct {
	Key [KeySize]byte
	MD5 [md5.Size]byte
}

// MD5Base64 is the key's MD5 as S3 echoes it in
// x-amz-server-side-encryption-customer-key-MD5.
func (k *CustomerKey) MD5Base64() string { return base64.StdEncoding.EncodeToString(k.MD5[:]) }

// Equal compares two keys in constant time; nil equals only nil.
func (k *CustomerKey) Equal(o *CustomerKey) bool {
	if k == nil || o == nil {
		return k == o
	}
	return subtle.ConstantTimeCompare(k.Key[:], o.Key[:]) == 1
}

func first(h Header, name string) (string, bool) {
	v := h.Values(name)
	if len(v) == 0 {
		return "", false
	}
	return strings.TrimSpace(v[0]), true
}

// HasCustomerHeaders reports whether any SSE-C header (copySource: its
// copy-source form) is present.
func HasCustomerHeaders(h Header, copySource bool) bool {
	for _, name := range customerHeaders(copySource) {
		if len(h.Values(name)) > 0 {
			return true
		}
	}
	return false
}

func customerHeaders(copySource bool) [3]string {
	names := [3]string{HeaderCustomerAlgorithm, HeaderCustomerKey, HeaderCustomerKeyMD5}
	if copySource {
		for i := range names {
			names[i] = CopySourcePrefix + strings.TrimPrefix(names[i], "x-amz-")
		}
	}
	return names
}

// ParseCustomerKey reads the SSE-C headers of a request (copySource: the
// x-amz-copy-source-server-side-encryption-customer-* ones): nil if there
// are none. Each way of getting them wrong is refused as S3 refuses it: an
// algorithm other than AES256 (InvalidEncryptionAlgorithmError), a missing
// algorithm, key or key MD5, a key that is not 256 bits of base64, or an
// MD5 that is not the key's (InvalidArgument).
func ParseCustomerKey(h Header, copySource bool) (*CustomerKey, error) {
	names := customerHeaders(copySource)
	algo, hasAlgo := first(h, names[0])
	key, hasKey := first(h, names[1])
	sum, hasSum := first(h, names[2])
	switch {
	case !hasAlgo && !hasKey && !hasSum:
		return nil, nil
	case hasAlgo && algo != AES256:
		return nil, s3err.New(s3err.InvalidEncryptionAlgorithm, "The Encryption request you specified is not valid. Supported value: AES256 (%s is %q).", names[0], algo)
	case !hasAlgo:
		return nil, s3err.New(s3err.InvalidArgument, "Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm (%s).", names[0])
	case !hasKey:
		return nil, s3err.New(s3err.InvalidArgument, "Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key (%s).", names[1])
	case !hasSum:
		return nil, s3err.New(s3err.InvalidArgument, "Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key (%s).", names[2])
	}
	var ck CustomerKey
	raw, err := base64.StdEncoding.DecodeString(key)
	if err != nil || len(raw) != KeySize {
		return nil, s3err.New(s3err.InvalidArgument, "The secret key was invalid for the specified algorithm: %s must be %d bytes in base64.", names[1], KeySize)
	}
	copy(ck.Key[:], raw)
	ck.MD5 = md5.Sum(ck.Key[:])
	given, err := base64.StdEncoding.DecodeString(sum)
	if err != nil || subtle.ConstantTimeCompare(given, ck.MD5[:]) != 1 {
		return nil, s3err.New(s3err.InvalidArgument, "The calculated MD5 hash of the key did not match the hash that was provided (%s).", names[2])
	}
	return &ck, nil
}

// ParseSSE reads x-amz-server-side-encryption: true for AES256 (SSE-S3),
// false when absent. The KMS methods are not implemented (NotImplemented);
// any other value is InvalidArgument, as S3 answers.
func ParseSSE(h Header) (bool, error) {
	v, ok := first(h, HeaderSSE)
	if !ok {
		return false, nil
	}
	return CheckAlgorithm(v)
}

// CheckAlgorithm judges an SSE algorithm (a header's or a bucket default's
// SSEAlgorithm): AES256 is SSE-S3.
func CheckAlgorithm(v string) (bool, error) {
	switch v {
	case AES256:
		return true, nil
	case "aws:kms", "aws:kms:dsse":
		return false, s3err.New(s3err.NotImplemented, "Server-side encryption with %s is not implemented by this store: use AES256 (SSE-S3) or SSE-C.", v)
	}
	return false, s3err.New(s3err.InvalidArgument, "The encryption method specified is not supported (%s: %q).", HeaderSSE, v)
}
