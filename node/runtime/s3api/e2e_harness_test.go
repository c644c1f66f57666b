package s3api_test

// The end-to-end suite: real S3 clients (aws-sdk-go-v2 and minio-go, with
// their default settings) against a real cluster of nodes talking over TCP
// on 127.0.0.1 (internal/localcluster). This file holds the shared harness;
// the e2e_*_test.go files hold the tests, one area each.

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"io"
	"math/big"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	minio "github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/garagego/garage/internal/localcluster"
)

// e2eTimeout bounds any one test's work against the cluster.
const e2eTimeout = 3 * time.Minute

// TestE2E runs the end-to-end tests that can share one 3-node cluster.
// They run in parallel (bounded by -parallel, GOMAXPROCS by default) and
// keep out of each other's way with their own buckets or key prefixes.
func TestE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end tests start a cluster")
	}
	e := startEnv(t, 3)
	for _, tc := range []struct {
		name string
		run  func(*testing.T, *env)
	}{
		{"Buckets", testBuckets},
		{"BucketCORS", testBucketCORS},
		{"BucketWebsite", testBucketWebsite},
		{"BucketLifecycle", testBucketLifecycle},
		{"LifecycleWorker", testLifecycleWorker},
		{"Objects", testObjects},
		{"Checksums", testChecksums},
		{"ChecksumsOverTLS", testChecksumsOverTLS},
		{"Metadata", testMetadata},
		{"Ranges", testRanges},
		{"Conditionals", testConditionals},
		{"DeleteObjects", testDeleteObjects},
		{"CopyObject", testCopyObject},
		{"SpecialKeys", testSpecialKeys},
		{"Listing", testListing},
		{"Listing5000", testListing5000},
		{"Multipart", testMultipart},
		{"MultipartErrors", testMultipartErrors},
		{"MultipartReplacedPart", testMultipartReplacedPart},
		{"MultipartLists", testMultipartLists},
		{"MultipartChecksums", testMultipartChecksums},
		{"ChecksumsEveryAlgorithm", testChecksumsEveryAlgorithm},
		{"MultipartChecksumTypes", testMultipartChecksumTypes},
		{"MultipartChecksumRefusals", testMultipartChecksumRefusals},
		{"CopyChecksums", testCopyChecksums},
		{"SamePartTwice", testSamePartTwice},
		{"ConditionalRequests", testConditionalRequests},
		{"ConditionalRaces", testConditionalRaces},
		{"DeleteObjectsResults", testDeleteObjectsResults},
		{"UploadPartCopyRanges", testUploadPartCopyRanges},
		{"UploadPartCopyRangeErrors", testUploadPartCopyRangeErrors},
		{"ListEncoding", testListEncoding},
		{"PartNumberPastEnd", testPartNumberPastEnd},
		{"CreateBucketAnswers", testCreateBucketAnswers},
		{"ListBucketsPaging", testListBucketsPaging},
		{"StorageClasses", testStorageClasses},
		{"ConditionalWrites", testConditionalWrites},
		{"ChunkedTrailers", testChunkedTrailers},
		{"ContentEncodingAWSChunked", testContentEncodingAWSChunked},
		{"ConcurrentPutsSameKey", testConcurrentPutsSameKey},
		{"LargeObject", testLargeObject},
		{"Presigned", testPresigned},
		{"PresignedExpiredAndTampered", testPresignedExpiredAndTampered},
		{"PostObject", testPostObject},
		{"Permissions", testPermissions},
		{"AuthErrors", testAuthErrors},
		{"ErrorDocuments", testErrorDocuments},
		{"Minio", testMinio},
		{"MinioChecksums", testMinioChecksums},
		{"Boto3Checksums", testBoto3Checksums},
		{"Quotas", testQuotas},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, e)
		})
	}
}

// env is a running cluster and what the tests need to reach it.
type env struct {
	c *localcluster.Cluster
}

// startEnv starts a cluster of n nodes, stopped when t ends.
func startEnv(t *testing.T, n int) *env {
	t.Helper()
	return startEnvWith(t, localcluster.Options{Nodes: n})
}

// startEnvWith starts a cluster shaped by opts (its Dir is the test's).
func startEnvWith(t *testing.T, opts localcluster.Options) *env {
	t.Helper()
	opts.Dir = t.TempDir()
	c, err := localcluster.Start(opts)
	if err != nil {
		t.Fatalf("start cluster: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("close cluster: %v", err)
		}
	})
	return &env{c: c}
}

// testCtx is a context that ends with the test, or after e2eTimeout.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), e2eTimeout)
	t.Cleanup(cancel)
	return ctx
}

// s3 returns an aws-sdk-go-v2 client of node i signing with the cluster's
// key.
func (e *env) s3(t *testing.T, i int, opts ...func(*s3.Options)) *s3.Client {
	return newS3(t, e.c.Nodes[i].Endpoint, e.c.KeyID, e.c.Secret, opts...)
}

// newS3 builds an aws-sdk-go-v2 client with its default settings except
// the endpoint, the region, static credentials and path-style addressing;
// nothing is read from the environment. Every response it gets must carry
// an x-amz-request-id.
//
// The checksum settings are the SDK's defaults as config.LoadDefaultConfig
// resolves them (when supported: a CRC32 on every upload, validation of
// downloads): s3.New alone leaves them unset, which sends no checksum.
func newS3(t *testing.T, endpoint, keyID, secret string, opts ...func(*s3.Options)) *s3.Client {
	o := s3.Options{
		Region:                     localcluster.Region,
		BaseEndpoint:               aws.String(endpoint),
		Credentials:                credentials.NewStaticCredentialsProvider(keyID, secret, ""),
		UsePathStyle:               true,
		HTTPClient:                 requestIDChecker{t: t, next: awshttp.NewBuildableClient()},
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	}
	for _, f := range opts {
		f(&o)
	}
	return s3.New(o)
}

// anonymous makes a client send unsigned requests.
func anonymous(o *s3.Options) { o.Credentials = aws.AnonymousCredentials{} }

// noRetries makes a client try each request once, so that a failure the
// default retryer would hide fails the test.
func noRetries(o *s3.Options) { o.Retryer = aws.NopRetryer{} }

// requestIDChecker fails the test on any S3 response without an
// x-amz-request-id header.
type requestIDChecker struct {
	t    *testing.T
	next interface {
		Do(*http.Request) (*http.Response, error)
	}
}

func (c requestIDChecker) Do(r *http.Request) (*http.Response, error) {
	resp, err := c.next.Do(r)
	if err == nil && resp.Header.Get("x-amz-request-id") == "" {
		c.t.Errorf("%s %s: %d response without x-amz-request-id", r.Method, r.URL, resp.StatusCode)
	}
	return resp, err
}

func (c requestIDChecker) RoundTrip(r *http.Request) (*http.Response, error) { return c.Do(r) }

// roundTripper presents a transport as the SDK's HTTP client interface.
type roundTripper struct{ http.RoundTripper }

func (r roundTripper) Do(req *http.Request) (*http.Response, error) { return r.RoundTrip(req) }

// minio returns a minio-go client of node i with its default settings,
// but for path-style addressing and the region.
func (e *env) minio(t *testing.T, i int, opts ...func(*minio.Options)) *minio.Client {
	t.Helper()
	u, err := url.Parse(e.c.Nodes[i].Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := minio.DefaultTransport(false)
	if err != nil {
		t.Fatal(err)
	}
	o := &minio.Options{
		Creds:        miniocreds.NewStaticV4(e.c.KeyID, e.c.Secret, ""),
		Secure:       false,
		Region:       localcluster.Region,
		BucketLookup: minio.BucketLookupPath,
		Transport:    requestIDChecker{t: t, next: roundTripper{tr}},
	}
	for _, f := range opts {
		f(o)
	}
	mc, err := minio.New(u.Host, o)
	if err != nil {
		t.Fatal(err)
	}
	return mc
}

// createBucket creates a bucket of the test's own through node 0.
func (e *env) createBucket(t *testing.T, name string) {
	t.Helper()
	if _, err := e.s3(t, 0).CreateBucket(testCtx(t), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
}

// --- errors ---------------------------------------------------------------

// wantAPIError checks that err is an S3 error with the code and HTTP
// status, and that it came with a request id.
func wantAPIError(t *testing.T, err error, code string, status int) {
	t.Helper()
	if err == nil {
		t.Errorf("want %s (%d), got success", code, status)
		return
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Errorf("want %s (%d), got a non-API error: %v", code, status, err)
		return
	}
	if ae.ErrorCode() != code {
		t.Errorf("want code %s, got %s: %v", code, ae.ErrorCode(), err)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Errorf("want an HTTP response error, got %T: %v", err, err)
		return
	}
	if re.HTTPStatusCode() != status {
		t.Errorf("want status %d, got %d: %v", status, re.HTTPStatusCode(), err)
	}
	if re.ServiceRequestID() == "" {
		t.Errorf("error without a request id: %v", err)
	}
}

// must fails the test at once on err.
func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// xmlError is S3's error document.
type xmlError struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	RequestID string   `xml:"RequestId"`
}

// wantHTTPError checks a raw HTTP response is an S3 error document with
// the code and status, and closes its body.
func wantHTTPError(t *testing.T, resp *http.Response, code string, status int) {
	t.Helper()
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != status {
		t.Errorf("want status %d, got %d: %s", status, resp.StatusCode, body)
	}
	if resp.Header.Get("x-amz-request-id") == "" {
		t.Errorf("error response without x-amz-request-id")
	}
	var e xmlError
	if err := xml.Unmarshal(body, &e); err != nil {
		t.Errorf("error body is not an S3 error document: %v: %q", err, body)
		return
	}
	if e.Code != code {
		t.Errorf("want code %s, got %s (%s)", code, e.Code, e.Message)
	}
	if e.RequestID != resp.Header.Get("x-amz-request-id") {
		t.Errorf("error document's RequestId %q is not the header's %q", e.RequestID, resp.Header.Get("x-amz-request-id"))
	}
}

// httpDo sends a raw request with a plain net/http client; the response
// must carry an x-amz-request-id.
func httpDo(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	if resp.Header.Get("x-amz-request-id") == "" {
		t.Errorf("%s %s: %d response without x-amz-request-id", req.Method, req.URL, resp.StatusCode)
	}
	return resp
}

func newRequest(t *testing.T, method, u string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(testCtx(t), method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// readAll reads and closes a body.
func readAll(t *testing.T, r io.ReadCloser) []byte {
	t.Helper()
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return b
}

// getBytes reads a whole object.
func getBytes(t *testing.T, cl *s3.Client, bucket, key string) []byte {
	t.Helper()
	out, err := cl.GetObject(testCtx(t), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	must(t, err, "get "+key)
	return readAll(t, out.Body)
}

// putBytes writes an object and returns its ETag.
func putBytes(t *testing.T, cl *s3.Client, bucket, key string, data []byte) string {
	t.Helper()
	out, err := cl.PutObject(testCtx(t), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data)})
	must(t, err, "put "+key)
	return aws.ToString(out.ETag)
}

// escapeKey URL-encodes a key for x-amz-copy-source, keeping its slashes.
func escapeKey(key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// --- data -------------------------------------------------------------------

// randomBytes is n bytes of seeded pseudo-random data.
func randomBytes(seed uint64, n int) []byte {
	b := make([]byte, n)
	fillRandom(seed, 0, b)
	return b
}

// prngBlock is the unit in which prng data is generated: byte i of a
// stream depends only on its seed and i, so the stream can be read from
// anywhere, concurrently.
const prngBlock = 64 << 10

// fillRandom fills p with the bytes of stream seed from offset off.
func fillRandom(seed uint64, off int64, p []byte) {
	var block [prngBlock]byte
	for len(p) > 0 {
		b := off / prngBlock
		var key [32]byte
		binary.LittleEndian.PutUint64(key[0:], seed)
		binary.LittleEndian.PutUint64(key[8:], uint64(b))
		mrand.NewChaCha8(key).Read(block[:]) //nolint:errcheck // never fails
		n := copy(p, block[off-b*prngBlock:])
		p, off = p[n:], off+int64(n)
	}
}

// prngReader is a seekable, concurrently readable-at stream of size
// pseudo-random bytes that never holds more than one block.
type prngReader struct {
	seed      uint64
	size, off int64
}

func newPRNGReader(seed uint64, size int64) *prngReader { return &prngReader{seed: seed, size: size} }

func (r *prngReader) Read(p []byte) (int, error) {
	n, err := r.ReadAt(p, r.off)
	r.off += int64(n)
	return n, err
}

func (r *prngReader) ReadAt(p []byte, off int64) (int, error) {
	if off >= r.size {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), r.size-off))
	fillRandom(r.seed, off, p[:n])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (r *prngReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.off
	case io.SeekEnd:
		offset += r.size
	default:
		return 0, errors.New("bad whence")
	}
	if offset < 0 {
		return 0, errors.New("negative offset")
	}
	r.off = offset
	return offset, nil
}

// --- TLS ----------------------------------------------------------------------

// tlsFront terminates TLS on 127.0.0.1 in front of a node's S3 endpoint,
// passing bytes through untouched: over HTTPS, aws-sdk-go-v2 sends its
// default checksums in aws-chunked bodies with trailers, which it does not
// over plain HTTP. It returns the HTTPS endpoint and an HTTP client (the
// SDK's default one) that trusts it.
func tlsFront(t *testing.T, endpoint string) (string, *awshttp.BuildableClient) {
	t.Helper()
	backend := strings.TrimPrefix(endpoint, "http://")
	cert, pool := selfSigned(t)
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns = map[net.Conn]bool{}
	)
	// Idle keep-alive connections would hold the relays open: close them.
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns[conn] = true
			mu.Unlock()
			wg.Go(func() {
				relay(conn, backend)
				mu.Lock()
				delete(conns, conn)
				mu.Unlock()
			})
		}
	})
	client := awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	})
	return "https://" + l.Addr().String(), client
}

// relay copies bytes both ways between conn and backend until either side
// closes.
func relay(conn net.Conn, backend string) {
	defer conn.Close()
	up, err := net.DialTimeout("tcp", backend, 5*time.Second)
	if err != nil {
		return
	}
	defer up.Close()
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, conn); done <- struct{}{} }() //nolint:errcheck // either side closing ends it
	go func() { io.Copy(conn, up); done <- struct{}{} }() //nolint:errcheck // either side closing ends it
	<-done
}

// selfSigned makes a certificate for 127.0.0.1 and a pool trusting it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
