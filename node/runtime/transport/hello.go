package transport

import (
	"bytes"
	"crypto/ecdh"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/garagego/garage/node/cluster"
)

// Hello layout: magic | role | static key | ephemeral key | nonce | MAC.
const (
	helloMagic    = "GRGv1"
	helloNonceLen = 32
	helloRoleAt   = len(helloMagic)
	helloStatic   = helloRoleAt + 1
	helloEph      = helloStatic + len(cluster.NodeID{})
	helloNonce    = helloEph + 32
	helloMAC      = helloNonce + helloNonceLen
	helloSize     = helloMAC + sha256.Size

	// helloLabel separates the hello MAC from any other use of the secret.
	helloLabel = "garage-go transport v1 hello"
)

// Reasons a hello is rejected before its MAC is checked.
var (
	errNotGarage          = errors.New("peer does not speak the garage transport protocol")
	errUnsupportedVersion = errors.New("peer speaks an unsupported version of the garage transport protocol")
)

// hello is a parsed, MAC-verified hello.
type hello struct {
	role   Role
	static cluster.NodeID
	eph    []byte // X25519 public key
}

// buildHello returns our hello for the given ephemeral key.
func buildHello(secret *[32]byte, role Role, static cluster.NodeID, eph *ecdh.PublicKey) []byte {
	b := make([]byte, 0, helloSize)
	b = append(b, helloMagic...)
	b = append(b, byte(role))
	b = append(b, static[:]...)
	b = append(b, eph.Bytes()...)
	nonce := make([]byte, helloNonceLen)
	_, _ = rand.Read(nonce) // crypto/rand does not fail on supported platforms
	b = append(b, nonce...)
	return append(b, helloTag(secret, b)...)
}

func helloTag(secret *[32]byte, fields []byte) []byte {
	m := hmac.New(sha256.New, secret[:])
	m.Write([]byte(helloLabel))
	m.Write(fields)
	return m.Sum(nil)
}

// parseHello checks b (helloSize bytes) and returns its fields. A MAC that
// does not verify yields ErrSecretMismatch.
func parseHello(secret *[32]byte, b []byte) (hello, error) {
	if !bytes.HasPrefix(b, []byte(helloMagic)) {
		if bytes.HasPrefix(b, []byte(helloMagic[:3])) {
			return hello{}, fmt.Errorf("%w (magic %q)", errUnsupportedVersion, printable(b[:len(helloMagic)]))
		}
		return hello{}, errNotGarage
	}
	if !hmac.Equal(b[helloMAC:], helloTag(secret, b[:helloMAC])) {
		return hello{}, ErrSecretMismatch
	}
	h := hello{role: Role(b[helloRoleAt]), eph: b[helloEph:helloNonce]}
	if !h.role.valid() {
		return hello{}, fmt.Errorf("peer claims unknown role %d", h.role)
	}
	copy(h.static[:], b[helloStatic:helloEph])
	return h, nil
}
