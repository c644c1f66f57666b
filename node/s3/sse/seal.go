package sse

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// Overhead is what sealing adds to a block: its nonce and its tag.
const Overhead = NonceSize + tagSize

// InlinePart is the position (part 0, offset 0) an inline body is sealed
// at: part numbers start at 1, so it is no block's.
const InlinePart = 0

const (
	labelBlockKey = "garage sse block key v1"
	labelETagKey  = "garage sse-c etag key v1"
	labelBlockAAD = "garage sse block v1"
)

// ObjectKey holds the keys derived from one object's data key: one seals
// its data, one makes its ETag.
type ObjectKey struct {
	block [KeySize]byte
	etag  [KeySize]byte
}

// DeriveObjectKey derives an object's keys from its data key.
func DeriveObjectKey(dataKey *[KeySize]byte) ObjectKey {
	return ObjectKey{
		block: deriveKey(dataKey[:], nil, labelBlockKey),
		etag:  deriveKey(dataKey[:], nil, labelETagKey),
	}
}

// position is the additional data of a block: its part and its offset in
// the part, so that a block moved elsewhere in the object, or into another
// object, fails to open.
func position(part uint32, offset uint64) []byte {
	b := make([]byte, 0, len(labelBlockAAD)+12)
	b = append(b, labelBlockAAD...)
	b = binary.BigEndian.AppendUint32(b, part)
	return binary.BigEndian.AppendUint64(b, offset)
}

// Seal encrypts plain, the block at offset in part, with a fresh random
// nonce: nonce || ciphertext || tag, Overhead bytes longer than plain.
func (k *ObjectKey) Seal(nonce [NonceSize]byte, part uint32, offset uint64, plain []byte) []byte {
	out := make([]byte, NonceSize, len(plain)+Overhead)
	copy(out, nonce[:])
	return newGCM(&k.block).Seal(out, nonce[:], plain, position(part, offset))
}

// Open decrypts and authenticates a block sealed at part and offset.
func (k *ObjectKey) Open(part uint32, offset uint64, sealed []byte) ([]byte, error) {
	if len(sealed) < Overhead {
		return nil, fmt.Errorf("%w: a sealed block of %d bytes", ErrCorrupt, len(sealed))
	}
	plain, err := newGCM(&k.block).Open(nil, sealed[:NonceSize], sealed[NonceSize:], position(part, offset))
	if err != nil {
		return nil, fmt.Errorf("%w: block at part %d offset %d does not authenticate", ErrCorrupt, part, offset)
	}
	return plain, nil
}

// CustomerETag is the ETag stored for an SSE-C object or part whose
// content has MD5 sum: 32 hex digits, like an MD5, keyed by the object's
// data key so that it reveals nothing of the content to whoever lacks
// the key (S3's SSE-C ETags are not the MD5 of the data either).
func (k *ObjectKey) CustomerETag(sum []byte) string {
	m := hmac.New(sha256.New, k.etag[:])
	m.Write(sum)
	return hex.EncodeToString(m.Sum(nil)[:16])
}
