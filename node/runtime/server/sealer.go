package server

import (
	"crypto/rand"
	"fmt"

	"github.com/garagego/garage/node/s3/sse"
)

// Sealer encrypts an object's data at rest, block by block: part and
// offset are the block's position in the object (part sse.InlinePart,
// offset 0 for an inline body), bound into each sealed block so that a
// block moved elsewhere fails to open. A nil Sealer stores plaintext.
type Sealer interface {
	Seal(part uint32, offset uint64, plain []byte) ([]byte, error)
	Open(part uint32, offset uint64, sealed []byte) ([]byte, error)
}

// NewSealer seals with AES-256-GCM under key, a fresh nonce from
// crypto/rand for every block.
func NewSealer(key sse.ObjectKey) Sealer { return gcmSealer{key} }

type gcmSealer struct{ key sse.ObjectKey }

func (g gcmSealer) Seal(part uint32, offset uint64, plain []byte) ([]byte, error) {
	var nonce [sse.NonceSize]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, fmt.Errorf("draw a nonce: %w", err)
	}
	return g.key.Seal(nonce, part, offset, plain), nil
}

func (g gcmSealer) Open(part uint32, offset uint64, sealed []byte) ([]byte, error) {
	return g.key.Open(part, offset, sealed)
}
