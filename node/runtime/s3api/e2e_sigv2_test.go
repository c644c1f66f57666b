package s3api_test

// Signature Version 2 end to end: minio-go and boto3 in their V2 modes,
// and raw requests signed by the V2 signer below for what must be refused.

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	minio "github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/garagego/garage/internal/localcluster"
	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/runtime/s3api"
)

// v2RootDomain is the root domain of the V2 test cluster, for
// virtual-hosted-style requests.
const v2RootDomain = ".s3.garage.localhost"

// TestE2ESigV2 runs the V2 tests on one 3-node cluster that also serves
// virtual-hosted-style requests.
func TestE2ESigV2(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end tests start a cluster")
	}
	e := startEnvWith(t, localcluster.Options{Nodes: 3, TuneAPI: func(_ int, cfg *s3api.Config) { cfg.RootDomain = v2RootDomain }})
	for _, tc := range []struct {
		name string
		run  func(*testing.T, *env)
	}{
		{"Minio", testSigV2Minio},
		{"Boto3", testSigV2Boto3},
		{"Refused", testSigV2Refused},
		{"Body", testSigV2Body},
		{"Addressing", testSigV2Addressing},
		{"PostObject", testSigV2PostObject},
		{"Rights", testSigV2Rights},
		{"SigV4Unchanged", testSigV2LeavesV4Alone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, e)
		})
	}
}

// --- a V2 signer, written from AWS's description -----------------------------

// v2Signer signs raw requests with Signature Version 2. The resource to
// sign is given by each test, so that a test can sign one thing and send
// another.
type v2Signer struct{ keyID, secret string }

func (e *env) v2() v2Signer { return v2Signer{e.c.KeyID, e.c.Secret} }

func (s v2Signer) hmac(sts string) string {
	m := hmac.New(sha1.New, []byte(s.secret))
	m.Write([]byte(sts))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// stringToSign is method, Content-MD5, Content-Type, the date line, the
// x-amz-* headers (lowercased, sorted, values trimmed and joined) and the
// resource.
func v2StringToSign(req *http.Request, dateLine, resource string) string {
	var amz []string
	for name, values := range req.Header {
		if lower := strings.ToLower(name); strings.HasPrefix(lower, "x-amz-") {
			trimmed := make([]string, len(values))
			for i, v := range values {
				trimmed[i] = strings.TrimSpace(v)
			}
			amz = append(amz, lower+":"+strings.Join(trimmed, ",")+"\n")
		}
	}
	slices.Sort(amz)
	return req.Method + "\n" + req.Header.Get("Content-MD5") + "\n" + req.Header.Get("Content-Type") + "\n" +
		dateLine + "\n" + strings.Join(amz, "") + resource
}

// sign dates req at and signs it for resource in the Authorization header.
func (s v2Signer) sign(req *http.Request, resource string, at time.Time) *http.Request {
	date := at.UTC().Format(http.TimeFormat)
	req.Header.Set("Date", date)
	req.Header.Set("Authorization", "AWS "+s.keyID+":"+s.hmac(v2StringToSign(req, date, resource)))
	return req
}

// presign returns u with V2 query authentication for method and resource,
// valid until expires.
func (s v2Signer) presign(method, u, resource string, expires time.Time) string {
	exp := strconv.FormatInt(expires.Unix(), 10)
	sig := s.hmac(method + "\n\n\n" + exp + "\n" + resource)
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + "AWSAccessKeyId=" + url.QueryEscape(s.keyID) + "&Expires=" + exp + "&Signature=" + url.QueryEscape(sig)
}

// v2Error is an error document with the elements AWS adds for V2.
type v2Error struct {
	XMLName      xml.Name `xml:"Error"`
	Code         string
	StringToSign string
	RequestTime  string
	ServerTime   string
}

// wantV2Error checks resp is the S3 error code with status, and returns
// the document's V2 elements.
func wantV2Error(t *testing.T, resp *http.Response, code string, status int) v2Error {
	t.Helper()
	body := readAll(t, resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	wantHTTPError(t, resp, code, status)
	var doc v2Error
	xml.Unmarshal(body, &doc) //nolint:errcheck // wantHTTPError judged the document
	return doc
}

// wantStored checks what key holds, read with SigV4.
func wantStored(t *testing.T, e *env, bucket, key string, want []byte) {
	t.Helper()
	if got := getBytes(t, e.s3(t, 2), bucket, key); !bytes.Equal(got, want) {
		t.Errorf("%s/%s holds %d bytes, want %d", bucket, key, len(got), len(want))
	}
}

// wantNothingStored checks key does not exist.
func wantNothingStored(t *testing.T, e *env, bucket, key string) {
	t.Helper()
	_, err := e.s3(t, 1).HeadObject(testCtx(t), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	wantAPIError(t, err, "NotFound", 404)
}

// --- real clients ---------------------------------------------------------

// v2Minio is a minio-go client of node i signing with Signature Version 2;
// a request it sends signed otherwise fails the test.
func (e *env) v2Minio(t *testing.T, i int) *minio.Client {
	return e.minio(t, i, func(o *minio.Options) {
		o.Creds = miniocreds.NewStaticV2(e.c.KeyID, e.c.Secret, "")
		o.Transport = v2Only{t: t, next: o.Transport}
	})
}

// v2Only fails the test on a request not signed with a V2 header.
type v2Only struct {
	t    *testing.T
	next http.RoundTripper
}

func (c v2Only) RoundTrip(r *http.Request) (*http.Response, error) {
	if auth := r.Header.Get("Authorization"); !strings.HasPrefix(auth, "AWS ") {
		c.t.Errorf("%s %s signed %q, not with Signature Version 2", r.Method, r.URL, auth)
	}
	return c.next.RoundTrip(r)
}

func testSigV2Minio(t *testing.T, e *env) {
	ctx := testCtx(t)
	const bucket = "v2-minio"
	mc := e.v2Minio(t, 0)
	must(t, mc.MakeBucket(ctx, bucket, minio.MakeBucketOptions{Region: localcluster.Region}), "make bucket")

	t.Run("objects", func(t *testing.T) {
		data := randomBytes(201, 70_000)
		info, err := mc.PutObject(ctx, bucket, "dir/a b+c.bin", bytes.NewReader(data), int64(len(data)),
			minio.PutObjectOptions{ContentType: "application/x-test", UserMetadata: map[string]string{"origin": "minio-v2"}})
		must(t, err, "put")
		if info.ETag != md5Hex(data) {
			t.Errorf("ETag %q", info.ETag)
		}
		obj, err := e.v2Minio(t, 1).GetObject(ctx, bucket, "dir/a b+c.bin", minio.GetObjectOptions{})
		must(t, err, "get")
		if got, err := io.ReadAll(obj); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("get: %d bytes, %v", len(got), err)
		}
		st, err := e.v2Minio(t, 2).StatObject(ctx, bucket, "dir/a b+c.bin", minio.StatObjectOptions{})
		must(t, err, "stat")
		if st.Size != int64(len(data)) || st.ContentType != "application/x-test" || st.UserMetadata["Origin"] != "minio-v2" {
			t.Errorf("stat: size %d type %q metadata %v", st.Size, st.ContentType, st.UserMetadata)
		}
		var keys []string
		for o := range mc.ListObjects(ctx, bucket, minio.ListObjectsOptions{Prefix: "dir/", Recursive: true}) {
			must(t, o.Err, "list")
			keys = append(keys, o.Key)
		}
		if !slices.Equal(keys, []string{"dir/a b+c.bin"}) {
			t.Errorf("listed %v", keys)
		}
		must(t, mc.RemoveObject(ctx, bucket, "dir/a b+c.bin", minio.RemoveObjectOptions{}), "remove")
		_, err = mc.StatObject(ctx, bucket, "dir/a b+c.bin", minio.StatObjectOptions{})
		if minio.ToErrorResponse(err).StatusCode != 404 {
			t.Errorf("stat after remove: %v", err)
		}
	})
	t.Run("multipart", func(t *testing.T) {
		data := randomBytes(202, 11<<20)
		info, err := mc.PutObject(ctx, bucket, "big", bytes.NewReader(data), int64(len(data)),
			minio.PutObjectOptions{PartSize: 5 << 20})
		must(t, err, "multipart put")
		if !strings.HasSuffix(info.ETag, "-3") {
			t.Errorf("ETag %q is not that of three parts", info.ETag)
		}
		wantStored(t, e, bucket, "big", data)
	})
	t.Run("presigned", func(t *testing.T) {
		data := randomBytes(203, 40_000)
		put, err := mc.PresignedPutObject(ctx, bucket, "presigned/obj", 10*time.Minute)
		must(t, err, "presign put")
		if !put.Query().Has("AWSAccessKeyId") || put.Query().Has("X-Amz-Signature") {
			t.Fatalf("not a V2 URL: %s", put)
		}
		resp := httpDo(t, newRequest(t, http.MethodPut, put.String(), bytes.NewReader(data)))
		if body := readAll(t, resp.Body); resp.StatusCode != 200 {
			t.Fatalf("presigned PUT: %d %s", resp.StatusCode, body)
		}
		params := url.Values{"response-content-disposition": {`attachment; filename="o.bin"`}}
		get, err := e.v2Minio(t, 1).PresignedGetObject(ctx, bucket, "presigned/obj", 10*time.Minute, params)
		must(t, err, "presign get")
		resp = httpDo(t, newRequest(t, http.MethodGet, get.String(), nil))
		if got := readAll(t, resp.Body); resp.StatusCode != 200 || !bytes.Equal(got, data) {
			t.Fatalf("presigned GET: %d, %d bytes", resp.StatusCode, len(got))
		}
		if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="o.bin"` {
			t.Errorf("Content-Disposition %q", cd)
		}
		// The override is signed: another value is refused.
		tampered := strings.Replace(get.String(), "o.bin", "evil.html", 1)
		wantHTTPError(t, httpDo(t, newRequest(t, http.MethodGet, tampered, nil)), "SignatureDoesNotMatch", 403)
		// A GET URL does not PUT.
		resp = httpDo(t, newRequest(t, http.MethodPut, get.String(), strings.NewReader("overwrite")))
		wantHTTPError(t, resp, "SignatureDoesNotMatch", 403)
		wantStored(t, e, bucket, "presigned/obj", data)
	})
}

// boto3SigV2 is the boto3 script of testSigV2Boto3.
const boto3SigV2 = `
import urllib3
v2 = client(signature_version="s3")
http = urllib3.PoolManager()
out = {}
schemes = set()
v2.meta.events.register("before-send.s3", lambda request, **kw: schemes.add(request.headers.get("Authorization", b"").split(b" ")[0]))
v2.create_bucket(Bucket="v2-boto")
v2.put_object(Bucket="v2-boto", Key="dir/a b.txt", Body=b"hello v2", ContentType="text/plain", Metadata={"who": "boto3"})
got = v2.get_object(Bucket="v2-boto", Key="dir/a b.txt")
out["body"] = got["Body"].read().decode()
out["type"] = got["ContentType"]
out["meta"] = got["Metadata"]
out["head"] = v2.head_object(Bucket="v2-boto", Key="dir/a b.txt")["ContentLength"]
v2.copy_object(Bucket="v2-boto", Key="dir/copy", CopySource={"Bucket": "v2-boto", "Key": "dir/a b.txt"})
out["list"] = [o["Key"] for o in v2.list_objects(Bucket="v2-boto", Prefix="dir/")["Contents"]]
out["list2"] = [o["Key"] for o in v2.list_objects_v2(Bucket="v2-boto", Prefix="dir/")["Contents"]]
out["buckets"] = "v2-boto" in [b["Name"] for b in v2.list_buckets()["Buckets"]]
out["location"] = v2.get_bucket_location(Bucket="v2-boto").get("LocationConstraint")
v2.delete_object(Bucket="v2-boto", Key="dir/copy")
out["deleted"] = error_code(lambda: v2.head_object(Bucket="v2-boto", Key="dir/copy"))

url = v2.generate_presigned_url("get_object", Params={"Bucket": "v2-boto", "Key": "dir/a b.txt"}, ExpiresIn=300)
out["presigned_v2"] = "AWSAccessKeyId=" in url and "X-Amz-" not in url
r = http.request("GET", url)
out["presigned_get"] = [r.status, r.data.decode()]
url = v2.generate_presigned_url("put_object", Params={"Bucket": "v2-boto", "Key": "presigned/put"}, ExpiresIn=300)
r = http.request("PUT", url, body=b"put through a V2 URL")
out["presigned_put"] = r.status
out["presigned_put_body"] = v2.get_object(Bucket="v2-boto", Key="presigned/put")["Body"].read().decode()
bad = url.replace("presigned/put", "presigned/other")
out["presigned_tampered"] = http.request("PUT", bad, body=b"x").status
# A URL signed with a Content-Type is used with that header, as with S3.
url = v2.generate_presigned_url("put_object", Params={"Bucket": "v2-boto", "Key": "presigned/typed", "ContentType": "text/csv"}, ExpiresIn=300)
out["typed_put"] = [http.request("PUT", url, body=b"a,b", headers={"Content-Type": "text/csv"}).status,
    http.request("PUT", url, body=b"a,b").status]
out["typed_type"] = v2.head_object(Bucket="v2-boto", Key="presigned/typed")["ContentType"]
# Metadata botocore moved into the query is not applied, so refused.
url = v2.generate_presigned_url("put_object", Params={"Bucket": "v2-boto", "Key": "presigned/meta", "Metadata": {"a": "b"}}, ExpiresIn=300)
out["meta_put"] = http.request("PUT", url, body=b"x", headers={"x-amz-meta-a": "b"}).status

post = v2.generate_presigned_post("v2-boto", "posted/${filename}", ExpiresIn=300)
out["post_v2"] = sorted(k for k in post["fields"] if k != "key")
fields = list(post["fields"].items()) + [("file", ("form.txt", b"posted through a V2 form"))]
body, ctype = urllib3.encode_multipart_formdata(fields)
r = http.request("POST", post["url"], body=body, headers={"Content-Type": ctype})
out["post"] = r.status
out["post_body"] = v2.get_object(Bucket="v2-boto", Key="posted/form.txt")["Body"].read().decode()

wrong = client(signature_version="s3", secret="0" * 40)
out["wrong_secret"] = error_code(lambda: wrong.get_object(Bucket="v2-boto", Key="dir/a b.txt"))
out["schemes"] = sorted(s.decode() for s in schemes)
print(json.dumps(out, sort_keys=True))
`

func testSigV2Boto3(t *testing.T, e *env) {
	got := e.boto3(t, 1, boto3SigV2)
	want := `{"body": "hello v2", "buckets": true, "deleted": "404", "head": 8, "list": ["dir/a b.txt", "dir/copy"], ` +
		`"list2": ["dir/a b.txt", "dir/copy"], "location": "garage", "meta": {"who": "boto3"}, "meta_put": 501, "post": 204, ` +
		`"post_body": "posted through a V2 form", "post_v2": ["AWSAccessKeyId", "policy", "signature"], ` +
		`"presigned_get": [200, "hello v2"], "presigned_put": 200, "presigned_put_body": "put through a V2 URL", ` +
		`"presigned_tampered": 403, "presigned_v2": true, "schemes": ["AWS"], "type": "text/plain", "typed_put": [200, 403], ` +
		`"typed_type": "text/csv", "wrong_secret": "SignatureDoesNotMatch"}`
	if got != want {
		t.Fatalf("boto3 saw\n%s\nwant\n%s", got, want)
	}
}

// --- what must be refused -------------------------------------------------

func testSigV2Refused(t *testing.T, e *env) {
	const bucket = "bucket"
	putBytes(t, e.s3(t, 0), bucket, "v2/target", []byte("v2 target"))
	endpoint := e.c.Nodes[1].Endpoint
	obj := endpoint + "/" + bucket + "/v2/target"
	s := e.v2()
	get := func(at time.Time, signer v2Signer, resource string) *http.Response {
		return httpDo(t, signer.sign(newRequest(t, http.MethodGet, obj, nil), resource, at))
	}

	t.Run("the signer works", func(t *testing.T) {
		resp := get(time.Now(), s, "/bucket/v2/target")
		if got := readAll(t, resp.Body); resp.StatusCode != 200 || string(got) != "v2 target" {
			t.Fatalf("signed GET: %d %q", resp.StatusCode, got)
		}
	})
	t.Run("wrong signature", func(t *testing.T) {
		doc := wantV2Error(t, get(time.Now(), v2Signer{e.c.KeyID, strings.Repeat("0", 40)}, "/bucket/v2/target"), "SignatureDoesNotMatch", 403)
		if !strings.HasPrefix(doc.StringToSign, "GET\n\n\n") || !strings.HasSuffix(doc.StringToSign, "\n/bucket/v2/target") {
			t.Errorf("StringToSign %q", doc.StringToSign)
		}
		wantV2Error(t, get(time.Now(), s, "/bucket/v2/other"), "SignatureDoesNotMatch", 403)
	})
	t.Run("unknown key", func(t *testing.T) {
		wantV2Error(t, get(time.Now(), v2Signer{"GK0123456789abcdef01234567", e.c.Secret}, "/bucket/v2/target"), "InvalidAccessKeyId", 403)
	})
	t.Run("clock skew", func(t *testing.T) {
		for _, off := range []time.Duration{-20 * time.Minute, 20 * time.Minute} {
			doc := wantV2Error(t, get(time.Now().Add(off), s, "/bucket/v2/target"), "RequestTimeTooSkewed", 403)
			if doc.RequestTime == "" || doc.ServerTime == "" {
				t.Errorf("skew %v: RequestTime %q ServerTime %q", off, doc.RequestTime, doc.ServerTime)
			}
		}
		// Within the 15 minutes it is accepted.
		resp := get(time.Now().Add(-10*time.Minute), s, "/bucket/v2/target")
		if readAll(t, resp.Body); resp.StatusCode != 200 {
			t.Errorf("ten minutes off: %d", resp.StatusCode)
		}
	})
	t.Run("malformed", func(t *testing.T) {
		for _, auth := range []string{"AWS HAHAHA", "AWS " + e.c.KeyID + ":", "AWS :c2ln", "AWS  " + e.c.KeyID + ":c2ln"} {
			req := newRequest(t, http.MethodGet, obj, nil)
			req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
			req.Header.Set("Authorization", auth)
			wantV2Error(t, httpDo(t, req), "InvalidArgument", 400)
		}
		req := newRequest(t, http.MethodGet, obj, nil)
		req.Header.Set("Authorization", "AWS "+e.c.KeyID+":c2ln")
		wantV2Error(t, httpDo(t, req), "AccessDenied", 403) // no date
		req = s.sign(newRequest(t, http.MethodGet, obj, nil), "/bucket/v2/target", time.Now())
		req.Header.Set("X-Amz-Date", "Bad Date")
		wantV2Error(t, httpDo(t, req), "AccessDenied", 403)
		// Header and query authentication together.
		req = s.sign(newRequest(t, http.MethodGet, obj+"?Signature=x", nil), "/bucket/v2/target", time.Now())
		wantV2Error(t, httpDo(t, req), "InvalidArgument", 400)
		wantV2Error(t, httpDo(t, newRequest(t, http.MethodGet, obj+"?Signature=x&Expires=1", nil)), "AccessDenied", 403)
	})
	t.Run("presigned", func(t *testing.T) {
		good := s.presign(http.MethodGet, obj, "/bucket/v2/target", time.Now().Add(time.Minute))
		resp := httpDo(t, newRequest(t, http.MethodGet, good, nil))
		if got := readAll(t, resp.Body); resp.StatusCode != 200 || string(got) != "v2 target" {
			t.Fatalf("presigned GET: %d %q", resp.StatusCode, got)
		}
		expired := s.presign(http.MethodGet, obj, "/bucket/v2/target", time.Now().Add(-time.Second))
		doc := wantV2Error(t, httpDo(t, newRequest(t, http.MethodGet, expired, nil)), "AccessDenied", 403)
		if doc.ServerTime == "" {
			t.Error("an expired URL's error has no ServerTime")
		}
		tooLong := s.presign(http.MethodGet, obj, "/bucket/v2/target", time.Now().Add(8*24*time.Hour))
		wantV2Error(t, httpDo(t, newRequest(t, http.MethodGet, tooLong, nil)), "AuthorizationQueryParametersError", 400)
		// Sub-resources are signed: one added or changed is refused.
		for _, tc := range []struct {
			add, code string
			status    int
		}{
			{"response-content-type=text%2Fhtml", "SignatureDoesNotMatch", 403},
			{"versionId=null", "SignatureDoesNotMatch", 403},
			{"uploadId=abc", "SignatureDoesNotMatch", 403},
			{"acl", "SignatureDoesNotMatch", 403},
		} {
			u := strings.Replace(good, "?", "?"+tc.add+"&", 1)
			wantV2Error(t, httpDo(t, newRequest(t, http.MethodGet, u, nil)), tc.code, tc.status)
		}
		// Headers carried in the query are not applied, so not accepted.
		u := s.presign(http.MethodGet, obj+"?x-amz-meta-a=b", "/bucket/v2/target", time.Now().Add(time.Minute))
		wantV2Error(t, httpDo(t, newRequest(t, http.MethodGet, u, nil)), "NotImplemented", 501)
	})
	t.Run("tampered sub-resource", func(t *testing.T) {
		up, err := e.s3(t, 0).CreateMultipartUpload(testCtx(t), &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("v2/mpu")})
		must(t, err, "create upload")
		id := aws.ToString(up.UploadId)
		part := []byte(strings.Repeat("p", 1000))
		req := newRequest(t, http.MethodPut, obj[:len(obj)-len("target")]+"mpu?partNumber=2&uploadId="+id, bytes.NewReader(part))
		s.sign(req, "/bucket/v2/mpu?partNumber=1&uploadId="+id, time.Now())
		wantV2Error(t, httpDo(t, req), "SignatureDoesNotMatch", 403)
		parts, err := e.s3(t, 2).ListParts(testCtx(t), &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String("v2/mpu"), UploadId: up.UploadId})
		must(t, err, "list parts")
		if len(parts.Parts) != 0 {
			t.Errorf("a refused part was stored: %v", parts.Parts)
		}
		req = newRequest(t, http.MethodPut, obj[:len(obj)-len("target")]+"mpu?partNumber=1&uploadId="+id, bytes.NewReader(part))
		s.sign(req, "/bucket/v2/mpu?partNumber=1&uploadId="+id, time.Now())
		resp := httpDo(t, req)
		if b := readAll(t, resp.Body); resp.StatusCode != 200 {
			t.Errorf("signed part: %d %s", resp.StatusCode, b)
		}
	})
}

// testSigV2Body: a V2 signature does not cover the body; Content-MD5
// does, and is itself signed.
func testSigV2Body(t *testing.T, e *env) {
	const bucket = "bucket"
	endpoint := e.c.Nodes[2].Endpoint
	s := e.v2()
	put := func(key string, body []byte, header map[string]string) *http.Response {
		req := newRequest(t, http.MethodPut, endpoint+"/"+bucket+"/"+key, bytes.NewReader(body))
		for k, v := range header {
			req.Header.Set(k, v)
		}
		return httpDo(t, s.sign(req, "/"+bucket+"/"+key, time.Now()))
	}
	md5Of := func(b []byte) string { sum := md5.Sum(b); return base64.StdEncoding.EncodeToString(sum[:]) }
	body := []byte("the body as sent")

	t.Run("Content-MD5 matches", func(t *testing.T) {
		resp := put("v2body/ok", body, map[string]string{"Content-MD5": md5Of(body), "Content-Type": "text/plain"})
		if b := readAll(t, resp.Body); resp.StatusCode != 200 {
			t.Fatalf("PUT: %d %s", resp.StatusCode, b)
		}
		wantStored(t, e, bucket, "v2body/ok", body)
	})
	t.Run("Content-MD5 does not match", func(t *testing.T) {
		wantV2Error(t, put("v2body/bad", body, map[string]string{"Content-MD5": md5Of([]byte("another body"))}), "BadDigest", 400)
		wantNothingStored(t, e, bucket, "v2body/bad")
		wantV2Error(t, put("v2body/invalid", body, map[string]string{"Content-MD5": "not-an-md5"}), "InvalidDigest", 400)
		wantNothingStored(t, e, bucket, "v2body/invalid")
	})
	t.Run("part with a wrong Content-MD5", func(t *testing.T) {
		up, err := e.s3(t, 0).CreateMultipartUpload(testCtx(t), &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("v2body/mpu")})
		must(t, err, "create upload")
		resource := "/" + bucket + "/v2body/mpu?partNumber=1&uploadId=" + aws.ToString(up.UploadId)
		req := newRequest(t, http.MethodPut, endpoint+resource, bytes.NewReader(body))
		req.Header.Set("Content-MD5", md5Of([]byte("another part")))
		wantV2Error(t, httpDo(t, s.sign(req, resource, time.Now())), "BadDigest", 400)
		parts, err := e.s3(t, 1).ListParts(testCtx(t), &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String("v2body/mpu"), UploadId: up.UploadId})
		must(t, err, "list parts")
		if len(parts.Parts) != 0 {
			t.Errorf("a part refused for its digest was stored: %d parts", len(parts.Parts))
		}
	})
	t.Run("Content-MD5 tampered", func(t *testing.T) {
		// Signed with one Content-MD5, sent with another body and its MD5.
		other := []byte("a substituted body")
		req := newRequest(t, http.MethodPut, endpoint+"/"+bucket+"/v2body/swapped", bytes.NewReader(other))
		req.Header.Set("Content-MD5", md5Of(body))
		s.sign(req, "/"+bucket+"/v2body/swapped", time.Now())
		req.Header.Set("Content-MD5", md5Of(other))
		wantV2Error(t, httpDo(t, req), "SignatureDoesNotMatch", 403)
		wantNothingStored(t, e, bucket, "v2body/swapped")
	})
	t.Run("XML body with Content-MD5", func(t *testing.T) {
		cors := []byte(`<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>`)
		req := newRequest(t, http.MethodPut, endpoint+"/"+bucket+"?cors", bytes.NewReader(cors))
		req.Header.Set("Content-MD5", md5Of([]byte("not this")))
		wantV2Error(t, httpDo(t, s.sign(req, "/"+bucket+"?cors", time.Now())), "BadDigest", 400)
		_, err := e.s3(t, 0).GetBucketCors(testCtx(t), &s3.GetBucketCorsInput{Bucket: aws.String(bucket)})
		wantAPIError(t, err, "NoSuchCORSConfiguration", 404)
	})
	t.Run("declared SHA-256 is checked", func(t *testing.T) {
		sum := sha256.Sum256([]byte("declared"))
		wantV2Error(t, put("v2body/sha", body, map[string]string{"X-Amz-Content-Sha256": hex.EncodeToString(sum[:])}), "XAmzContentSHA256Mismatch", 400)
		wantNothingStored(t, e, bucket, "v2body/sha")
	})
	t.Run("aws-chunked refused", func(t *testing.T) {
		wantV2Error(t, put("v2body/chunked", []byte("5\r\nhello\r\n0\r\n\r\n"),
			map[string]string{"X-Amz-Content-Sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "Content-Encoding": "aws-chunked"}), "InvalidRequest", 400)
		wantV2Error(t, put("v2body/chunked", []byte("5\r\nhello\r\n0\r\n\r\n"), map[string]string{"Content-Encoding": "aws-chunked"}), "InvalidRequest", 400)
		wantNothingStored(t, e, bucket, "v2body/chunked")
	})
}

// testSigV2Addressing: the resource is the bucket the request addressed,
// by its path or its Host header.
func testSigV2Addressing(t *testing.T, e *env) {
	const bucket = "bucket"
	putBytes(t, e.s3(t, 0), bucket, "v2addr/k", []byte("addressed"))
	endpoint := e.c.Nodes[0].Endpoint
	s := e.v2()
	u, _ := url.Parse(endpoint)
	virtual := func(path, resource string) *http.Response {
		req := newRequest(t, http.MethodGet, endpoint+path, nil)
		req.Host = bucket + v2RootDomain + ":" + u.Port()
		return httpDo(t, s.sign(req, resource, time.Now()))
	}
	t.Run("virtual-hosted", func(t *testing.T) {
		resp := virtual("/v2addr/k", "/bucket/v2addr/k")
		if got := readAll(t, resp.Body); resp.StatusCode != 200 || string(got) != "addressed" {
			t.Fatalf("virtual-hosted GET: %d %q", resp.StatusCode, got)
		}
		wantV2Error(t, virtual("/v2addr/k", "/v2addr/k"), "SignatureDoesNotMatch", 403)
		resp = virtual("/?prefix=v2addr/", "/bucket/")
		if b := readAll(t, resp.Body); resp.StatusCode != 200 || !bytes.Contains(b, []byte("<Key>v2addr/k</Key>")) {
			t.Errorf("virtual-hosted list: %d %s", resp.StatusCode, b)
		}
		// Another bucket's name in the signature is refused.
		wantV2Error(t, virtual("/v2addr/k", "/other/v2addr/k"), "SignatureDoesNotMatch", 403)
	})
	t.Run("path-style bucket", func(t *testing.T) {
		for _, resource := range []string{"/bucket", "/bucket/"} {
			req := s.sign(newRequest(t, http.MethodGet, endpoint+"/bucket?prefix=v2addr/", nil), resource, time.Now())
			resp := httpDo(t, req)
			if b := readAll(t, resp.Body); resp.StatusCode != 200 {
				t.Errorf("list signed %q: %d %s", resource, resp.StatusCode, b)
			}
		}
		req := s.sign(newRequest(t, http.MethodGet, endpoint+"/bucket/?prefix=v2addr/", nil), "/bucket", time.Now())
		wantV2Error(t, httpDo(t, req), "SignatureDoesNotMatch", 403)
	})
	t.Run("service", func(t *testing.T) {
		resp := httpDo(t, s.sign(newRequest(t, http.MethodGet, endpoint+"/", nil), "/", time.Now()))
		if b := readAll(t, resp.Body); resp.StatusCode != 200 || !bytes.Contains(b, []byte("<Name>bucket</Name>")) {
			t.Errorf("ListBuckets: %d %s", resp.StatusCode, b)
		}
	})
}

func testSigV2PostObject(t *testing.T, e *env) {
	ctx := testCtx(t)
	const bucket = "bucket"
	mc := e.v2Minio(t, 2)
	form := func(key string) (*url.URL, map[string]string) {
		p := minio.NewPostPolicy()
		must(t, p.SetBucket(bucket), "set bucket")
		must(t, p.SetKey(key), "set key")
		must(t, p.SetExpires(time.Now().Add(10*time.Minute)), "set expires")
		must(t, p.SetContentLengthRange(1, 1024), "set length range")
		u, fields, err := mc.PresignedPostPolicy(ctx, p)
		must(t, err, "presign post policy")
		if fields["AWSAccessKeyId"] == "" || fields["signature"] == "" || fields["x-amz-algorithm"] != "" {
			t.Fatalf("not a V2 form: %v", fields)
		}
		return u, fields
	}
	file := []byte("posted with a V2 policy signature")

	t.Run("minio-go form", func(t *testing.T) {
		u, fields := form("v2post/ok")
		resp := postForm(t, u.String(), fields, "ok.txt", file)
		if b := readAll(t, resp.Body); resp.StatusCode != http.StatusNoContent {
			t.Fatalf("POST: %d %s", resp.StatusCode, b)
		}
		wantStored(t, e, bucket, "v2post/ok", file)
	})
	t.Run("tampered signature", func(t *testing.T) {
		u, fields := form("v2post/tampered")
		fields["signature"] = base64.StdEncoding.EncodeToString(make([]byte, 20))
		wantV2Error(t, postForm(t, u.String(), fields, "t.txt", file), "SignatureDoesNotMatch", 403)
		wantNothingStored(t, e, bucket, "v2post/tampered")
	})
	t.Run("unknown key", func(t *testing.T) {
		u, fields := form("v2post/unknown")
		fields["AWSAccessKeyId"] = "GK0123456789abcdef01234567"
		wantV2Error(t, postForm(t, u.String(), fields, "u.txt", file), "InvalidAccessKeyId", 403)
	})
	t.Run("missing signature", func(t *testing.T) {
		u, fields := form("v2post/unsigned")
		delete(fields, "signature")
		wantV2Error(t, postForm(t, u.String(), fields, "u.txt", file), "InvalidArgument", 400)
		wantNothingStored(t, e, bucket, "v2post/unsigned")
	})
	t.Run("policy tampered", func(t *testing.T) {
		// Another key than the policy allows.
		u, fields := form("v2post/allowed")
		fields["key"] = "v2post/elsewhere"
		wantV2Error(t, postForm(t, u.String(), fields, "e.txt", file), "AccessDenied", 403)
		wantNothingStored(t, e, bucket, "v2post/elsewhere")
	})
}

// testSigV2Rights: a V2 request acts with its key's rights, no more.
func testSigV2Rights(t *testing.T, e *env) {
	ctx := testCtx(t)
	const bucket = "bucket"
	putBytes(t, e.s3(t, 0), bucket, "v2rights/k", []byte("guarded"))
	k := newKey(t, e, "v2-reader")
	s := v2Signer{k.ID, k.Secret}
	endpoint := e.c.Nodes[1].Endpoint
	get := func() *http.Response {
		return httpDo(t, s.sign(newRequest(t, http.MethodGet, endpoint+"/bucket/v2rights/k", nil), "/bucket/v2rights/k", time.Now()))
	}
	wantV2Error(t, get(), "AccessDenied", 403)
	_, err := e.c.Do(ctx, admin.SetBucketPerms{Bucket: bucket, Key: k.ID, Read: true, Allow: true})
	must(t, err, "allow read")
	resp := get()
	if b := readAll(t, resp.Body); resp.StatusCode != 200 || string(b) != "guarded" {
		t.Errorf("GET with the read right: %d %s", resp.StatusCode, b)
	}
	req := newRequest(t, http.MethodPut, endpoint+"/bucket/v2rights/k", strings.NewReader("overwritten"))
	wantV2Error(t, httpDo(t, s.sign(req, "/bucket/v2rights/k", time.Now())), "AccessDenied", 403)
	wantStored(t, e, bucket, "v2rights/k", []byte("guarded"))
}

// testSigV2LeavesV4Alone: on the same cluster SigV4 works as before, and
// keeps refusing what it refused.
func testSigV2LeavesV4Alone(t *testing.T, e *env) {
	cl := e.s3(t, 2)
	putBytes(t, cl, "bucket", "v2v4/k", []byte("v4"))
	wantStored(t, e, "bucket", "v2v4/k", []byte("v4"))
	url := presignGet(t, cl, "bucket", "v2v4/k")
	resp := httpDo(t, newRequest(t, http.MethodGet, url, nil))
	if got := readAll(t, resp.Body); resp.StatusCode != 200 || string(got) != "v4" {
		t.Errorf("V4 presigned GET: %d %q", resp.StatusCode, got)
	}
	// A V4 URL that also carries V2's parameters is still V4's.
	resp = httpDo(t, newRequest(t, http.MethodGet, url+"&AWSAccessKeyId=x&Signature=y&Expires=1", nil))
	wantHTTPError(t, resp, "SignatureDoesNotMatch", 403)
	// Two Authorization headers are still SigV4's malformed header.
	req := newRequest(t, http.MethodGet, e.c.Nodes[0].Endpoint+"/bucket/v2v4/k", nil)
	req.Header.Add("Authorization", "AWS "+e.c.KeyID+":c2ln")
	req.Header.Add("Authorization", "AWS "+e.c.KeyID+":c2ln")
	wantHTTPError(t, httpDo(t, req), "AuthorizationHeaderMalformed", 400)
}
