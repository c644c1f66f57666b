package webapi_test

// End-to-end: a real 3-node cluster (internal/localcluster) whose buckets
// are set up through the S3 API with aws-sdk-go-v2 and the admin
// operations, and read as websites with plain net/http clients that name
// the site in their Host header.

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/garagego/garage/internal/localcluster"
	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/runtime/s3api"
)

var masterKey = [32]byte{1, 2, 3, 4, 5, 6, 7, 8, 9}

// noRedirects sees redirects as they are answered.
var client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

type site struct {
	t  testing.TB
	c  *localcluster.Cluster
	s3 *s3.Client
}

func start(t testing.TB) *site {
	if testing.Short() {
		t.Skip("end-to-end test with a real cluster")
	}
	c, err := localcluster.Start(localcluster.Options{Nodes: 3, Dir: t.TempDir(), TuneAPI: func(_ int, cfg *s3api.Config) {
		cfg.SSEMasterKey = &masterKey
		cfg.AllowSSECOverHTTP = true
	}})
	if err != nil {
		t.Fatalf("start cluster: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	cl := s3.New(s3.Options{Region: localcluster.Region, BaseEndpoint: aws.String(c.Nodes[0].Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(c.KeyID, c.Secret, ""), HTTPClient: awshttp.NewBuildableClient()})
	return &site{t: t, c: c, s3: cl}
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

func (s *site) bucket(name string) {
	if _, err := s.s3.CreateBucket(ctx(s.t), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		s.t.Fatalf("create %s: %v", name, err)
	}
}

func (s *site) put(bucket, key, body string, opt ...func(*s3.PutObjectInput)) {
	in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)}
	if strings.HasSuffix(key, ".html") {
		in.ContentType = aws.String("text/html")
	}
	for _, f := range opt {
		f(in)
	}
	if _, err := s.s3.PutObject(ctx(s.t), in); err != nil {
		s.t.Fatalf("put %s/%s: %v", bucket, key, err)
	}
}

type answer struct {
	status int
	header http.Header
	body   string
}

// get sends method to the website endpoint of node i with Host host.
func (s *site) get(i int, method, host, path string, header ...string) answer {
	s.t.Helper()
	req, err := http.NewRequestWithContext(ctx(s.t), method, s.c.Nodes[i].WebEndpoint+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Host = host
	for j := 0; j+1 < len(header); j += 2 {
		req.Header.Set(header[j], header[j+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s%s: %v", method, host, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("%s %s%s: read: %v", method, host, path, err)
	}
	return answer{resp.StatusCode, resp.Header, string(body)}
}

func (a answer) want(t *testing.T, what string, status int, body string) {
	t.Helper()
	if a.status != status || (body != "" && a.body != body) {
		t.Errorf("%s: %d %q, want %d %q", what, a.status, a.body, status, body)
	}
}

func TestE2E(t *testing.T) {
	s := start(t)
	const host = "site.web.localhost"
	s.bucket("site")
	s.put("site", "index.html", "<h1>home</h1>")
	s.put("site", "docs/index.html", "<h1>docs</h1>")
	s.put("site", "docs/page.html", "a page")
	s.put("site", "404.html", "<h1>lost</h1>")
	s.put("site", "style.css", "body{}", func(in *s3.PutObjectInput) { in.ContentType = aws.String("text/css") })
	s.put("site", "digits.txt", "0123456789")
	s.put("site", "sse-s3.txt", "managed secret", func(in *s3.PutObjectInput) { in.ServerSideEncryption = types.ServerSideEncryptionAes256 })
	customer := bytes.Repeat([]byte{7}, 32)
	sum := md5.Sum(customer)
	s.put("site", "sse-c.txt", "customer secret", func(in *s3.PutObjectInput) {
		in.SSECustomerAlgorithm = aws.String("AES256")
		in.SSECustomerKey = aws.String(base64.StdEncoding.EncodeToString(customer))
		in.SSECustomerKeyMD5 = aws.String(base64.StdEncoding.EncodeToString(sum[:]))
	})
	_, err := s.s3.PutBucketWebsite(ctx(t), &s3.PutBucketWebsiteInput{Bucket: aws.String("site"), WebsiteConfiguration: &types.WebsiteConfiguration{
		IndexDocument: &types.IndexDocument{Suffix: aws.String("index.html")},
		ErrorDocument: &types.ErrorDocument{Key: aws.String("404.html")},
		RoutingRules: []types.RoutingRule{
			{Condition: &types.Condition{KeyPrefixEquals: aws.String("old/")},
				Redirect: &types.Redirect{ReplaceKeyPrefixWith: aws.String("docs/")}},
			{Condition: &types.Condition{KeyPrefixEquals: aws.String("moved/"), HttpErrorCodeReturnedEquals: aws.String("404")},
				Redirect: &types.Redirect{HostName: aws.String("elsewhere.example"), Protocol: types.ProtocolHttps, HttpRedirectCode: aws.String("302")}},
		},
	}})
	if err != nil {
		t.Fatalf("PutBucketWebsite: %v", err)
	}
	_, err = s.s3.PutBucketCors(ctx(t), &s3.PutBucketCorsInput{Bucket: aws.String("site"), CORSConfiguration: &types.CORSConfiguration{
		CORSRules: []types.CORSRule{{AllowedOrigins: []string{"https://app.example"}, AllowedMethods: []string{"GET", "HEAD"},
			AllowedHeaders: []string{"*"}, ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: aws.Int32(600)}},
	}})
	if err != nil {
		t.Fatalf("PutBucketCors: %v", err)
	}

	t.Run("Index", func(t *testing.T) {
		a := s.get(1, "GET", host, "/")
		a.want(t, "GET /", 200, "<h1>home</h1>")
		if ct := a.header.Get("Content-Type"); ct != "text/html" {
			t.Errorf("GET /: Content-Type %q", ct)
		}
		s.get(2, "GET", host+":3902", "/docs/").want(t, "GET /docs/ (with a port in Host)", 200, "<h1>docs</h1>")
		s.get(0, "GET", "SITE.web.localhost", "/docs/page.html").want(t, "GET /docs/page.html", 200, "a page")
		a = s.get(0, "GET", host, "/style.css")
		a.want(t, "GET /style.css", 200, "body{}")
		if a.header.Get("Content-Type") != "text/css" || a.header.Get("Content-Length") != "6" || a.header.Get("ETag") == "" || a.header.Get("Last-Modified") == "" {
			t.Errorf("GET /style.css headers: %v", a.header)
		}
	})
	t.Run("DirectoryRedirect", func(t *testing.T) {
		a := s.get(0, "GET", host, "/docs")
		if a.status != http.StatusFound || a.header.Get("Location") != "/docs/" {
			t.Errorf("GET /docs: %d Location %q, want 302 /docs/", a.status, a.header.Get("Location"))
		}
	})
	t.Run("ErrorDocument", func(t *testing.T) {
		a := s.get(0, "GET", host, "/nothing/here.html")
		a.want(t, "GET of a missing page", 404, "<h1>lost</h1>")
		if a.header.Get("Content-Type") != "text/html" {
			t.Errorf("error document's Content-Type %q", a.header.Get("Content-Type"))
		}
		// A range or a condition applies to the page asked for, not the error page.
		s.get(0, "GET", host, "/missing", "Range", "bytes=0-1").want(t, "ranged GET of a missing page", 404, "<h1>lost</h1>")
		a = s.get(0, "HEAD", host, "/missing")
		a.want(t, "HEAD of a missing page", 404, "")
		if a.body != "" {
			t.Errorf("HEAD answered a body: %q", a.body)
		}
	})
	t.Run("RoutingRules", func(t *testing.T) {
		a := s.get(0, "GET", host, "/old/page.html")
		if a.status != http.StatusMovedPermanently || a.header.Get("Location") != "/docs/page.html" {
			t.Errorf("prefix rule: %d Location %q, want 301 /docs/page.html", a.status, a.header.Get("Location"))
		}
		a = s.get(0, "GET", host, "/moved/a.html")
		if a.status != http.StatusFound || a.header.Get("Location") != "https://elsewhere.example/moved/a.html" {
			t.Errorf("error-code rule: %d Location %q", a.status, a.header.Get("Location"))
		}
		// The error-code rule waits for the error: an existing page is served.
		s.put("site", "moved/here.html", "still here")
		s.get(0, "GET", host, "/moved/here.html").want(t, "an existing page under the error-code rule's prefix", 200, "still here")
	})
	t.Run("RedirectAllRequestsTo", func(t *testing.T) {
		s.bucket("redir")
		_, err := s.s3.PutBucketWebsite(ctx(t), &s3.PutBucketWebsiteInput{Bucket: aws.String("redir"), WebsiteConfiguration: &types.WebsiteConfiguration{
			RedirectAllRequestsTo: &types.RedirectAllRequestsTo{HostName: aws.String("www.example.com"), Protocol: types.ProtocolHttps}}})
		if err != nil {
			t.Fatal(err)
		}
		a := s.get(1, "GET", "redir.web.localhost", "/a/b.html?x=1")
		if a.status != http.StatusMovedPermanently || a.header.Get("Location") != "https://www.example.com/a/b.html?x=1" {
			t.Errorf("redirect all: %d Location %q", a.status, a.header.Get("Location"))
		}
	})
	t.Run("CORS", func(t *testing.T) {
		a := s.get(0, "OPTIONS", host, "/style.css", "Origin", "https://app.example", "Access-Control-Request-Method", "GET")
		if a.status != 200 || a.header.Get("Access-Control-Allow-Origin") != "https://app.example" || a.header.Get("Access-Control-Max-Age") != "600" {
			t.Errorf("allowed preflight: %d %v", a.status, a.header)
		}
		a = s.get(0, "OPTIONS", host, "/style.css", "Origin", "https://evil.example", "Access-Control-Request-Method", "GET")
		if a.status != http.StatusForbidden || a.header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("refused preflight: %d %v", a.status, a.header)
		}
		a = s.get(0, "GET", host, "/style.css", "Origin", "https://app.example")
		if a.status != 200 || a.header.Get("Access-Control-Allow-Origin") != "https://app.example" || !strings.Contains(strings.ToLower(a.header.Get("Access-Control-Expose-Headers")), "etag") {
			t.Errorf("GET with an allowed Origin: %d %v", a.status, a.header)
		}
		if a = s.get(0, "GET", host, "/style.css", "Origin", "https://evil.example"); a.header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("GET with another Origin got CORS headers: %v", a.header)
		}
	})
	t.Run("HeadRangeConditional", func(t *testing.T) {
		a := s.get(0, "HEAD", host, "/digits.txt")
		if a.status != 200 || a.body != "" || a.header.Get("Content-Length") != "10" || a.header.Get("Accept-Ranges") != "bytes" {
			t.Errorf("HEAD: %d %q %v", a.status, a.body, a.header)
		}
		a = s.get(0, "GET", host, "/digits.txt", "Range", "bytes=2-4")
		if a.status != http.StatusPartialContent || a.body != "234" || a.header.Get("Content-Range") != "bytes 2-4/10" {
			t.Errorf("range: %d %q %v", a.status, a.body, a.header)
		}
		etag := s.get(0, "GET", host, "/digits.txt").header.Get("ETag")
		a = s.get(0, "GET", host, "/digits.txt", "If-None-Match", etag)
		if a.status != http.StatusNotModified || a.body != "" || a.header.Get("ETag") != etag {
			t.Errorf("If-None-Match %s: %d %q %v", etag, a.status, a.body, a.header)
		}
		lm := s.get(0, "GET", host, "/digits.txt").header.Get("Last-Modified")
		s.get(0, "GET", host, "/digits.txt", "If-Modified-Since", lm).want(t, "If-Modified-Since its own date", http.StatusNotModified, "")
		s.get(0, "GET", host, "/digits.txt", "If-None-Match", `"other"`).want(t, "If-None-Match of another ETag", 200, "0123456789")
	})
	t.Run("NotAWebsite", func(t *testing.T) {
		s.bucket("plain")
		s.put("plain", "index.html", "not public")
		a := s.get(0, "GET", "plain.web.localhost", "/")
		if a.status != 404 || strings.Contains(a.body, "not public") || !strings.Contains(a.body, "NoSuchWebsiteConfiguration") {
			t.Errorf("bucket without website configuration: %d %q", a.status, a.body)
		}
		a = s.get(0, "GET", "nobucket.web.localhost", "/")
		if a.status != 404 || !strings.Contains(a.body, "NoSuchBucket") {
			t.Errorf("unknown bucket: %d %q", a.status, a.body)
		}
	})
	t.Run("BareBucketHost", func(t *testing.T) {
		s.bucket("example.test")
		s.put("example.test", "index.html", "bare host")
		if _, err := s.c.Do(ctx(t), admin.SetBucketWebsite{Bucket: "example.test", Allow: true}); err != nil {
			t.Fatal(err)
		}
		s.get(0, "GET", "example.test:8080", "/").want(t, "a host equal to a bucket's global alias", 200, "bare host")
	})
	t.Run("MethodNotAllowed", func(t *testing.T) {
		for _, m := range []string{"PUT", "DELETE", "POST"} {
			a := s.get(0, m, host, "/index.html")
			if a.status != http.StatusMethodNotAllowed {
				t.Errorf("%s: %d %q, want 405", m, a.status, a.body)
			}
		}
		s.get(0, "GET", host, "/index.html").want(t, "index.html after the refused writes", 200, "<h1>home</h1>")
	})
	t.Run("NoListing", func(t *testing.T) {
		for _, path := range []string{"/?list-type=2", "/?prefix=docs/", "/docs/?delimiter=/"} {
			a := s.get(0, "GET", host, path)
			if strings.Contains(a.body, "ListBucketResult") || strings.Contains(a.body, "page.html") {
				t.Errorf("GET %s listed the bucket: %d %q", path, a.status, a.body)
			}
		}
		s.bucket("noindex")
		s.put("noindex", "a.txt", "a")
		if _, err := s.c.Do(ctx(t), admin.SetBucketWebsite{Bucket: "noindex", Allow: true}); err != nil {
			t.Fatal(err)
		}
		a := s.get(0, "GET", "noindex.web.localhost", "/")
		if a.status != 404 || strings.Contains(a.body, "a.txt") {
			t.Errorf("a website without index document at /: %d %q", a.status, a.body)
		}
	})
	t.Run("SSE", func(t *testing.T) {
		s.get(0, "GET", host, "/sse-s3.txt").want(t, "an SSE-S3 object", 200, "managed secret")
		a := s.get(0, "GET", host, "/sse-c.txt")
		// Refused as a client error, which the error document answers.
		a.want(t, "an SSE-C object", http.StatusBadRequest, "<h1>lost</h1>")
		if strings.Contains(a.body, "customer secret") {
			t.Error("the SSE-C object's plaintext was served")
		}
		a = s.get(0, "HEAD", host, "/sse-c.txt")
		if a.status != http.StatusBadRequest {
			t.Errorf("HEAD of an SSE-C object: %d", a.status)
		}
	})
	t.Run("AnonymousOnlyHere", func(t *testing.T) {
		// The website bucket is not thereby readable anonymously through S3.
		req, _ := http.NewRequestWithContext(ctx(t), "GET", s.c.Nodes[0].Endpoint+"/site/index.html", nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("anonymous S3 GET of a website object: %d, want 403", resp.StatusCode)
		}
	})
	t.Run("AllowDeny", func(t *testing.T) {
		s.bucket("cli")
		s.put("cli", "index.html", "cli home")
		s.put("cli", "oops.html", "cli error")
		s.get(0, "GET", "cli.web.localhost", "/").want(t, "before --allow", 404, "")
		res, err := s.c.Do(ctx(t), admin.SetBucketWebsite{Bucket: "cli", Allow: true, ErrorDocument: "oops.html"})
		if err != nil {
			t.Fatal(err)
		}
		if w := res.(admin.WebsiteInfo); !w.Enabled || w.IndexDocument != "index.html" || w.ErrorDocument != "oops.html" {
			t.Errorf("SetBucketWebsite answered %+v", w)
		}
		s.get(0, "GET", "cli.web.localhost", "/").want(t, "after --allow", 200, "cli home")
		s.get(0, "GET", "cli.web.localhost", "/missing").want(t, "--error-document", 404, "cli error")
		// The S3 API sees the configuration the admin operation stored.
		out, err := s.s3.GetBucketWebsite(ctx(t), &s3.GetBucketWebsiteInput{Bucket: aws.String("cli")})
		if err != nil || aws.ToString(out.IndexDocument.Suffix) != "index.html" || aws.ToString(out.ErrorDocument.Key) != "oops.html" {
			t.Errorf("GetBucketWebsite after --allow: %+v %v", out, err)
		}
		if _, err := s.c.Do(ctx(t), admin.SetBucketWebsite{Bucket: "cli", Allow: false}); err != nil {
			t.Fatal(err)
		}
		s.get(0, "GET", "cli.web.localhost", "/").want(t, "after --deny", 404, "")
		res, err = s.c.Do(ctx(t), admin.GetBucketWebsite{Bucket: "cli"})
		if err != nil || res.(admin.WebsiteInfo).Enabled {
			t.Errorf("GetBucketWebsite after --deny: %+v %v", res, err)
		}
		if _, err := s.c.Do(ctx(t), admin.SetBucketWebsite{Bucket: "cli", Allow: true, IndexDocument: "a/b.html"}); err == nil {
			t.Error("an index document with a slash was accepted")
		}
	})
}
