package s3api_test

import (
	"bytes"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"
)

// TestE2EGetObjectAttributes: ETag, checksum, size, storage class and a
// multipart object's parts, paged, of the current version and of an old
// one, through aws-sdk-go-v2 and minio-go; and the refusals.
func TestE2EGetObjectAttributes(t *testing.T) {
	e := startEnv(t, 3)
	ctx := testCtx(t)
	const bucket = "attrs"
	e.createBucket(t, bucket)
	cl := e.s3(t, 1)
	all := []types.ObjectAttributes{types.ObjectAttributesEtag, types.ObjectAttributesChecksum, types.ObjectAttributesObjectParts,
		types.ObjectAttributesStorageClass, types.ObjectAttributesObjectSize}

	body := []byte("a small object")
	put, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("small"), Body: bytes.NewReader(body),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256, StorageClass: types.StorageClassStandardIa})
	must(t, err, "put")
	got, err := e.s3(t, 2).GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String(bucket), Key: aws.String("small"), ObjectAttributes: all})
	must(t, err, "attributes of a small object")
	if aws.ToString(got.ETag) != trimQuotes(aws.ToString(put.ETag)) || aws.ToInt64(got.ObjectSize) != int64(len(body)) ||
		got.StorageClass != types.StorageClassStandardIa || got.Checksum == nil || aws.ToString(got.Checksum.ChecksumSHA256) != aws.ToString(put.ChecksumSHA256) {
		t.Fatalf("attributes %+v (checksum %+v), put answered %s / %s", got, got.Checksum, aws.ToString(put.ETag), aws.ToString(put.ChecksumSHA256))
	}
	if got.ObjectParts != nil {
		t.Fatalf("parts of an object not uploaded in parts: %+v", got.ObjectParts)
	}
	if got.LastModified == nil {
		t.Fatal("no Last-Modified")
	}

	// Three parts with composite CRC32 checksums, paged two at a time.
	up, err := cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("parts"),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	must(t, err, "create upload")
	var done []types.CompletedPart
	sizes := []int{5 << 20, 5 << 20, 1000}
	for i, size := range sizes {
		p, err := cl.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("parts"), UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(randomBytes(uint64(i), size)), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
		must(t, err, "upload part")
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: p.ETag, ChecksumCRC32: p.ChecksumCRC32})
	}
	_, err = cl.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("parts"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
	must(t, err, "complete")
	var seen []types.ObjectPart
	in := &s3.GetObjectAttributesInput{Bucket: aws.String(bucket), Key: aws.String("parts"), ObjectAttributes: all, MaxParts: aws.Int32(2)}
	for range 3 {
		page, err := e.s3(t, 0).GetObjectAttributes(ctx, in)
		must(t, err, "attributes of a multipart object")
		if page.ObjectParts == nil || aws.ToInt32(page.ObjectParts.TotalPartsCount) != 3 {
			t.Fatalf("parts %+v", page.ObjectParts)
		}
		seen = append(seen, page.ObjectParts.Parts...)
		if !aws.ToBool(page.ObjectParts.IsTruncated) {
			break
		}
		in.PartNumberMarker = page.ObjectParts.NextPartNumberMarker
	}
	if len(seen) != 3 {
		t.Fatalf("%d parts listed, want 3", len(seen))
	}
	for i, p := range seen {
		if aws.ToInt32(p.PartNumber) != int32(i+1) || aws.ToInt64(p.Size) != int64(sizes[i]) || aws.ToString(p.ChecksumCRC32) != aws.ToString(done[i].ChecksumCRC32) {
			t.Fatalf("part %d: %+v, want size %d checksum %s", i+1, p, sizes[i], aws.ToString(done[i].ChecksumCRC32))
		}
	}

	// minio-go, of an old version.
	setVersioning(ctx, t, cl, bucket, types.BucketVersioningStatusEnabled)
	first, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("v"), Body: bytes.NewReader([]byte("one"))})
	must(t, err, "put v1")
	putBytes(t, cl, bucket, "v", []byte("version two"))
	attrs, err := e.minio(t, 2).GetObjectAttributes(ctx, bucket, "v", minio.ObjectAttributesOptions{VersionID: aws.ToString(first.VersionId)})
	must(t, err, "minio attributes of a version")
	if attrs.ObjectSize != 3 || attrs.VersionID != aws.ToString(first.VersionId) || attrs.ETag != trimQuotes(aws.ToString(first.ETag)) {
		t.Fatalf("minio-go attributes of v1: %+v", attrs)
	}

	_, err = cl.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String(bucket), Key: aws.String("missing"), ObjectAttributes: all})
	wantAPIError(t, err, "NoSuchKey", 404)
	_, err = cl.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String(bucket), Key: aws.String("small"),
		ObjectAttributes: []types.ObjectAttributes{"Colour"}})
	wantAPIError(t, err, "InvalidArgument", 400)
}

func trimQuotes(s string) string { return string(bytes.Trim([]byte(s), `"`)) }
