package s3api_test

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/garagego/garage/internal/localcluster"
	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/runtime/server"
)

func benchCluster(b *testing.B) (*localcluster.Cluster, *s3.Client) {
	c, err := localcluster.Start(localcluster.Options{Nodes: 3, Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	cl := s3.New(s3.Options{Region: localcluster.Region, BaseEndpoint: aws.String(c.Nodes[0].Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(c.KeyID, c.Secret, ""), HTTPClient: awshttp.NewBuildableClient()})
	return c, cl
}

// BenchmarkVersionedSmallObjects puts and gets 4 KiB objects (one block:
// over the inline threshold) through the S3 API of a 3-node cluster, in an
// unversioned and a versioned bucket, one request of each per iteration so
// that the noise of a shared machine falls on both alike; each key is
// written ten times, so the versioned bucket's keys hold up to ten
// versions.
//
//	go test -run '^$' -bench VersionedSmallObjects -benchtime 500x ./node/runtime/s3api
func BenchmarkVersionedSmallObjects(b *testing.B) {
	_, cl := benchCluster(b)
	ctx := b.Context()
	buckets := []string{"versioned", "plain"}
	for _, name := range buckets {
		if _, err := cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := cl.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("versioned"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		b.Fatal(err)
	}
	body := randomBytes(7, 4<<10)
	report := func(b *testing.B, spent []time.Duration) {
		for i, name := range buckets {
			b.ReportMetric(float64(b.N)/spent[i].Seconds(), name+"-ops/s")
		}
		b.ReportMetric(spent[1].Seconds()/spent[0].Seconds(), "versioned/plain")
		b.ReportMetric(0, "ns/op")
	}
	b.Run("put", func(b *testing.B) {
		spent := make([]time.Duration, 2)
		i := 0
		for b.Loop() {
			key := fmt.Sprintf("k%d", i/10) // ten versions a key
			i++
			for j, name := range buckets {
				start := time.Now()
				if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(name), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
					b.Fatal(err)
				}
				spent[j] += time.Since(start)
			}
		}
		report(b, spent)
	})
	b.Run("get", func(b *testing.B) {
		spent := make([]time.Duration, 2)
		for b.Loop() {
			for j, name := range buckets {
				start := time.Now()
				out, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(name), Key: aws.String("k0")}) // ten versions
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, out.Body) //nolint:errcheck // timing only
				out.Body.Close()
				spent[j] += time.Since(start)
			}
		}
		report(b, spent)
	})
}

// BenchmarkListObjectVersions100k times pages of 1,000 of
// ListObjectVersions over 100,000 versions of 10,000 keys (ten each,
// written straight to the servers, in parallel), the whole listing paged
// through once per iteration.
//
//	go test -run '^$' -bench ListObjectVersions100k -benchtime 3x ./node/runtime/s3api
func BenchmarkListObjectVersions100k(b *testing.B) {
	c, cl := benchCluster(b)
	ctx := b.Context()
	if _, err := cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("many")}); err != nil {
		b.Fatal(err)
	}
	if _, err := cl.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("many"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		b.Fatal(err)
	}
	res, err := c.Do(ctx, admin.GetBucket{Name: "many"})
	if err != nil {
		b.Fatal(err)
	}
	bucket, err := model.ParseBucketID(res.(admin.BucketInfo).ID)
	if err != nil {
		b.Fatal(err)
	}
	const keys, perKey = 10000, 10
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for w := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			srv := c.Nodes[w%3].Server
			for k := w; k < keys; k += 32 {
				for v := range perKey {
					_, _, err := srv.PutObjectWith(ctx, bucket, fmt.Sprintf("key%05d", k), nil, bytes.NewReader([]byte{byte(v)}), server.PutOptions{Versioned: true})
					if err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var pages int
	var spent time.Duration
	for b.Loop() {
		in := &s3.ListObjectVersionsInput{Bucket: aws.String("many")}
		n := 0
		for {
			start := time.Now()
			out, err := cl.ListObjectVersions(ctx, in)
			spent += time.Since(start)
			if err != nil {
				b.Fatal(err)
			}
			pages++
			n += len(out.Versions)
			if !aws.ToBool(out.IsTruncated) {
				break
			}
			in.KeyMarker, in.VersionIdMarker = out.NextKeyMarker, out.NextVersionIdMarker
		}
		if n != keys*perKey {
			b.Fatalf("listed %d versions, want %d", n, keys*perKey)
		}
	}
	b.ReportMetric(float64(spent.Milliseconds())/float64(pages), "ms/page")
	b.ReportMetric(0, "ns/op")
}
