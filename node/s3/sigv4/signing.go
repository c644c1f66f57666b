package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"
	"time"
)

// emptySHA256 is the hex SHA-256 of nothing, which chunk signatures include
// in place of the headers a chunk does not have.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// signingKey derives the key that signs for one day, region and service.
func signingKey(secret, day, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), day)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, scopeTerminal)
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// requestStringToSign is what the request signature signs.
func requestStringToSign(date time.Time, scope, canonical string) string {
	return algorithm + "\n" + formatAmzDate(date) + "\n" + scope + "\n" + sha256Hex([]byte(canonical))
}

func sign(key []byte, stringToSign string) string {
	return hex.EncodeToString(hmacSHA256(key, stringToSign))
}

// signaturesEqual compares in constant time, so that a client cannot find a
// valid signature byte by byte from response times.
func signaturesEqual(expected, provided string) bool {
	return subtle.ConstantTimeCompare([]byte(expected), []byte(strings.ToLower(provided))) == 1
}
