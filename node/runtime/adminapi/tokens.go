package adminapi

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: those of Garage's (the argon2 crate's defaults), so
// that a stored hash reads the same in both.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

var b64 = base64.RawStdEncoding

// NewAdminToken draws a user token as Garage does: 12 random bytes of
// prefix (its public id, in hex) and 32 of secret (URL-safe base64),
// "<prefix>.<secret>"; it returns the token and the PHC string of its
// Argon2id hash.
func NewAdminToken() (prefix, token, hash string) {
	var p [12]byte
	var s [32]byte
	rand.Read(p[:]) //nolint:errcheck // crypto/rand does not fail
	rand.Read(s[:]) //nolint:errcheck
	prefix = hex.EncodeToString(p[:])
	token = prefix + "." + base64.RawURLEncoding.EncodeToString(s[:])
	return prefix, token, hashToken(token)
}

// hashToken hashes token with a fresh salt, as a PHC string.
func hashToken(token string) string {
	var salt [argonSaltLen]byte
	rand.Read(salt[:]) //nolint:errcheck
	key := argon2.IDKey([]byte(token), salt[:], argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt[:]), b64.EncodeToString(key))
}

// verifyToken checks token against a PHC Argon2id hash, with the
// parameters the hash names.
func verifyToken(token, phc string) bool {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 1<<21 || t > 64 {
		return false
	}
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(token), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// verified remembers the (token, hash) pairs that checked out, so that a
// client making many calls pays Argon2's cost once, not per request. Only
// successes are kept, keyed by a digest of both, so a changed or deleted
// token is looked up afresh each time and never passes on an old hash.
type verified struct {
	mu   sync.Mutex
	seen map[[32]byte]struct{}
}

const maxVerified = 1024

func (v *verified) check(token, phc string) bool {
	k := sha256.Sum256([]byte(token + "\x00" + phc))
	v.mu.Lock()
	_, ok := v.seen[k]
	v.mu.Unlock()
	if ok {
		return true
	}
	if !verifyToken(token, phc) {
		return false
	}
	v.mu.Lock()
	if v.seen == nil || len(v.seen) >= maxVerified {
		v.seen = map[[32]byte]struct{}{}
	}
	v.seen[k] = struct{}{}
	v.mu.Unlock()
	return true
}

// sameSecret compares two secrets in constant time.
func sameSecret(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}
