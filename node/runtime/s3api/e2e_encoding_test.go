package s3api_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/garagego/garage/node/runtime/s3api"
)

// encodingSniffer records the Content-Encoding values of the requests a
// client sends.
type encodingSniffer struct {
	next interface {
		Do(*http.Request) (*http.Response, error)
	}
	mu   sync.Mutex
	sent map[string][]string // "METHOD path" → Content-Encoding values
}

func (s *encodingSniffer) Do(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	if s.sent == nil {
		s.sent = map[string][]string{}
	}
	s.sent[r.Method+" "+r.URL.Path] = r.Header.Values("Content-Encoding")
	s.mu.Unlock()
	return s.next.Do(r)
}

func (s *encodingSniffer) values(method, path string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent[method+" "+path]
}

// wantStoredEncoding checks what GET and HEAD answer for the object's
// Content-Encoding ("" for none at all).
func wantStoredEncoding(t *testing.T, e *env, key, want string) {
	t.Helper()
	ctx := testCtx(t)
	g, err := e.s3(t, 0).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key)})
	must(t, err, "get")
	readAll(t, g.Body)
	if got := aws.ToString(g.ContentEncoding); got != want || (want == "" && g.ContentEncoding != nil) {
		t.Errorf("%s: GET Content-Encoding %q (set %v), want %q", key, got, g.ContentEncoding != nil, want)
	}
	h, err := e.s3(t, 2).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key)})
	must(t, err, "head")
	if got := aws.ToString(h.ContentEncoding); got != want || (want == "" && h.ContentEncoding != nil) {
		t.Errorf("%s: HEAD Content-Encoding %q (set %v), want %q", key, got, h.ContentEncoding != nil, want)
	}
}

// testContentEncodingAWSChunked: the aws-chunked coding describes how a
// body was sent, so the object keeps its other codings as sent, and none
// at all if aws-chunked was the only one.
func testContentEncodingAWSChunked(t *testing.T, e *env) {
	ctx := testCtx(t)
	endpoint, httpClient := tlsFront(t, e.c.Nodes[1].Endpoint)
	sniff := &encodingSniffer{next: requestIDChecker{t: t, next: httpClient}}
	cl := newS3(t, endpoint, e.c.KeyID, e.c.Secret, func(o *s3.Options) { o.HTTPClient = sniff })
	data := randomBytes(61, 100_000)

	t.Run("sdk PutObject", func(t *testing.T) {
		// An unseekable body over TLS: the SDK streams it aws-chunked with
		// a trailing CRC32, adding its coding after the one asked for.
		_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String("enc/sdk"),
			Body: io.MultiReader(bytes.NewReader(data)), ContentLength: aws.Int64(int64(len(data))), ContentEncoding: aws.String("gzip")})
		must(t, err, "put")
		if sent := strings.Join(sniff.values(http.MethodPut, "/bucket/enc/sdk"), ","); !strings.Contains(sent, "aws-chunked") || !strings.Contains(sent, "gzip") {
			t.Fatalf("the SDK sent Content-Encoding %q: the test needs gzip and aws-chunked", sent)
		}
		wantStoredEncoding(t, e, "enc/sdk", "gzip")
		checkStoredChecksum(t, e.s3(t, 0), "bucket", "enc/sdk", types.ChecksumAlgorithmCrc32, checksumOf(types.ChecksumAlgorithmCrc32, data), data)
	})
	t.Run("sdk PutObject aws-chunked only", func(t *testing.T) {
		_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String("enc/sdk-none"),
			Body: io.MultiReader(bytes.NewReader(data)), ContentLength: aws.Int64(int64(len(data)))})
		must(t, err, "put")
		if sent := sniff.values(http.MethodPut, "/bucket/enc/sdk-none"); strings.Join(sent, ",") != "aws-chunked" {
			t.Fatalf("the SDK sent Content-Encoding %q", sent)
		}
		wantStoredEncoding(t, e, "enc/sdk-none", "")
	})
	t.Run("sdk multipart", func(t *testing.T) {
		const key = "enc/mpu"
		up, err := cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("bucket"), Key: aws.String(key),
			ContentEncoding: aws.String("gzip")})
		must(t, err, "create upload")
		p1, p2 := randomBytes(62, 5<<20), randomBytes(63, 1000)
		var parts []types.CompletedPart
		for i, p := range [][]byte{p1, p2} {
			out, err := cl.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("bucket"), Key: aws.String(key), UploadId: up.UploadId,
				PartNumber: aws.Int32(int32(i + 1)), Body: io.MultiReader(bytes.NewReader(p)), ContentLength: aws.Int64(int64(len(p)))})
			must(t, err, "upload part")
			parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag})
		}
		if sent := strings.Join(sniff.values(http.MethodPut, "/bucket/"+key), ","); !strings.Contains(sent, "aws-chunked") {
			t.Fatalf("UploadPart sent Content-Encoding %q: the test needs aws-chunked", sent)
		}
		_, err = cl.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("bucket"), Key: aws.String(key),
			UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
		must(t, err, "complete")
		wantStoredEncoding(t, e, key, "gzip")
		if got := getBytes(t, e.s3(t, 2), "bucket", key); !bytes.Equal(got, append(append([]byte{}, p1...), p2...)) {
			t.Errorf("multipart object's content differs")
		}
	})
	// Raw aws-chunked PUTs: the codings around aws-chunked as clients
	// write them.
	for i, tc := range []struct{ sent, stored string }{
		{"aws-chunked,gzip", "gzip"},
		{"gzip, aws-chunked", "gzip"},
		{"aws-chunked", ""},
		{"gzip, aws-chunked, br", "gzip, br"},
		{"AWS-Chunked , deflate", "deflate"},
	} {
		t.Run("raw "+tc.sent, func(t *testing.T) {
			key := fmt.Sprintf("enc/raw-%d", i)
			sum := checksumOf(types.ChecksumAlgorithmCrc32c, data)
			req := chunkedRequestEncoded(t, e, key, data, 65536, "x-amz-checksum-crc32c:"+sum+"\r\n", tc.sent)
			if resp := httpDo(t, req); resp.StatusCode != 200 {
				t.Fatalf("PUT: %d %s", resp.StatusCode, readAll(t, resp.Body))
			}
			wantStoredEncoding(t, e, key, tc.stored)
		})
	}
}

// testConcurrentPutsSameKey pins which of two overlapping PUTs of one key
// a read returns: the one that began last (its version is stamped when
// its PutBegin runs, max(now, newest + 1)), even when the other finishes
// after it. Begin A, begin B, finish B, finish A: GET returns B. Both
// PUTs succeed; A's version is superseded the moment it completes. See
// the docs for why the store does not order by completion.
func testConcurrentPutsSameKey(t *testing.T, e *env) {
	// The server begins A's version once it has read A's first bytes; the
	// pause gives it time to. A run where it had not (the stamps show it)
	// does not test the rule, and is tried again with a longer pause.
	for attempt := 1; attempt <= 3; attempt++ {
		if raceBeginAFinishB(t, e, fmt.Sprintf("race/last-begun-%d", attempt), time.Duration(attempt)*300*time.Millisecond) {
			return
		}
	}
	t.Fatal("in no run did A begin before B")
}

// raceBeginAFinishB begins PUT A, then runs PUT B to its end, then
// finishes A, and checks that reads return the version stamped last. It
// reports whether A began first, so that B's winning shows the rule.
func raceBeginAFinishB(t *testing.T, e *env, key string, pause time.Duration) bool {
	t.Helper()
	endpoint := e.c.Nodes[0].Endpoint + "/bucket/" + key
	dataA, dataB := randomBytes(71, 200_000), randomBytes(72, 50_000)
	// A's body comes through a pipe: its first bytes (past the inline
	// threshold, so that the server begins the version) now, the rest
	// once B is done.
	pr, pw := io.Pipe()
	reqA := signedRequest(t, e, http.MethodPut, endpoint, nil, time.Now(), "")
	reqA.Body, reqA.ContentLength = pr, int64(len(dataA))
	type result struct {
		resp *http.Response
		err  error
	}
	doneA := make(chan result, 1)
	go func() {
		resp, err := (&http.Client{Timeout: time.Minute}).Do(reqA)
		doneA <- result{resp, err}
	}()
	const head = 64 << 10
	if _, err := pw.Write(dataA[:head]); err != nil {
		t.Fatalf("A's first bytes: %v", err)
	}
	time.Sleep(pause)
	respB := httpDo(t, signedRequest(t, e, http.MethodPut, endpoint, dataB, time.Now(), ""))
	if body := readAll(t, respB.Body); respB.StatusCode != 200 {
		t.Fatalf("PUT B: %d %s", respB.StatusCode, body)
	}
	if got := getBytes(t, e.s3(t, 1), "bucket", key); !bytes.Equal(got, dataB) {
		t.Fatalf("after B finished, GET is not B's (%d bytes)", len(got))
	}
	if _, err := pw.Write(dataA[head:]); err != nil {
		t.Fatalf("A's last bytes: %v", err)
	}
	pw.Close()
	r := <-doneA
	must(t, r.err, "PUT A")
	if body := readAll(t, r.resp.Body); r.resp.StatusCode != 200 || r.resp.Header.Get("ETag") != `"`+md5Hex(dataA)+`"` {
		t.Fatalf("PUT A: %d %s (ETag %q)", r.resp.StatusCode, body, r.resp.Header.Get("ETag"))
	}
	// Stamps are hex of (timestamp, version id), so they compare as the
	// object table orders versions.
	stampA, stampB := r.resp.Header.Get(s3api.StampHeader), respB.Header.Get(s3api.StampHeader)
	if stampA == "" || stampB == "" {
		t.Fatalf("stamps A %q, B %q", stampA, stampB)
	}
	winner, stamp := dataB, stampB
	if stampA > stampB {
		winner, stamp = dataA, stampA
	}
	for i := range e.c.Nodes {
		if got := getBytes(t, e.s3(t, i), "bucket", key); !bytes.Equal(got, winner) {
			t.Errorf("node %d: GET after both finished is not the version stamped last", i)
		}
	}
	g := httpDo(t, signedRequest(t, e, http.MethodGet, endpoint, nil, time.Now(), ""))
	readAll(t, g.Body)
	if got := g.Header.Get(s3api.StampHeader); got != stamp {
		t.Errorf("GET names version %q, want %q", got, stamp)
	}
	// A began first: A finished last, yet B, begun last, is the object.
	return stampA < stampB
}
