package sigv4

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/garagego/garage/node/s3/s3err"
)

func TestParseContentSHA256(t *testing.T) {
	for v, want := range map[string]Payload{
		"UNSIGNED-PAYLOAD":                           {Mode: PayloadUnsigned},
		"STREAMING-AWS4-HMAC-SHA256-PAYLOAD":         {Mode: PayloadChunked, Chunked: StreamingSigned},
		"STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER": {Mode: PayloadChunked, Chunked: StreamingSignedTrailer},
		"STREAMING-UNSIGNED-PAYLOAD-TRAILER":         {Mode: PayloadChunked, Chunked: StreamingUnsignedTrailer},
		emptySHA256:                                  {Mode: PayloadHash, SHA256: emptySHA256},
		strings.ToUpper(emptySHA256):                 {Mode: PayloadHash, SHA256: emptySHA256},
	} {
		got, err := ParseContentSHA256(v)
		if err != nil || got != want {
			t.Errorf("ParseContentSHA256(%q) = %+v, %v; want %+v", v, got, err, want)
		}
		if want.Mode == PayloadChunked && want.Chunked.String() != v {
			t.Errorf("%v.String() = %q", want.Chunked, want.Chunked.String())
		}
	}
	for _, v := range []string{"", "unsigned-payload", emptySHA256[:63], emptySHA256 + "0", strings.Replace(emptySHA256, "e", "g", 1), "STREAMING-AWS4-HMAC-SHA256-PAYLOAD "} {
		_, err := ParseContentSHA256(v)
		wantCode(t, err, s3err.InvalidArgument, "x-amz-content-sha256")
	}
	_, err := ParseContentSHA256("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD")
	wantCode(t, err, s3err.NotImplemented, "4A")
}

func TestPayloadChecker(t *testing.T) {
	body := []byte("Welcome to Amazon S3.")
	const sum = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"
	for name, r := range map[string]io.Reader{
		"whole":           NewPayloadChecker(bytes.NewReader(body), sum),
		"one byte":        iotest.OneByteReader(NewPayloadChecker(bytes.NewReader(body), sum)),
		"data with EOF":   NewPayloadChecker(iotest.DataErrReader(bytes.NewReader(body)), strings.ToUpper(sum)),
		"one byte source": NewPayloadChecker(iotest.OneByteReader(bytes.NewReader(body)), sum),
	} {
		got, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(got, body) {
			t.Errorf("%s: %q, %v", name, got, err)
		}
	}
	if err := iotest.TestReader(NewPayloadChecker(bytes.NewReader(body), sum), body); err != nil {
		t.Error(err)
	}

	r := NewPayloadChecker(bytes.NewReader(append(body, '!')), sum)
	_, err := io.ReadAll(r)
	wantCode(t, err, s3err.XAmzContentSHA256Mismatch, "does not match")
	if _, again := r.Read(make([]byte, 1)); again != err {
		t.Errorf("the mismatch is not sticky: %v", again)
	}

	failing := NewPayloadChecker(iotest.TimeoutReader(bytes.NewReader(body)), sum)
	if _, err := io.ReadAll(failing); err != iotest.ErrTimeout {
		t.Errorf("a source error is %v, want it passed through", err)
	}
}
