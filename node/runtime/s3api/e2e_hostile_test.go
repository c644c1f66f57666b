package s3api_test

// Hostile and broken clients, over raw TCP: bodies cut short, clients that
// stall, headers the store does not implement, malformed values. Each case
// is a defect once found by hand; each test fails without its fix.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/garagego/garage/internal/localcluster"
	"github.com/garagego/garage/node/runtime/s3api"
)

// hostileTimeouts are short, so that the stalls below end in test time.
var hostileTimeouts = s3api.Timeouts{Header: time.Second, Body: 700 * time.Millisecond, Request: 2 * time.Second, Idle: time.Second}

// startHostileEnv starts one node with hostileTimeouts.
func startHostileEnv(t *testing.T) *env {
	t.Helper()
	return startEnvWith(t, localcluster.Options{Nodes: 1, TuneAPI: func(_ int, cfg *s3api.Config) { cfg.Timeouts = hostileTimeouts }})
}

// rawConn is a TCP connection to node 0 on which a test writes a request
// by hand.
type rawConn struct {
	t  *testing.T
	e  *env
	nc *net.TCPConn
	rd *bufio.Reader
}

func dialRaw(t *testing.T, e *env) *rawConn {
	t.Helper()
	u, err := url.Parse(e.c.Nodes[0].Endpoint)
	must(t, err, "endpoint")
	nc, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	must(t, err, "dial")
	t.Cleanup(func() { nc.Close() })
	must(t, nc.SetDeadline(time.Now().Add(30*time.Second)), "deadline")
	return &rawConn{t: t, e: e, nc: nc.(*net.TCPConn), rd: bufio.NewReader(nc)}
}

// writeHead signs a request with the cluster's key (payload as given) and
// writes its request line and headers, leaving the body to the test.
func (c *rawConn) writeHead(method, path string, header http.Header, payloadHash string) *http.Request {
	c.t.Helper()
	req, err := http.NewRequest(method, c.e.c.Nodes[0].Endpoint+path, nil)
	must(c.t, err, "request")
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	creds := aws.Credentials{AccessKeyID: c.e.c.KeyID, SecretAccessKey: c.e.c.Secret}
	must(c.t, v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).
		SignHTTP(context.Background(), creds, req, payloadHash, "s3", localcluster.Region, time.Now()), "sign")
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, req.URL.RequestURI(), req.URL.Host)
	must(c.t, req.Header.Write(&b), "headers")
	b.WriteString("\r\n")
	c.write(b.String())
	return req
}

func (c *rawConn) write(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.nc, s); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// response reads the server's answer.
func (c *rawConn) response(req *http.Request) *http.Response {
	c.t.Helper()
	resp, err := http.ReadResponse(c.rd, req)
	if err != nil {
		c.t.Fatalf("%s %s: no response: %v", req.Method, req.URL.Path, err)
	}
	return resp
}

// wantAbsent checks that key was not stored.
func wantAbsent(t *testing.T, e *env, key string) {
	t.Helper()
	_, err := e.s3(t, 0).HeadObject(testCtx(t), &s3.HeadObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key)})
	wantAPIError(t, err, "NotFound", http.StatusNotFound)
}

// TestE2EShortBodyIsNeverOK sends bodies cut short, then half-closes the
// connection, as a client does when its source fails mid-upload. The
// server once answered these with an implicit 200 OK (no ETag, nothing
// stored): its error path wrote nothing once the request context ended.
func TestE2EShortBodyIsNeverOK(t *testing.T) {
	e := startHostileEnv(t)
	chunk := func(data string) string { return fmt.Sprintf("%x\r\n%s\r\n", len(data), data) }
	sum := crc32.ChecksumIEEE([]byte(strings.Repeat("a", 500) + strings.Repeat("b", 500)))
	trailer := "x-amz-checksum-crc32:" + base64.StdEncoding.EncodeToString([]byte{byte(sum >> 24), byte(sum >> 16), byte(sum >> 8), byte(sum)}) + "\r\n\r\n"
	awsChunked := http.Header{
		"Content-Encoding":             {"aws-chunked"},
		"X-Amz-Decoded-Content-Length": {"1000"},
		"X-Amz-Trailer":                {"x-amz-checksum-crc32"},
		"Transfer-Encoding":            {"chunked"},
	}
	for _, tc := range []struct {
		name    string
		header  http.Header
		payload string
		body    string
	}{
		{"content-length", http.Header{"Content-Length": {"1000"}}, "UNSIGNED-PAYLOAD", strings.Repeat("a", 500)},
		{"chunked", http.Header{"Transfer-Encoding": {"chunked"}}, "UNSIGNED-PAYLOAD", chunk(strings.Repeat("a", 500)) + "1f4\r\nbbb"},
		{"aws-chunked-short-last-chunk", awsChunked, "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
			chunk(chunk(strings.Repeat("a", 500)) + "1f4\r\n" + strings.Repeat("b", 100))},
		{"aws-chunked-missing-last-chunk", awsChunked, "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
			chunk(chunk(strings.Repeat("a", 500)) + chunk(strings.Repeat("b", 500)))},
		{"aws-chunked-missing-trailer", awsChunked, "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
			chunk(chunk(strings.Repeat("a", 500)) + chunk(strings.Repeat("b", 500)) + "0\r\n")},
		{"aws-chunked-complete-control", awsChunked, "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
			chunk(chunk(strings.Repeat("a", 500))+chunk(strings.Repeat("b", 500))+"0\r\n"+trailer) + "0\r\n\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := "short/" + tc.name
			c := dialRaw(t, e)
			req := c.writeHead(http.MethodPut, "/bucket/"+key, tc.header, tc.payload)
			c.write(tc.body)
			must(t, c.nc.CloseWrite(), "half-close")
			resp := c.response(req)
			if strings.HasSuffix(tc.name, "-control") {
				// The same framing, whole: stored. This shows the others
				// fail for being short, not for being framed wrongly.
				if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == "" {
					t.Fatalf("a complete body: %d %s", resp.StatusCode, readAll(t, resp.Body))
				}
				return
			}
			wantHTTPError(t, resp, "IncompleteBody", http.StatusBadRequest)
			wantAbsent(t, e, key)
		})
	}
}

// TestE2EStalledClientsTimeOut: a client that stops sending its body, one
// that sends a small body a byte at a time, one that stops reading a
// response, and an idle keep-alive connection are each cut off within
// their timeout; a stalled body once held its handler for ever.
func TestE2EStalledClientsTimeOut(t *testing.T) {
	e := startHostileEnv(t)
	t.Run("body-stall", func(t *testing.T) {
		c := dialRaw(t, e)
		req := c.writeHead(http.MethodPut, "/bucket/stall/body", http.Header{"Content-Length": {"1000"}}, "UNSIGNED-PAYLOAD")
		c.write(strings.Repeat("a", 500))
		start := time.Now()
		resp := c.response(req)
		took := time.Since(start)
		wantHTTPError(t, resp, "RequestTimeout", http.StatusBadRequest)
		// The server's clock for the stall starts when it read the last
		// bytes, which may be a little before this side's start.
		if took < hostileTimeouts.Body-50*time.Millisecond {
			t.Errorf("timed out after %v, before the %v stall bound", took, hostileTimeouts.Body)
		}
		wantAbsent(t, e, "stall/body")
	})
	t.Run("slow-drip-small-body", func(t *testing.T) {
		// Each byte comes before the stall bound, but the whole small
		// body not within the request bound.
		c := dialRaw(t, e)
		req := c.writeHead(http.MethodPut, "/bucket/stall/drip", http.Header{"Content-Length": {"100"}}, "UNSIGNED-PAYLOAD")
		start := time.Now()
		answered := make(chan *http.Response, 1)
		go func() {
			resp, err := http.ReadResponse(c.rd, req)
			if err != nil {
				t.Errorf("no response: %v", err)
			}
			answered <- resp
		}()
		var resp *http.Response
	drip:
		for range 100 {
			select {
			case resp = <-answered:
				break drip
			case <-time.After(hostileTimeouts.Body / 3):
				if _, err := c.nc.Write([]byte("a")); err != nil {
					resp = <-answered
					break drip
				}
			}
		}
		if resp == nil {
			t.Fatal("a request dripping a byte at a time was never cut off")
		}
		wantHTTPError(t, resp, "RequestTimeout", http.StatusBadRequest)
		if took := time.Since(start); took < hostileTimeouts.Request-50*time.Millisecond { // as above: the server's clock starts first
			t.Errorf("cut off after %v, before the %v request bound", took, hostileTimeouts.Request)
		}
	})
	t.Run("response-stall", func(t *testing.T) {
		// A client that never reads: the server gives up once its writes
		// stall, instead of holding the object's blocks for ever.
		data := randomBytes(11, 24<<20)
		putBytes(t, e.s3(t, 0), "bucket", "stall/big", data)
		c := dialRaw(t, e)
		must(t, c.nc.SetReadBuffer(32<<10), "small receive buffer")
		req := c.writeHead(http.MethodGet, "/bucket/stall/big", nil, "UNSIGNED-PAYLOAD")
		time.Sleep(hostileTimeouts.Body + 2*time.Second)
		resp := c.response(req)
		n, err := io.Copy(io.Discard, resp.Body)
		if err == nil && n == int64(len(data)) {
			t.Fatalf("the server kept a stalled response open: all %d bytes came", n)
		}
	})
	t.Run("idle-keep-alive", func(t *testing.T) {
		c := dialRaw(t, e)
		req := c.writeHead(http.MethodGet, "/bucket?list-type=2", nil, "UNSIGNED-PAYLOAD")
		resp := c.response(req)
		readAll(t, resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("list: %d", resp.StatusCode)
		}
		start := time.Now()
		_, err := c.rd.ReadByte()
		if !errors.Is(err, io.EOF) {
			t.Fatalf("an idle keep-alive connection: %v, want the server to close it", err)
		}
		if took := time.Since(start); took < hostileTimeouts.Idle/2 || took > 10*hostileTimeouts.Idle {
			t.Errorf("idle connection closed after %v (idle bound %v)", took, hostileTimeouts.Idle)
		}
	})
	t.Run("header-stall", func(t *testing.T) {
		c := dialRaw(t, e)
		c.write("GET /bucket HTTP/1.1\r\nHost: x\r\n")
		start := time.Now()
		_, err := io.ReadAll(c.rd)
		if err != nil && !errors.Is(err, net.ErrClosed) && !strings.Contains(err.Error(), "reset") {
			t.Fatalf("a stalled header: %v", err)
		}
		if took := time.Since(start); took > 10*hostileTimeouts.Header {
			t.Errorf("stalled headers held the connection %v", took)
		}
	})
}

// TestE2ERangeEndClamps: a range ending past the object, up to the largest
// uint64, is the rest of the object; it once wrapped to an empty body.
func TestE2ERangeEndClamps(t *testing.T) {
	e := startHostileEnv(t)
	data := randomBytes(5, 100)
	putBytes(t, e.s3(t, 0), "bucket", "range/100", data)
	for _, tc := range []struct {
		header, contentRange string
		from                 int
	}{
		{"bytes=0-18446744073709551615", "bytes 0-99/100", 0},
		{"bytes=50-18446744073709551615", "bytes 50-99/100", 50},
		{"bytes=50-1000", "bytes 50-99/100", 50},
	} {
		out, err := e.s3(t, 0).GetObject(testCtx(t), &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("range/100"), Range: aws.String(tc.header)})
		must(t, err, tc.header)
		got := readAll(t, out.Body)
		if aws.ToString(out.ContentRange) != tc.contentRange || !bytes.Equal(got, data[tc.from:]) {
			t.Errorf("%s: Content-Range %q, %d bytes; want %q and %d bytes", tc.header, aws.ToString(out.ContentRange), len(got), tc.contentRange, 100-tc.from)
		}
	}
}

// TestE2ECopySourceMustParse: an empty or malformed x-amz-copy-source is
// refused; an empty one once made a PutObject of 0 bytes over the target.
func TestE2ECopySourceMustParse(t *testing.T) {
	e := startHostileEnv(t)
	putBytes(t, e.s3(t, 0), "bucket", "copy/target", []byte("keep me"))
	for _, source := range []string{"", " ", "bucket", "/bucket/", "%zz/key"} {
		c := dialRaw(t, e)
		req := c.writeHead(http.MethodPut, "/bucket/copy/target", http.Header{"X-Amz-Copy-Source": {source}, "Content-Length": {"0"}}, "UNSIGNED-PAYLOAD")
		wantHTTPError(t, c.response(req), "InvalidArgument", http.StatusBadRequest)
	}
	if got := getBytes(t, e.s3(t, 0), "bucket", "copy/target"); string(got) != "keep me" {
		t.Fatalf("the target became %q", got)
	}
}

// TestE2EUnimplementedHeadersRefused: a request asking for KMS encryption or
// an owner check, which the store does not implement, is refused; so is
// SSE-S3 on a node without a master key. (SSE-C, which once stored the
// object in clear, is e2e_sse_test.go's; ACLs are e2e_access_test.go's;
// object lock headers, e2e_objectlock_test.go's; tags, e2e_tagging_test.go's.)
func TestE2EUnimplementedHeadersRefused(t *testing.T) {
	e := startHostileEnv(t)
	ctx := testCtx(t)
	cl := e.s3(t, 0, noRetries)
	key := aws.String("unimpl/object")
	body := func() io.Reader { return strings.NewReader("secret") }
	for name, in := range map[string]*s3.PutObjectInput{
		"sse-s3-no-master-key": {ServerSideEncryption: types.ServerSideEncryptionAes256},
		"sse-kms":              {ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String("k")},
		"owner-check":          {ExpectedBucketOwner: aws.String("123456789012")},
	} {
		in.Bucket, in.Key, in.Body = aws.String("bucket"), key, body()
		_, err := cl.PutObject(ctx, in)
		wantAPIError(t, err, "NotImplemented", http.StatusNotImplemented)
		if t.Failed() {
			t.Fatalf("%s: accepted", name)
		}
	}
	wantAbsent(t, e, *key)
	// What the store does anyway is accepted.
	for _, in := range []*s3.PutObjectInput{
		{ACL: types.ObjectCannedACLPrivate}, {ACL: types.ObjectCannedACLBucketOwnerFullControl}, {StorageClass: types.StorageClassStandard},
	} {
		in.Bucket, in.Key, in.Body = aws.String("bucket"), key, body()
		_, err := cl.PutObject(ctx, in)
		must(t, err, "put with an accepted header")
	}
}

// TestE2ELenientValuesRefused: values S3 refuses are refused here too.
func TestE2ELenientValuesRefused(t *testing.T) {
	e := startHostileEnv(t)
	t.Run("empty-decoded-length", func(t *testing.T) {
		for _, value := range []string{"", "-1", "12x"} {
			c := dialRaw(t, e)
			body := "5\r\nhello\r\n0\r\n\r\n"
			req := c.writeHead(http.MethodPut, "/bucket/lenient/decoded", http.Header{"Content-Encoding": {"aws-chunked"},
				"X-Amz-Decoded-Content-Length": {value}, "Content-Length": {fmt.Sprint(len(body))}}, "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
			c.write(body)
			wantHTTPError(t, c.response(req), "InvalidArgument", http.StatusBadRequest)
		}
		c := dialRaw(t, e)
		body := "5\r\nhello\r\n0\r\n\r\n"
		req := c.writeHead(http.MethodPut, "/bucket/lenient/decoded", http.Header{"Content-Encoding": {"aws-chunked"},
			"Content-Length": {fmt.Sprint(len(body))}}, "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
		c.write(body)
		wantHTTPError(t, c.response(req), "MissingContentLength", http.StatusLengthRequired)
		wantAbsent(t, e, "lenient/decoded")
	})
	t.Run("unknown-checksum-algorithm", func(t *testing.T) {
		for _, header := range []string{"X-Amz-Sdk-Checksum-Algorithm", "X-Amz-Checksum-Algorithm"} {
			c := dialRaw(t, e)
			req := c.writeHead(http.MethodPut, "/bucket/lenient/algo", http.Header{header: {"MD4"}, "Content-Length": {"2"}}, "UNSIGNED-PAYLOAD")
			c.write("hi")
			wantHTTPError(t, c.response(req), "InvalidRequest", http.StatusBadRequest)
		}
		wantAbsent(t, e, "lenient/algo")
	})
	t.Run("reserved-bucket-names", func(t *testing.T) {
		for _, name := range []string{"xn--bucket", "sthree-bucket", "bucket-s3alias", "bucket--ol-s3"} {
			_, err := e.s3(t, 0, noRetries).CreateBucket(testCtx(t), &s3.CreateBucketInput{Bucket: aws.String(name)})
			wantAPIError(t, err, "InvalidBucketName", http.StatusBadRequest)
		}
	})
}

func md5Base64(s string) string {
	sum := md5.Sum([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}
