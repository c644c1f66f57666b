package s3api

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"net/http"
	"strings"

	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/s3/s3err"
)

// checksumPrefix starts the headers of S3's additional checksums.
const checksumPrefix = "x-amz-checksum-"

// crc64NVME is the table of CRC-64/NVME (the reflected form of polynomial
// 0xad93d23594c93659), S3's newest checksum algorithm.
var crc64NVME = crc64.MakeTable(0x9a6c9329ac4bc9b5)

// checksumAlgorithms are S3's additional checksums, by header suffix.
var checksumAlgorithms = map[string]func() hash.Hash{
	"crc32":     func() hash.Hash { return crc32.NewIEEE() },
	"crc32c":    func() hash.Hash { return crc32.New(crc32.MakeTable(crc32.Castagnoli)) },
	"crc64nvme": func() hash.Hash { return crc64.New(crc64NVME) },
	"sha1":      sha1.New,
	"sha256":    sha256.New,
}

// checkAlgorithmHeaders refuses a request naming a checksum algorithm S3
// does not know in x-amz-sdk-checksum-algorithm (sent by SDKs beside the
// checksum itself) or x-amz-checksum-algorithm (CreateMultipartUpload's
// choice for the parts): a typo there must not pass for a checksum.
func checkAlgorithmHeaders(h http.Header) error {
	for _, name := range []string{"x-amz-sdk-checksum-algorithm", "x-amz-checksum-algorithm"} {
		values, present := h[http.CanonicalHeaderKey(name)]
		if !present {
			continue
		}
		for _, v := range values {
			if _, known := checksumAlgorithms[strings.ToLower(strings.TrimSpace(v))]; !known {
				return s3err.New(s3err.InvalidRequest, "Value for %s header is invalid: %q is not CRC32, CRC32C, CRC64NVME, SHA1 or SHA256.", name, v)
			}
		}
	}
	return nil
}

// checksum is the additional checksum a request declares for its body:
// its value in a header, or its name in x-amz-trailer with the value in the
// aws-chunked trailer.
type checksum struct {
	header string // "x-amz-checksum-crc32"
	sum    hash.Hash
	want   string // base64; "" when it comes in the trailer
}

// requestChecksum finds the checksum a request declares, nil if none.
func requestChecksum(h http.Header) (*checksum, error) {
	var found *checksum
	for name, values := range h {
		lower := strings.ToLower(name)
		algo, ok := strings.CutPrefix(lower, checksumPrefix)
		if !ok || algo == "type" || algo == "algorithm" {
			continue
		}
		c, err := newChecksum(lower)
		if err != nil {
			return nil, err
		}
		if found != nil {
			return nil, s3err.New(s3err.InvalidRequest, "Expecting a single x-amz-checksum- header. Multiple checksum types are not allowed.")
		}
		c.want = values[0]
		found = c
	}
	if trailer := strings.ToLower(strings.TrimSpace(h.Get("x-amz-trailer"))); trailer != "" {
		if found != nil {
			return nil, s3err.New(s3err.InvalidRequest, "Expecting a single x-amz-checksum- header. Multiple checksum types are not allowed.")
		}
		c, err := newChecksum(trailer)
		if err != nil {
			return nil, err
		}
		found = c
	}
	if found != nil && found.want != "" {
		if err := found.checkEncoding(found.want); err != nil {
			return nil, err
		}
	}
	return found, nil
}

func newChecksum(header string) (*checksum, error) {
	algo, ok := strings.CutPrefix(header, checksumPrefix)
	mk, known := checksumAlgorithms[algo]
	if !ok || !known {
		return nil, s3err.New(s3err.InvalidRequest, "Unsupported checksum %q: use CRC32, CRC32C, CRC64NVME, SHA1 or SHA256.", header)
	}
	return &checksum{header: header, sum: mk()}, nil
}

func (c *checksum) checkEncoding(value string) error {
	raw, err := base64.StdEncoding.DecodeString(value)
	if err != nil || len(raw) != c.sum.Size() {
		return s3err.New(s3err.InvalidRequest, "Value for %s header is invalid.", c.header)
	}
	return nil
}

// wrap returns r with the checksum computed as it is read (nil c: r).
func (c *checksum) wrap(r io.Reader) io.Reader {
	if c == nil {
		return r
	}
	return io.TeeReader(r, c.sum)
}

// verify compares the checksum of what was read with the declared one
// (from trailer if it came there) and returns the header to store.
func (c *checksum) verify(trailer map[string]string) (model.Header, error) {
	want := c.want
	if want == "" {
		want = trailer[c.header]
		if want == "" {
			return model.Header{}, s3err.New(s3err.InvalidRequest, "The trailer declared %s but did not send it.", c.header)
		}
		if err := c.checkEncoding(want); err != nil {
			return model.Header{}, err
		}
	}
	got := base64.StdEncoding.EncodeToString(c.sum.Sum(nil))
	if got != want {
		algo := strings.ToUpper(strings.TrimPrefix(c.header, checksumPrefix))
		return model.Header{}, s3err.New(s3err.BadDigest, "The %s you specified did not match the calculated checksum.", algo)
	}
	return model.Header{Name: c.header, Value: got}, nil
}
