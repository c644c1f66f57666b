package s3api_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	minio "github.com/minio/minio-go/v7"
)

// presignGet is a presigned GET URL of an object, valid ten minutes.
func presignGet(t *testing.T, cl *s3.Client, bucket, key string) string {
	t.Helper()
	req, err := s3.NewPresignClient(cl).PresignGetObject(testCtx(t), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)},
		s3.WithPresignExpires(10*time.Minute))
	must(t, err, "presign get")
	return req.URL
}

// sendPresigned sends a presigned request with plain net/http.
func sendPresigned(t *testing.T, req *v4.PresignedHTTPRequest, body []byte) *http.Response {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	hr := newRequest(t, req.Method, req.URL, r)
	for name, values := range req.SignedHeader {
		if strings.EqualFold(name, "host") {
			continue
		}
		for _, v := range values {
			hr.Header.Add(name, v)
		}
	}
	if body != nil {
		hr.ContentLength = int64(len(body))
	}
	return httpDo(t, hr)
}

func testPresigned(t *testing.T, e *env) {
	ctx := testCtx(t)
	const bucket = "bucket"

	t.Run("aws-sdk-go-v2", func(t *testing.T) {
		pc := s3.NewPresignClient(e.s3(t, 0))
		data := randomBytes(50, 300_000)
		put, err := pc.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("presign/sdk file"),
			ContentType: aws.String("text/csv")}, s3.WithPresignExpires(10*time.Minute))
		must(t, err, "presign put")
		resp := sendPresigned(t, put, data)
		body := readAll(t, resp.Body)
		if resp.StatusCode != 200 || resp.Header.Get("ETag") != `"`+md5Hex(data)+`"` {
			t.Fatalf("presigned PUT: %d etag %q: %s", resp.StatusCode, resp.Header.Get("ETag"), body)
		}
		get, err := s3.NewPresignClient(e.s3(t, 1)).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("presign/sdk file")},
			s3.WithPresignExpires(10*time.Minute))
		must(t, err, "presign get")
		resp = sendPresigned(t, get, nil)
		if got := readAll(t, resp.Body); resp.StatusCode != 200 || !bytes.Equal(got, data) {
			t.Errorf("presigned GET: %d, %d bytes", resp.StatusCode, len(got))
		}
		if ct := resp.Header.Get("Content-Type"); ct != "text/csv" {
			t.Errorf("Content-Type %q", ct)
		}
		// A presigned URL signs its method: a PUT URL cannot DELETE.
		hr := newRequest(t, http.MethodDelete, put.URL, nil)
		wantHTTPError(t, httpDo(t, hr), "SignatureDoesNotMatch", 403)
	})

	t.Run("minio-go", func(t *testing.T) {
		mc := e.minio(t, 1)
		data := randomBytes(51, 123_456)
		u, err := mc.PresignedPutObject(ctx, bucket, "presign/minio+obj", 10*time.Minute)
		must(t, err, "presign put")
		resp := httpDo(t, newRequest(t, http.MethodPut, u.String(), bytes.NewReader(data)))
		if body := readAll(t, resp.Body); resp.StatusCode != 200 {
			t.Fatalf("presigned PUT: %d %s", resp.StatusCode, body)
		}
		params := url.Values{"response-content-disposition": {`attachment; filename="x.bin"`}}
		u, err = e.minio(t, 2).PresignedGetObject(ctx, bucket, "presign/minio+obj", 10*time.Minute, params)
		must(t, err, "presign get")
		resp = httpDo(t, newRequest(t, http.MethodGet, u.String(), nil))
		if got := readAll(t, resp.Body); resp.StatusCode != 200 || !bytes.Equal(got, data) {
			t.Errorf("presigned GET: %d, %d bytes", resp.StatusCode, len(got))
		}
		if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="x.bin"` {
			t.Errorf("response-content-disposition: %q", cd)
		}
		h, err := mc.PresignedHeadObject(ctx, bucket, "presign/minio+obj", time.Minute, nil)
		must(t, err, "presign head")
		resp = httpDo(t, newRequest(t, http.MethodHead, h.String(), nil))
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.ContentLength != int64(len(data)) {
			t.Errorf("presigned HEAD: %d, length %d", resp.StatusCode, resp.ContentLength)
		}
	})
}

func testPresignedExpiredAndTampered(t *testing.T, e *env) {
	ctx := testCtx(t)
	const bucket, key = "bucket", "presign/target"
	putBytes(t, e.s3(t, 0), bucket, key, []byte("presigned target"))
	sdkShort, err := s3.NewPresignClient(e.s3(t, 0)).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)},
		s3.WithPresignExpires(time.Second))
	must(t, err, "presign")
	minioShort, err := e.minio(t, 1).PresignedGetObject(ctx, bucket, key, time.Second, nil)
	must(t, err, "minio presign")
	sdkLong := presignGet(t, e.s3(t, 2), bucket, key)
	minioLong, err := e.minio(t, 2).PresignedGetObject(ctx, bucket, key, 10*time.Minute, nil)
	must(t, err, "minio presign")

	t.Run("tampered", func(t *testing.T) {
		for name, u := range map[string]string{"sdk": sdkLong, "minio": minioLong.String()} {
			for what, tamper := range map[string]func(*url.URL){
				"signature": func(u *url.URL) {
					q := u.Query()
					sig := []byte(q.Get("X-Amz-Signature"))
					if sig[len(sig)-1] == '0' {
						sig[len(sig)-1] = '1'
					} else {
						sig[len(sig)-1] = '0'
					}
					q.Set("X-Amz-Signature", string(sig))
					u.RawQuery = q.Encode()
				},
				"key": func(u *url.URL) { u.Path += "x"; u.RawPath = "" },
				"expiry": func(u *url.URL) {
					q := u.Query()
					q.Set("X-Amz-Expires", "604800")
					u.RawQuery = q.Encode()
				},
				"added parameter": func(u *url.URL) {
					q := u.Query()
					q.Set("response-content-type", "text/html")
					u.RawQuery = q.Encode()
				},
			} {
				parsed, err := url.Parse(u)
				must(t, err, "parse")
				tamper(parsed)
				resp := httpDo(t, newRequest(t, http.MethodGet, parsed.String(), nil))
				t.Run(name+" "+what, func(t *testing.T) { wantHTTPError(t, resp, "SignatureDoesNotMatch", 403) })
			}
			// The untampered URL works.
			resp := httpDo(t, newRequest(t, http.MethodGet, u, nil))
			if got := readAll(t, resp.Body); resp.StatusCode != 200 || string(got) != "presigned target" {
				t.Errorf("%s: untampered URL: %d %q", name, resp.StatusCode, got)
			}
		}
	})

	t.Run("expired", func(t *testing.T) {
		// Both short URLs were signed with a one-second lifetime; X-Amz-Date
		// has a one-second resolution.
		time.Sleep(2100 * time.Millisecond)
		for name, u := range map[string]string{"sdk": sdkShort.URL, "minio": minioShort.String()} {
			resp := httpDo(t, newRequest(t, http.MethodGet, u, nil))
			t.Run(name, func(t *testing.T) { wantHTTPError(t, resp, "AccessDenied", 403) })
		}
	})
}

// postForm sends a browser-style form upload: the fields in order, then
// the file.
func postForm(t *testing.T, u string, fields map[string]string, filename string, file []byte) *http.Response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range fields {
			if !yield(k) {
				return
			}
		}
	}) {
		if err := w.WriteField(name, fields[name]); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := w.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(file) //nolint:errcheck // in memory
	w.Close()
	req := newRequest(t, http.MethodPost, u, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return httpDo(t, req)
}

// postResponse is what S3 answers a form upload with success_action_status
// 201.
type postResponse struct {
	XMLName  xml.Name `xml:"PostResponse"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
}

func testPostObject(t *testing.T, e *env) {
	ctx := testCtx(t)
	const bucket = "bucket"
	mc := e.minio(t, 0)
	policy := func(key string, expires time.Time, maxSize int64) (*url.URL, map[string]string) {
		t.Helper()
		p := minio.NewPostPolicy()
		must(t, p.SetBucket(bucket), "set bucket")
		must(t, p.SetKey(key), "set key")
		must(t, p.SetExpires(expires), "set expires")
		must(t, p.SetContentLengthRange(1, maxSize), "set length range")
		must(t, p.SetContentType("text/plain"), "set content type")
		must(t, p.SetUserMetadata("source", "browser"), "set metadata")
		u, form, err := mc.PresignedPostPolicy(ctx, p)
		must(t, err, "presign post policy")
		return u, form
	}
	file := []byte(strings.Repeat("posted data\n", 10))

	t.Run("success", func(t *testing.T) {
		u, form := policy("post/ok.txt", time.Now().Add(10*time.Minute), 1024)
		resp := postForm(t, u.String(), form, "ok.txt", file)
		if body := readAll(t, resp.Body); resp.StatusCode != http.StatusNoContent {
			t.Fatalf("POST: %d %s", resp.StatusCode, body)
		}
		if resp.Header.Get("ETag") != `"`+md5Hex(file)+`"` {
			t.Errorf("ETag %q", resp.Header.Get("ETag"))
		}
		g, err := e.s3(t, 1).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("post/ok.txt")})
		must(t, err, "get posted object")
		if got := readAll(t, g.Body); !bytes.Equal(got, file) {
			t.Errorf("posted content %q", got)
		}
		if aws.ToString(g.ContentType) != "text/plain" || g.Metadata["source"] != "browser" {
			t.Errorf("posted object: type %q metadata %v", aws.ToString(g.ContentType), g.Metadata)
		}
	})
	t.Run("checksum field", func(t *testing.T) {
		// A checksum field is checked, and stored; without one the object
		// gets S3's default CRC64NVME.
		for name, sum := range map[string][]byte{"right": digest(types.ChecksumAlgorithmSha256, file), "wrong": digest(types.ChecksumAlgorithmSha256, []byte("x"))} {
			p := minio.NewPostPolicy()
			key := "post/sum-" + name
			must(t, p.SetBucket(bucket), "set bucket")
			must(t, p.SetKey(key), "set key")
			must(t, p.SetExpires(time.Now().Add(10*time.Minute)), "set expires")
			must(t, p.SetChecksum(minio.NewChecksum(minio.ChecksumSHA256, sum)), "set checksum")
			u, form, err := mc.PresignedPostPolicy(ctx, p)
			must(t, err, "presign")
			resp := postForm(t, u.String(), form, "f.txt", file)
			if name == "wrong" {
				wantHTTPError(t, resp, "BadDigest", 400)
				_, err := e.s3(t, 1).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
				wantAPIError(t, err, "NotFound", 404)
				continue
			}
			readAll(t, resp.Body)
			h, err := e.s3(t, 1).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
			must(t, err, "head")
			if got := aws.ToString(h.ChecksumSHA256); got != sumOf(types.ChecksumAlgorithmSha256, file) {
				t.Errorf("posted object's SHA256 %q", got)
			}
		}
		h, err := e.s3(t, 1).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("post/ok.txt"), ChecksumMode: types.ChecksumModeEnabled})
		must(t, err, "head")
		if got := aws.ToString(h.ChecksumCRC64NVME); got != sumOf(types.ChecksumAlgorithmCrc64nvme, file) {
			t.Errorf("posted object's default CRC64NVME %q", got)
		}
	})
	t.Run("status 201 and ${filename}", func(t *testing.T) {
		p := minio.NewPostPolicy()
		must(t, p.SetBucket(bucket), "set bucket")
		must(t, p.SetKeyStartsWith("post/named/"), "set key prefix")
		must(t, p.SetExpires(time.Now().Add(10*time.Minute)), "set expires")
		must(t, p.SetSuccessStatusAction("201"), "set status")
		u, form, err := mc.PresignedPostPolicy(ctx, p)
		must(t, err, "presign post policy")
		form["key"] = "post/named/${filename}"
		resp := postForm(t, u.String(), form, "report.pdf", file)
		body := readAll(t, resp.Body)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("POST: %d %s", resp.StatusCode, body)
		}
		var pr postResponse
		if err := xml.Unmarshal(body, &pr); err != nil {
			t.Fatalf("PostResponse: %v: %s", err, body)
		}
		if pr.Bucket != bucket || pr.Key != "post/named/report.pdf" || pr.ETag != `"`+md5Hex(file)+`"` || pr.Location == "" {
			t.Errorf("PostResponse %+v", pr)
		}
		if got := getBytes(t, e.s3(t, 2), bucket, "post/named/report.pdf"); !bytes.Equal(got, file) {
			t.Errorf("posted content differs")
		}
	})
	t.Run("content-length-range violated", func(t *testing.T) {
		u, form := policy("post/big.txt", time.Now().Add(10*time.Minute), 10)
		wantHTTPError(t, postForm(t, u.String(), form, "big.txt", file), "EntityTooLarge", 400)
		_, err := e.s3(t, 1).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("post/big.txt")})
		wantAPIError(t, err, "NotFound", 404)
	})
	t.Run("key not allowed by the policy", func(t *testing.T) {
		u, form := policy("post/allowed.txt", time.Now().Add(10*time.Minute), 1024)
		form["key"] = "post/other.txt"
		wantHTTPError(t, postForm(t, u.String(), form, "x.txt", file), "AccessDenied", 403)
	})
	t.Run("expired policy", func(t *testing.T) {
		u, form := policy("post/late.txt", time.Now().Add(-time.Minute), 1024)
		wantHTTPError(t, postForm(t, u.String(), form, "late.txt", file), "AccessDenied", 403)
	})
	t.Run("tampered signature", func(t *testing.T) {
		u, form := policy("post/tampered.txt", time.Now().Add(10*time.Minute), 1024)
		form["x-amz-signature"] = strings.Repeat("0", 64)
		wantHTTPError(t, postForm(t, u.String(), form, "t.txt", file), "SignatureDoesNotMatch", 403)
	})
}
