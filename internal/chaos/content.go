package chaos

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strconv"
	"strings"
)

// An object's content encodes its identity: a first line "value size",
// then bytes drawn from a generator seeded by the value. A read can tell
// which write it sees, and whether it sees all of it intact.

// content is the body of the put of value, size bytes long (at least its
// header line).
func content(value string, size int) []byte {
	head := fmt.Sprintf("%s %d\n", value, size)
	for len(head) > size { // too small for its own header: grow until it fits
		size = len(head)
		head = fmt.Sprintf("%s %d\n", value, size)
	}
	b := make([]byte, size)
	copy(b, head)
	fill(value, b[len(head):])
	return b
}

func fill(value string, p []byte) {
	h := fnv.New64a()
	h.Write([]byte(value))
	r := rand.New(rand.NewPCG(h.Sum64(), 0x636f6e74656e74))
	for i := 0; i < len(p); i += 8 {
		v := r.Uint64()
		for j := 0; j < 8 && i+j < len(p); j++ {
			p[i+j] = byte(v >> (8 * j))
		}
	}
}

// valueOf names the write a body came from: its value, or "corrupt:..."
// when the body is not exactly what that write sent.
func valueOf(body []byte) string {
	line, _, found := strings.Cut(string(body[:min(len(body), 128)]), "\n")
	value, sizeText, ok := strings.Cut(line, " ")
	size, err := strconv.Atoi(sizeText)
	if !found || !ok || err != nil {
		return fmt.Sprintf("corrupt:%d bytes without a header", len(body))
	}
	if size != len(body) {
		return fmt.Sprintf("corrupt:%s (%d of %d bytes)", value, len(body), size)
	}
	want := content(value, size)
	if string(want) != string(body) {
		return "corrupt:" + value
	}
	return value
}

// etag is the S3 ETag of a single-part upload of body.
func etag(body []byte) string {
	sum := md5.Sum(body)
	return hex.EncodeToString(sum[:])
}

// multipartETag is the S3 ETag of a multipart upload of parts.
func multipartETag(parts [][]byte) string {
	var sums []byte
	for _, p := range parts {
		s := md5.Sum(p)
		sums = append(sums, s[:]...)
	}
	s := md5.Sum(sums)
	return fmt.Sprintf("%s-%d", hex.EncodeToString(s[:]), len(parts))
}
