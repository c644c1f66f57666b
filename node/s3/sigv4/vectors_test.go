package sigv4

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"hash/crc32"
	"io"
	"net/url"
	"strconv"
	"testing"
	"time"
)

// The credentials and time of every example in AWS's SigV4 documentation
// for S3. The expected signatures below are copied from that documentation,
// never computed by this package.
var (
	exampleCreds = Credentials{
		AccessKey: "AKIAIOSFODNN7EXAMPLE",
		Secret:    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		Region:    "us-east-1",
	}
	exampleTime = time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)
)

const exampleCredential = "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request"

// headerVector is an example of "Signature Calculations for the
// Authorization Header: Transferring Payload in a Single Chunk".
type headerVector struct {
	name          string
	method, path  string
	query         string
	header        map[string][]string
	signedHeaders string
	signature     string
}

func headerVectors() []headerVector {
	amzDate := []string{"20130524T000000Z"}
	empty := []string{emptySHA256}
	return []headerVector{
		{
			name: "GET Object", method: "GET", path: "/test.txt",
			header:        map[string][]string{"Range": {"bytes=0-9"}, "X-Amz-Content-Sha256": empty, "X-Amz-Date": amzDate},
			signedHeaders: "host;range;x-amz-content-sha256;x-amz-date",
			signature:     "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
		},
		{
			name: "PUT Object", method: "PUT", path: "/test$file.text",
			header: map[string][]string{
				"Date":                 {"Fri, 24 May 2013 00:00:00 GMT"},
				"X-Amz-Storage-Class":  {"REDUCED_REDUNDANCY"},
				"X-Amz-Content-Sha256": {"44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"},
				"X-Amz-Date":           amzDate,
			},
			signedHeaders: "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
			signature:     "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
		},
		{
			name: "GET Bucket Lifecycle", method: "GET", path: "/", query: "lifecycle",
			header:        map[string][]string{"X-Amz-Content-Sha256": empty, "X-Amz-Date": amzDate},
			signedHeaders: "host;x-amz-content-sha256;x-amz-date",
			signature:     "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
		},
		{
			name: "GET Bucket (List Objects)", method: "GET", path: "/", query: "max-keys=2&prefix=J",
			header:        map[string][]string{"X-Amz-Content-Sha256": empty, "X-Amz-Date": amzDate},
			signedHeaders: "host;x-amz-content-sha256;x-amz-date",
			signature:     "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
		},
	}
}

func (v headerVector) request(t *testing.T, withAuthorization bool) Request {
	t.Helper()
	query, err := url.ParseQuery(v.query)
	if err != nil {
		t.Fatal(err)
	}
	header := make(map[string][]string)
	for k, vs := range v.header {
		header[k] = append([]string(nil), vs...)
	}
	if withAuthorization {
		header["Authorization"] = []string{"AWS4-HMAC-SHA256 Credential=" + exampleCredential +
			",SignedHeaders=" + v.signedHeaders + ",Signature=" + v.signature}
	}
	return Request{Method: v.method, EscapedPath: v.path, Query: query, Header: header, Host: "examplebucket.s3.amazonaws.com"}
}

func TestPublishedHeaderVectorsVerify(t *testing.T) {
	for _, v := range headerVectors() {
		t.Run(v.name, func(t *testing.T) {
			req := v.request(t, true)
			auth, ok, err := Parse(req)
			if err != nil || !ok {
				t.Fatalf("Parse = %v, %v", ok, err)
			}
			got, err := auth.Verify(req, exampleCreds.Secret, "us-east-1", exampleTime)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if got.Signature != v.signature || got.Scope != "20130524/us-east-1/s3/aws4_request" {
				t.Errorf("Verified = %+v", got)
			}
		})
	}
}

func TestPublishedHeaderVectorsSign(t *testing.T) {
	for _, v := range headerVectors() {
		t.Run(v.name, func(t *testing.T) {
			req := v.request(t, false)
			payload := req.header("X-Amz-Content-Sha256")
			got := Sign(&req, exampleCreds, exampleTime, payload)
			if got.Signature != v.signature {
				t.Errorf("signature %s, AWS publishes %s", got.Signature, v.signature)
			}
			want := "AWS4-HMAC-SHA256 Credential=" + exampleCredential + ", SignedHeaders=" + v.signedHeaders + ", Signature=" + v.signature
			if a := req.header("Authorization"); a != want {
				t.Errorf("Authorization %q, want %q", a, want)
			}
		})
	}
}

func TestPublishedPutObjectPayloadHash(t *testing.T) {
	sum := sha256.Sum256([]byte("Welcome to Amazon S3."))
	if got := hex.EncodeToString(sum[:]); got != "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072" {
		t.Fatalf("payload hash %s", got)
	}
}

// The example of "Authenticating Requests: Using Query Parameters".
const presignedQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"

func presignedRequest(t *testing.T) Request {
	t.Helper()
	query, err := url.ParseQuery(presignedQuery)
	if err != nil {
		t.Fatal(err)
	}
	return Request{Method: "GET", EscapedPath: "/test.txt", Query: query, Header: map[string][]string{}, Host: "examplebucket.s3.amazonaws.com"}
}

func TestPublishedPresignedVector(t *testing.T) {
	req := presignedRequest(t)
	auth, ok, err := Parse(req)
	if err != nil || !ok {
		t.Fatalf("Parse = %v, %v", ok, err)
	}
	if !auth.Presigned || auth.Expires != 24*time.Hour || auth.ContentSHA256 != UnsignedPayload {
		t.Errorf("Auth = %+v", auth)
	}
	if _, err := auth.Verify(req, exampleCreds.Secret, "us-east-1", exampleTime.Add(time.Hour)); err != nil {
		t.Fatalf("Verify: %v", err)
	}

	fresh := Request{Method: "GET", EscapedPath: "/test.txt", Host: "examplebucket.s3.amazonaws.com"}
	got := Presign(&fresh, exampleCreds, exampleTime, 24*time.Hour)
	if want := "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"; got.Signature != want {
		t.Errorf("Presign signature %s, AWS publishes %s", got.Signature, want)
	}
}

// The example of "Transferring Payload in Multiple Chunks": 66560 bytes of
// 'a' in chunks of 65536, 1024 and 0 bytes.
var (
	chunkedData     = bytes.Repeat([]byte("a"), 66560)
	chunkedSizes    = []int{65536, 1024, 0}
	chunkSignatures = []string{
		"ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
		"0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
		"b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
	}
)

const chunkedSeed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"

func chunkedRequest(t testing.TB) Request {
	t.Helper()
	return Request{
		Method: "PUT", EscapedPath: "/examplebucket/chunkObject.txt", Host: "s3.amazonaws.com",
		Header: map[string][]string{
			"X-Amz-Date":                   {"20130524T000000Z"},
			"X-Amz-Storage-Class":          {"REDUCED_REDUNDANCY"},
			"X-Amz-Content-Sha256":         {"STREAMING-AWS4-HMAC-SHA256-PAYLOAD"},
			"Content-Encoding":             {"aws-chunked"},
			"X-Amz-Decoded-Content-Length": {"66560"},
			"Content-Length":               {"66824"},
			"Authorization": {"AWS4-HMAC-SHA256 Credential=" + exampleCredential +
				",SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class" +
				",Signature=" + chunkedSeed},
		},
	}
}

// chunkedBody frames data in chunks of the given sizes with the given
// signatures; unsigned chunks when signatures is nil.
func chunkedBody(data []byte, sizes []int, signatures []string, tail string) []byte {
	var b bytes.Buffer
	for i, size := range sizes {
		b.WriteString(strconv.FormatInt(int64(size), 16))
		if signatures != nil {
			b.WriteString(";chunk-signature=" + signatures[i])
		}
		b.WriteString("\r\n")
		if size > 0 {
			b.Write(data[:size])
			data = data[size:]
			b.WriteString("\r\n")
		}
	}
	b.WriteString(tail)
	return b.Bytes()
}

func TestPublishedChunkedVector(t *testing.T) {
	req := chunkedRequest(t)
	auth, ok, err := Parse(req)
	if err != nil || !ok {
		t.Fatalf("Parse = %v, %v", ok, err)
	}
	v, err := auth.Verify(req, exampleCreds.Secret, "us-east-1", exampleTime)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if v.Signature != chunkedSeed {
		t.Fatalf("seed %s", v.Signature)
	}
	body := chunkedBody(chunkedData, chunkedSizes, chunkSignatures, "\r\n")
	if len(body) != 66824 {
		t.Fatalf("the framed body is %d bytes; AWS's Content-Length is 66824", len(body))
	}
	r := NewChunkedReader(bytes.NewReader(body), StreamingSigned, v)
	r.SetDecodedLength(66560)
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("ReadAll: %v", err)
	}
	if !bytes.Equal(got, chunkedData) {
		t.Fatalf("decoded %d bytes, want the 66560 'a's", len(got))
	}
	previous := v.Signature
	for i, size := range chunkedSizes {
		offset := 0
		for _, s := range chunkedSizes[:i] {
			offset += s
		}
		if sig := v.SignChunk(previous, chunkedData[offset:offset+size]); sig != chunkSignatures[i] {
			t.Errorf("SignChunk %d = %s, AWS publishes %s", i, sig, chunkSignatures[i])
		}
		previous = chunkSignatures[i]
	}
}

// The example of "Signature calculations for trailing headers": the same
// data, signed chunks, then a signed x-amz-checksum-crc32c trailer.
var trailerChunkSignatures = []string{
	"b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
	"1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
	"2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
}

const (
	trailerSeed      = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"
	trailerSignature = "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435"
	trailerChecksum  = "sOO8/Q=="
)

func trailerRequest() Request {
	return Request{
		Method: "PUT", EscapedPath: "/examplebucket/chunkObject.txt", Host: "s3.amazonaws.com",
		Header: map[string][]string{
			"X-Amz-Date":                   {"20130524T000000Z"},
			"X-Amz-Storage-Class":          {"REDUCED_REDUNDANCY"},
			"X-Amz-Content-Sha256":         {"STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"},
			"Content-Encoding":             {"aws-chunked"},
			"X-Amz-Decoded-Content-Length": {"66560"},
			"X-Amz-Trailer":                {"x-amz-checksum-crc32c"},
			"Authorization": {"AWS4-HMAC-SHA256 Credential=" + exampleCredential +
				",SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer" +
				",Signature=" + trailerSeed},
		},
	}
}

func TestPublishedTrailerVector(t *testing.T) {
	sum := crc32.Checksum(chunkedData, crc32.MakeTable(crc32.Castagnoli))
	if got := base64.StdEncoding.EncodeToString([]byte{byte(sum >> 24), byte(sum >> 16), byte(sum >> 8), byte(sum)}); got != trailerChecksum {
		t.Fatalf("CRC32C of the data is %s; the example's trailer says %s", got, trailerChecksum)
	}
	req := trailerRequest()
	auth, _, err := Parse(req)
	if err != nil {
		t.Fatal(err)
	}
	v, err := auth.Verify(req, exampleCreds.Secret, "us-east-1", exampleTime)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	tail := "x-amz-checksum-crc32c:" + trailerChecksum + "\r\nx-amz-trailer-signature:" + trailerSignature + "\r\n\r\n"
	r := NewChunkedReader(bytes.NewReader(chunkedBody(chunkedData, chunkedSizes, trailerChunkSignatures, tail)), StreamingSignedTrailer, v)
	r.SetDecodedLength(66560)
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("ReadAll: %v", err)
	}
	if !bytes.Equal(got, chunkedData) {
		t.Fatalf("decoded %d bytes", len(got))
	}
	if tr := r.Trailer(); len(tr) != 1 || tr["x-amz-checksum-crc32c"] != trailerChecksum {
		t.Errorf("Trailer() = %v", tr)
	}
	if sig := v.SignTrailer(trailerChunkSignatures[2], []byte("x-amz-checksum-crc32c:"+trailerChecksum+"\n")); sig != trailerSignature {
		t.Errorf("SignTrailer = %s, AWS publishes %s", sig, trailerSignature)
	}
}

// The example of "Example: Browser-Based Upload using HTTP POST".
const (
	examplePolicy          = "eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9"
	examplePolicySignature = "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e"
)

func TestPublishedPostVector(t *testing.T) {
	now := time.Date(2015, 12, 29, 10, 0, 0, 0, time.UTC)
	err := VerifyPostSignature(examplePolicy, "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request", "20151229T000000Z",
		examplePolicySignature, exampleCreds.Secret, "us-east-1", now)
	if err != nil {
		t.Fatalf("VerifyPostSignature: %v", err)
	}
}
