package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"strings"

	"github.com/garagego/garage/node/s3/s3err"
)

// PayloadMode is how a request's body is protected, as its
// x-amz-content-sha256 value says.
type PayloadMode int

// The payload modes.
const (
	PayloadHash     PayloadMode = iota + 1 // the value is the hex SHA-256 of the whole body
	PayloadUnsigned                        // UNSIGNED-PAYLOAD: the body is not covered
	PayloadChunked                         // an aws-chunked body; see ChunkedMode
)

// ChunkedMode is the flavour of an aws-chunked body.
type ChunkedMode int

// The aws-chunked flavours.
const (
	StreamingSigned          ChunkedMode = iota + 1 // every chunk signed
	StreamingSignedTrailer                          // every chunk signed, then signed trailers
	StreamingUnsignedTrailer                        // no signatures, trailers after the last chunk
)

// The x-amz-content-sha256 values of the chunked flavours.
const (
	streamingSignedValue          = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	streamingSignedTrailerValue   = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	streamingUnsignedTrailerValue = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
)

// String is the x-amz-content-sha256 value that selects m.
func (m ChunkedMode) String() string {
	switch m {
	case StreamingSigned:
		return streamingSignedValue
	case StreamingSignedTrailer:
		return streamingSignedTrailerValue
	case StreamingUnsignedTrailer:
		return streamingUnsignedTrailerValue
	}
	return "unknown"
}

// signed reports whether the chunks of m carry signatures.
func (m ChunkedMode) signed() bool { return m == StreamingSigned || m == StreamingSignedTrailer }

// trailers reports whether trailing headers follow the last chunk.
func (m ChunkedMode) trailers() bool {
	return m == StreamingSignedTrailer || m == StreamingUnsignedTrailer
}

// Payload is a classified x-amz-content-sha256 value.
type Payload struct {
	Mode    PayloadMode
	SHA256  string      // lowercase hex, for PayloadHash
	Chunked ChunkedMode // for PayloadChunked
}

// ParseContentSHA256 classifies an x-amz-content-sha256 value.
func ParseContentSHA256(v string) (Payload, error) {
	switch v {
	case UnsignedPayload:
		return Payload{Mode: PayloadUnsigned}, nil
	case streamingSignedValue:
		return Payload{Mode: PayloadChunked, Chunked: StreamingSigned}, nil
	case streamingSignedTrailerValue:
		return Payload{Mode: PayloadChunked, Chunked: StreamingSignedTrailer}, nil
	case streamingUnsignedTrailerValue:
		return Payload{Mode: PayloadChunked, Chunked: StreamingUnsignedTrailer}, nil
	case "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER":
		return Payload{}, s3err.New(s3err.NotImplemented, "Signature Version 4A (ECDSA) is not supported; use AWS4-HMAC-SHA256.")
	}
	if len(v) == sha256.Size*2 {
		if _, err := hex.DecodeString(v); err == nil {
			return Payload{Mode: PayloadHash, SHA256: strings.ToLower(v)}, nil
		}
	}
	return Payload{}, s3err.New(s3err.InvalidArgument, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.")
}

// NewPayloadChecker returns a reader of body that hashes what it reads and,
// at the end, answers an XAmzContentSHA256Mismatch error instead of io.EOF
// if the body's SHA-256 is not wantHexSHA256. The bytes have been handed
// out by then, so the caller must discard them on any error.
func NewPayloadChecker(body io.Reader, wantHexSHA256 string) io.Reader {
	return &payloadChecker{body: body, hash: sha256.New(), want: strings.ToLower(wantHexSHA256)}
}

type payloadChecker struct {
	body io.Reader
	hash hash.Hash
	want string
	err  error // sticky: the end, or the first failure
}

func (c *payloadChecker) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.body.Read(p)
	c.hash.Write(p[:n])
	switch {
	case err == io.EOF && hex.EncodeToString(c.hash.Sum(nil)) != c.want:
		c.err = s3err.New(s3err.XAmzContentSHA256Mismatch, "The provided 'x-amz-content-sha256' header does not match what was computed.")
	case err != nil:
		c.err = err
	}
	return n, c.err
}
