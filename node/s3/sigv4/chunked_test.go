package sigv4

import (
	"bytes"
	"encoding/base64"
	"hash/crc32"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/garagego/garage/node/s3/s3err"
)

// seed is the verified signature of AWS's chunked-upload example.
func seed(t testing.TB) Verified {
	t.Helper()
	req := chunkedRequest(t)
	v, err := parseOK(t, req).Verify(req, exampleCreds.Secret, "us-east-1", exampleTime)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func publishedBody() []byte {
	return chunkedBody(chunkedData, chunkedSizes, chunkSignatures, "\r\n")
}

// encode frames data as a client would in mode: chunks of the given sizes
// (the last, empty one added), signed from v in the signed modes, then
// trailer lines ("name:value") and the end of the body.
func encode(v Verified, mode ChunkedMode, data []byte, sizes []int, trailers ...string) []byte {
	var b bytes.Buffer
	previous := v.Signature
	for _, size := range append(sizes, 0) {
		b.WriteString(strconv.FormatInt(int64(size), 16))
		if mode.signed() {
			previous = v.SignChunk(previous, data[:size])
			b.WriteString(";chunk-signature=" + previous)
		}
		b.WriteString("\r\n")
		if size > 0 {
			b.Write(data[:size])
			b.WriteString("\r\n")
			data = data[size:]
		}
	}
	var lines strings.Builder
	for _, tr := range trailers {
		lines.WriteString(tr + "\n")
		b.WriteString(tr + "\r\n")
	}
	if mode == StreamingSignedTrailer {
		b.WriteString(trailerSignatureName + ":" + v.SignTrailer(previous, []byte(lines.String())) + "\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

func crc32Trailer(data []byte) string {
	sum := crc32.ChecksumIEEE(data)
	return "x-amz-checksum-crc32:" + base64.StdEncoding.EncodeToString([]byte{byte(sum >> 24), byte(sum >> 16), byte(sum >> 8), byte(sum)})
}

// readAll reads r to its end and returns what it handed out.
func readAll(r io.Reader) ([]byte, error) {
	var out bytes.Buffer
	_, err := io.Copy(&out, r)
	return out.Bytes(), err
}

func TestChunkedOneByteAtATime(t *testing.T) {
	v := seed(t)
	body := publishedBody()
	for name, wrap := range map[string]func(r io.Reader) io.Reader{
		"one-byte source": func(io.Reader) io.Reader {
			return NewChunkedReader(iotest.OneByteReader(bytes.NewReader(body)), StreamingSigned, v)
		},
		"one-byte reads": func(io.Reader) io.Reader {
			return iotest.OneByteReader(NewChunkedReader(bytes.NewReader(body), StreamingSigned, v))
		},
		"half reads": func(io.Reader) io.Reader {
			return iotest.HalfReader(NewChunkedReader(bytes.NewReader(body), StreamingSigned, v))
		},
		"data with EOF": func(io.Reader) io.Reader {
			return NewChunkedReader(iotest.DataErrReader(bytes.NewReader(body)), StreamingSigned, v)
		},
		"one byte, both": func(io.Reader) io.Reader {
			return iotest.OneByteReader(NewChunkedReader(iotest.OneByteReader(bytes.NewReader(body)), StreamingSigned, v))
		},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := readAll(wrap(nil))
			if err != nil || !bytes.Equal(got, chunkedData) {
				t.Fatalf("decoded %d bytes, %v", len(got), err)
			}
		})
	}
	if err := iotest.TestReader(NewChunkedReader(bytes.NewReader(body), StreamingSigned, v), chunkedData); err != nil {
		t.Error(err)
	}
}

// A flipped byte fails the chunk's signature before the chunk's last bytes
// are handed out.
func TestChunkedFlippedDataByte(t *testing.T) {
	v := seed(t)
	for _, tc := range []struct {
		name     string
		offset   int // in the body
		chunkEnd int // decoded bytes up to the end of the damaged chunk
	}{
		{"first byte of the first chunk", 88, 65536},
		{"last byte of the first chunk", 88 + 65535, 65536},
		{"inside the second chunk", 88 + 65538 + 86 + 500, 66560},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := publishedBody()
			if body[tc.offset] != 'a' {
				t.Fatalf("offset %d is not data", tc.offset)
			}
			body[tc.offset] = 'b'
			for _, size := range []int{1, 1000, 1 << 20} {
				got, err := readWith(NewChunkedReader(bytes.NewReader(body), StreamingSigned, v), size)
				wantCode(t, err, s3err.SignatureDoesNotMatch, "does not match")
				if len(got) >= tc.chunkEnd {
					t.Errorf("reads of %d: %d bytes handed out, all of the damaged chunk", size, len(got))
				}
			}
		})
	}
}

// readWith reads r to its end in reads of size bytes.
func readWith(r io.Reader, size int) ([]byte, error) {
	buf := make([]byte, size)
	var got []byte
	for {
		n, err := r.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			return got, err
		}
	}
}

func TestChunkedTamperedSignature(t *testing.T) {
	v := seed(t)
	for _, sig := range chunkSignatures {
		body := bytes.Replace(publishedBody(), []byte(sig), []byte(tamper(sig, 7)), 1)
		_, err := readAll(NewChunkedReader(bytes.NewReader(body), StreamingSigned, v))
		wantCode(t, err, s3err.SignatureDoesNotMatch, "does not match")
	}
	// The chain binds chunks to their order and to the request.
	other := v
	other.Signature = tamper(v.Signature, 0)
	_, err := readAll(NewChunkedReader(bytes.NewReader(publishedBody()), StreamingSigned, other))
	wantCode(t, err, s3err.SignatureDoesNotMatch, "does not match")
}

func TestChunkedTruncated(t *testing.T) {
	v := seed(t)
	data := []byte("0123456789abcdefghijklmnopqrstuvwxyz")
	for _, mode := range []ChunkedMode{StreamingSigned, StreamingSignedTrailer, StreamingUnsignedTrailer} {
		var trailers []string
		if mode.trailers() {
			trailers = []string{crc32Trailer(data)}
		}
		body := encode(v, mode, data, []int{20, 10, 6}, trailers...)
		// Every cut before the end of the final chunk header loses data or
		// a signature; so does a cut inside a trailer line.
		last := bytes.LastIndex(body, []byte("\r\n0"))
		lastHeaderEnd := last + bytes.Index(body[last+2:], []byte("\r\n")) + 4
		cuts := []int{}
		for cut := 0; cut < lastHeaderEnd; cut++ {
			cuts = append(cuts, cut)
		}
		if mode.trailers() {
			firstTrailer := bytes.Index(body, []byte("x-amz-checksum"))
			cuts = append(cuts, firstTrailer+5, firstTrailer+len(trailers[0])+1)
		}
		if mode == StreamingSignedTrailer {
			sig := bytes.Index(body, []byte(trailerSignatureName))
			cuts = append(cuts, sig, sig+30)
		}
		for _, cut := range cuts {
			r := NewChunkedReader(bytes.NewReader(body[:cut]), mode, v)
			r.SetDecodedLength(int64(len(data)))
			_, err := readAll(r)
			e, ok := s3err.As(err)
			if !ok || e.Code != s3err.IncompleteBody {
				t.Fatalf("%v cut at %d of %d (%q): %v, want IncompleteBody", mode, cut, len(body), body[max(0, cut-10):cut], err)
			}
		}
		// Without its final CRLF the body has lost nothing.
		r := NewChunkedReader(bytes.NewReader(body[:len(body)-2]), mode, v)
		if got, err := readAll(r); err != nil || !bytes.Equal(got, data) {
			t.Errorf("%v without the final CRLF: %q, %v", mode, got, err)
		}
	}
}

func TestChunkedUnsignedTrailer(t *testing.T) {
	data := bytes.Repeat([]byte("garage "), 10000)
	body := encode(Verified{}, StreamingUnsignedTrailer, data, []int{8192, 8192, 8192, 8192, 8192, 8192, 8192, 12656}, crc32Trailer(data))
	r := NewChunkedReader(iotest.HalfReader(bytes.NewReader(body)), StreamingUnsignedTrailer, Verified{})
	r.SetDecodedLength(int64(len(data)))
	if r.Trailer() != nil {
		t.Error("Trailer() before EOF")
	}
	got, err := readAll(r)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("decoded %d bytes, %v", len(got), err)
	}
	want := strings.TrimPrefix(crc32Trailer(data), "x-amz-checksum-crc32:")
	if tr := r.Trailer(); len(tr) != 1 || tr["x-amz-checksum-crc32"] != want {
		t.Errorf("Trailer() = %v, want the CRC32 %s", tr, want)
	}

	// Chunk extensions mean nothing without signatures; a bare body works.
	r = NewChunkedReader(strings.NewReader("5;ext=1\r\nhello\r\n0\r\nX-Amz-Checksum-Crc32 : AAAAAA== \r\n\r\n"), StreamingUnsignedTrailer, Verified{})
	if got, err := readAll(r); err != nil || string(got) != "hello" || r.Trailer()["x-amz-checksum-crc32"] != "AAAAAA==" {
		t.Errorf("got %q, %v, %v", got, err, r.Trailer())
	}
	r = NewChunkedReader(strings.NewReader("0\r\n"), StreamingUnsignedTrailer, Verified{})
	if got, err := readAll(r); err != nil || len(got) != 0 || r.Trailer() == nil || len(r.Trailer()) != 0 {
		t.Errorf("empty body: %q, %v, %v", got, err, r.Trailer())
	}
}

func TestChunkedSignedTrailer(t *testing.T) {
	v := seed(t)
	data := bytes.Repeat([]byte{0, 1, 2, 3, 250}, 3000)
	body := encode(v, StreamingSignedTrailer, data, []int{10000, 5000}, crc32Trailer(data))
	r := NewChunkedReader(iotest.OneByteReader(bytes.NewReader(body)), StreamingSignedTrailer, v)
	got, err := readAll(r)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("decoded %d bytes, %v", len(got), err)
	}
	if len(r.Trailer()) != 1 || r.Trailer()["x-amz-checksum-crc32"] == "" {
		t.Errorf("Trailer() = %v", r.Trailer())
	}

	for name, tc := range map[string]struct {
		body []byte
		code s3err.Code
	}{
		"tampered trailer value":      {bytes.Replace(body, []byte("x-amz-checksum-crc32:"), []byte("x-amz-checksum-crc32:A"), 1), s3err.SignatureDoesNotMatch},
		"tampered trailer name":       {bytes.Replace(body, []byte("x-amz-checksum-crc32:"), []byte("x-amz-checksum-crc32c:"), 1), s3err.SignatureDoesNotMatch},
		"unsigned trailers":           {cutLine(body, trailerSignatureName), s3err.InvalidRequest},
		"trailer after the signature": {bytes.Replace(body, []byte("\r\n\r\n"), []byte("\r\nx-amz-meta-a:b\r\n\r\n"), 1), s3err.InvalidRequest},
		"repeated trailer":            {bytes.Replace(body, []byte("x-amz-checksum-crc32:"), []byte("x-amz-checksum-crc32:1\r\nx-amz-checksum-crc32:"), 1), s3err.InvalidRequest},
		"trailer without colon":       {bytes.Replace(body, []byte("x-amz-checksum-crc32:"), []byte("x-amz-checksum-crc32 "), 1), s3err.InvalidRequest},
	} {
		_, err := readAll(NewChunkedReader(bytes.NewReader(tc.body), StreamingSignedTrailer, v))
		if e, ok := s3err.As(err); !ok || e.Code != tc.code {
			t.Errorf("%s: %v, want %s", name, err, tc.code)
		}
	}
}

// cutLine removes the line that starts with prefix.
func cutLine(body []byte, prefix string) []byte {
	i := bytes.Index(body, []byte(prefix))
	j := i + bytes.Index(body[i:], []byte("\r\n")) + 2
	return append(append([]byte(nil), body[:i]...), body[j:]...)
}

// Clients differ on blank lines around the trailers: AWS's example has one
// before them, some SDKs end the checksum line with LF and add a blank line
// before the signature.
func TestChunkedTrailerLayouts(t *testing.T) {
	tail := "x-amz-checksum-crc32c:" + trailerChecksum + "\r\nx-amz-trailer-signature:" + trailerSignature + "\r\n\r\n"
	req := trailerRequest()
	tv, err := parseOK(t, req).Verify(req, exampleCreds.Secret, "us-east-1", exampleTime)
	if err != nil {
		t.Fatal(err)
	}
	for name, tail := range map[string]string{
		"blank line first":    "\r\n" + tail,
		"LF then blank line":  strings.Replace(tail, "\r\nx-amz-trailer-signature", "\n\r\nx-amz-trailer-signature", 1),
		"no final blank line": strings.TrimSuffix(tail, "\r\n"),
		"LF line ends":        strings.ReplaceAll(tail, "\r\n", "\n"),
	} {
		body := chunkedBody(chunkedData, chunkedSizes, trailerChunkSignatures, tail)
		r := NewChunkedReader(bytes.NewReader(body), StreamingSignedTrailer, tv)
		if got, err := readAll(r); err != nil || len(got) != len(chunkedData) || r.Trailer()["x-amz-checksum-crc32c"] != trailerChecksum {
			t.Errorf("%s: %d bytes, %v, %v", name, len(got), err, r.Trailer())
		}
	}
}

func TestChunkedDecodedLength(t *testing.T) {
	v := seed(t)
	for _, n := range []int64{0, 66559, 66561, 1 << 40} {
		r := NewChunkedReader(bytes.NewReader(publishedBody()), StreamingSigned, v)
		r.SetDecodedLength(n)
		_, err := readAll(r)
		wantCode(t, err, s3err.IncompleteBody, "x-amz-decoded-content-length")
	}
}

func TestChunkedFraming(t *testing.T) {
	v := seed(t)
	sig := chunkSignatures[0]
	for name, tc := range map[string]struct {
		mode ChunkedMode
		body string
		code s3err.Code
	}{
		"empty body":                {StreamingSigned, "", s3err.IncompleteBody},
		"bad size":                  {StreamingUnsignedTrailer, "zz\r\n", s3err.InvalidRequest},
		"signed size":               {StreamingUnsignedTrailer, "+5\r\nhello\r\n0\r\n", s3err.InvalidRequest},
		"empty size":                {StreamingUnsignedTrailer, ";chunk-signature=" + sig + "\r\n", s3err.InvalidRequest},
		"huge size":                 {StreamingUnsignedTrailer, "ffffffffffffffff\r\n", s3err.InvalidRequest},
		"too many size digits":      {StreamingUnsignedTrailer, "00000000000000001\r\n", s3err.InvalidRequest},
		"over the chunk limit":      {StreamingSigned, "4000001;chunk-signature=" + sig + "\r\n", s3err.InvalidRequest},
		"no chunk signature":        {StreamingSigned, "10000\r\n", s3err.InvalidRequest},
		"other extension":           {StreamingSigned, "10000;chunk-sig=" + sig + "\r\n", s3err.InvalidRequest},
		"data longer than its size": {StreamingUnsignedTrailer, "5\r\nhello!\r\n0\r\n", s3err.InvalidRequest},
		"line too long":             {StreamingUnsignedTrailer, strings.Repeat("0", maxLineLength+1), s3err.InvalidRequest},
		"data after the last chunk": {StreamingUnsignedTrailer, "0\r\n\r\nmore\r\n", s3err.InvalidRequest},
	} {
		_, err := readAll(NewChunkedReader(strings.NewReader(tc.body), tc.mode, v))
		if e, ok := s3err.As(err); !ok || e.Code != tc.code {
			t.Errorf("%s: %v, want %s", name, err, tc.code)
		}
	}

	var many strings.Builder
	many.WriteString("0\r\n")
	for i := range 200 {
		many.WriteString("x-amz-meta-" + strconv.Itoa(i) + ":" + strings.Repeat("v", 100) + "\r\n")
	}
	_, err := readAll(NewChunkedReader(strings.NewReader(many.String()), StreamingUnsignedTrailer, v))
	wantCode(t, err, s3err.InvalidRequest, "trailers exceed")

	body := append(bytes.TrimSuffix(publishedBody(), []byte("\r\n")), "extra\r\n"...)
	_, err = readAll(NewChunkedReader(bytes.NewReader(body), StreamingSigned, v))
	wantCode(t, err, s3err.InvalidRequest, "after the last chunk")

	_, err = readAll(NewChunkedReader(bytes.NewReader(publishedBody()), ChunkedMode(9), v))
	wantCode(t, err, s3err.InvalidArgument, "mode")
}

func TestChunkedErrorsAreSticky(t *testing.T) {
	v := seed(t)
	body := publishedBody()
	body[100] = 'b'
	r := NewChunkedReader(bytes.NewReader(body), StreamingSigned, v)
	_, err := readAll(r)
	for range 3 {
		if n, again := r.Read(make([]byte, 10)); n != 0 || again != err {
			t.Fatalf("after %v: Read = %d, %v", err, n, again)
		}
	}
	if r.Trailer() != nil {
		t.Error("Trailer() after a failure")
	}
	if n, err := NewChunkedReader(bytes.NewReader(body), StreamingSigned, v).Read(nil); n != 0 || err != nil {
		t.Errorf("Read(nil) = %d, %v", n, err)
	}
}

func TestChunkedSourceErrorPassesThrough(t *testing.T) {
	r := NewChunkedReader(iotest.TimeoutReader(strings.NewReader("5\r\nhello\r\n0\r\n\r\n")), StreamingUnsignedTrailer, Verified{})
	if _, err := readAll(r); err != iotest.ErrTimeout {
		t.Errorf("got %v, want the source's error", err)
	}
}

// A large chunk streams through: the reader holds a line buffer, not the
// chunk.
func TestChunkedMemoryIsBounded(t *testing.T) {
	v := seed(t)
	data := bytes.Repeat([]byte("0123456789abcdef"), (32<<20)/16)
	body := io.MultiReader(
		strings.NewReader(strconv.FormatInt(int64(len(data)), 16)+";chunk-signature="+v.SignChunk(v.Signature, data)+"\r\n"),
		bytes.NewReader(data),
		strings.NewReader("\r\n0;chunk-signature="+v.SignChunk(v.SignChunk(v.Signature, data), nil)+"\r\n\r\n"),
	)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	n, err := io.Copy(io.Discard, NewChunkedReader(body, StreamingSigned, v))
	runtime.ReadMemStats(&after)
	if err != nil || n != int64(len(data)) {
		t.Fatalf("decoded %d bytes, %v", n, err)
	}
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 1<<20 {
		t.Errorf("decoding a %d MiB chunk allocated %d bytes", len(data)>>20, allocated)
	}
}
