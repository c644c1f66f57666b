package sigv4

import (
	"bytes"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/garagego/garage/node/s3/s3err"
)

// mustBeS3Error fails unless err is an *s3err.Error: every failure a client
// can cause must reach it as an S3 error, not a 500.
func mustBeS3Error(t *testing.T, err error) *s3err.Error {
	t.Helper()
	e, ok := s3err.As(err)
	if !ok {
		t.Fatalf("error %T %v is not an *s3err.Error", err, err)
	}
	return e
}

func FuzzParseAuthorization(f *testing.F) {
	for _, v := range headerVectors() {
		f.Add(v.method, v.path, v.query, "AWS4-HMAC-SHA256 Credential="+exampleCredential+",SignedHeaders="+v.signedHeaders+",Signature="+v.signature,
			v.header["X-Amz-Date"][0], v.header["X-Amz-Content-Sha256"][0], "examplebucket.s3.amazonaws.com")
	}
	f.Add("GET", "/test.txt", presignedQuery, "", "", "", "examplebucket.s3.amazonaws.com")
	f.Add("GET", "/", "AWSAccessKeyId=AKID&Expires=1&Signature=x", "", "", "", "h")
	f.Add("PUT", "/b/k", "", "AWS AKID:c2lnbmF0dXJl", "Fri, 24 May 2013 00:00:00 GMT", UnsignedPayload, "h")
	f.Add("PUT", "/b/k", "X-Amz-Credential=a/b/c/d/e&X-Amz-Expires=-1", "", "", "", "")
	f.Fuzz(func(t *testing.T, method, path, rawQuery, authorization, date, payload, host string) {
		query, _ := url.ParseQuery(rawQuery) // as r.URL.Query() does
		header := map[string][]string{"X-Amz-Content-Sha256": {payload}, "Range": {"bytes=0-9"}}
		if authorization != "" {
			header["Authorization"] = []string{authorization}
		}
		if date != "" {
			header["X-Amz-Date"] = []string{date}
			header["Date"] = []string{date}
		}
		req := Request{Method: method, EscapedPath: path, Query: query, Header: header, Host: host}
		a, ok, err := Parse(req)
		if err != nil {
			mustBeS3Error(t, err)
			if ok {
				t.Fatal("Parse failed and reported authentication")
			}
			return
		}
		if !ok {
			if authorization != "" {
				t.Fatal("an Authorization header was taken for anonymous")
			}
			return
		}
		if a.AccessKey == "" || a.Signature == "" || len(a.SignedHeaders) == 0 || strings.Count(a.Scope, "/") < 3 {
			t.Fatalf("Parse accepted incomplete authentication %+v", a)
		}
		for _, region := range []string{"us-east-1", a.Region} {
			v, err := a.Verify(req, exampleCreds.Secret, region, a.Date)
			if err != nil {
				mustBeS3Error(t, err)
				continue
			}
			if v.Signature != strings.ToLower(a.Signature) || v.Scope != a.Scope {
				t.Fatalf("Verify returned %+v for %+v", v, a)
			}
		}
	})
}

// fuzzChunkedSeeds are bodies of every mode, some valid for the seed of
// AWS's chunked example, some not.
func fuzzChunkedSeeds(v Verified) [][]byte {
	data := []byte("0123456789abcdefghijklmnopqrstuvwxyz")
	return [][]byte{
		encode(v, StreamingSigned, data, []int{20, 10, 6}),
		encode(v, StreamingSignedTrailer, data, []int{36}, crc32Trailer(data)),
		encode(v, StreamingUnsignedTrailer, data, []int{1, 35}, crc32Trailer(data)),
		[]byte("5;ext\r\nhello\r\n0\r\n\r\nx-amz-checksum-crc32c:AAAAAA==\n\r\nx-amz-trailer-signature:00\r\n\r\n"),
		[]byte("ffffffffffffffff;chunk-signature=\r\n"),
		{},
	}
}

func FuzzChunkedReader(f *testing.F) {
	v := seed(f)
	for i, body := range fuzzChunkedSeeds(v) {
		f.Add(body, uint8(i%3), uint16(i*100), int64(36))
	}
	f.Fuzz(func(t *testing.T, body []byte, mode uint8, readSize uint16, decodedLength int64) {
		m := ChunkedMode(mode%3 + 1)
		decode := func(size int) ([]byte, map[string]string, error) {
			r := NewChunkedReader(bytes.NewReader(body), m, v)
			if decodedLength >= 0 {
				r.SetDecodedLength(decodedLength)
			}
			got, err := readWith(r, size)
			return got, r.Trailer(), err
		}
		got, trailer, err := decode(int(readSize)%4096 + 1)
		if err != io.EOF {
			code := mustBeS3Error(t, err).Code
			if trailer != nil {
				t.Fatal("Trailer() after a failure")
			}
			// The outcome must not depend on how the body is read.
			if _, _, again := decode(1); again == io.EOF || mustBeS3Error(t, again).Code != code {
				t.Fatalf("reads of %d fail with %v, reads of 1 with %v", int(readSize)%4096+1, err, again)
			}
			return
		}
		if len(got) > len(body) || (decodedLength >= 0 && int64(len(got)) != decodedLength) {
			t.Fatalf("decoded %d bytes from a body of %d, declared %d", len(got), len(body), decodedLength)
		}
		if (trailer != nil) != m.trailers() {
			t.Fatalf("Trailer() = %v in mode %v", trailer, m)
		}
		again, _, err := decode(1)
		if err != io.EOF || !bytes.Equal(again, got) {
			t.Fatalf("reads of 1 give %d bytes, %v", len(again), err)
		}
	})
}
