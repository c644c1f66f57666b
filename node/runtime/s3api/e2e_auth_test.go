package s3api_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/garagego/garage/internal/localcluster"
	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/runtime/server"
)

// newKey creates an access key with no rights through the admin
// operations, as the CLI does.
func newKey(t *testing.T, e *env, name string) admin.KeyInfo {
	t.Helper()
	res, err := e.c.Do(testCtx(t), admin.CreateKey{Name: name, ID: server.NewKeyID(), Secret: server.NewSecret()})
	must(t, err, "create key")
	key := res.(admin.KeyInfo)
	if key.ID == "" || key.Secret == "" {
		t.Fatalf("created key %+v has no id or secret", key)
	}
	return key
}

func testPermissions(t *testing.T, e *env) {
	ctx := testCtx(t)
	const bucket, key = "bucket", "perm/object"
	putBytes(t, e.s3(t, 0), bucket, key, []byte("guarded"))
	k := newKey(t, e, "limited")
	// The admin operations run on node 0; the key is used through the
	// others, which must see each change at once.
	as := func(i int) *s3.Client { return newS3(t, e.c.Nodes[i].Endpoint, k.ID, k.Secret) }
	get := func(i int) error {
		out, err := as(i).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err == nil {
			if got := readAll(t, out.Body); string(got) != "guarded" {
				t.Errorf("read %q", got)
			}
		}
		return err
	}
	put := func(i int) error {
		_, err := as(i).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("perm/written"), Body: strings.NewReader("w")})
		return err
	}
	list := func(i int) error {
		_, err := as(i).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("perm/")})
		return err
	}
	listBuckets := func(i int) []string {
		out, err := as(i).ListBuckets(ctx, &s3.ListBucketsInput{})
		must(t, err, "list buckets")
		var names []string
		for _, b := range out.Buckets {
			names = append(names, aws.ToString(b.Name))
		}
		return names
	}

	t.Run("no rights", func(t *testing.T) {
		wantAPIError(t, get(1), "AccessDenied", 403)
		wantAPIError(t, put(1), "AccessDenied", 403)
		wantAPIError(t, list(2), "AccessDenied", 403)
		_, err := as(2).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
		wantAPIError(t, err, "Forbidden", 403)
		_, err = as(1).DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		wantAPIError(t, err, "AccessDenied", 403)
		if names := listBuckets(1); len(names) != 0 {
			t.Errorf("a key without rights lists buckets %v", names)
		}
		_, err = as(2).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("limited-own")})
		wantAPIError(t, err, "AccessDenied", 403)
	})

	t.Run("read only", func(t *testing.T) {
		_, err := e.c.Do(ctx, admin.SetBucketPerms{Bucket: bucket, Key: k.ID, Read: true, Allow: true})
		must(t, err, "allow read")
		if err := get(1); err != nil {
			t.Errorf("GET with the read right: %v", err)
		}
		if err := list(2); err != nil {
			t.Errorf("LIST with the read right: %v", err)
		}
		wantAPIError(t, put(2), "AccessDenied", 403)
		wantAPIError(t, put(1), "AccessDenied", 403)
		_, err = as(1).DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		wantAPIError(t, err, "AccessDenied", 403)
		_, err = as(2).PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String(bucket), CORSConfiguration: &types.CORSConfiguration{
			CORSRules: []types.CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}}}}})
		wantAPIError(t, err, "AccessDenied", 403)
		if names := listBuckets(2); !slices.Equal(names, []string{bucket}) {
			t.Errorf("a key with a right on %s lists %v", bucket, names)
		}
		if got := getBytes(t, e.s3(t, 0), bucket, key); string(got) != "guarded" {
			t.Errorf("a refused DELETE changed the object: %q", got)
		}
	})

	t.Run("write, then read revoked", func(t *testing.T) {
		_, err := e.c.Do(ctx, admin.SetBucketPerms{Bucket: bucket, Key: k.ID, Write: true, Allow: true})
		must(t, err, "allow write")
		if err := put(1); err != nil {
			t.Errorf("PUT with the write right: %v", err)
		}
		_, err = e.c.Do(ctx, admin.SetBucketPerms{Bucket: bucket, Key: k.ID, Read: true, Allow: false})
		must(t, err, "deny read")
		wantAPIError(t, get(2), "AccessDenied", 403)
		wantAPIError(t, list(1), "AccessDenied", 403)
		if err := put(2); err != nil {
			t.Errorf("PUT with the write right only: %v", err)
		}
	})

	t.Run("create-bucket right", func(t *testing.T) {
		_, err := e.c.Do(ctx, admin.SetKeyFlags{Pattern: k.ID, CreateBucket: true, Allow: true})
		must(t, err, "allow create bucket")
		_, err = as(1).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("limited-own")})
		must(t, err, "create bucket with the right")
		putBytes(t, as(2), "limited-own", "mine", []byte("mine"))
		// The first key has no right on the new bucket.
		_, err = e.s3(t, 0).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("limited-own"), Key: aws.String("mine")})
		wantAPIError(t, err, "AccessDenied", 403)
	})

	t.Run("deleted key", func(t *testing.T) {
		_, err := e.c.Do(ctx, admin.DeleteKey{Pattern: k.ID})
		must(t, err, "delete key")
		wantAPIError(t, put(1), "InvalidAccessKeyId", 403)
		wantAPIError(t, get(2), "InvalidAccessKeyId", 403)
	})
}

func testAuthErrors(t *testing.T, e *env) {
	ctx := testCtx(t)
	const bucket = "bucket"
	putBytes(t, e.s3(t, 0), bucket, "auth/obj", []byte("x"))
	endpoint := e.c.Nodes[1].Endpoint

	t.Run("unknown access key", func(t *testing.T) {
		cl := newS3(t, endpoint, "GK0123456789abcdef01234567", e.c.Secret)
		_, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("auth/obj")})
		wantAPIError(t, err, "InvalidAccessKeyId", 403)
		_, err = cl.ListBuckets(ctx, &s3.ListBucketsInput{})
		wantAPIError(t, err, "InvalidAccessKeyId", 403)
	})
	t.Run("wrong secret", func(t *testing.T) {
		cl := newS3(t, endpoint, e.c.KeyID, strings.Repeat("0", 64))
		_, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("auth/obj")})
		wantAPIError(t, err, "SignatureDoesNotMatch", 403)
		_, err = cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("auth/wrong"), Body: strings.NewReader("x")})
		wantAPIError(t, err, "SignatureDoesNotMatch", 403)
	})
	t.Run("anonymous", func(t *testing.T) {
		cl := newS3(t, endpoint, "", "", anonymous)
		_, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("auth/obj")})
		wantAPIError(t, err, "AccessDenied", 403)
		_, err = cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("auth/anon"), Body: strings.NewReader("x")})
		wantAPIError(t, err, "AccessDenied", 403)
		_, err = cl.ListBuckets(ctx, &s3.ListBucketsInput{})
		wantAPIError(t, err, "AccessDenied", 403)
		wantHTTPError(t, httpDo(t, newRequest(t, http.MethodGet, endpoint+"/"+bucket+"/auth/obj", nil)), "AccessDenied", 403)
		wantHTTPError(t, httpDo(t, newRequest(t, http.MethodGet, endpoint+"/"+bucket+"?list-type=2", nil)), "AccessDenied", 403)
	})
	t.Run("wrong region", func(t *testing.T) {
		cl := newS3(t, endpoint, e.c.KeyID, e.c.Secret, func(o *s3.Options) { o.Region = "us-east-1" })
		_, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("auth/obj")})
		wantAPIError(t, err, "AuthorizationHeaderMalformed", 400)
	})
	t.Run("clock skew", func(t *testing.T) {
		req := signedRequest(t, e, http.MethodGet, endpoint+"/"+bucket+"/auth/obj", nil, time.Now().Add(-time.Hour), "")
		wantHTTPError(t, httpDo(t, req), "RequestTimeTooSkewed", 403)
	})
	t.Run("payload hash mismatch", func(t *testing.T) {
		sum := sha256.Sum256([]byte("declared"))
		req := signedRequest(t, e, http.MethodPut, endpoint+"/"+bucket+"/auth/mismatch", []byte("actually sent"), time.Now(), hex.EncodeToString(sum[:]))
		wantHTTPError(t, httpDo(t, req), "XAmzContentSHA256Mismatch", 400)
		_, err := e.s3(t, 0).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("auth/mismatch")})
		wantAPIError(t, err, "NotFound", 404)
	})
	t.Run("signed raw request", func(t *testing.T) {
		// The raw signer itself works: the failures above are the server's
		// checks, not a broken request.
		body := []byte("raw body")
		sum := sha256.Sum256(body)
		resp := httpDo(t, signedRequest(t, e, http.MethodPut, endpoint+"/"+bucket+"/auth/raw", body, time.Now(), hex.EncodeToString(sum[:])))
		if b := readAll(t, resp.Body); resp.StatusCode != 200 {
			t.Fatalf("signed PUT: %d %s", resp.StatusCode, b)
		}
		if got := getBytes(t, e.s3(t, 2), bucket, "auth/raw"); !bytes.Equal(got, body) {
			t.Errorf("raw PUT stored %q", got)
		}
	})
}

// signedRequest signs a request with the cluster's key at the given time;
// payloadHash "" signs UNSIGNED-PAYLOAD.
func signedRequest(t *testing.T, e *env, method, u string, body []byte, at time.Time, payloadHash string) *http.Request {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req := newRequest(t, method, u, r)
	if payloadHash == "" {
		payloadHash = "UNSIGNED-PAYLOAD"
	}
	req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	creds := aws.Credentials{AccessKeyID: e.c.KeyID, SecretAccessKey: e.c.Secret}
	err := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).
		SignHTTP(testCtx(t), creds, req, payloadHash, "s3", localcluster.Region, at)
	must(t, err, "sign")
	return req
}

func testErrorDocuments(t *testing.T, e *env) {
	ctx := testCtx(t)
	cl := e.s3(t, 2)
	const bucket = "bucket"
	endpoint := e.c.Nodes[2].Endpoint

	t.Run("sdk", func(t *testing.T) {
		_, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("no-such-bucket"), Key: aws.String("k")})
		wantAPIError(t, err, "NoSuchBucket", 404)
		_, err = cl.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("no-such-bucket")})
		wantAPIError(t, err, "NoSuchBucket", 404)
		_, err = cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("errors/none")})
		wantAPIError(t, err, "NoSuchKey", 404)
		_, err = cl.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String("errors/none"),
			UploadId: aws.String("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")})
		wantAPIError(t, err, "NoSuchUpload", 404)
		_, err = cl.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("errors/none"),
			UploadId: aws.String("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")})
		wantAPIError(t, err, "NoSuchUpload", 404)
		_, err = cl.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
		wantAPIError(t, err, "NoSuchBucketPolicy", 404)
		_, err = cl.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: aws.String(bucket)})
		wantAPIError(t, err, "NotImplemented", 501)
		_, err = cl.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("errors/none"),
			Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}}})
		wantAPIError(t, err, "NoSuchKey", 404)
		_, err = cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(strings.Repeat("k", 1025)), Body: strings.NewReader("x")})
		wantAPIError(t, err, "KeyTooLongError", 400)
		_, err = cl.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("no-such-bucket")})
		wantAPIError(t, err, "NoSuchBucket", 404)
	})
	t.Run("documents", func(t *testing.T) {
		// Presigned, so that what fails is the operation, not the signature.
		wantHTTPError(t, httpDo(t, newRequest(t, http.MethodGet, presignGet(t, cl, bucket, "errors/none"), nil)), "NoSuchKey", 404)
		wantHTTPError(t, httpDo(t, newRequest(t, http.MethodGet, presignGet(t, cl, "no-such-bucket", "k"), nil)), "NoSuchBucket", 404)
		wantHTTPError(t, httpDo(t, signedRequest(t, e, http.MethodPost, endpoint+"/"+bucket+"/errors/post", nil, time.Now(), "")), "MethodNotAllowed", 405)
		wantHTTPError(t, httpDo(t, signedRequest(t, e, http.MethodGet, endpoint+"/"+bucket+"?list-type=2&continuation-token=%25%25", nil, time.Now(), "")),
			"InvalidArgument", 400)
		wantHTTPError(t, httpDo(t, signedRequest(t, e, http.MethodPut, endpoint+"/"+bucket+"?cors", []byte("<not xml"), time.Now(), "")), "MalformedXML", 400)
	})
}
