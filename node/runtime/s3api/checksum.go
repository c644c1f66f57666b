package s3api

import (
	"errors"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/garagego/garage/node/checksum"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/s3/s3err"
)

// Additional checksums (see package checksum for the arithmetic). A body a
// client sends with a checksum, in a header or in the aws-chunked trailer,
// is checked against it before anything is stored (BadDigest otherwise).
// Every object and part gets a checksum, as in S3: the one the client sent,
// the upload's algorithm, or by default a full-object CRC-64/NVME. It is
// stored with the object as its x-amz-checksum-<algorithm> header, beside
// x-amz-checksum-type, and returned only with x-amz-checksum-mode: ENABLED.

// checksumPrefix starts the headers of S3's additional checksums.
const checksumPrefix = checksum.HeaderPrefix

// checksumTypeHeader is the stored header of the checksum's type.
const checksumTypeHeader = object.ChecksumTypeHeader

// algorithmError is S3's answer to an algorithm name it does not know, or
// one this store does not compute (NotImplemented).
func algorithmError(header string, err error) error {
	if errors.Is(err, checksum.ErrUnsupported) {
		return s3err.New(s3err.NotImplemented, "The checksum algorithm of %s is not implemented by this store: %v.", header, err)
	}
	return s3err.New(s3err.InvalidRequest, "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [%s]", checksum.ValidNames)
}

// parseAlgorithmHeader reads an algorithm named in header (None if absent).
func parseAlgorithmHeader(h http.Header, header string) (checksum.Algorithm, error) {
	v, present := h[http.CanonicalHeaderKey(header)]
	if !present {
		return checksum.None, nil
	}
	a, err := checksum.ParseAlgorithm(strings.Join(v, ","))
	if err != nil {
		return checksum.None, algorithmError(header, err)
	}
	return a, nil
}

// checkAlgorithmHeaders refuses a request naming a checksum algorithm S3
// does not know in x-amz-sdk-checksum-algorithm (sent by SDKs beside the
// checksum itself) or x-amz-checksum-algorithm (CreateMultipartUpload's and
// CopyObject's choice): a typo there must not pass for a checksum.
func checkAlgorithmHeaders(h http.Header) error {
	for _, name := range []string{"x-amz-sdk-checksum-algorithm", "x-amz-checksum-algorithm"} {
		if _, err := parseAlgorithmHeader(h, name); err != nil {
			return err
		}
	}
	return nil
}

// parseTypeHeader reads x-amz-checksum-type (TypeNone if absent).
func parseTypeHeader(h http.Header) (checksum.Type, error) {
	t, err := checksum.ParseType(h.Get(checksumTypeHeader))
	if err != nil {
		return t, s3err.New(s3err.InvalidRequest, "Value for %s header is invalid.", checksumTypeHeader)
	}
	return t, nil
}

func multipleChecksums() error {
	return s3err.New(s3err.InvalidRequest, "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
}

func invalidValue(header string) error {
	return s3err.New(s3err.InvalidRequest, "Value for %s header is invalid.", header)
}

// checksumHeaders finds the x-amz-checksum-<algorithm> headers of a request
// (not -type or -algorithm): at most one, of an algorithm S3 knows.
func checksumHeaders(h http.Header) (checksum.Algorithm, string, error) {
	found, value := checksum.None, ""
	for name, values := range h {
		lower := strings.ToLower(name)
		suffix, ok := strings.CutPrefix(lower, checksumPrefix)
		if !ok || suffix == "type" || suffix == "algorithm" || suffix == "mode" {
			continue
		}
		a, err := checksum.FromHeader(lower)
		if errors.Is(err, checksum.ErrUnsupported) {
			return checksum.None, "", algorithmError(lower, err)
		}
		if err != nil {
			return checksum.None, "", s3err.New(s3err.InvalidRequest, "The algorithm type you specified in x-amz-checksum- header is invalid.")
		}
		if found != checksum.None || len(values) > 1 {
			return checksum.None, "", multipleChecksums()
		}
		found, value = a, values[0]
	}
	return found, value, nil
}

// declared is the checksum a request declares for its body: its value in
// a header, or its name in x-amz-trailer with the value in the aws-chunked
// trailer (value "").
type declared struct {
	algo  checksum.Algorithm
	value string
}

// requestChecksum finds the checksum a request declares for its body, nil
// if none, refusing what S3 refuses: two checksums (headers, or a header
// and a trailer), an unknown algorithm, a value that is not the base64 of
// a digest of the algorithm's size, and an x-amz-sdk-checksum-algorithm
// that names another algorithm than the checksum sent, or none is sent.
func requestChecksum(h http.Header) (*declared, error) {
	algo, value, err := checksumHeaders(h)
	if err != nil {
		return nil, err
	}
	var d *declared
	if algo != checksum.None {
		if _, err := algo.Decode(value); err != nil {
			return nil, invalidValue(algo.Header())
		}
		d = &declared{algo: algo, value: value}
	}
	if trailer := strings.ToLower(strings.TrimSpace(h.Get("x-amz-trailer"))); trailer != "" {
		if d != nil {
			return nil, multipleChecksums()
		}
		a, err := checksum.FromHeader(trailer)
		if errors.Is(err, checksum.ErrUnsupported) {
			return nil, algorithmError(trailer, err)
		}
		if err != nil {
			return nil, s3err.New(s3err.InvalidRequest, "The trailer %q is not a checksum: use x-amz-checksum-crc32, -crc32c, -crc64nvme, -sha1, -sha256, -sha512 or -md5.", trailer)
		}
		d = &declared{algo: a}
	}
	sdk, err := parseAlgorithmHeader(h, "x-amz-sdk-checksum-algorithm")
	if err != nil {
		return nil, err
	}
	switch {
	case sdk != checksum.None && d == nil:
		return nil, s3err.New(s3err.InvalidRequest, "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.")
	case sdk != checksum.None && sdk != d.algo:
		return nil, invalidValue("x-amz-sdk-checksum-algorithm")
	}
	return d, nil
}

// verify compares the checksum s computed over the body with the declared
// one (from trailer if it came there).
func (d *declared) verify(s *summer, trailer map[string]string) error {
	want := d.value
	if want == "" {
		want = trailer[d.algo.Header()]
		if want == "" {
			return s3err.New(s3err.InvalidRequest, "The trailer declared %s but did not send it.", d.algo.Header())
		}
		if _, err := d.algo.Decode(want); err != nil {
			return s3err.New(s3err.InvalidRequest, "Value for %s trailing header is invalid.", d.algo.Header())
		}
	}
	if s.value(d.algo) != want {
		return s3err.New(s3err.BadDigest, "The %s you specified did not match the calculated checksum.", d.algo)
	}
	return nil
}

// summer computes checksums of a body as it is read: the algorithms it is
// asked for before the first read.
type summer struct {
	r      io.Reader
	algos  []checksum.Algorithm
	hashes []hash.Hash
}

func newSummer(r io.Reader, algos ...checksum.Algorithm) *summer {
	s := &summer{r: r}
	for _, a := range algos {
		s.add(a)
	}
	return s
}

// add computes a too (once, however often it is asked for).
func (s *summer) add(a checksum.Algorithm) {
	if !a.Valid() {
		return
	}
	for _, have := range s.algos {
		if have == a {
			return
		}
	}
	s.algos = append(s.algos, a)
	s.hashes = append(s.hashes, a.New())
}

func (s *summer) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	for _, h := range s.hashes {
		h.Write(p[:n])
	}
	return n, err
}

// value is the base64 checksum of algorithm a over what was read ("" if a
// was not computed).
func (s *summer) value(a checksum.Algorithm) string {
	for i, have := range s.algos {
		if have == a {
			return checksum.Encode(s.hashes[i].Sum(nil))
		}
	}
	return ""
}

// storedChecksum is the object's checksum and type as stored: algorithm
// None when it has none.
type storedChecksum struct {
	algo  checksum.Algorithm
	value string
	typ   string
}

// objectChecksum reads the stored checksum of an object's headers.
func objectChecksum(hs []model.Header) storedChecksum {
	var c storedChecksum
	for _, h := range hs {
		switch {
		case h.Name == checksumTypeHeader:
			c.typ = h.Value
		case strings.HasPrefix(h.Name, checksumPrefix):
			if a, err := checksum.FromHeader(h.Name); err == nil {
				c.algo, c.value = a, h.Value
			}
		}
	}
	if c.algo != checksum.None && c.typ == "" {
		c.typ = checksum.FullObject.String() // stored before types were
	}
	return c
}

// headers are the stored headers of c.
func (c storedChecksum) headers() []model.Header {
	if c.algo == checksum.None {
		return nil
	}
	return []model.Header{{Name: c.algo.Header(), Value: c.value}, {Name: checksumTypeHeader, Value: c.typ}}
}

// withChecksum returns hs with its checksum headers replaced by c's.
func withChecksum(hs []model.Header, c storedChecksum) []model.Header {
	var out []model.Header
	for _, h := range hs {
		if !strings.HasPrefix(h.Name, checksumPrefix) {
			out = append(out, h)
		}
	}
	out = append(out, c.headers()...)
	sortHeaders(out)
	return out
}

// set writes c to a response's headers.
func (c storedChecksum) set(h http.Header) {
	if c.algo == checksum.None {
		return
	}
	h.Set(c.algo.Header(), c.value)
	h.Set(checksumTypeHeader, c.typ)
}

// fullObject is a single-piece object's checksum of algorithm a, computed
// by s.
func fullObject(s *summer, a checksum.Algorithm) storedChecksum {
	return storedChecksum{algo: a, value: s.value(a), typ: checksum.FullObject.String()}
}

// completeChecksum reads the object checksum a CompleteMultipartUpload
// states in its x-amz-checksum-<algorithm> header: base64, for a composite
// checksum possibly followed by "-<number of parts>".
func completeChecksum(h http.Header) (object.ObjectChecksum, error) {
	algo, value, err := checksumHeaders(h)
	if err != nil || algo == checksum.None {
		return object.ObjectChecksum{}, err
	}
	digest := value
	if b, n, found := strings.Cut(value, "-"); found && algo != checksum.CRC64NVME {
		if _, err := strconv.ParseUint(n, 10, 16); err != nil {
			return object.ObjectChecksum{}, invalidValue(algo.Header())
		}
		digest = b
	}
	if _, err := algo.Decode(digest); err != nil {
		return object.ObjectChecksum{}, invalidValue(algo.Header())
	}
	return object.ObjectChecksum{Algorithm: algo, Value: value}, nil
}
