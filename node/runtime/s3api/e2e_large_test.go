package s3api_test

import (
	"bytes"
	"crypto/sha256"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	minio "github.com/minio/minio-go/v7"
)

// largeSize is the size of the large objects: 200 MiB.
const largeSize = 200 << 20

// sha256Of hashes a stream.
func sha256Of(t *testing.T, r io.Reader) []byte {
	t.Helper()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		t.Fatalf("read: %v", err)
	}
	return h.Sum(nil)
}

// testLargeObject puts a 200 MiB object with aws-sdk-go-v2 (one PUT) and
// another with minio-go (which goes multipart), streamed from a seeded
// generator, and reads both back through other nodes.
func testLargeObject(t *testing.T, e *env) {
	ctx := testCtx(t)
	const bucket = "bucket"

	t.Run("aws-sdk-go-v2", func(t *testing.T) {
		want := sha256Of(t, newPRNGReader(100, largeSize))
		_, err := e.s3(t, 0).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("large/sdk"), Body: newPRNGReader(100, largeSize)})
		must(t, err, "put 200 MiB")
		g, err := e.s3(t, 1).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("large/sdk")})
		must(t, err, "get 200 MiB")
		if aws.ToInt64(g.ContentLength) != largeSize {
			t.Errorf("Content-Length %d", aws.ToInt64(g.ContentLength))
		}
		got := sha256Of(t, g.Body)
		g.Body.Close()
		if !bytes.Equal(got, want) {
			t.Errorf("SHA-256 of the object read back differs")
		}
	})

	t.Run("minio-go", func(t *testing.T) {
		want := sha256Of(t, newPRNGReader(101, largeSize))
		info, err := e.minio(t, 1).PutObject(ctx, bucket, "large/minio", newPRNGReader(101, largeSize), largeSize, minio.PutObjectOptions{})
		must(t, err, "minio put 200 MiB")
		if info.Size != largeSize || !strings.Contains(info.ETag, "-") {
			t.Errorf("minio upload info: size %d etag %q (want a multipart ETag)", info.Size, info.ETag)
		}
		obj, err := e.minio(t, 2).GetObject(ctx, bucket, "large/minio", minio.GetObjectOptions{})
		must(t, err, "minio get")
		got := sha256Of(t, obj)
		obj.Close()
		if !bytes.Equal(got, want) {
			t.Errorf("SHA-256 of the object read back with minio-go differs")
		}
		g, err := e.s3(t, 0).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("large/minio")})
		must(t, err, "sdk get")
		got = sha256Of(t, g.Body)
		g.Body.Close()
		if !bytes.Equal(got, want) {
			t.Errorf("SHA-256 of the minio-go object read back with aws-sdk-go-v2 differs")
		}
		if aws.ToString(g.ETag) != `"`+strings.Trim(info.ETag, `"`)+`"` {
			t.Errorf("ETag %s, minio-go got %s", aws.ToString(g.ETag), info.ETag)
		}
	})
	for _, k := range []string{"large/sdk", "large/minio"} {
		_, err := e.s3(t, 0).DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
		must(t, err, "delete "+k)
	}
}
