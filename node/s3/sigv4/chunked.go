package sigv4

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"strconv"
	"strings"

	"github.com/garagego/garage/node/s3/s3err"
)

// MaxChunkSize bounds the size a chunk of an aws-chunked body may declare.
// Clients use 64 KiB to a few MiB; the reader holds none of it in memory,
// but a bound keeps one signature from vouching for unbounded data.
const MaxChunkSize = 64 << 20

// The bounds on what the reader buffers: one line (a chunk header or a
// trailer) and all the trailers together.
const (
	maxLineLength   = 16 << 10
	maxTrailerBytes = 16 << 10
)

const trailerSignatureName = "x-amz-trailer-signature"

// ChunkedReader decodes an aws-chunked body: it returns the data of the
// chunks, checking each chunk's signature before handing out the chunk's
// last bytes, and collects the trailers. Bytes handed out before an error
// are not authenticated, so the caller must discard everything it read
// unless Read ends with io.EOF.
type ChunkedReader struct {
	src      *bufio.Reader
	mode     ChunkedMode
	verified Verified
	previous string // the signature the next one chains from

	state     chunkState
	remaining int64     // data bytes left in the current chunk
	claimed   string    // the signature the current chunk header claims
	hash      hash.Hash // of the current chunk's data, in signed modes

	decoded     int64 // data bytes read so far
	wantDecoded int64 // x-amz-decoded-content-length, or -1
	trailer     map[string]string
	err         error // sticky: io.EOF at the end, or the first failure
}

type chunkState int

const (
	stateFirstHeader chunkState = iota // before the first chunk header
	stateHeader                        // after a chunk's data: its CRLF, then the next header
	stateData                          // inside a chunk's data
)

// NewChunkedReader decodes body, an aws-chunked body in the given mode,
// for a request whose signature v has verified. In the unsigned-trailer
// mode v is not used.
func NewChunkedReader(body io.Reader, mode ChunkedMode, v Verified) *ChunkedReader {
	r := &ChunkedReader{
		src:         bufio.NewReaderSize(body, maxLineLength),
		mode:        mode,
		verified:    v,
		previous:    v.Signature,
		hash:        sha256.New(),
		wantDecoded: -1,
	}
	if mode != StreamingSigned && mode != StreamingSignedTrailer && mode != StreamingUnsignedTrailer {
		r.err = s3err.New(s3err.InvalidArgument, "unknown aws-chunked mode %d", int(mode))
	}
	return r
}

// SetDecodedLength declares the length of the decoded data, from the
// x-amz-decoded-content-length header; the body must decode to exactly n
// bytes.
func (r *ChunkedReader) SetDecodedLength(n int64) { r.wantDecoded = n }

// Trailer returns the trailing headers, lowercase names to values, once
// Read has returned io.EOF; before that it returns nil. A signed trailer's
// signature is not among them.
func (r *ChunkedReader) Trailer() map[string]string {
	if r.err != io.EOF {
		return nil
	}
	return r.trailer
}

// Read reads decoded data.
func (r *ChunkedReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	for r.err == nil {
		if r.state != stateData {
			r.err = r.nextChunk()
			continue
		}
		n, err := r.readData(p)
		if err != nil {
			r.err = err
			break
		}
		// n is 0 only if the source read nothing without failing; handing
		// that back beats spinning on it.
		return n, nil
	}
	return 0, r.err
}

// readData reads from the current chunk into p. It verifies the chunk when
// the read completes it, and only then lets the last bytes out.
func (r *ChunkedReader) readData(p []byte) (int, error) {
	if int64(len(p)) > r.remaining {
		p = p[:r.remaining]
	}
	n, err := r.src.Read(p)
	if r.mode.signed() {
		r.hash.Write(p[:n])
	}
	r.remaining -= int64(n)
	r.decoded += int64(n)
	switch {
	case err != nil && err != io.EOF:
		return 0, err
	case err == io.EOF && r.remaining > 0:
		return 0, errIncompleteBody("The request body ended inside a chunk.")
	case r.wantDecoded >= 0 && r.decoded > r.wantDecoded:
		return 0, errDecodedLength()
	}
	if r.remaining == 0 {
		if err := r.verifyChunk(r.hash.Sum(nil)); err != nil {
			return 0, err
		}
		r.state = stateHeader
	}
	return n, nil
}

// nextChunk reads the end of the previous chunk and the header of the next
// one, and finishes the body at the zero-length chunk.
func (r *ChunkedReader) nextChunk() error {
	if r.state == stateHeader {
		line, err := r.readLine()
		if err != nil {
			return endedEarly(err)
		}
		if line != "" {
			return errFraming("chunk data does not end with CRLF where its size says it should.")
		}
	}
	line, err := r.readLine()
	if err != nil {
		return endedEarly(err)
	}
	size, claimed, err := r.parseChunkHeader(line)
	if err != nil {
		return err
	}
	if size > 0 {
		r.state, r.remaining, r.claimed = stateData, size, claimed
		r.hash.Reset()
		return nil
	}
	r.claimed = claimed
	if err := r.verifyChunk(nil); err != nil { // the last chunk signs no data
		return err
	}
	if err := r.finish(); err != nil {
		return err
	}
	return io.EOF
}

// parseChunkHeader parses "size;chunk-signature=sig" (signed modes) or
// "size" (unsigned, where any chunk extension is ignored).
func (r *ChunkedReader) parseChunkHeader(line string) (int64, string, error) {
	sizeText, extension, hasExtension := strings.Cut(line, ";")
	if sizeText == "" || len(sizeText) > 16 {
		return 0, "", errFraming("bad chunk size %q.", truncate(sizeText))
	}
	size, err := strconv.ParseUint(sizeText, 16, 64)
	if err != nil {
		return 0, "", errFraming("bad chunk size %q.", sizeText)
	}
	if size > MaxChunkSize {
		return 0, "", errFraming("a chunk of %d bytes exceeds the limit of %d.", size, MaxChunkSize)
	}
	if !r.mode.signed() {
		return int64(size), "", nil
	}
	claimed, ok := strings.CutPrefix(extension, "chunk-signature=")
	if !hasExtension || !ok {
		return 0, "", errFraming("a chunk header lacks its chunk-signature.")
	}
	return int64(size), claimed, nil
}

// verifyChunk checks the claimed signature of the chunk whose data hashes
// to sum, and moves the chain on to it.
func (r *ChunkedReader) verifyChunk(sum []byte) error {
	if !r.mode.signed() {
		return nil
	}
	dataHash := emptySHA256
	if len(sum) > 0 {
		dataHash = hex.EncodeToString(sum)
	}
	expected := sign(r.verified.SigningKey, chunkStringToSign(r.verified, r.previous, dataHash))
	if !signaturesEqual(expected, r.claimed) {
		return errSignatureMismatch()
	}
	r.previous = expected
	return nil
}

// finish reads what follows the last chunk and checks the decoded length.
func (r *ChunkedReader) finish() error {
	if r.mode.trailers() {
		if err := r.readTrailers(); err != nil {
			return err
		}
	} else {
		// The final CRLF carries nothing, so a body that stops short of it is
		// accepted.
		line, err := r.readLine()
		if err != nil && err != io.EOF {
			return err
		}
		if err == nil && line != "" {
			return errFraming("unexpected data after the last chunk.")
		}
	}
	if r.wantDecoded >= 0 && r.decoded != r.wantDecoded {
		return errDecodedLength()
	}
	return nil
}

// readLine reads one line and returns it without its CRLF (or bare LF,
// which some clients end trailer lines with). A clean end of the body
// before the line starts is io.EOF; an end inside it is IncompleteBody.
func (r *ChunkedReader) readLine() (string, error) {
	line, err := r.src.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return "", errFraming("a line is longer than %d bytes.", maxLineLength)
	case err == io.EOF && len(line) == 0:
		return "", io.EOF
	case err == io.EOF:
		return "", errIncompleteBody("The request body ended inside a line.")
	case err != nil:
		return "", err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return string(line), nil
}

// endedEarly turns a clean end of the body where more was due into
// IncompleteBody.
func endedEarly(err error) error {
	if err == io.EOF {
		return errIncompleteBody("The request body ended before its last chunk.")
	}
	return err
}

func errDecodedLength() error {
	return errIncompleteBody("The decoded body length does not match x-amz-decoded-content-length.")
}

// truncate shortens what goes into an error message.
func truncate(s string) string {
	if len(s) > 32 {
		return s[:32] + "..."
	}
	return s
}
