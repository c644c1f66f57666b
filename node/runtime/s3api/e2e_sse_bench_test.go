package s3api_test

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/garagego/garage/internal/localcluster"
	"github.com/garagego/garage/node/runtime/s3api"
)

// BenchmarkSSEThroughput puts and gets 1 MiB objects through the S3 API of
// a 3-node cluster on loopback with aws-sdk-go-v2 (its default checksums),
// plain, SSE-C and SSE-S3, in one run so that the ratios compare like with
// like. Every put has content of its own: a plaintext block already
// stored would be deduplicated (not written again), which encrypted blocks,
// under fresh nonces, never are.
//
//	go test -run '^$' -bench SSEThroughput -benchtime 200x ./node/runtime/s3api
func BenchmarkSSEThroughput(b *testing.B) {
	master := [32]byte{1}
	c, err := localcluster.Start(localcluster.Options{Nodes: 3, Dir: b.TempDir(), TuneAPI: func(_ int, cfg *s3api.Config) {
		cfg.AllowSSECOverHTTP = true
		cfg.SSEMasterKey = &master
	}})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	cl := s3.New(s3.Options{Region: localcluster.Region, BaseEndpoint: aws.String(c.Nodes[0].Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(c.KeyID, c.Secret, ""), HTTPClient: awshttp.NewBuildableClient(),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported, ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported})
	const size = 1 << 20
	body := randomBytes(42, size)
	k := newCustomerKey(99)
	modes := []struct {
		name string
		put  func(*s3.PutObjectInput)
		get  func(*s3.GetObjectInput)
	}{
		{"plain", func(*s3.PutObjectInput) {}, func(*s3.GetObjectInput) {}},
		{"sse-c", func(in *s3.PutObjectInput) {
			in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = k.alg(), k.key(), k.sum()
		}, func(in *s3.GetObjectInput) {
			in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = k.alg(), k.key(), k.sum()
		}},
		{"sse-s3", func(in *s3.PutObjectInput) { in.ServerSideEncryption = types.ServerSideEncryptionAes256 }, func(*s3.GetObjectInput) {}},
	}
	ctx := b.Context()
	// Each iteration does one request of every mode, timed apart, so that
	// the noise of a shared machine falls on all modes alike; the ratios
	// are reported as metrics.
	report := func(b *testing.B, spent []time.Duration) {
		rate := func(d time.Duration) float64 { return float64(b.N) * size / d.Seconds() / 1e6 }
		for i, m := range modes {
			b.ReportMetric(rate(spent[i]), m.name+"-MB/s")
			if i > 0 {
				b.ReportMetric(rate(spent[i])/rate(spent[0]), m.name+"/plain")
			}
		}
		b.ReportMetric(0, "ns/op")
	}
	b.Run("put", func(b *testing.B) {
		spent := make([]time.Duration, len(modes))
		// Fresh content in every call too: the benchmark function may be
		// called more than once on the same cluster.
		rand.Read(body[8:16]) //nolint:errcheck // crypto/rand does not fail
		i := 0
		for b.Loop() {
			i++
			for j, m := range modes {
				binary.LittleEndian.PutUint64(body, uint64(i)<<8|uint64(j))
				in := &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String(fmt.Sprintf("%s/%d", m.name, i%16)), Body: bytes.NewReader(body)}
				m.put(in)
				start := time.Now()
				if _, err := cl.PutObject(ctx, in); err != nil {
					b.Fatal(err)
				}
				spent[j] += time.Since(start)
			}
		}
		report(b, spent)
	})
	b.Run("get", func(b *testing.B) {
		for _, m := range modes {
			in := &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String("get/" + m.name), Body: bytes.NewReader(body)}
			m.put(in)
			if _, err := cl.PutObject(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
		spent := make([]time.Duration, len(modes))
		for b.Loop() {
			for j, m := range modes {
				g := &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("get/" + m.name)}
				m.get(g)
				start := time.Now()
				out, err := cl.GetObject(ctx, g)
				if err != nil {
					b.Fatal(err)
				}
				n, err := io.Copy(io.Discard, out.Body)
				out.Body.Close()
				spent[j] += time.Since(start)
				if err != nil || n != size {
					b.Fatalf("read %d bytes: %v", n, err)
				}
			}
		}
		report(b, spent)
	})
}
