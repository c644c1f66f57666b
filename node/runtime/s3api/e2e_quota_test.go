package s3api_test

import (
	"bytes"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/minio/minio-go/v7"

	"github.com/garagego/garage/internal/retry"
	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/model"
)

// waitUsage waits until the bucket's counters (which trail the writes by
// the insert queue) report bytes and objects.
func waitUsage(t *testing.T, e *env, bucket string, bytes, objects uint64) {
	t.Helper()
	var u model.Usage
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		res, err := e.c.Do(testCtx(t), admin.GetBucket{Name: bucket})
		must(t, err, "bucket info")
		if u = *res.(admin.BucketInfo).Usage; u.Bytes == bytes && u.Objects == objects {
			return
		}
	}
	t.Fatalf("bucket %s: usage %+v, want %d bytes in %d objects", bucket, u, bytes, objects)
}

// wantQuotaError checks err is Garage's quota refusal: 403 AccessDenied
// with message.
func wantQuotaError(t *testing.T, err error, message string) {
	t.Helper()
	wantAPIError(t, err, "AccessDenied", http.StatusForbidden)
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorMessage() != message {
		t.Errorf("message %q, want %q", ae.ErrorMessage(), message)
	}
}

// testQuotas: a bucket's quotas, set by the admin operation, refuse every
// kind of write that would go over (PutObject inline and in blocks,
// CompleteMultipartUpload, CopyObject, a POST form) with 403 AccessDenied
// and Garage's messages, through aws-sdk-go-v2, minio-go and raw HTTP;
// nothing refused becomes visible; an overwrite that does not grow the
// bucket passes.
func testQuotas(t *testing.T, e *env) {
	const bucket = "quotas"
	e.createBucket(t, bucket)
	ctx := testCtx(t)
	maxSize, maxObjects := uint64(20000), uint64(3)
	_, err := e.c.Do(ctx, admin.SetBucketQuotas{Name: bucket, MaxSize: &maxSize, MaxObjects: &maxObjects})
	must(t, err, "set quotas")
	cl := e.s3(t, 1, noRetries)
	put := func(key string, n int) error {
		_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(randomBytes(uint64(n), n))})
		return err
	}
	must(t, put("a", 8000), "put a") // in blocks
	must(t, put("b", 2000), "put b") // inline
	waitUsage(t, e, bucket, 10000, 2)

	err = put("c", 10001)
	wantQuotaError(t, err, "Bucket size quota is reached, maximum total size of objects for this bucket: 20000. The bucket is already 10000 bytes, and this object would add 10001 bytes.")
	wantAbsentIn(t, e, bucket, "c")
	must(t, put("a", 8000), "an overwrite of the same size")
	must(t, put("c", 100), "a third object")
	waitUsage(t, e, bucket, 10100, 3)
	wantQuotaError(t, put("d", 1), "Object quota is reached, maximum objects for this bucket: 3")
	wantAbsentIn(t, e, bucket, "d")

	// minio-go sees the same refusal.
	mc := e.minio(t, 2)
	_, err = mc.PutObject(ctx, bucket, "d", bytes.NewReader([]byte("x")), 1, minio.PutObjectOptions{})
	if r := minio.ToErrorResponse(err); r.StatusCode != http.StatusForbidden || r.Code != "AccessDenied" || r.Message != "Object quota is reached, maximum objects for this bucket: 3" {
		t.Errorf("minio: %+v", r)
	}

	// A completion over the size quota: refused, the upload gone, the
	// object as it was.
	up, err := cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("a")})
	must(t, err, "create upload")
	part, err := cl.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("a"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader(randomBytes(9, 18000))})
	must(t, err, "upload part")
	_, err = cl.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("a"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}})
	wantQuotaError(t, err, "Bucket size quota is reached, maximum total size of objects for this bucket: 20000. The bucket is already 10100 bytes, and this object would add 10000 bytes.")
	_, err = cl.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String("a"), UploadId: up.UploadId})
	wantAPIError(t, err, "NoSuchUpload", http.StatusNotFound)
	if got := getBytes(t, cl, bucket, "a"); len(got) != 8000 {
		t.Errorf("after the refused completion a holds %d bytes", len(got))
	}

	// CopyObject and a POST form are writes like the others.
	_, err = cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy"), CopySource: aws.String(bucket + "/a")})
	wantQuotaError(t, err, "Object quota is reached, maximum objects for this bucket: 3")
	wantAbsentIn(t, e, bucket, "copy")
	f := policyForm(t, e, []any{map[string]string{"bucket": bucket}, eq("key", "posted")}, "key", "posted")
	wantHTTPError(t, sendPostForm(t, e.c.Nodes[0].Endpoint+"/"+bucket, f), "AccessDenied", http.StatusForbidden)
	wantAbsentIn(t, e, bucket, "posted")

	// Without quotas the same writes pass.
	_, err = e.c.Do(ctx, admin.SetBucketQuotas{Name: bucket})
	must(t, err, "remove quotas")
	// Each node reads the quotas from its own copy of the bucket, which
	// has the change once the full-copy write or sync reaches it: at once
	// on most runs, within FullCopySyncInterval (10 s) at worst.
	must(t, retry.Until(ctx, 15*time.Second, func() error { return put("d", 10001) }), "put once the quotas are gone")
}
