package s3api_test

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/garagego/garage/internal/localcluster"
)

// md5Hex is the ETag of an object uploaded in one piece.
func md5Hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

func md5B64(b []byte) string {
	s := md5.Sum(b)
	return base64.StdEncoding.EncodeToString(s[:])
}

func testObjects(t *testing.T, e *env) {
	ctx := testCtx(t)
	cl, other := e.s3(t, 0), e.s3(t, 1)
	const bucket = "bucket"

	t.Run("content-md5", func(t *testing.T) {
		data := randomBytes(1, 3<<20+17) // several blocks
		out, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("obj/md5"), Body: bytes.NewReader(data),
			ContentMD5: aws.String(md5B64(data))})
		must(t, err, "put with Content-MD5")
		if got, want := aws.ToString(out.ETag), `"`+md5Hex(data)+`"`; got != want {
			t.Errorf("ETag %s, want %s", got, want)
		}
		if got := getBytes(t, other, bucket, "obj/md5"); !bytes.Equal(got, data) {
			t.Errorf("content differs (%d bytes, want %d)", len(got), len(data))
		}
		_, err = cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("obj/md5-bad"), Body: bytes.NewReader(data),
			ContentMD5: aws.String(md5B64([]byte("something else")))})
		wantAPIError(t, err, "BadDigest", 400)
		_, err = other.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("obj/md5-bad")})
		wantAPIError(t, err, "NotFound", 404)
		_, err = cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("obj/md5-bad"), Body: bytes.NewReader(data),
			ContentMD5: aws.String("not-an-md5")})
		wantAPIError(t, err, "InvalidDigest", 400)
		// A bad digest on an overwrite keeps the old content.
		_, err = cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("obj/md5"), Body: strings.NewReader("new"),
			ContentMD5: aws.String(md5B64([]byte("old")))})
		wantAPIError(t, err, "BadDigest", 400)
		if got := getBytes(t, other, bucket, "obj/md5"); !bytes.Equal(got, data) {
			t.Errorf("a refused overwrite changed the object")
		}
	})

	t.Run("if-none-match star", func(t *testing.T) {
		_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("obj/once"), Body: strings.NewReader("first"),
			IfNoneMatch: aws.String("*")})
		must(t, err, "first put")
		_, err = other.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("obj/once"), Body: strings.NewReader("second"),
			IfNoneMatch: aws.String("*")})
		wantAPIError(t, err, "PreconditionFailed", 412)
		if got := getBytes(t, cl, bucket, "obj/once"); string(got) != "first" {
			t.Errorf("content %q after a refused conditional put", got)
		}
	})

	t.Run("head get delete", func(t *testing.T) {
		before := time.Now().Add(-2 * time.Second)
		data := []byte("hello, head")
		putBytes(t, cl, bucket, "obj/hgd", data)
		h, err := other.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("obj/hgd")})
		must(t, err, "head")
		if aws.ToInt64(h.ContentLength) != int64(len(data)) || aws.ToString(h.ETag) != `"`+md5Hex(data)+`"` {
			t.Errorf("head: length %d etag %s", aws.ToInt64(h.ContentLength), aws.ToString(h.ETag))
		}
		if h.LastModified == nil || h.LastModified.Before(before) || h.LastModified.After(time.Now().Add(2*time.Second)) {
			t.Errorf("head: last modified %v", h.LastModified)
		}
		if aws.ToString(h.ContentType) != "binary/octet-stream" && aws.ToString(h.ContentType) != "application/octet-stream" {
			t.Errorf("default content type %q", aws.ToString(h.ContentType))
		}
		if aws.ToString(h.AcceptRanges) != "bytes" {
			t.Errorf("Accept-Ranges %q", aws.ToString(h.AcceptRanges))
		}
		_, err = cl.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("obj/hgd")})
		must(t, err, "delete")
		_, err = other.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("obj/hgd")})
		wantAPIError(t, err, "NoSuchKey", 404)
		_, err = e.s3(t, 2).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("obj/hgd")})
		wantAPIError(t, err, "NotFound", 404)
		// Deleting what is not there succeeds, as in S3.
		_, err = cl.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("obj/hgd")})
		must(t, err, "delete again")
	})

	t.Run("empty and overwritten", func(t *testing.T) {
		putBytes(t, cl, bucket, "obj/empty", nil)
		if got := getBytes(t, other, bucket, "obj/empty"); len(got) != 0 {
			t.Errorf("empty object reads %d bytes", len(got))
		}
		big := randomBytes(2, 2<<20)
		putBytes(t, cl, bucket, "obj/over", big)
		putBytes(t, other, bucket, "obj/over", []byte("small now"))
		if got := getBytes(t, e.s3(t, 2), bucket, "obj/over"); string(got) != "small now" {
			t.Errorf("overwritten object: %d bytes", len(got))
		}
	})
}

// checksumOf is the base64 S3 checksum of data with algorithm algo.
func checksumOf(algo types.ChecksumAlgorithm, data []byte) string {
	var h hash.Hash
	switch algo {
	case types.ChecksumAlgorithmCrc32:
		h = crc32.NewIEEE()
	case types.ChecksumAlgorithmCrc32c:
		h = crc32.New(crc32.MakeTable(crc32.Castagnoli))
	case types.ChecksumAlgorithmCrc64nvme:
		h = crc64.New(crc64.MakeTable(0x9a6c9329ac4bc9b5))
	case types.ChecksumAlgorithmSha1:
		h = sha1.New()
	case types.ChecksumAlgorithmSha256:
		h = sha256.New()
	default:
		panic("no such checksum: " + string(algo))
	}
	h.Write(data)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// checksumField picks an algorithm's checksum out of an SDK output.
func checksumField(algo types.ChecksumAlgorithm, crc32, crc32c, crc64, sha1, sha256 *string) string {
	return aws.ToString(map[types.ChecksumAlgorithm]*string{
		types.ChecksumAlgorithmCrc32: crc32, types.ChecksumAlgorithmCrc32c: crc32c, types.ChecksumAlgorithmCrc64nvme: crc64,
		types.ChecksumAlgorithmSha1: sha1, types.ChecksumAlgorithmSha256: sha256,
	}[algo])
}

var checksumAlgorithms = []types.ChecksumAlgorithm{types.ChecksumAlgorithmCrc32, types.ChecksumAlgorithmCrc32c,
	types.ChecksumAlgorithmCrc64nvme, types.ChecksumAlgorithmSha1, types.ChecksumAlgorithmSha256}

// checkStoredChecksum reads key back with checksum mode on, through GET
// and HEAD, and checks the stored checksum is want.
func checkStoredChecksum(t *testing.T, cl *s3.Client, bucket, key string, algo types.ChecksumAlgorithm, want string, data []byte) {
	t.Helper()
	ctx := testCtx(t)
	g, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
	must(t, err, "get with checksum mode")
	if got := readAll(t, g.Body); !bytes.Equal(got, data) {
		t.Errorf("%s: content differs", key)
	}
	if got := checksumField(algo, g.ChecksumCRC32, g.ChecksumCRC32C, g.ChecksumCRC64NVME, g.ChecksumSHA1, g.ChecksumSHA256); got != want {
		t.Errorf("%s: GET returns %s checksum %q, want %q", key, algo, got, want)
	}
	h, err := cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
	must(t, err, "head with checksum mode")
	if got := checksumField(algo, h.ChecksumCRC32, h.ChecksumCRC32C, h.ChecksumCRC64NVME, h.ChecksumSHA1, h.ChecksumSHA256); got != want {
		t.Errorf("%s: HEAD returns %s checksum %q, want %q", key, algo, got, want)
	}
}

func testChecksums(t *testing.T, e *env) {
	ctx := testCtx(t)
	cl, other := e.s3(t, 0), e.s3(t, 1)
	const bucket = "bucket"
	data := randomBytes(3, 1<<20+1234)
	for _, algo := range checksumAlgorithms {
		t.Run(string(algo), func(t *testing.T) {
			key := "sum/" + string(algo)
			want := checksumOf(algo, data)
			out, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data),
				ChecksumAlgorithm: algo})
			must(t, err, "put")
			if got := checksumField(algo, out.ChecksumCRC32, out.ChecksumCRC32C, out.ChecksumCRC64NVME, out.ChecksumSHA1, out.ChecksumSHA256); got != want {
				t.Errorf("PUT returns checksum %q, want %q", got, want)
			}
			checkStoredChecksum(t, other, bucket, key, algo, want, data)

			// A wrong value is refused, and nothing is stored.
			wrong := checksumOf(algo, []byte("other data"))
			in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key + "-wrong"), Body: bytes.NewReader(data), ChecksumAlgorithm: algo}
			switch algo {
			case types.ChecksumAlgorithmCrc32:
				in.ChecksumCRC32 = &wrong
			case types.ChecksumAlgorithmCrc32c:
				in.ChecksumCRC32C = &wrong
			case types.ChecksumAlgorithmCrc64nvme:
				in.ChecksumCRC64NVME = &wrong
			case types.ChecksumAlgorithmSha1:
				in.ChecksumSHA1 = &wrong
			case types.ChecksumAlgorithmSha256:
				in.ChecksumSHA256 = &wrong
			}
			_, err = cl.PutObject(ctx, in)
			wantAPIError(t, err, "BadDigest", 400)
			_, err = other.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key + "-wrong")})
			wantAPIError(t, err, "NotFound", 404)
		})
	}
	t.Run("not returned unless asked", func(t *testing.T) {
		whenRequired := func(o *s3.Options) { o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired }
		g, err := e.s3(t, 2, whenRequired).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("sum/SHA256")})
		must(t, err, "get")
		readAll(t, g.Body)
		if g.ChecksumSHA256 != nil {
			t.Errorf("a GET without checksum mode returns checksum %q", aws.ToString(g.ChecksumSHA256))
		}
	})
	t.Run("malformed value", func(t *testing.T) {
		_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("sum/malformed"), Body: bytes.NewReader(data),
			ChecksumAlgorithm: types.ChecksumAlgorithmSha256, ChecksumSHA256: aws.String("dG9vIHNob3J0")})
		wantAPIError(t, err, "InvalidRequest", 400)
	})
}

// payloadSniffer records the x-amz-content-sha256 of the requests a
// client sends.
type payloadSniffer struct {
	next interface {
		Do(*http.Request) (*http.Response, error)
	}
	mu    sync.Mutex
	modes []string
}

func (s *payloadSniffer) Do(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	mode := r.Method + " " + r.Header.Get("X-Amz-Content-Sha256") + " " + r.Header.Get("X-Amz-Trailer")
	for name := range r.Header {
		if strings.HasPrefix(strings.ToLower(name), "x-amz-checksum-") || strings.HasPrefix(strings.ToLower(name), "x-amz-sdk-checksum") {
			mode += " " + name
		}
	}
	s.modes = append(s.modes, mode)
	s.mu.Unlock()
	return s.next.Do(r)
}

// testChecksumsOverTLS sends objects over HTTPS, where aws-sdk-go-v2's
// default is an aws-chunked body whose checksum comes in a trailer.
func testChecksumsOverTLS(t *testing.T, e *env) {
	ctx := testCtx(t)
	endpoint, httpClient := tlsFront(t, e.c.Nodes[1].Endpoint)
	sniff := &payloadSniffer{next: requestIDChecker{t: t, next: httpClient}}
	cl := newS3(t, endpoint, e.c.KeyID, e.c.Secret, func(o *s3.Options) { o.HTTPClient = sniff })
	const bucket = "bucket"
	data := randomBytes(4, 2<<20+99)

	t.Run("default checksum", func(t *testing.T) {
		_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("tls/default"), Body: bytes.NewReader(data)})
		must(t, err, "put over TLS")
		checkStoredChecksum(t, e.s3(t, 0), bucket, "tls/default", types.ChecksumAlgorithmCrc32, checksumOf(types.ChecksumAlgorithmCrc32, data), data)
	})
	for _, algo := range checksumAlgorithms {
		t.Run(string(algo), func(t *testing.T) {
			key := "tls/" + string(algo)
			// An unseekable body: the SDK cannot hash it ahead, so it must
			// stream it with a trailing checksum.
			_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
				Body: io.MultiReader(bytes.NewReader(data)), ContentLength: aws.Int64(int64(len(data))), ChecksumAlgorithm: algo})
			must(t, err, "put over TLS")
			checkStoredChecksum(t, e.s3(t, 2), bucket, key, algo, checksumOf(algo, data), data)
		})
	}
	t.Run("upload part", func(t *testing.T) {
		up, err := cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("tls/mpu")})
		must(t, err, "create upload")
		p1, p2 := randomBytes(5, 5<<20), randomBytes(6, 1000)
		var parts []types.CompletedPart
		for i, p := range [][]byte{p1, p2} {
			out, err := cl.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("tls/mpu"), UploadId: up.UploadId,
				PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
			must(t, err, "upload part over TLS")
			if got, want := aws.ToString(out.ChecksumCRC32), checksumOf(types.ChecksumAlgorithmCrc32, p); got != want {
				t.Errorf("part %d: checksum %q, want %q", i+1, got, want)
			}
			parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag})
		}
		_, err = cl.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("tls/mpu"),
			UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
		must(t, err, "complete")
		if got := getBytes(t, e.s3(t, 0), bucket, "tls/mpu"); !bytes.Equal(got, append(slices.Clone(p1), p2...)) {
			t.Errorf("multipart object over TLS differs")
		}
	})
	sniff.mu.Lock()
	defer sniff.mu.Unlock()
	trailers := 0
	for _, m := range sniff.modes {
		if strings.HasPrefix(m, "PUT STREAMING-") && strings.Contains(m, "x-amz-checksum-") {
			trailers++
		}
	}
	if trailers < 1+len(checksumAlgorithms)+2 {
		t.Errorf("only %d PUTs used aws-chunked with a trailer: %v", trailers, sniff.modes)
	}
}

func testMetadata(t *testing.T, e *env) {
	ctx := testCtx(t)
	cl := e.s3(t, 0)
	const bucket = "bucket"
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(bytes.Repeat([]byte("compressible "), 1000)) //nolint:errcheck // in memory
	zw.Close()
	data := gz.Bytes()
	expires := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	meta := map[string]string{"color": "blue", "mixed-case": "Value With Spaces", "empty": ""}
	_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("meta/obj"), Body: bytes.NewReader(data),
		ContentType: aws.String("text/plain; charset=utf-8"), CacheControl: aws.String("max-age=60, public"),
		ContentDisposition: aws.String(`attachment; filename="notes.txt"`), ContentEncoding: aws.String("gzip"),
		ContentLanguage: aws.String("fr-CA"), Expires: aws.Time(expires), Metadata: meta})
	must(t, err, "put with metadata")

	type headers struct {
		ctype, cache, disposition, encoding, language, expires string
	}
	want := headers{"text/plain; charset=utf-8", "max-age=60, public", `attachment; filename="notes.txt"`, "gzip", "fr-CA",
		expires.Format(http.TimeFormat)}
	check := func(what string, got headers, gotMeta map[string]string) {
		t.Helper()
		if !maps.Equal(gotMeta, meta) {
			t.Errorf("%s: metadata %v, want %v", what, gotMeta, meta)
		}
		if got != want {
			t.Errorf("%s: headers\n got %+v\nwant %+v", what, got, want)
		}
	}
	g, err := e.s3(t, 1).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("meta/obj")})
	must(t, err, "get")
	if body := readAll(t, g.Body); !bytes.Equal(body, data) {
		t.Errorf("GET transformed the body of a Content-Encoding: gzip object")
	}
	check("GET", headers{aws.ToString(g.ContentType), aws.ToString(g.CacheControl), aws.ToString(g.ContentDisposition),
		aws.ToString(g.ContentEncoding), aws.ToString(g.ContentLanguage), aws.ToString(g.ExpiresString)}, g.Metadata)
	h, err := e.s3(t, 2).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("meta/obj")})
	must(t, err, "head")
	check("HEAD", headers{aws.ToString(h.ContentType), aws.ToString(h.CacheControl), aws.ToString(h.ContentDisposition),
		aws.ToString(h.ContentEncoding), aws.ToString(h.ContentLanguage), aws.ToString(h.ExpiresString)}, h.Metadata)
	if aws.ToInt64(h.ContentLength) != int64(len(data)) {
		t.Errorf("HEAD length %d, want %d", aws.ToInt64(h.ContentLength), len(data))
	}

	t.Run("response overrides", func(t *testing.T) {
		g, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("meta/obj"),
			ResponseContentType: aws.String("application/x-override"), ResponseCacheControl: aws.String("no-store"),
			ResponseContentDisposition: aws.String("inline"), ResponseContentEncoding: aws.String("identity"),
			ResponseContentLanguage: aws.String("de"), ResponseExpires: aws.Time(time.Date(2040, 1, 2, 3, 4, 5, 0, time.UTC))})
		must(t, err, "get with overrides")
		readAll(t, g.Body)
		for name, got := range map[string]string{"application/x-override": aws.ToString(g.ContentType), "no-store": aws.ToString(g.CacheControl),
			"inline": aws.ToString(g.ContentDisposition), "identity": aws.ToString(g.ContentEncoding), "de": aws.ToString(g.ContentLanguage),
			"Mon, 02 Jan 2040 03:04:05 GMT": aws.ToString(g.ExpiresString)} {
			if got != name {
				t.Errorf("override: got %q, want %q", got, name)
			}
		}
	})

	t.Run("too much metadata", func(t *testing.T) {
		_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("meta/huge"), Body: strings.NewReader("x"),
			Metadata: map[string]string{"big": strings.Repeat("m", 3000)}})
		wantAPIError(t, err, "MetadataTooLarge", 400)
	})
}

func testRanges(t *testing.T, e *env) {
	ctx := testCtx(t)
	cl := e.s3(t, 1)
	const bucket = "bucket"
	size := 2<<20 + 500_000 // three blocks of 1 MiB
	data := randomBytes(7, size)
	putBytes(t, e.s3(t, 0), bucket, "range/obj", data)
	for _, tc := range []struct {
		header   string
		from, to int // [from, to)
	}{
		{"bytes=0-9", 0, 10},
		{"bytes=1048570-1048600", 1048570, 1048601}, // across a block boundary
		{"bytes=1000-2097152", 1000, 2097153},
		{fmt.Sprintf("bytes=%d-", size-1234), size - 1234, size}, // open
		{"bytes=-100", size - 100, size},                         // suffix
		{"bytes=-99999999", 0, size},                             // a suffix longer than the object
		{fmt.Sprintf("bytes=100-%d", size+5000), 100, size},      // an end past the object
	} {
		g, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("range/obj"), Range: aws.String(tc.header)})
		if err != nil {
			t.Errorf("%s: %v", tc.header, err)
			continue
		}
		got := readAll(t, g.Body)
		if !bytes.Equal(got, data[tc.from:tc.to]) {
			t.Errorf("%s: got %d bytes, want [%d, %d)", tc.header, len(got), tc.from, tc.to)
		}
		if want := fmt.Sprintf("bytes %d-%d/%d", tc.from, tc.to-1, size); aws.ToString(g.ContentRange) != want {
			t.Errorf("%s: Content-Range %q, want %q", tc.header, aws.ToString(g.ContentRange), want)
		}
		if aws.ToInt64(g.ContentLength) != int64(tc.to-tc.from) {
			t.Errorf("%s: Content-Length %d", tc.header, aws.ToInt64(g.ContentLength))
		}
		if status := middlewareStatus(g.ResultMetadata); status != http.StatusPartialContent {
			t.Errorf("%s: status %d, want 206", tc.header, status)
		}
	}
	_, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("range/obj"), Range: aws.String(fmt.Sprintf("bytes=%d-", size))})
	wantAPIError(t, err, "InvalidRange", 416)
	_, err = cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("range/obj"), Range: aws.String("bytes=99999999-99999999")})
	wantAPIError(t, err, "InvalidRange", 416)

	t.Run("part number of a single-part object", func(t *testing.T) {
		g, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("range/obj"), PartNumber: aws.Int32(1)})
		must(t, err, "get part 1")
		if got := readAll(t, g.Body); !bytes.Equal(got, data) {
			t.Errorf("part 1 of a single-part object is not the object")
		}
		// S3 sends a parts count only for multipart objects; one is right too.
		if g.PartsCount != nil && aws.ToInt32(g.PartsCount) != 1 {
			t.Errorf("parts count %d", aws.ToInt32(g.PartsCount))
		}
		_, err = cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("range/obj"), PartNumber: aws.Int32(2)})
		wantAPIError(t, err, "InvalidPartNumber", 416)
	})
}

// middlewareStatus is the HTTP status of an SDK call's response.
func middlewareStatus(md middleware.Metadata) int {
	if r, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response); ok {
		return r.StatusCode
	}
	return 0
}

func testConditionals(t *testing.T, e *env) {
	ctx := testCtx(t)
	cl := e.s3(t, 2)
	const bucket, key = "bucket", "cond/obj"
	etag := putBytes(t, e.s3(t, 0), bucket, key, []byte("conditional"))
	h, err := cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	must(t, err, "head")
	modified := *h.LastModified
	hourBefore, hourAfter := modified.Add(-time.Hour), modified.Add(time.Hour)
	type cond struct {
		name                   string
		ifMatch, ifNoneMatch   *string
		ifModified, ifUnmodSin *time.Time
		status                 int // 200, 304 or 412
	}
	for _, c := range []cond{
		{"if-match hit", aws.String(etag), nil, nil, nil, 200},
		{"if-match star", aws.String("*"), nil, nil, nil, 200},
		{"if-match miss", aws.String(`"0123456789abcdef0123456789abcdef"`), nil, nil, nil, 412},
		{"if-none-match hit", nil, aws.String(etag), nil, nil, 304},
		{"if-none-match miss", nil, aws.String(`"0123456789abcdef0123456789abcdef"`), nil, nil, 200},
		{"if-modified-since before", nil, nil, &hourBefore, nil, 200},
		{"if-modified-since at", nil, nil, &modified, nil, 304},
		{"if-unmodified-since before", nil, nil, nil, &hourBefore, 412},
		{"if-unmodified-since after", nil, nil, nil, &hourAfter, 200},
		{"if-match overrides if-unmodified-since", aws.String(etag), nil, nil, &hourBefore, 200},
		{"if-none-match overrides if-modified-since", nil, aws.String(`"other"`), &hourAfter, nil, 200},
	} {
		t.Run(c.name, func(t *testing.T) {
			g, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
				IfMatch: c.ifMatch, IfNoneMatch: c.ifNoneMatch, IfModifiedSince: c.ifModified, IfUnmodifiedSince: c.ifUnmodSin})
			switch c.status {
			case 200:
				must(t, err, "get")
				if got := readAll(t, g.Body); string(got) != "conditional" {
					t.Errorf("body %q", got)
				}
			case 304:
				wantAPIError(t, err, "NotModified", 304)
			case 412:
				wantAPIError(t, err, "PreconditionFailed", 412)
			}
			_, err = cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
				IfMatch: c.ifMatch, IfNoneMatch: c.ifNoneMatch, IfModifiedSince: c.ifModified, IfUnmodifiedSince: c.ifUnmodSin})
			switch c.status {
			case 200:
				must(t, err, "head")
			case 304:
				wantAPIError(t, err, "NotModified", 304)
			case 412:
				wantAPIError(t, err, "PreconditionFailed", 412)
			}
		})
	}
	t.Run("304 carries the validators", func(t *testing.T) {
		req := newRequest(t, http.MethodGet, e.c.Nodes[1].Endpoint+"/"+bucket+"/"+key, nil)
		presigned := presignGet(t, e.s3(t, 1), bucket, key)
		req.URL, _ = url.Parse(presigned)
		req.Header.Set("If-None-Match", etag)
		resp := httpDo(t, req)
		body := readAll(t, resp.Body)
		if resp.StatusCode != 304 || len(body) != 0 {
			t.Fatalf("status %d, body %q", resp.StatusCode, body)
		}
		if resp.Header.Get("ETag") != etag || resp.Header.Get("Last-Modified") == "" || resp.Header.Get("x-amz-request-id") == "" {
			t.Errorf("304 headers: %v", resp.Header)
		}
	})
}

func testDeleteObjects(t *testing.T, e *env) {
	ctx := testCtx(t)
	cl := e.s3(t, 0)
	const bucket = "bucket"
	var keys []string
	for i := range 12 {
		keys = append(keys, fmt.Sprintf("del/k%02d", i))
		putBytes(t, cl, bucket, keys[i], []byte{byte(i)})
	}
	ids := func(ks ...string) []types.ObjectIdentifier {
		var out []types.ObjectIdentifier
		for _, k := range ks {
			out = append(out, types.ObjectIdentifier{Key: aws.String(k)})
		}
		return out
	}
	// Normal mode reports every key, including one that was not there.
	first := append(slices.Clone(keys[:6]), "del/never-existed")
	out, err := e.s3(t, 1).DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{Objects: ids(first...)}})
	must(t, err, "delete objects")
	var deleted []string
	for _, d := range out.Deleted {
		deleted = append(deleted, aws.ToString(d.Key))
	}
	slices.Sort(deleted)
	if want := slices.Sorted(slices.Values(first)); !slices.Equal(deleted, want) {
		t.Errorf("deleted %v, want %v", deleted, want)
	}
	if len(out.Errors) != 0 {
		t.Errorf("errors: %+v", out.Errors)
	}
	// Quiet mode reports nothing when all goes well.
	out, err = e.s3(t, 2).DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{Objects: ids(keys[6:]...), Quiet: aws.Bool(true)}})
	must(t, err, "quiet delete objects")
	if len(out.Deleted) != 0 || len(out.Errors) != 0 {
		t.Errorf("quiet: deleted %+v errors %+v", out.Deleted, out.Errors)
	}
	l, err := cl.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("del/")})
	must(t, err, "list")
	if len(l.Contents) != 0 {
		t.Errorf("%d objects left after DeleteObjects", len(l.Contents))
	}
	// A key that cannot exist is an error entry, even in quiet mode.
	long := "del/" + strings.Repeat("k", 1100)
	out, err = cl.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{Objects: ids(long, "del/ok"), Quiet: aws.Bool(true)}})
	must(t, err, "delete objects with a long key")
	if len(out.Errors) != 1 || aws.ToString(out.Errors[0].Key) != long || aws.ToString(out.Errors[0].Code) != "KeyTooLongError" {
		t.Errorf("errors %+v, want one KeyTooLongError", out.Errors)
	}
}

func testCopyObject(t *testing.T, e *env) {
	ctx := testCtx(t)
	cl := e.s3(t, 0)
	const bucket = "bucket"
	e.createBucket(t, "copy-target")
	data := randomBytes(8, 2<<20+333)
	src, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy/src"), Body: bytes.NewReader(data),
		ContentType: aws.String("image/png"), Metadata: map[string]string{"origin": "source"}, ChecksumAlgorithm: types.ChecksumAlgorithmSha256})
	must(t, err, "put source")
	source := bucket + "/" + escapeKey("copy/src")

	t.Run("COPY directive", func(t *testing.T) {
		out, err := e.s3(t, 1).CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("copy-target"), Key: aws.String("copied"), CopySource: aws.String(source)})
		must(t, err, "copy")
		if out.CopyObjectResult == nil || aws.ToString(out.CopyObjectResult.ETag) != aws.ToString(src.ETag) || out.CopyObjectResult.LastModified == nil {
			t.Errorf("copy result %+v, want ETag %s", out.CopyObjectResult, aws.ToString(src.ETag))
		}
		g, err := e.s3(t, 2).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("copy-target"), Key: aws.String("copied"), ChecksumMode: types.ChecksumModeEnabled})
		must(t, err, "get copy")
		if got := readAll(t, g.Body); !bytes.Equal(got, data) {
			t.Errorf("copy content differs")
		}
		if aws.ToString(g.ContentType) != "image/png" || g.Metadata["origin"] != "source" {
			t.Errorf("copy kept type %q metadata %v", aws.ToString(g.ContentType), g.Metadata)
		}
		if aws.ToString(g.ChecksumSHA256) != checksumOf(types.ChecksumAlgorithmSha256, data) {
			t.Errorf("copy checksum %q", aws.ToString(g.ChecksumSHA256))
		}
	})
	t.Run("REPLACE directive", func(t *testing.T) {
		_, err := cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy/replaced"), CopySource: aws.String(source),
			MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("text/plain"), Metadata: map[string]string{"new": "yes"}})
		must(t, err, "copy replace")
		h, err := e.s3(t, 1).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy/replaced")})
		must(t, err, "head")
		if aws.ToString(h.ContentType) != "text/plain" || !maps.Equal(h.Metadata, map[string]string{"new": "yes"}) {
			t.Errorf("replaced: type %q metadata %v", aws.ToString(h.ContentType), h.Metadata)
		}
		if aws.ToInt64(h.ContentLength) != int64(len(data)) {
			t.Errorf("replaced: length %d", aws.ToInt64(h.ContentLength))
		}
	})
	t.Run("onto itself", func(t *testing.T) {
		_, err := cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy/src"), CopySource: aws.String(source)})
		wantAPIError(t, err, "InvalidRequest", 400)
		_, err = cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy/src"), CopySource: aws.String(source),
			MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("image/png"), Metadata: map[string]string{"origin": "updated"}})
		must(t, err, "copy onto itself with REPLACE")
		h, err := e.s3(t, 2).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy/src")})
		must(t, err, "head")
		if h.Metadata["origin"] != "updated" || aws.ToInt64(h.ContentLength) != int64(len(data)) {
			t.Errorf("after metadata update: %v, %d bytes", h.Metadata, aws.ToInt64(h.ContentLength))
		}
	})
	t.Run("source conditions", func(t *testing.T) {
		_, err := cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy/cond"), CopySource: aws.String(source),
			CopySourceIfMatch: aws.String(`"0123456789abcdef0123456789abcdef"`)})
		wantAPIError(t, err, "PreconditionFailed", 412)
		_, err = cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy/cond"), CopySource: aws.String(source),
			CopySourceIfNoneMatch: src.ETag})
		wantAPIError(t, err, "PreconditionFailed", 412)
		_, err = cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy/cond")})
		wantAPIError(t, err, "NotFound", 404)
		_, err = cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy/cond"), CopySource: aws.String(source),
			CopySourceIfMatch: src.ETag, CopySourceIfUnmodifiedSince: aws.Time(time.Now().Add(time.Hour))})
		must(t, err, "copy with matching conditions")
	})
	t.Run("leading slash and encoded slash in the source", func(t *testing.T) {
		for i, src := range []string{"/" + source, bucket + "/copy%2Fsrc"} {
			key := fmt.Sprintf("copy/variant%d", i)
			_, err := cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), CopySource: aws.String(src)})
			must(t, err, "copy from "+src)
			if got := getBytes(t, e.s3(t, 2), bucket, key); !bytes.Equal(got, data) {
				t.Errorf("copy from %s differs", src)
			}
		}
	})
	t.Run("missing source", func(t *testing.T) {
		_, err := cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy/x"), CopySource: aws.String(bucket + "/copy/none")})
		wantAPIError(t, err, "NoSuchKey", 404)
		_, err = cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy/x"), CopySource: aws.String("no-such-bucket/copy/src")})
		wantAPIError(t, err, "NoSuchBucket", 404)
	})
}

// specialKeys are keys whose characters need care in paths, signatures,
// copy sources and listings.
var specialKeys = []string{
	"special/with space/a b.txt",
	"special/unicode/héllo wörld ☃ 日本語",
	"special/plus/a+b+c",
	"special/percent/100%/50%25/%2F",
	"special/question/what?is=this&x=1",
	"special/mixed/ !\"#$&'()*+,:;=@[]^`{|}~",
	"special/double//slash",
	"special/dots/./../x",
	"special/tab\tand\u00a0nbsp",
}

func testSpecialKeys(t *testing.T, e *env) {
	ctx := testCtx(t)
	const bucket = "bucket"
	for i, key := range specialKeys {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			putBytes(t, e.s3(t, 0), bucket, key, []byte(key))
			if got := getBytes(t, e.s3(t, 1), bucket, key); string(got) != key {
				t.Errorf("%q: read back %q", key, got)
			}
			_, err := e.s3(t, 2).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			must(t, err, "head")
			l, err := e.s3(t, 1).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(key)})
			must(t, err, "list")
			if len(l.Contents) != 1 || aws.ToString(l.Contents[0].Key) != key {
				t.Errorf("%q: listed %v", key, keysOf(l.Contents))
			}
			l, err = e.s3(t, 1).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(key), EncodingType: types.EncodingTypeUrl})
			must(t, err, "list url-encoded")
			if len(l.Contents) != 1 {
				t.Fatalf("%q: url-encoded listing has %d entries", key, len(l.Contents))
			}
			if got, err := url.QueryUnescape(aws.ToString(l.Contents[0].Key)); err != nil || got != key {
				t.Errorf("%q: url-encoded listing gives %q (%v)", key, aws.ToString(l.Contents[0].Key), err)
			}
			_, err = e.s3(t, 0).CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String(key + ".copy"),
				CopySource: aws.String(bucket + "/" + escapeKey(key))})
			must(t, err, "copy")
			if got := getBytes(t, e.s3(t, 2), bucket, key+".copy"); string(got) != key {
				t.Errorf("%q: copy reads %q", key, got)
			}
			url := presignGet(t, e.s3(t, 1), bucket, key)
			resp := httpDo(t, newRequest(t, http.MethodGet, url, nil))
			if got := readAll(t, resp.Body); resp.StatusCode != 200 || string(got) != key {
				t.Errorf("%q: presigned GET %d %q", key, resp.StatusCode, got)
			}
			for _, k := range []string{key, key + ".copy"} {
				_, err = e.s3(t, 0).DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
				must(t, err, "delete")
				_, err = e.s3(t, 1).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
				wantAPIError(t, err, "NotFound", 404)
			}
		})
	}
}

func keysOf(objs []types.Object) []string {
	var out []string
	for _, o := range objs {
		out = append(out, aws.ToString(o.Key))
	}
	return out
}

// testConditionalWrites checks If-Match on PutObject and the conditions
// of CompleteMultipartUpload: a write whose precondition fails must not
// happen.
func testConditionalWrites(t *testing.T, e *env) {
	ctx := testCtx(t)
	const bucket, key = "bucket", "cw/obj"
	c0, c1 := e.s3(t, 0), e.s3(t, 1)
	etag1 := putBytes(t, c0, bucket, key, []byte("v1"))
	out, err := c1.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("v2"),
		IfMatch: aws.String(etag1)})
	must(t, err, "put if-match current")
	etag2 := aws.ToString(out.ETag)
	_, err = c0.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("v3"),
		IfMatch: aws.String(etag1)})
	wantAPIError(t, err, "PreconditionFailed", 412)
	if got := getBytes(t, c1, bucket, key); string(got) != "v2" {
		t.Errorf("content %q after a put with a stale If-Match", got)
	}
	_, err = c0.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("cw/missing"), Body: strings.NewReader("x"),
		IfMatch: aws.String(etag2)})
	wantAPIError(t, err, "NoSuchKey", 404)
	_, err = c1.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("cw/missing")})
	wantAPIError(t, err, "NotFound", 404)

	t.Run("complete multipart", func(t *testing.T) {
		u := createUpload(t, c0, bucket, key)
		part := randomBytes(90, 1000)
		etag := u.part(c1, 1, part)
		complete := func(ifMatch, ifNoneMatch *string) error {
			_, err := c1.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key),
				UploadId: u.id, MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{completed(1, etag)}},
				IfMatch: ifMatch, IfNoneMatch: ifNoneMatch})
			return err
		}
		wantAPIError(t, complete(nil, aws.String("*")), "PreconditionFailed", 412)
		wantAPIError(t, complete(aws.String(etag1), nil), "PreconditionFailed", 412)
		if got := getBytes(t, c0, bucket, key); string(got) != "v2" {
			t.Errorf("content changed (%d bytes) by refused completions", len(got))
		}
		must(t, complete(aws.String(etag2), nil), "complete if-match current")
		if got := getBytes(t, c0, bucket, key); !bytes.Equal(got, part) {
			t.Errorf("content after completion differs")
		}
	})
}

// chunkedRequest is a PUT whose body is sent aws-chunked with an unsigned
// trailer, as clients stream uploads over HTTPS, built by hand so that the
// trailer can be wrong.
func chunkedRequest(t *testing.T, e *env, key string, data []byte, chunk int, trailers string) *http.Request {
	t.Helper()
	return chunkedRequestEncoded(t, e, key, data, chunk, trailers, "aws-chunked")
}

// chunkedRequestEncoded is chunkedRequest with the Content-Encoding the
// client sends, aws-chunked among other codings.
func chunkedRequestEncoded(t *testing.T, e *env, key string, data []byte, chunk int, trailers, encoding string) *http.Request {
	t.Helper()
	var body bytes.Buffer
	for rest := data; len(rest) > 0; {
		n := min(chunk, len(rest))
		fmt.Fprintf(&body, "%x\r\n", n)
		body.Write(rest[:n])
		body.WriteString("\r\n")
		rest = rest[n:]
	}
	body.WriteString("0\r\n" + trailers + "\r\n")
	req := newRequest(t, http.MethodPut, e.c.Nodes[1].Endpoint+"/bucket/"+key, &body)
	req.Header.Set("Content-Encoding", encoding)
	req.Header.Set("X-Amz-Decoded-Content-Length", fmt.Sprint(len(data)))
	req.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32c")
	req.Header.Set("X-Amz-Content-Sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
	creds := aws.Credentials{AccessKeyID: e.c.KeyID, SecretAccessKey: e.c.Secret}
	err := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).
		SignHTTP(testCtx(t), creds, req, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "s3", localcluster.Region, time.Now())
	must(t, err, "sign")
	return req
}

func testChunkedTrailers(t *testing.T, e *env) {
	data := randomBytes(91, 200_000)
	sum := checksumOf(types.ChecksumAlgorithmCrc32c, data)
	resp := httpDo(t, chunkedRequest(t, e, "chunked/ok", data, 65536, "x-amz-checksum-crc32c:"+sum+"\r\n"))
	if body := readAll(t, resp.Body); resp.StatusCode != 200 || resp.Header.Get("x-amz-checksum-crc32c") != sum {
		t.Fatalf("aws-chunked PUT: %d %s (checksum %q)", resp.StatusCode, body, resp.Header.Get("x-amz-checksum-crc32c"))
	}
	checkStoredChecksum(t, e.s3(t, 2), "bucket", "chunked/ok", types.ChecksumAlgorithmCrc32c, sum, data)

	wrong := checksumOf(types.ChecksumAlgorithmCrc32c, []byte("not the data"))
	wantHTTPError(t, httpDo(t, chunkedRequest(t, e, "chunked/wrong", data, 65536, "x-amz-checksum-crc32c:"+wrong+"\r\n")), "BadDigest", 400)
	wantHTTPError(t, httpDo(t, chunkedRequest(t, e, "chunked/missing", data, 65536, "")), "InvalidRequest", 400)
	for _, k := range []string{"chunked/wrong", "chunked/missing"} {
		_, err := e.s3(t, 0).HeadObject(testCtx(t), &s3.HeadObjectInput{Bucket: aws.String("bucket"), Key: aws.String(k)})
		wantAPIError(t, err, "NotFound", 404)
	}
}
