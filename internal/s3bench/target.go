package s3bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/garagego/garage/internal/retry"
)

const (
	// requestTimeout bounds one request, so a stuck server cannot hang the
	// bench.
	requestTimeout = 5 * time.Minute
	// bodyOffsets is how many distinct start offsets objects take in the
	// random buffer: every object is then different, down to its blocks
	// (for block sizes above it), so the store's content addressing cannot
	// deduplicate them and make PUTs look faster than they are.
	bodyOffsets = 1 << 20
)

// TargetConfig says where a Target's requests go.
type TargetConfig struct {
	// Endpoints are the S3 endpoints (http://host:port); requests are
	// spread over them.
	Endpoints []string
	Region    string
	AccessKey string
	SecretKey string
	Bucket    string
	// Clients is how many requests will be in flight at once: an idle
	// connection is kept for each.
	Clients int
}

// Target is where requests go: one S3 client per endpoint, and the bucket
// and key prefix of the objects this run writes.
type Target struct {
	clients []*s3.Client
	bucket  string
	prefix  string
}

// NewTarget builds one S3 client per endpoint, all sharing a transport
// with an idle connection kept for every client, configured only from cfg:
// the ambient AWS_* environment and any proxy settings must not steer a
// benchmark. The objects it writes have keys under a prefix of their own,
// garage-bench-<time>/.
func NewTarget(cfg TargetConfig) *Target {
	transport := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        0, // no limit overall
		MaxIdleConnsPerHost: cfg.Clients,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	httpClient := &http.Client{Transport: transport}
	t := &Target{bucket: cfg.Bucket, prefix: fmt.Sprintf("garage-bench-%d", time.Now().UnixNano())}
	for _, e := range cfg.Endpoints {
		t.clients = append(t.clients, s3.New(s3.Options{
			BaseEndpoint: aws.String(e),
			Region:       cfg.Region,
			Credentials:  credentials.NewStaticCredentialsProvider(cfg.AccessKey, cfg.SecretKey, ""),
			UsePathStyle: true,
			HTTPClient:   httpClient,
			Retryer:      aws.NopRetryer{}, // a retried request would hide a failure inside a latency
		}))
	}
	return t
}

// Client is the client request i goes through: requests are spread over
// the endpoints round-robin.
func (t *Target) Client(i int) *s3.Client { return t.clients[i%len(t.clients)] }

// CheckBucket asks the first endpoint whether the bucket exists and the
// credentials may use it.
func (t *Target) CheckBucket(ctx context.Context) error {
	_, err := t.clients[0].HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(t.bucket)})
	return err
}

// EnsureBucket creates the bucket through the first endpoint unless it
// exists already, and says whether it created it.
func (t *Target) EnsureBucket(ctx context.Context) (created bool, err error) {
	_, err = t.clients[0].HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(t.bucket)})
	if err == nil {
		return false, nil
	}
	if _, missing := errors.AsType[*types.NotFound](err); !missing {
		return false, fmt.Errorf("bucket %s: %w", t.bucket, err)
	}
	if _, err := t.clients[0].CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(t.bucket)}); err != nil {
		if _, ours := errors.AsType[*types.BucketAlreadyOwnedByYou](err); ours {
			return false, nil
		}
		return false, fmt.Errorf("create bucket %s: %w", t.bucket, err)
	}
	return true, nil
}

// DeleteBucket deletes the (empty) bucket.
func (t *Target) DeleteBucket(ctx context.Context) error {
	if _, err := t.clients[0].DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(t.bucket)}); err != nil {
		return fmt.Errorf("delete bucket %s: %w", t.bucket, err)
	}
	return nil
}

// WaitReady waits until every endpoint knows the key and the bucket: on a
// cluster just set up, they reach the other nodes by replication, a moment
// after creation.
func (t *Target) WaitReady(ctx context.Context) error {
	for i, cl := range t.clients {
		err := retry.Until(ctx, 30*time.Second, func() error {
			_, err := cl.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(t.bucket)})
			return err
		})
		if err != nil {
			return fmt.Errorf("node %d's S3 API does not serve the bucket: %w", i+1, err)
		}
	}
	return nil
}

// DeleteAll removes the objects this run wrote, a thousand at a time.
func (t *Target) DeleteAll(ctx context.Context) error {
	if err := t.deleteAll(ctx); err != nil {
		return fmt.Errorf("delete the objects under %s/: %w", t.prefix, err)
	}
	return nil
}

func (t *Target) deleteAll(ctx context.Context) error {
	pages := s3.NewListObjectsV2Paginator(t.clients[0], &s3.ListObjectsV2Input{Bucket: aws.String(t.bucket), Prefix: aws.String(t.prefix + "/")})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return err
		}
		if len(page.Contents) == 0 {
			continue
		}
		ids := make([]types.ObjectIdentifier, len(page.Contents))
		for i, o := range page.Contents {
			ids[i] = types.ObjectIdentifier{Key: o.Key}
		}
		_, err = t.clients[0].DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(t.bucket), Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)}})
		if err != nil {
			return err
		}
	}
	return nil
}

// put uploads object i: size bytes of data from an offset of its own.
func (t *Target) put(ctx context.Context, i int, size Size, data []byte) (sample, error) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	off := i % bodyOffsets
	body := bytes.NewReader(data[off : int64(off)+size.Bytes]) // seekable: the SDK hashes it before sending
	start := time.Now()
	_, err := t.Client(i).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(t.bucket), Key: aws.String(t.key(size, i)), Body: body})
	if err != nil {
		return sample{}, fmt.Errorf("put %s: %w", t.key(size, i), err)
	}
	return sample{latency: time.Since(start)}, nil
}

// get reads object i back, through another endpoint than the one it was
// written through, and discards it after counting its bytes.
func (t *Target) get(ctx context.Context, i int, size Size) (sample, error) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	key := t.key(size, i)
	start := time.Now()
	res, err := t.Client(i+1).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(t.bucket), Key: aws.String(key)})
	if err != nil {
		return sample{}, fmt.Errorf("get %s: %w", key, err)
	}
	defer res.Body.Close()
	var first [1]byte
	if _, err := io.ReadFull(res.Body, first[:]); err != nil {
		return sample{}, fmt.Errorf("get %s: first byte: %w", key, err)
	}
	ttfb := time.Since(start)
	n, err := io.Copy(io.Discard, res.Body)
	if err != nil {
		return sample{}, fmt.Errorf("get %s: body after %d bytes: %w", key, n+1, err)
	}
	if n+1 != size.Bytes {
		return sample{}, fmt.Errorf("get %s: %d bytes, want %d", key, n+1, size.Bytes)
	}
	return sample{latency: time.Since(start), ttfb: ttfb}, nil
}

func (t *Target) key(size Size, i int) string {
	return fmt.Sprintf("%s/%s/%07d", t.prefix, size.Label, i)
}
