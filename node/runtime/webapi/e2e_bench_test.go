package webapi_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/garagego/garage/node/admin"
)

// BenchmarkGET compares a website GET (plain net/http) with the S3
// GetObject (signed, by aws-sdk-go-v2) of the same object on the same
// cluster, for 4 KiB and 1 MiB objects: the ratio of their ns/op is the
// website endpoint's cost against S3's.
func BenchmarkGET(b *testing.B) {
	s := start(b)
	s.bucket("bench")
	if _, err := s.c.Do(ctx(b), admin.SetBucketWebsite{Bucket: "bench", Allow: true}); err != nil {
		b.Fatal(err)
	}
	web := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	for _, size := range []int{4 << 10, 1 << 20} {
		key := fmt.Sprintf("obj-%d", size)
		body := bytes.Repeat([]byte("x"), size)
		s.put("bench", key, string(body))
		b.Run(fmt.Sprintf("web/%dKiB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(size))
			for range b.N {
				req, _ := http.NewRequest("GET", s.c.Nodes[0].WebEndpoint+"/"+key, nil)
				req.Host = "bench.web.localhost"
				resp, err := web.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				n, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || n != int64(size) {
					b.Fatalf("web GET: %d, %d bytes", resp.StatusCode, n)
				}
			}
		})
		b.Run(fmt.Sprintf("s3/%dKiB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(size))
			c := ctx(b)
			for range b.N {
				out, err := s.s3.GetObject(c, &s3.GetObjectInput{Bucket: aws.String("bench"), Key: aws.String(key)})
				if err != nil {
					b.Fatal(err)
				}
				n, _ := io.Copy(io.Discard, out.Body)
				out.Body.Close()
				if n != int64(size) {
					b.Fatalf("S3 GET: %d bytes", n)
				}
			}
		})
	}
}
