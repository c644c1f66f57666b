package sse

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
)

// Mode is how an object's data key is protected.
type Mode byte

const (
	// Customer (SSE-C): wrapped by a key derived from the customer's key,
	// which is never stored; a salted digest recognises it.
	Customer Mode = 'C'
	// Managed (SSE-S3): wrapped by a key derived from the cluster's master
	// key.
	Managed Mode = 'S'
)

// Sizes of the stored parameters.
const (
	SaltSize    = 16
	NonceSize   = 12
	tagSize     = 16
	wrappedSize = NonceSize + KeySize + tagSize
	digestSize  = sha256.Size
)

// paramsVersion is the first byte of every encoded Params.
const paramsVersion = 1

// Params are what an encrypted object keeps of its encryption: never a
// key, only its data key wrapped, and for SSE-C a digest that recognises
// the customer key without revealing it.
type Params struct {
	Mode Mode
	// Salt is drawn per object: it salts the digest and the derivation of
	// the key-wrapping key, so equal customer keys look unrelated.
	Salt [SaltSize]byte
	// Digest (SSE-C only) is HMAC-SHA256 of the salt under the customer
	// key.
	Digest [digestSize]byte
	// Wrapped is nonce || AES-256-GCM(wrapping key, data key) || tag.
	Wrapped [wrappedSize]byte
}

// ErrWrongKey reports a customer key that is not the object's.
var ErrWrongKey = errors.New("sse: the key is not the object's")

// ErrCorrupt reports stored parameters or data that do not decode or
// authenticate with the right key.
var ErrCorrupt = errors.New("sse: stored encryption data is damaged")

// Labels keep the keys derived from one secret apart.
const (
	labelDigest      = "garage sse-c key digest v1"
	labelCustomerKEK = "garage sse-c wrapping key v1"
	labelManagedKEK  = "garage sse-s3 wrapping key v1"
	labelWrap        = "garage sse data key v1"
)

func customerDigest(ck *CustomerKey, salt [SaltSize]byte) [digestSize]byte {
	m := hmac.New(sha256.New, ck.Key[:])
	m.Write([]byte(labelDigest))
	m.Write(salt[:])
	var d [digestSize]byte
	copy(d[:], m.Sum(nil))
	return d
}

func deriveKey(secret []byte, salt []byte, label string) [KeySize]byte {
	k, err := hkdf.Key(sha256.New, secret, salt, label, KeySize)
	if err != nil {
		panic(fmt.Sprintf("sse: hkdf: %v", err)) // only for lengths beyond 255 hashes
	}
	var out [KeySize]byte
	copy(out[:], k)
	return out
}

func newGCM(key *[KeySize]byte) cipher.AEAD {
	block, err := aes.NewCipher(key[:])
	if err != nil {
		panic(fmt.Sprintf("sse: aes: %v", err)) // the key size is fixed
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(fmt.Sprintf("sse: gcm: %v", err))
	}
	return aead
}

func wrap(p *Params, kek [KeySize]byte, dataKey *[KeySize]byte, nonce [NonceSize]byte) {
	copy(p.Wrapped[:NonceSize], nonce[:])
	newGCM(&kek).Seal(p.Wrapped[NonceSize:NonceSize], nonce[:], dataKey[:], []byte{byte(p.Mode)})
}

func unwrap(p *Params, kek [KeySize]byte) ([KeySize]byte, error) {
	var dataKey [KeySize]byte
	plain, err := newGCM(&kek).Open(nil, p.Wrapped[:NonceSize], p.Wrapped[NonceSize:], []byte{byte(p.Mode)})
	if err != nil || len(plain) != KeySize {
		return dataKey, ErrCorrupt
	}
	copy(dataKey[:], plain)
	return dataKey, nil
}

// WrapCustomer protects dataKey with a customer key: salt and nonce must
// be fresh random bytes.
func WrapCustomer(ck *CustomerKey, dataKey *[KeySize]byte, salt [SaltSize]byte, nonce [NonceSize]byte) Params {
	p := Params{Mode: Customer, Salt: salt, Digest: customerDigest(ck, salt)}
	wrap(&p, deriveKey(ck.Key[:], salt[:], labelCustomerKEK), dataKey, nonce)
	return p
}

// UnwrapCustomer recovers the data key with a customer key: ErrWrongKey if
// the key is not the one the object was stored with.
func (p Params) UnwrapCustomer(ck *CustomerKey) ([KeySize]byte, error) {
	if p.Mode != Customer {
		return [KeySize]byte{}, fmt.Errorf("sse: %w: not an SSE-C object", ErrWrongKey)
	}
	if d := customerDigest(ck, p.Salt); !hmac.Equal(d[:], p.Digest[:]) {
		return [KeySize]byte{}, ErrWrongKey
	}
	return unwrap(&p, deriveKey(ck.Key[:], p.Salt[:], labelCustomerKEK))
}

// WrapManaged protects dataKey with the cluster's master key (SSE-S3).
func WrapManaged(master *[KeySize]byte, dataKey *[KeySize]byte, salt [SaltSize]byte, nonce [NonceSize]byte) Params {
	p := Params{Mode: Managed, Salt: salt}
	wrap(&p, deriveKey(master[:], salt[:], labelManagedKEK), dataKey, nonce)
	return p
}

// UnwrapManaged recovers the data key of an SSE-S3 object; ErrCorrupt if
// the master key is not the one it was stored with.
func (p Params) UnwrapManaged(master *[KeySize]byte) ([KeySize]byte, error) {
	if p.Mode != Managed {
		return [KeySize]byte{}, fmt.Errorf("sse: %w: not an SSE-S3 object", ErrCorrupt)
	}
	return unwrap(&p, deriveKey(master[:], p.Salt[:], labelManagedKEK))
}

// String encodes p for the object's stored headers.
func (p Params) String() string {
	b := make([]byte, 0, 2+SaltSize+digestSize+wrappedSize)
	b = append(b, paramsVersion, byte(p.Mode))
	b = append(b, p.Salt[:]...)
	if p.Mode == Customer {
		b = append(b, p.Digest[:]...)
	}
	b = append(b, p.Wrapped[:]...)
	return base64.RawStdEncoding.EncodeToString(b)
}

// ParseParams decodes what String wrote.
func ParseParams(s string) (Params, error) {
	var p Params
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil || len(b) < 2 || b[0] != paramsVersion {
		return p, fmt.Errorf("%w: parameters do not decode", ErrCorrupt)
	}
	p.Mode, b = Mode(b[1]), b[2:]
	want := SaltSize + wrappedSize
	switch p.Mode {
	case Customer:
		want += digestSize
	case Managed:
	default:
		return p, fmt.Errorf("%w: unknown mode %q", ErrCorrupt, p.Mode)
	}
	if len(b) != want {
		return p, fmt.Errorf("%w: %d bytes of parameters, want %d", ErrCorrupt, len(b), want)
	}
	b = b[copy(p.Salt[:], b):]
	if p.Mode == Customer {
		b = b[copy(p.Digest[:], b):]
	}
	copy(p.Wrapped[:], b)
	return p, nil
}
