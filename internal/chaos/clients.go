package chaos

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	minio "github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/garagego/garage/internal/proccluster"
)

// s3client makes the calls of the workload with one SDK, against one
// node. Every call's context carries a capture, which records the HTTP
// outcome the way both SDKs report it. Neither SDK retries: a retried put
// would write its value twice, which the history could not tell apart.
type s3client interface {
	sdk() string
	put(ctx context.Context, bucket, key string, body []byte) error
	get(ctx context.Context, bucket, key string) ([]byte, error)
	del(ctx context.Context, bucket, key string) error
	// list lists from startAfter: one page of at most maxKeys (aws), or
	// every page, maxKeys at a time (minio); it reports whether it stopped
	// short (truncated). The entries come from the captured bodies.
	list(ctx context.Context, bucket, startAfter string, maxKeys int) (truncated bool, err error)
	// multipart uploads parts; completing reports whether it got as far
	// as asking to complete the upload (before that, nothing is visible).
	multipart(ctx context.Context, bucket, key string, parts [][]byte) (completing bool, err error)
}

// credentialsOf are the cluster's key.
type credentialsOf struct{ keyID, secret string }

// newHTTPTransport is a transport of its own per client (no proxy from the
// environment), wrapped in the capture.
func newHTTPTransport() http.RoundTripper {
	return captureTransport{next: &http.Transport{MaxIdleConnsPerHost: 4, IdleConnTimeout: 30 * time.Second, ResponseHeaderTimeout: 0}}
}

// awsClient is aws-sdk-go-v2 with its default checksums (a CRC32 with
// every upload), path-style, and nothing read from the environment.
type awsClient struct{ c *s3.Client }

func newAWSClient(endpoint string, creds credentialsOf) *awsClient {
	return &awsClient{c: s3.New(s3.Options{
		Region:                     proccluster.Region,
		BaseEndpoint:               aws.String(endpoint),
		Credentials:                credentials.NewStaticCredentialsProvider(creds.keyID, creds.secret, ""),
		UsePathStyle:               true,
		HTTPClient:                 &http.Client{Transport: newHTTPTransport()},
		Retryer:                    aws.NopRetryer{},
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	})}
}

func (a *awsClient) sdk() string { return "aws-sdk-go-v2" }

func (a *awsClient) put(ctx context.Context, bucket, key string, body []byte) error {
	_, err := a.c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(len(body)))})
	return err
}

func (a *awsClient) get(ctx context.Context, bucket, key string) ([]byte, error) {
	out, err := a.c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	return io.ReadAll(io.LimitReader(out.Body, maxObject+1))
}

func (a *awsClient) del(ctx context.Context, bucket, key string) error {
	_, err := a.c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: &key})
	return err
}

func (a *awsClient) list(ctx context.Context, bucket, startAfter string, maxKeys int) (bool, error) {
	in := &s3.ListObjectsV2Input{Bucket: &bucket, MaxKeys: aws.Int32(int32(maxKeys))}
	if startAfter != "" {
		in.StartAfter = &startAfter
	}
	out, err := a.c.ListObjectsV2(ctx, in)
	if err != nil {
		return false, err
	}
	return aws.ToBool(out.IsTruncated), nil
}

func (a *awsClient) multipart(ctx context.Context, bucket, key string, parts [][]byte) (bool, error) {
	created, err := a.c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return false, err
	}
	abort := func() {
		a.c.AbortMultipartUpload(context.WithoutCancel(ctx), &s3.AbortMultipartUploadInput{Bucket: &bucket, Key: &key, UploadId: created.UploadId}) //nolint:errcheck // best effort
	}
	var done []types.CompletedPart
	for i, p := range parts {
		n := int32(i + 1)
		out, err := a.c.UploadPart(ctx, &s3.UploadPartInput{Bucket: &bucket, Key: &key, UploadId: created.UploadId, PartNumber: &n,
			Body: bytes.NewReader(p), ContentLength: aws.Int64(int64(len(p)))})
		if err != nil {
			abort()
			return false, err
		}
		done = append(done, types.CompletedPart{PartNumber: &n, ETag: out.ETag})
	}
	_, err = a.c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &bucket, Key: &key, UploadId: created.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
	return true, err
}

// minioClient is minio-go with its defaults (signed streaming uploads over
// plain HTTP), path-style, one try per call.
type minioClient struct {
	c    *minio.Client
	core minio.Core
}

func newMinioClient(endpoint string, creds credentialsOf) (*minioClient, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, err
	}
	c, err := minio.New(u.Host, &minio.Options{
		Creds:        miniocreds.NewStaticV4(creds.keyID, creds.secret, ""),
		Region:       proccluster.Region,
		BucketLookup: minio.BucketLookupPath,
		Transport:    newHTTPTransport(),
		MaxRetries:   1,
	})
	if err != nil {
		return nil, fmt.Errorf("minio client for %s: %w", endpoint, err)
	}
	return &minioClient{c: c, core: minio.Core{Client: c}}, nil
}

func (m *minioClient) sdk() string { return "minio-go" }

func (m *minioClient) put(ctx context.Context, bucket, key string, body []byte) error {
	_, err := m.c.PutObject(ctx, bucket, key, bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{})
	return err
}

func (m *minioClient) get(ctx context.Context, bucket, key string) ([]byte, error) {
	obj, err := m.c.GetObject(ctx, bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, err
	}
	defer obj.Close()
	return io.ReadAll(io.LimitReader(obj, maxObject+1))
}

func (m *minioClient) del(ctx context.Context, bucket, key string) error {
	return m.c.RemoveObject(ctx, bucket, key, minio.RemoveObjectOptions{})
}

func (m *minioClient) list(ctx context.Context, bucket, startAfter string, maxKeys int) (bool, error) {
	for obj := range m.c.ListObjects(ctx, bucket, minio.ListObjectsOptions{StartAfter: startAfter, MaxKeys: maxKeys, Recursive: true}) {
		if obj.Err != nil {
			return false, obj.Err
		}
	}
	return false, nil
}

func (m *minioClient) multipart(ctx context.Context, bucket, key string, parts [][]byte) (bool, error) {
	id, err := m.core.NewMultipartUpload(ctx, bucket, key, minio.PutObjectOptions{})
	if err != nil {
		return false, err
	}
	var done []minio.CompletePart
	for i, p := range parts {
		part, err := m.core.PutObjectPart(ctx, bucket, key, id, i+1, bytes.NewReader(p), int64(len(p)), minio.PutObjectPartOptions{})
		if err != nil {
			m.core.AbortMultipartUpload(context.WithoutCancel(ctx), bucket, key, id) //nolint:errcheck // best effort
			return false, err
		}
		done = append(done, minio.CompletePart{PartNumber: i + 1, ETag: part.ETag})
	}
	_, err = m.core.CompleteMultipartUpload(ctx, bucket, key, id, done, minio.PutObjectOptions{})
	return true, err
}

// errNotFound tells a read of a missing key from a failed one, whatever
// the SDK.
func isNotFound(status int, err error) bool {
	return err != nil && status == http.StatusNotFound
}
