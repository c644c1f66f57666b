package checksum

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"strings"

	"github.com/minio/crc64nvme"
)

// Algorithm is an additional checksum algorithm; None is the absence of one.
// Its numeric value is stored with uploads and objects: never renumber.
type Algorithm uint8

const (
	None Algorithm = iota
	CRC32
	CRC32C
	CRC64NVME
	SHA1
	SHA256
	SHA512
	MD5
)

// Algorithms lists every algorithm this store computes.
var Algorithms = []Algorithm{CRC32, CRC32C, CRC64NVME, SHA1, SHA256, SHA512, MD5}

// Errors of ParseAlgorithm.
var (
	// ErrUnknown: S3 knows no such algorithm.
	ErrUnknown = errors.New("unknown checksum algorithm")
	// ErrUnsupported: S3 knows the algorithm (the XXHASH family), this
	// store does not compute it.
	ErrUnsupported = errors.New("checksum algorithm not supported by this store")
)

// names are the algorithms' names as S3 writes them (upper case), by value.
var names = [...]string{None: "", CRC32: "CRC32", CRC32C: "CRC32C", CRC64NVME: "CRC64NVME",
	SHA1: "SHA1", SHA256: "SHA256", SHA512: "SHA512", MD5: "MD5"}

// unsupported are the algorithms S3 accepts that this store does not.
var unsupported = []string{"XXHASH64", "XXHASH3", "XXHASH128"}

// ValidNames is how S3 lists the valid algorithm names in its errors.
const ValidNames = "CRC32, CRC32C, CRC64NVME, MD5, SHA1, SHA256, SHA512, XXHASH128, XXHASH3, XXHASH64"

// ParseAlgorithm reads an algorithm name, in any case; "" is None.
func ParseAlgorithm(name string) (Algorithm, error) {
	name = strings.ToUpper(strings.TrimSpace(name))
	for a, n := range names {
		if n == name {
			return Algorithm(a), nil
		}
	}
	for _, n := range unsupported {
		if n == name {
			return None, fmt.Errorf("%w: %s", ErrUnsupported, n)
		}
	}
	return None, fmt.Errorf("%w: %q", ErrUnknown, name)
}

// HeaderPrefix starts the headers that carry checksums.
const HeaderPrefix = "x-amz-checksum-"

// FromHeader reads the algorithm of a checksum header name
// ("x-amz-checksum-crc32", in any case).
func FromHeader(header string) (Algorithm, error) {
	suffix, ok := strings.CutPrefix(strings.ToLower(strings.TrimSpace(header)), HeaderPrefix)
	if !ok || suffix == "" {
		return None, fmt.Errorf("%w: header %q", ErrUnknown, header)
	}
	return ParseAlgorithm(suffix)
}

// Valid reports whether a is an algorithm (not None, not out of range).
func (a Algorithm) Valid() bool { return a > None && int(a) < len(names) }

// String is S3's name of the algorithm ("CRC32"); "" for None.
func (a Algorithm) String() string {
	if int(a) < len(names) {
		return names[a]
	}
	return fmt.Sprintf("Algorithm(%d)", uint8(a))
}

// Lower is the name in lower case, as S3 writes it in messages and headers.
func (a Algorithm) Lower() string { return strings.ToLower(a.String()) }

// Header is the header carrying a checksum of this algorithm.
func (a Algorithm) Header() string { return HeaderPrefix + a.Lower() }

// IsCRC reports whether a is a CRC, whose values over consecutive pieces
// combine into the value over their concatenation.
func (a Algorithm) IsCRC() bool { return a == CRC32 || a == CRC32C || a == CRC64NVME }

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// crc64NVMEReflected is CRC-64/NVME's polynomial 0xad93d23594c93659,
// reflected. Hashing uses minio/crc64nvme (carry-less multiplication on
// amd64 and arm64, 5-10x hash/crc64's tables: every upload pays it, as the
// default checksum); the combine in combine.go uses the polynomial.
const crc64NVMEReflected = 0x9a6c9329ac4bc9b5

// New returns a hash computing the algorithm; nil for None.
func (a Algorithm) New() hash.Hash {
	switch a {
	case CRC32:
		return crc32.NewIEEE()
	case CRC32C:
		return crc32.New(castagnoli)
	case CRC64NVME:
		return crc64nvme.New()
	case SHA1:
		return sha1.New()
	case SHA256:
		return sha256.New()
	case SHA512:
		return sha512.New()
	case MD5:
		return md5.New()
	}
	return nil
}

// Size is the length of the algorithm's digest in bytes (0 for None).
func (a Algorithm) Size() int {
	switch a {
	case CRC32, CRC32C:
		return 4
	case CRC64NVME:
		return 8
	case SHA1:
		return sha1.Size
	case SHA256:
		return sha256.Size
	case SHA512:
		return sha512.Size
	case MD5:
		return md5.Size
	}
	return 0
}

// Sum is the algorithm's digest of data.
func (a Algorithm) Sum(data []byte) []byte {
	h := a.New()
	if h == nil {
		return nil
	}
	h.Write(data)
	return h.Sum(nil)
}

// ErrBadValue reports a checksum value that is not the base64 of a digest of
// the algorithm's size.
var ErrBadValue = errors.New("invalid checksum value")

// Decode reads a checksum value: standard base64 of exactly Size bytes.
func (a Algorithm) Decode(value string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(value)
	if err != nil || len(raw) != a.Size() || a.Size() == 0 {
		return nil, fmt.Errorf("%w for %s: %q", ErrBadValue, a, value)
	}
	return raw, nil
}

// Encode writes a digest as S3 does: standard base64.
func Encode(sum []byte) string { return base64.StdEncoding.EncodeToString(sum) }
