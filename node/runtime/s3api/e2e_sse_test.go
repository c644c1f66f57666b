package s3api_test

// Server-side encryption end to end: SSE-C and SSE-S3 through aws-sdk-go-v2,
// minio-go and boto3, every refusal with its code, and the raw files under
// the nodes' directories searched for plaintext.

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	minio "github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/encrypt"

	"github.com/garagego/garage/internal/localcluster"
	"github.com/garagego/garage/node/runtime/s3api"
)

const blockSize = 1 << 20 // the server's default

// sseMasterKey is the SSE-S3 master key of the test clusters.
var sseMasterKey = [32]byte{0: 0x5e, 31: 0xc3}

// sseEnv is a cluster whose nodes take SSE-C keys over plain HTTP (as
// behind a TLS-terminating proxy) and have an SSE-S3 master key; dir is
// where the nodes keep their metadata and blocks.
type sseEnv struct {
	*env
	dir string
}

func startSSEEnv(t *testing.T) sseEnv {
	t.Helper()
	dir := t.TempDir()
	c, err := localcluster.Start(localcluster.Options{Nodes: 3, Dir: dir, TuneAPI: func(_ int, cfg *s3api.Config) {
		cfg.AllowSSECOverHTTP = true
		cfg.SSEMasterKey = &sseMasterKey
	}})
	if err != nil {
		t.Fatalf("start cluster: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("close cluster: %v", err)
		}
	})
	return sseEnv{env: &env{c: c}, dir: dir}
}

// customerKey is an SSE-C key with its headers' values.
type customerKey struct {
	raw       []byte
	b64, md5_ string
}

func newCustomerKey(seed byte) customerKey {
	raw := bytes.Repeat([]byte{seed}, 32)
	raw[0] = seed ^ 0xa5
	sum := md5.Sum(raw)
	return customerKey{raw: raw, b64: base64.StdEncoding.EncodeToString(raw), md5_: base64.StdEncoding.EncodeToString(sum[:])}
}

func (k customerKey) alg() *string { return aws.String("AES256") }
func (k customerKey) key() *string { return aws.String(k.b64) }
func (k customerKey) sum() *string { return aws.String(k.md5_) }

func (k customerKey) put(bucket, key string, data []byte) *s3.PutObjectInput {
	return &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data),
		SSECustomerAlgorithm: k.alg(), SSECustomerKey: k.key(), SSECustomerKeyMD5: k.sum()}
}

func (k customerKey) get(bucket, key string) *s3.GetObjectInput {
	return &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), SSECustomerAlgorithm: k.alg(), SSECustomerKey: k.key(), SSECustomerKeyMD5: k.sum()}
}

func (k customerKey) head(bucket, key string) *s3.HeadObjectInput {
	return &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), SSECustomerAlgorithm: k.alg(), SSECustomerKey: k.key(), SSECustomerKeyMD5: k.sum()}
}

// wantStatus checks that err is an HTTP error with status (HEAD errors
// have no body, so no code).
func wantStatus(t *testing.T, err error, status int) {
	t.Helper()
	var re *awshttp.ResponseError
	if err == nil || !errors.As(err, &re) || re.HTTPStatusCode() != status {
		t.Errorf("want status %d, got %v", status, err)
	}
}

// TestE2ESSE runs the encryption tests that can share one cluster.
func TestE2ESSE(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end tests start a cluster")
	}
	e := startSSEEnv(t)
	for _, tc := range []struct {
		name string
		run  func(*testing.T, sseEnv)
	}{
		{"CustomerRoundTrips", testSSECRoundTrips},
		{"ManagedRoundTrips", testSSES3RoundTrips},
		{"Ranges", testSSERanges},
		{"Refusals", testSSERefusals},
		{"Multipart", testSSEMultipart},
		{"Copies", testSSECopies},
		{"BucketDefault", testSSEBucketDefault},
		{"Minio", testSSEMinio},
		{"Boto3", testSSEBoto3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, e)
		})
	}
}

// sizes are the round-trip sizes: empty, one byte, inline-sized, either
// side of one block, several blocks.
var sizes = []int{0, 1, 3071, 3072, blockSize - 1, blockSize, blockSize + 1, 3*blockSize + 17}

func testSSECRoundTrips(t *testing.T, e sseEnv) {
	ctx := testCtx(t)
	e.createBucket(t, "ssec-trips")
	k := newCustomerKey(1)
	for i, n := range sizes {
		data := randomBytes(uint64(100+i), n)
		name := fmt.Sprintf("obj-%d", n)
		cl := e.s3(t, i%3)
		out, err := cl.PutObject(ctx, k.put("ssec-trips", name, data))
		must(t, err, "put "+name)
		etag := strings.Trim(aws.ToString(out.ETag), `"`)
		if aws.ToString(out.SSECustomerAlgorithm) != "AES256" || aws.ToString(out.SSECustomerKeyMD5) != k.md5_ {
			t.Errorf("%s: put answered algorithm %q, key MD5 %q", name, aws.ToString(out.SSECustomerAlgorithm), aws.ToString(out.SSECustomerKeyMD5))
		}
		if len(etag) != 32 || etag == md5Hex(data) {
			t.Errorf("%s: ETag %q: want 32 hex digits that are not the content's MD5", name, etag)
		}
		got, err := e.s3(t, (i+1)%3).GetObject(ctx, k.get("ssec-trips", name))
		must(t, err, "get "+name)
		if body := readAll(t, got.Body); !bytes.Equal(body, data) {
			t.Fatalf("%s: read %d bytes, not what was written", name, len(body))
		}
		if aws.ToString(got.ETag) != aws.ToString(out.ETag) || aws.ToString(got.SSECustomerKeyMD5) != k.md5_ || aws.ToString(got.SSECustomerAlgorithm) != "AES256" {
			t.Errorf("%s: get answered ETag %s, key MD5 %q", name, aws.ToString(got.ETag), aws.ToString(got.SSECustomerKeyMD5))
		}
		head, err := e.s3(t, (i+2)%3).HeadObject(ctx, k.head("ssec-trips", name))
		must(t, err, "head "+name)
		if aws.ToInt64(head.ContentLength) != int64(n) || aws.ToString(head.SSECustomerAlgorithm) != "AES256" {
			t.Errorf("%s: head answered length %d, algorithm %q", name, aws.ToInt64(head.ContentLength), aws.ToString(head.SSECustomerAlgorithm))
		}
	}
	// A listing gives the sizes in plaintext and the stored ETags.
	list, err := e.s3(t, 0).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("ssec-trips")})
	must(t, err, "list")
	for _, o := range list.Contents {
		var n int
		fmt.Sscanf(aws.ToString(o.Key), "obj-%d", &n) //nolint:errcheck // the keys are the test's
		if aws.ToInt64(o.Size) != int64(n) {
			t.Errorf("%s listed with size %d", aws.ToString(o.Key), aws.ToInt64(o.Size))
		}
	}
}

func testSSES3RoundTrips(t *testing.T, e sseEnv) {
	ctx := testCtx(t)
	e.createBucket(t, "sses3-trips")
	for i, n := range sizes {
		data := randomBytes(uint64(200+i), n)
		name := fmt.Sprintf("obj-%d", n)
		out, err := e.s3(t, i%3).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sses3-trips"), Key: aws.String(name), Body: bytes.NewReader(data),
			ServerSideEncryption: types.ServerSideEncryptionAes256})
		must(t, err, "put "+name)
		if out.ServerSideEncryption != types.ServerSideEncryptionAes256 {
			t.Errorf("%s: put answered x-amz-server-side-encryption %q", name, out.ServerSideEncryption)
		}
		// S3 gives SSE-S3 objects the MD5 of their content as ETag.
		if etag := strings.Trim(aws.ToString(out.ETag), `"`); etag != md5Hex(data) {
			t.Errorf("%s: ETag %s, want the MD5 %s", name, etag, md5Hex(data))
		}
		got, err := e.s3(t, (i+1)%3).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sses3-trips"), Key: aws.String(name)})
		must(t, err, "get "+name)
		if body := readAll(t, got.Body); !bytes.Equal(body, data) {
			t.Fatalf("%s: read back %d bytes, not what was written", name, len(body))
		}
		if got.ServerSideEncryption != types.ServerSideEncryptionAes256 {
			t.Errorf("%s: get answered x-amz-server-side-encryption %q", name, got.ServerSideEncryption)
		}
		head, err := e.s3(t, (i+2)%3).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sses3-trips"), Key: aws.String(name)})
		must(t, err, "head "+name)
		if head.ServerSideEncryption != types.ServerSideEncryptionAes256 || aws.ToInt64(head.ContentLength) != int64(n) {
			t.Errorf("%s: head answered %q, %d bytes", name, head.ServerSideEncryption, aws.ToInt64(head.ContentLength))
		}
	}
}

func testSSERanges(t *testing.T, e sseEnv) {
	ctx := testCtx(t)
	e.createBucket(t, "ssec-ranges")
	k := newCustomerKey(2)
	data := randomBytes(300, 3*blockSize+100)
	_, err := e.s3(t, 0).PutObject(ctx, k.put("ssec-ranges", "big", data))
	must(t, err, "put")
	small := randomBytes(301, 2000)
	_, err = e.s3(t, 0).PutObject(ctx, k.put("ssec-ranges", "inline", small))
	must(t, err, "put inline")
	n := len(data)
	for _, r := range []struct {
		spec     string
		from, to int // inclusive
		obj      []byte
		key      string
	}{
		{"bytes=0-0", 0, 0, data, "big"},
		{fmt.Sprintf("bytes=%d-%d", blockSize-10, blockSize+9), blockSize - 10, blockSize + 9, data, "big"},
		{fmt.Sprintf("bytes=%d-%d", blockSize, blockSize), blockSize, blockSize, data, "big"},
		{fmt.Sprintf("bytes=%d-%d", blockSize-1, 3*blockSize), blockSize - 1, 3 * blockSize, data, "big"},
		{fmt.Sprintf("bytes=%d-", 3*blockSize+50), 3*blockSize + 50, n - 1, data, "big"},
		{"bytes=-7", n - 7, n - 1, data, "big"},
		{"bytes=100-1999", 100, 1999, small, "inline"},
		{"bytes=-1", 1999, 1999, small, "inline"},
	} {
		in := k.get("ssec-ranges", r.key)
		in.Range = aws.String(r.spec)
		out, err := e.s3(t, 1).GetObject(ctx, in)
		must(t, err, "get "+r.spec)
		if got := readAll(t, out.Body); !bytes.Equal(got, r.obj[r.from:r.to+1]) {
			t.Errorf("%s of %s: %d bytes, not the object's bytes %d-%d", r.spec, r.key, len(got), r.from, r.to)
		}
		if want := fmt.Sprintf("bytes %d-%d/%d", r.from, r.to, len(r.obj)); aws.ToString(out.ContentRange) != want {
			t.Errorf("%s: Content-Range %q, want %q", r.spec, aws.ToString(out.ContentRange), want)
		}
	}
}

func testSSERefusals(t *testing.T, e sseEnv) {
	ctx := testCtx(t)
	e.createBucket(t, "sse-refusals")
	cl := e.s3(t, 0, noRetries)
	k, other := newCustomerKey(3), newCustomerKey(4)
	data := []byte("refusal tests need an object")
	_, err := cl.PutObject(ctx, k.put("sse-refusals", "enc", data))
	must(t, err, "put encrypted")
	putBytes(t, cl, "sse-refusals", "plain", data)

	t.Run("missing key on an encrypted object", func(t *testing.T) {
		_, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sse-refusals"), Key: aws.String("enc")})
		wantAPIError(t, err, "InvalidRequest", 400)
		_, err = cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sse-refusals"), Key: aws.String("enc")})
		wantStatus(t, err, 400)
	})
	t.Run("wrong key", func(t *testing.T) {
		_, err := cl.GetObject(ctx, other.get("sse-refusals", "enc"))
		wantAPIError(t, err, "AccessDenied", 403)
		_, err = cl.HeadObject(ctx, other.head("sse-refusals", "enc"))
		wantStatus(t, err, 403)
	})
	t.Run("key on an unencrypted object", func(t *testing.T) {
		_, err := cl.GetObject(ctx, k.get("sse-refusals", "plain"))
		wantAPIError(t, err, "InvalidRequest", 400)
	})
	t.Run("bad algorithm", func(t *testing.T) {
		in := k.put("sse-refusals", "bad", data)
		in.SSECustomerAlgorithm = aws.String("AES128")
		_, err := cl.PutObject(ctx, in)
		wantAPIError(t, err, "InvalidEncryptionAlgorithmError", 400)
		g := k.get("sse-refusals", "enc")
		g.SSECustomerAlgorithm = aws.String("aws:kms")
		_, err = cl.GetObject(ctx, g)
		wantAPIError(t, err, "InvalidEncryptionAlgorithmError", 400)
	})
	t.Run("bad key length", func(t *testing.T) {
		short := base64.StdEncoding.EncodeToString(k.raw[:16])
		sum := md5.Sum(k.raw[:16])
		in := k.put("sse-refusals", "bad", data)
		in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String(short), aws.String(base64.StdEncoding.EncodeToString(sum[:]))
		_, err := cl.PutObject(ctx, in)
		wantAPIError(t, err, "InvalidArgument", 400)
	})
	t.Run("MD5 mismatch", func(t *testing.T) {
		in := k.put("sse-refusals", "bad", data)
		in.SSECustomerKeyMD5 = other.sum()
		_, err := cl.PutObject(ctx, in)
		wantAPIError(t, err, "InvalidArgument", 400)
	})
	t.Run("missing MD5, key, algorithm", func(t *testing.T) {
		for _, edit := range []func(*s3.PutObjectInput){
			func(in *s3.PutObjectInput) { in.SSECustomerKeyMD5 = nil },
			func(in *s3.PutObjectInput) { in.SSECustomerKey = nil },
			func(in *s3.PutObjectInput) { in.SSECustomerAlgorithm = nil },
		} {
			in := k.put("sse-refusals", "bad", data)
			edit(in)
			_, err := cl.PutObject(ctx, in)
			wantAPIError(t, err, "InvalidArgument", 400)
		}
	})
	t.Run("SSE-C with SSE-S3", func(t *testing.T) {
		in := k.put("sse-refusals", "bad", data)
		in.ServerSideEncryption = types.ServerSideEncryptionAes256
		_, err := cl.PutObject(ctx, in)
		wantAPIError(t, err, "InvalidArgument", 400)
	})
	t.Run("KMS", func(t *testing.T) {
		for _, m := range []types.ServerSideEncryption{types.ServerSideEncryptionAwsKms, types.ServerSideEncryptionAwsKmsDsse} {
			_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sse-refusals"), Key: aws.String("bad"), Body: bytes.NewReader(data), ServerSideEncryption: m})
			wantAPIError(t, err, "NotImplemented", 501)
		}
		_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sse-refusals"), Key: aws.String("bad"), Body: bytes.NewReader(data), ServerSideEncryption: "AES512"})
		wantAPIError(t, err, "InvalidArgument", 400)
		_, err = cl.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("sse-refusals"), ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
			Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms}}}}})
		wantAPIError(t, err, "NotImplemented", 501)
	})
	t.Run("x-amz-server-side-encryption on a read", func(t *testing.T) {
		req := newRequest(t, http.MethodGet, e.c.Nodes[0].Endpoint+"/sse-refusals/plain", nil)
		req.Header.Set("x-amz-server-side-encryption", "AES256")
		wantHTTPError(t, httpDo(t, req), "InvalidArgument", 400)
	})
	t.Run("SSE-C headers on an operation without encryption", func(t *testing.T) {
		_, err := cl.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("sse-refusals"), Key: aws.String("enc")}, func(o *s3.Options) {
			o.APIOptions = append(o.APIOptions, smithyhttp.AddHeaderValue("x-amz-server-side-encryption-customer-algorithm", "AES256"))
		})
		wantAPIError(t, err, "InvalidArgument", 400)
	})
	t.Run("encryption parameters in the query", func(t *testing.T) {
		req := newRequest(t, http.MethodPut, e.c.Nodes[0].Endpoint+"/sse-refusals/bad?x-amz-server-side-encryption=AES256", strings.NewReader("x"))
		wantHTTPError(t, httpDo(t, req), "NotImplemented", 501)
	})
	t.Run("no bucket default", func(t *testing.T) {
		_, err := cl.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("sse-refusals")})
		wantAPIError(t, err, "ServerSideEncryptionConfigurationNotFoundError", 404)
	})
	// Nothing refused was written; the object still opens with its key.
	_, err = cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sse-refusals"), Key: aws.String("bad")})
	wantStatus(t, err, 404)
	out, err := cl.GetObject(ctx, k.get("sse-refusals", "enc"))
	must(t, err, "get with the key")
	if got := readAll(t, out.Body); !bytes.Equal(got, data) {
		t.Errorf("read back %q", got)
	}
}

func testSSEMultipart(t *testing.T, e sseEnv) {
	ctx := testCtx(t)
	e.createBucket(t, "sse-mpu")
	cl := e.s3(t, 0, noRetries)
	k, other := newCustomerKey(5), newCustomerKey(6)
	parts := [][]byte{randomBytes(400, 5<<20), randomBytes(401, 5<<20+blockSize/2), randomBytes(402, 1234)}
	create, err := cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("sse-mpu"), Key: aws.String("obj"),
		SSECustomerAlgorithm: k.alg(), SSECustomerKey: k.key(), SSECustomerKeyMD5: k.sum()})
	must(t, err, "create")
	if aws.ToString(create.SSECustomerKeyMD5) != k.md5_ {
		t.Errorf("create answered key MD5 %q", aws.ToString(create.SSECustomerKeyMD5))
	}
	part := func(n int32, key *customerKey, body []byte) (*s3.UploadPartOutput, error) {
		in := &s3.UploadPartInput{Bucket: aws.String("sse-mpu"), Key: aws.String("obj"), UploadId: create.UploadId, PartNumber: aws.Int32(n), Body: bytes.NewReader(body)}
		if key != nil {
			in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = key.alg(), key.key(), key.sum()
		}
		return cl.UploadPart(ctx, in)
	}
	// A part without the key, or with another, is refused.
	_, err = part(1, nil, parts[0])
	wantAPIError(t, err, "InvalidRequest", 400)
	_, err = part(1, &other, parts[0])
	wantAPIError(t, err, "AccessDenied", 403)
	var done []types.CompletedPart
	for i, p := range parts {
		out, err := part(int32(i+1), &k, p)
		must(t, err, fmt.Sprint("part ", i+1))
		if etag := strings.Trim(aws.ToString(out.ETag), `"`); etag == md5Hex(p) || len(etag) != 32 {
			t.Errorf("part %d: ETag %s is the part's MD5, or not one's shape", i+1, etag)
		}
		if aws.ToString(out.SSECustomerKeyMD5) != k.md5_ {
			t.Errorf("part %d answered key MD5 %q", i+1, aws.ToString(out.SSECustomerKeyMD5))
		}
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag})
	}
	// A key given on completion must be the upload's.
	_, err = cl.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("sse-mpu"), Key: aws.String("obj"), UploadId: create.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done}, SSECustomerAlgorithm: other.alg(), SSECustomerKey: other.key(), SSECustomerKeyMD5: other.sum()})
	wantAPIError(t, err, "AccessDenied", 403)
	_, err = cl.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("sse-mpu"), Key: aws.String("obj"), UploadId: create.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
	must(t, err, "complete")
	whole := bytes.Join(parts, nil)
	out, err := e.s3(t, 2).GetObject(ctx, k.get("sse-mpu", "obj"))
	must(t, err, "get")
	if got := readAll(t, out.Body); !bytes.Equal(got, whole) {
		t.Fatalf("read %d bytes, not the %d written", len(got), len(whole))
	}
	// A range across the first part boundary, and part 2 by number.
	in := k.get("sse-mpu", "obj")
	in.Range = aws.String(fmt.Sprintf("bytes=%d-%d", 5<<20-3, 5<<20+2))
	out, err = e.s3(t, 1).GetObject(ctx, in)
	must(t, err, "range across parts")
	if got := readAll(t, out.Body); !bytes.Equal(got, whole[5<<20-3:5<<20+3]) {
		t.Errorf("range across parts: %x", got)
	}
	in = k.get("sse-mpu", "obj")
	in.PartNumber = aws.Int32(2)
	out, err = e.s3(t, 1).GetObject(ctx, in)
	must(t, err, "part 2")
	if got := readAll(t, out.Body); !bytes.Equal(got, parts[1]) {
		t.Errorf("part 2: %d bytes", len(got))
	}
	_, err = cl.GetObject(ctx, other.get("sse-mpu", "obj"))
	wantAPIError(t, err, "AccessDenied", 403)

	// UploadPartCopy from the SSE-C object into an upload with another
	// key, and a key on a part of an unencrypted upload.
	dst, err := cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("sse-mpu"), Key: aws.String("copied"),
		SSECustomerAlgorithm: other.alg(), SSECustomerKey: other.key(), SSECustomerKeyMD5: other.sum()})
	must(t, err, "create copy target")
	copyPart := &s3.UploadPartCopyInput{Bucket: aws.String("sse-mpu"), Key: aws.String("copied"), UploadId: dst.UploadId, PartNumber: aws.Int32(1),
		CopySource: aws.String("sse-mpu/obj"), CopySourceRange: aws.String(fmt.Sprintf("bytes=%d-%d", 100, 100+6<<20)),
		SSECustomerAlgorithm: other.alg(), SSECustomerKey: other.key(), SSECustomerKeyMD5: other.sum()}
	_, err = cl.UploadPartCopy(ctx, copyPart)
	wantAPIError(t, err, "InvalidRequest", 400) // the source's key is missing
	copyPart.CopySourceSSECustomerAlgorithm, copyPart.CopySourceSSECustomerKey, copyPart.CopySourceSSECustomerKeyMD5 = k.alg(), k.key(), k.sum()
	cp, err := cl.UploadPartCopy(ctx, copyPart)
	must(t, err, "upload part copy")
	_, err = cl.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("sse-mpu"), Key: aws.String("copied"), UploadId: dst.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: cp.CopyPartResult.ETag}}}})
	must(t, err, "complete the copy")
	out, err = cl.GetObject(ctx, other.get("sse-mpu", "copied"))
	must(t, err, "get the copy")
	if got := readAll(t, out.Body); !bytes.Equal(got, whole[100:100+6<<20+1]) {
		t.Errorf("the part copy holds %d bytes, not the source's range", len(got))
	}
	plain, err := cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("sse-mpu"), Key: aws.String("plain")})
	must(t, err, "create plain")
	_, err = cl.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("sse-mpu"), Key: aws.String("plain"), UploadId: plain.UploadId, PartNumber: aws.Int32(1),
		Body: bytes.NewReader(parts[2]), SSECustomerAlgorithm: k.alg(), SSECustomerKey: k.key(), SSECustomerKeyMD5: k.sum()})
	wantAPIError(t, err, "InvalidRequest", 400)
}

func testSSECopies(t *testing.T, e sseEnv) {
	ctx := testCtx(t)
	e.createBucket(t, "sse-copies")
	cl := e.s3(t, 0, noRetries)
	a, b := newCustomerKey(7), newCustomerKey(8)
	for _, n := range []int{1500, 2*blockSize + 5} {
		data := randomBytes(uint64(500+n), n)
		src := fmt.Sprintf("src-%d", n)
		put, err := cl.PutObject(ctx, a.put("sse-copies", src, data))
		must(t, err, "put source")

		// Re-keying in place: key a to key b, the object copied onto itself.
		rekey := &s3.CopyObjectInput{Bucket: aws.String("sse-copies"), Key: aws.String(src), CopySource: aws.String("sse-copies/" + src),
			CopySourceSSECustomerAlgorithm: a.alg(), CopySourceSSECustomerKey: a.key(), CopySourceSSECustomerKeyMD5: a.sum(),
			SSECustomerAlgorithm: b.alg(), SSECustomerKey: b.key(), SSECustomerKeyMD5: b.sum()}
		_, err = cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("sse-copies"), Key: aws.String(src), CopySource: aws.String("sse-copies/" + src),
			CopySourceSSECustomerAlgorithm: b.alg(), CopySourceSSECustomerKey: b.key(), CopySourceSSECustomerKeyMD5: b.sum(),
			SSECustomerAlgorithm: b.alg(), SSECustomerKey: b.key(), SSECustomerKeyMD5: b.sum()})
		wantAPIError(t, err, "AccessDenied", 403) // the source is not under b yet
		out, err := cl.CopyObject(ctx, rekey)
		must(t, err, "re-key in place")
		if aws.ToString(out.SSECustomerKeyMD5) != b.md5_ {
			t.Errorf("re-key answered key MD5 %q", aws.ToString(out.SSECustomerKeyMD5))
		}
		if aws.ToString(out.CopyObjectResult.ETag) != aws.ToString(put.ETag) {
			t.Errorf("re-keying changed the ETag: %s, was %s", aws.ToString(out.CopyObjectResult.ETag), aws.ToString(put.ETag))
		}
		_, err = cl.GetObject(ctx, a.get("sse-copies", src))
		wantAPIError(t, err, "AccessDenied", 403)
		got, err := cl.GetObject(ctx, b.get("sse-copies", src))
		must(t, err, "get with the new key")
		if body := readAll(t, got.Body); !bytes.Equal(body, data) {
			t.Fatalf("re-keyed object: %d bytes, not the source's", len(body))
		}

		// SSE-C source to a plain destination, and back to SSE-C.
		_, err = cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("sse-copies"), Key: aws.String(src + "-plain"), CopySource: aws.String("sse-copies/" + src)})
		wantAPIError(t, err, "InvalidRequest", 400) // no source key
		_, err = cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("sse-copies"), Key: aws.String(src + "-plain"), CopySource: aws.String("sse-copies/" + src),
			CopySourceSSECustomerAlgorithm: a.alg(), CopySourceSSECustomerKey: a.key(), CopySourceSSECustomerKeyMD5: a.sum()})
		wantAPIError(t, err, "AccessDenied", 403) // the old key
		out, err = cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("sse-copies"), Key: aws.String(src + "-plain"), CopySource: aws.String("sse-copies/" + src),
			CopySourceSSECustomerAlgorithm: b.alg(), CopySourceSSECustomerKey: b.key(), CopySourceSSECustomerKeyMD5: b.sum()})
		must(t, err, "copy to plain")
		if etag := strings.Trim(aws.ToString(out.CopyObjectResult.ETag), `"`); etag != md5Hex(data) {
			t.Errorf("plain copy ETag %s, want the MD5 %s", etag, md5Hex(data))
		}
		if body := getBytes(t, cl, "sse-copies", src+"-plain"); !bytes.Equal(body, data) {
			t.Fatalf("plain copy: %d bytes, not the source's", len(body))
		}
		_, err = cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("sse-copies"), Key: aws.String(src + "-again"), CopySource: aws.String("sse-copies/" + src + "-plain"),
			SSECustomerAlgorithm: a.alg(), SSECustomerKey: a.key(), SSECustomerKeyMD5: a.sum()})
		must(t, err, "copy plain to SSE-C")
		got, err = cl.GetObject(ctx, a.get("sse-copies", src+"-again"))
		must(t, err, "get the re-encrypted copy")
		if body := readAll(t, got.Body); !bytes.Equal(body, data) {
			t.Fatalf("re-encrypted copy: %d bytes, not the source's", len(body))
		}
		// A key for a plain source is refused.
		_, err = cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("sse-copies"), Key: aws.String("never"), CopySource: aws.String("sse-copies/" + src + "-plain"),
			CopySourceSSECustomerAlgorithm: a.alg(), CopySourceSSECustomerKey: a.key(), CopySourceSSECustomerKeyMD5: a.sum()})
		wantAPIError(t, err, "InvalidRequest", 400)

		// SSE-C to SSE-S3 and SSE-S3 to SSE-S3.
		out, err = cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("sse-copies"), Key: aws.String(src + "-s3"), CopySource: aws.String("sse-copies/" + src),
			CopySourceSSECustomerAlgorithm: b.alg(), CopySourceSSECustomerKey: b.key(), CopySourceSSECustomerKeyMD5: b.sum(), ServerSideEncryption: types.ServerSideEncryptionAes256})
		must(t, err, "copy to SSE-S3")
		if out.ServerSideEncryption != types.ServerSideEncryptionAes256 {
			t.Errorf("SSE-S3 copy answered %q", out.ServerSideEncryption)
		}
		_, err = cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("sse-copies"), Key: aws.String(src + "-s3b"), CopySource: aws.String("sse-copies/" + src + "-s3"),
			ServerSideEncryption: types.ServerSideEncryptionAes256})
		must(t, err, "copy SSE-S3 to SSE-S3")
		for _, k := range []string{src + "-s3", src + "-s3b"} {
			if body := getBytes(t, cl, "sse-copies", k); !bytes.Equal(body, data) {
				t.Fatalf("%s: %d bytes, not the source's", k, len(body))
			}
		}
	}
	// A plain copy of an object onto itself is still illegal.
	putBytes(t, cl, "sse-copies", "self", []byte("x"))
	_, err := cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("sse-copies"), Key: aws.String("self"), CopySource: aws.String("sse-copies/self")})
	wantAPIError(t, err, "InvalidRequest", 400)
}

func testSSEBucketDefault(t *testing.T, e sseEnv) {
	ctx := testCtx(t)
	e.createBucket(t, "sse-default")
	cl := e.s3(t, 1, noRetries)
	_, err := cl.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("sse-default"), ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
		Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256}}}}})
	must(t, err, "put bucket encryption")
	got, err := e.s3(t, 2).GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("sse-default")})
	must(t, err, "get bucket encryption")
	if r := got.ServerSideEncryptionConfiguration.Rules; len(r) != 1 || r[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAes256 {
		t.Fatalf("bucket encryption: %+v", got.ServerSideEncryptionConfiguration)
	}
	data := randomBytes(600, blockSize+10)
	out, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sse-default"), Key: aws.String("by-default"), Body: bytes.NewReader(data)})
	must(t, err, "put without headers")
	if out.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Errorf("a put into a bucket with default encryption answered %q", out.ServerSideEncryption)
	}
	head, err := e.s3(t, 0).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sse-default"), Key: aws.String("by-default")})
	must(t, err, "head")
	if head.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Errorf("head answered %q", head.ServerSideEncryption)
	}
	if body := getBytes(t, e.s3(t, 2), "sse-default", "by-default"); !bytes.Equal(body, data) {
		t.Fatal("read back something else")
	}
	// Multipart uploads and SSE-C requests follow the request, not the default.
	mpu, err := cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("sse-default"), Key: aws.String("mpu")})
	must(t, err, "create upload")
	if mpu.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Errorf("create upload answered %q", mpu.ServerSideEncryption)
	}
	k := newCustomerKey(9)
	put, err := cl.PutObject(ctx, k.put("sse-default", "ssec", data[:10]))
	must(t, err, "put SSE-C")
	if put.ServerSideEncryption != "" {
		t.Errorf("an SSE-C put answered x-amz-server-side-encryption %q", put.ServerSideEncryption)
	}
	_, err = cl.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: aws.String("sse-default")})
	must(t, err, "delete bucket encryption")
	_, err = cl.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("sse-default")})
	wantAPIError(t, err, "ServerSideEncryptionConfigurationNotFoundError", 404)
	out, err = cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sse-default"), Key: aws.String("after"), Body: bytes.NewReader(data[:5])})
	must(t, err, "put after the default is gone")
	if out.ServerSideEncryption != "" {
		t.Errorf("answered %q without a default", out.ServerSideEncryption)
	}
	// The object written under the default still reads.
	if body := getBytes(t, cl, "sse-default", "by-default"); !bytes.Equal(body, data) {
		t.Fatal("read back something else after the default was deleted")
	}
}

func testSSEMinio(t *testing.T, e sseEnv) {
	ctx := testCtx(t)
	e.createBucket(t, "sse-minio")
	mc := e.minio(t, 0)
	ssec, err := encrypt.NewSSEC(newCustomerKey(10).raw)
	must(t, err, "NewSSEC")
	other, err := encrypt.NewSSEC(newCustomerKey(11).raw)
	must(t, err, "NewSSEC")
	// One part and several parts (minio-go goes multipart above PartSize).
	for _, n := range []int64{100, 11 << 20} {
		name := fmt.Sprint("obj-", n)
		_, err := mc.PutObject(ctx, "sse-minio", name, newPRNGReader(uint64(n), n), n, minio.PutObjectOptions{ServerSideEncryption: ssec, PartSize: 5 << 20})
		must(t, err, "minio put "+name)
		obj, err := mc.GetObject(ctx, "sse-minio", name, minio.GetObjectOptions{ServerSideEncryption: ssec})
		must(t, err, "minio get "+name)
		got, err := io.ReadAll(obj)
		must(t, err, "minio read "+name)
		if !bytes.Equal(got, randomBytes(uint64(n), int(n))) {
			t.Fatalf("%s: read %d bytes, not what was written", name, len(got))
		}
		if _, err := mc.StatObject(ctx, "sse-minio", name, minio.StatObjectOptions{ServerSideEncryption: other}); minio.ToErrorResponse(err).StatusCode != 403 {
			t.Errorf("%s: stat with another key: %v", name, err)
		}
		if _, err := mc.StatObject(ctx, "sse-minio", name, minio.StatObjectOptions{}); minio.ToErrorResponse(err).StatusCode != 400 {
			t.Errorf("%s: stat without the key: %v", name, err)
		}
	}
	// A copy re-keyed, and SSE-S3.
	_, err = mc.CopyObject(ctx, minio.CopyDestOptions{Bucket: "sse-minio", Object: "copied", Encryption: other},
		minio.CopySrcOptions{Bucket: "sse-minio", Object: "obj-100", Encryption: ssec})
	must(t, err, "minio copy")
	obj, err := mc.GetObject(ctx, "sse-minio", "copied", minio.GetObjectOptions{ServerSideEncryption: other})
	must(t, err, "minio get copy")
	if got, err := io.ReadAll(obj); err != nil || !bytes.Equal(got, randomBytes(100, 100)) {
		t.Fatalf("copy: %d bytes, %v", len(got), err)
	}
	info, err := mc.PutObject(ctx, "sse-minio", "s3", bytes.NewReader([]byte("managed")), 7, minio.PutObjectOptions{ServerSideEncryption: encrypt.NewSSE()})
	must(t, err, "minio put SSE-S3")
	if info.ETag != md5Hex([]byte("managed")) {
		t.Errorf("SSE-S3 ETag %s", info.ETag)
	}
	st, err := mc.StatObject(ctx, "sse-minio", "s3", minio.StatObjectOptions{})
	must(t, err, "minio stat SSE-S3")
	if st.Metadata.Get("X-Amz-Server-Side-Encryption") != "AES256" {
		t.Errorf("SSE-S3 stat headers: %v", st.Metadata)
	}
}

func testSSEBoto3(t *testing.T, e sseEnv) {
	e.createBucket(t, "sse-boto")
	got := e.boto3(t, 1, `
key = bytes(range(32))
other = bytes(range(1, 33))
body = bytes(range(256)) * 5000
put = s3.put_object(Bucket="sse-boto", Key="ssec", Body=body, SSECustomerAlgorithm="AES256", SSECustomerKey=key)
got = s3.get_object(Bucket="sse-boto", Key="ssec", SSECustomerAlgorithm="AES256", SSECustomerKey=key)
data = got["Body"].read()
head = s3.head_object(Bucket="sse-boto", Key="ssec", SSECustomerAlgorithm="AES256", SSECustomerKey=key)
rng = s3.get_object(Bucket="sse-boto", Key="ssec", Range="bytes=1000-1009", SSECustomerAlgorithm="AES256", SSECustomerKey=key)["Body"].read()
wrong = error_code(lambda: s3.get_object(Bucket="sse-boto", Key="ssec", SSECustomerAlgorithm="AES256", SSECustomerKey=other))
missing = error_code(lambda: s3.get_object(Bucket="sse-boto", Key="ssec"))
s3.copy_object(Bucket="sse-boto", Key="rekeyed", CopySource={"Bucket": "sse-boto", "Key": "ssec"},
    CopySourceSSECustomerAlgorithm="AES256", CopySourceSSECustomerKey=key, SSECustomerAlgorithm="AES256", SSECustomerKey=other)
rekeyed = s3.get_object(Bucket="sse-boto", Key="rekeyed", SSECustomerAlgorithm="AES256", SSECustomerKey=other)["Body"].read()
managed = s3.put_object(Bucket="sse-boto", Key="s3", Body=b"managed", ServerSideEncryption="AES256")
mhead = s3.head_object(Bucket="sse-boto", Key="s3")
print(json.dumps({
    "same": data == body, "algo": got["SSECustomerAlgorithm"], "headlen": head["ContentLength"], "range": rng == body[1000:1010],
    "wrong": wrong, "missing": missing, "rekeyed": rekeyed == body,
    "managed": managed["ServerSideEncryption"], "mhead": mhead["ServerSideEncryption"],
}, sort_keys=True))
`)
	want := `{"algo": "AES256", "headlen": 1280000, "managed": "AES256", "mhead": "AES256", "missing": "InvalidRequest", "range": true, "rekeyed": true, "same": true, "wrong": "AccessDenied"}`
	if got != want {
		t.Fatalf("boto3 saw %s\nwant %s", got, want)
	}
}

// TestE2ESSENoPlaintextAtRest writes objects with distinctive content,
// encrypted and not, then reads every file under the nodes' metadata and
// data directories: the plaintext objects' content must be found there
// (the search works), the encrypted ones' nowhere, inline or in blocks.
func TestE2ESSENoPlaintextAtRest(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end tests start a cluster")
	}
	e := startSSEEnv(t)
	ctx := testCtx(t)
	e.createBucket(t, "at-rest")
	cl := e.s3(t, 0)
	marker := func(name string, n int) []byte {
		unit := []byte(fmt.Sprintf("<<%s plaintext marker 0123456789>>", name))
		return bytes.Repeat(unit, n/len(unit)+1)[:n]
	}
	k := newCustomerKey(12)
	objects := map[string][]byte{
		"ssec-inline": marker("ssec-inline", 1000), "ssec-blocks": marker("ssec-blocks", 2*blockSize+3),
		"sses3-inline": marker("sses3-inline", 1000), "sses3-blocks": marker("sses3-blocks", 2*blockSize+3),
		"plain-inline": marker("plain-inline", 1000), "plain-blocks": marker("plain-blocks", 2*blockSize+3),
		"mpu": marker("ssec-mpu", 5<<20+100),
	}
	for name, data := range objects {
		switch {
		case strings.HasPrefix(name, "ssec"):
			_, err := cl.PutObject(ctx, k.put("at-rest", name, data))
			must(t, err, "put "+name)
		case strings.HasPrefix(name, "sses3"):
			_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("at-rest"), Key: aws.String(name), Body: bytes.NewReader(data), ServerSideEncryption: types.ServerSideEncryptionAes256})
			must(t, err, "put "+name)
		case name == "mpu":
			create, err := cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("at-rest"), Key: aws.String(name),
				SSECustomerAlgorithm: k.alg(), SSECustomerKey: k.key(), SSECustomerKeyMD5: k.sum()})
			must(t, err, "create")
			var parts []types.CompletedPart
			for i, p := range [][]byte{data[:5<<20], data[5<<20:]} {
				out, err := cl.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("at-rest"), Key: aws.String(name), UploadId: create.UploadId, PartNumber: aws.Int32(int32(i + 1)),
					Body: bytes.NewReader(p), SSECustomerAlgorithm: k.alg(), SSECustomerKey: k.key(), SSECustomerKeyMD5: k.sum()})
				must(t, err, "part")
				parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag})
			}
			_, err = cl.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("at-rest"), Key: aws.String(name), UploadId: create.UploadId,
				MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
			must(t, err, "complete")
		default:
			putBytes(t, cl, "at-rest", name, data)
		}
	}
	// A re-keyed copy and a copy into SSE-S3 write nothing in clear either.
	b := newCustomerKey(13)
	_, err := cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("at-rest"), Key: aws.String("ssec-inline"), CopySource: aws.String("at-rest/ssec-inline"),
		CopySourceSSECustomerAlgorithm: k.alg(), CopySourceSSECustomerKey: k.key(), CopySourceSSECustomerKeyMD5: k.sum(),
		SSECustomerAlgorithm: b.alg(), SSECustomerKey: b.key(), SSECustomerKeyMD5: b.sum()})
	must(t, err, "re-key")
	_, err = cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("at-rest"), Key: aws.String("sses3-copy"), CopySource: aws.String("at-rest/ssec-blocks"),
		CopySourceSSECustomerAlgorithm: k.alg(), CopySourceSSECustomerKey: k.key(), CopySourceSSECustomerKeyMD5: k.sum(), ServerSideEncryption: types.ServerSideEncryptionAes256})
	must(t, err, "copy to SSE-S3")

	// Probes: a 32-byte piece of each object's content, which a block or
	// an inline body stored in clear holds.
	found := map[string]int{}
	var files, bytesRead int
	err = filepath.WalkDir(e.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		bytesRead += len(data)
		for name, content := range objects {
			if bytes.Contains(data, content[40:72]) {
				found[name]++
			}
		}
		return nil
	})
	must(t, err, "walk the nodes' directories")
	t.Logf("searched %d files, %d bytes", files, bytesRead)
	for name := range objects {
		plain := strings.HasPrefix(name, "plain")
		switch {
		case plain && found[name] == 0:
			t.Errorf("%s: written in clear, yet not found: the search does not work", name)
		case !plain && found[name] > 0:
			t.Errorf("%s: its plaintext is in %d files under the nodes' directories", name, found[name])
		}
	}
	// The customer keys are nowhere either.
	err = filepath.WalkDir(e.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, key := range []customerKey{k, b} {
			if bytes.Contains(data, key.raw) || bytes.Contains(data, []byte(key.b64)) {
				t.Errorf("%s holds a customer key", path)
			}
		}
		if bytes.Contains(data, sseMasterKey[:]) {
			t.Errorf("%s holds the master key", path)
		}
		return nil
	})
	must(t, err, "walk again")
}

// TestE2ESSECRefusedOverHTTP: without allow_sse_c_over_http, SSE-C keys on
// plain HTTP are refused, whatever the operation, and accepted over TLS.
func TestE2ESSECRefusedOverHTTP(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end tests start a cluster")
	}
	e := startEnv(t, 3)
	ctx := testCtx(t)
	k := newCustomerKey(14)
	cl := e.s3(t, 0, noRetries)
	_, err := cl.PutObject(ctx, k.put("bucket", "https-only", []byte("secret")))
	wantAPIError(t, err, "InvalidRequest", 400)
	_, err = cl.GetObject(ctx, k.get("bucket", "https-only"))
	wantAPIError(t, err, "InvalidRequest", 400)
	_, err = cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("bucket"), Key: aws.String("https-only"), CopySource: aws.String("bucket/x"),
		CopySourceSSECustomerAlgorithm: k.alg(), CopySourceSSECustomerKey: k.key(), CopySourceSSECustomerKeyMD5: k.sum()})
	wantAPIError(t, err, "InvalidRequest", 400)
	_, err = cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bucket"), Key: aws.String("https-only")})
	wantStatus(t, err, 404) // nothing was written

	// The same node's API served over TLS takes them: r.TLS is set.
	api := s3api.New(s3api.Config{Region: localcluster.Region}, e.c.Nodes[0].Server)
	cert, pool := selfSigned(t)
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	must(t, err, "listen")
	sctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- api.Serve(sctx, l) }()
	t.Cleanup(func() { stop(); <-served })
	client := awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) { tr.TLSClientConfig = &tls.Config{RootCAs: pool} })
	secure := newS3(t, "https://"+l.Addr().(*net.TCPAddr).String(), e.c.KeyID, e.c.Secret, noRetries, func(o *s3.Options) {
		o.HTTPClient = requestIDChecker{t: t, next: client}
	})
	_, err = secure.PutObject(ctx, k.put("bucket", "https-only", []byte("secret")))
	must(t, err, "put over TLS")
	out, err := secure.GetObject(ctx, k.get("bucket", "https-only"))
	must(t, err, "get over TLS")
	if got := readAll(t, out.Body); string(got) != "secret" {
		t.Errorf("read %q over TLS", got)
	}
	// And the object stays out of reach of a key sent in clear.
	_, err = cl.GetObject(ctx, k.get("bucket", "https-only"))
	wantAPIError(t, err, "InvalidRequest", 400)
}

// TestE2ESSEPostObject: a browser form upload takes the SSE-C fields and
// the SSE-S3 one (each covered by the signed policy, as S3 requires of
// x-amz-* fields), and the object is stored encrypted as a PUT would.
func TestE2ESSEPostObject(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end tests start a cluster")
	}
	e := startSSEEnv(t)
	ctx := testCtx(t)
	k := newCustomerKey(15)
	file := []byte(strings.Repeat("posted and sealed\n", 20))
	endpoint := e.c.Nodes[0].Endpoint + "/bucket"
	resp := postForm(t, endpoint, signedForm(t, e.env, "post/ssec", map[string]string{
		"x-amz-server-side-encryption-customer-algorithm": "AES256",
		"x-amz-server-side-encryption-customer-key":       k.b64,
		"x-amz-server-side-encryption-customer-key-md5":   k.md5_,
	}), "f.txt", file)
	if body := readAll(t, resp.Body); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("SSE-C POST: %d %s", resp.StatusCode, body)
	}
	if resp.Header.Get("x-amz-server-side-encryption-customer-key-MD5") != k.md5_ || resp.Header.Get("ETag") == `"`+md5Hex(file)+`"` {
		t.Errorf("SSE-C POST answered key MD5 %q, ETag %s", resp.Header.Get("x-amz-server-side-encryption-customer-key-MD5"), resp.Header.Get("ETag"))
	}
	_, err := e.s3(t, 1).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("post/ssec")})
	wantAPIError(t, err, "InvalidRequest", 400)
	out, err := e.s3(t, 1).GetObject(ctx, k.get("bucket", "post/ssec"))
	must(t, err, "get with the key")
	if got := readAll(t, out.Body); !bytes.Equal(got, file) {
		t.Errorf("posted content %q", got)
	}

	resp = postForm(t, endpoint, signedForm(t, e.env, "post/sses3", map[string]string{"x-amz-server-side-encryption": "AES256"}), "f.txt", file)
	if body := readAll(t, resp.Body); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("SSE-S3 POST: %d %s", resp.StatusCode, body)
	}
	if resp.Header.Get("x-amz-server-side-encryption") != "AES256" {
		t.Errorf("SSE-S3 POST answered %q", resp.Header.Get("x-amz-server-side-encryption"))
	}
	out, err = e.s3(t, 2).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("post/sses3")})
	must(t, err, "get SSE-S3")
	if got := readAll(t, out.Body); !bytes.Equal(got, file) || out.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Errorf("posted SSE-S3 object: %q, %q", got, out.ServerSideEncryption)
	}

	// Refused: KMS, and an SSE-C key with a bad MD5.
	resp = postForm(t, endpoint, signedForm(t, e.env, "post/kms", map[string]string{"x-amz-server-side-encryption": "aws:kms"}), "f.txt", file)
	wantHTTPError(t, resp, "NotImplemented", 501)
	resp = postForm(t, endpoint, signedForm(t, e.env, "post/bad", map[string]string{
		"x-amz-server-side-encryption-customer-algorithm": "AES256",
		"x-amz-server-side-encryption-customer-key":       k.b64,
		"x-amz-server-side-encryption-customer-key-md5":   newCustomerKey(16).md5_,
	}), "f.txt", file)
	wantHTTPError(t, resp, "InvalidArgument", 400)
}

// signedForm is the fields of a POST form for key in "bucket" with extra
// fields, under a policy that names each of them, signed with SigV4.
func signedForm(t *testing.T, e *env, key string, extra map[string]string) map[string]string {
	t.Helper()
	return signedFormIn(t, e, "bucket", key, extra)
}

// signedFormIn is signedForm for a form posted to bucket.
func signedFormIn(t *testing.T, e *env, bucket, key string, extra map[string]string) map[string]string {
	t.Helper()
	now := time.Now().UTC()
	day := now.Format("20060102")
	credential := e.c.KeyID + "/" + day + "/" + localcluster.Region + "/s3/aws4_request"
	fields := map[string]string{"key": key, "x-amz-algorithm": "AWS4-HMAC-SHA256", "x-amz-credential": credential, "x-amz-date": now.Format("20060102T150405Z")}
	conditions := []string{fmt.Sprintf(`{"bucket": %q}`, bucket)}
	for name, v := range fields {
		conditions = append(conditions, fmt.Sprintf(`{%q: %q}`, name, v))
	}
	for name, v := range extra {
		fields[name] = v
		conditions = append(conditions, fmt.Sprintf(`["eq", "$%s", %q]`, name, v))
	}
	policy := fmt.Sprintf(`{"expiration": %q, "conditions": [%s]}`, now.Add(10*time.Minute).Format("2006-01-02T15:04:05.000Z"), strings.Join(conditions, ", "))
	fields["policy"] = base64.StdEncoding.EncodeToString([]byte(policy))
	fields["x-amz-signature"] = postSignature(e, now, fields["policy"])
	return fields
}
