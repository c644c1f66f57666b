package adminapi_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/garagego/garage/internal/localcluster"
)

// Answers written from Garage's garage-admin-v2.json (InspectObject,
// CleanupIncompleteUploads).

type inspectedObject struct {
	BucketID string `json:"bucketId"`
	Key      string `json:"key"`
	Versions []struct {
		UUID         string      `json:"uuid"`
		Timestamp    string      `json:"timestamp"`
		Encrypted    bool        `json:"encrypted"`
		Uploading    bool        `json:"uploading"`
		Aborted      bool        `json:"aborted"`
		DeleteMarker bool        `json:"deleteMarker"`
		Inline       bool        `json:"inline"`
		Size         *uint64     `json:"size"`
		Etag         *string     `json:"etag"`
		Headers      [][2]string `json:"headers"`
		Blocks       []struct {
			PartNumber uint64 `json:"partNumber"`
			Offset     uint64 `json:"offset"`
			Hash       string `json:"hash"`
			Size       uint64 `json:"size"`
		} `json:"blocks"`
	} `json:"versions"`
}

type uploadsCleaned struct {
	UploadsDeleted uint64 `json:"uploadsDeleted"`
}

// TestE2EV1 covers the old paths Garage v2 still routes, InspectObject,
// CleanupIncompleteUploads and /health's JSON form on a 3-node cluster;
// Health runs last, as it stops two nodes.
func TestE2EV1(t *testing.T) {
	e := startEnv(t)
	t.Run("OpenAPI", e.testOpenAPIV1)
	t.Run("V1Paths", e.testV1Paths)
	t.Run("V0Paths", e.testV0Paths)
	t.Run("V1Scopes", e.testV1Scopes)
	t.Run("InspectObject", e.testInspectObject)
	t.Run("CleanupIncompleteUploads", e.testCleanupIncompleteUploads)
	t.Run("HealthJSON", e.testHealthJSON)
}

// testOpenAPIV1: the document gives the two endpoints, with the fields
// the client's structs name.
func (e *env) testOpenAPIV1(t *testing.T) {
	doc := e.openAPI(t)
	for fn, answer := range map[string]any{"InspectObject": inspectedObject{}, "CleanupIncompleteUploads": uploadsCleaned{}} {
		op := doc.Paths["/v2/"+fn]
		if len(op) != 1 {
			t.Fatalf("the document's /v2/%s: %v", fn, op)
		}
		for _, o := range op {
			checkFields(t, fn, reflect.TypeOf(answer), dig(o, "responses", "200", "content", "application/json", "schema"), doc.Components.Schemas)
		}
	}
}

// old sends a request to an old path on node 0 with token, expects
// status and decodes the answer strictly into out (if not nil).
func (e *env) old(t *testing.T, token, method, path string, in any, status int, out any) reply {
	t.Helper()
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			t.Fatal(err)
		}
	}
	return expect(t, e.raw(t, 0, method, path, token, body), method, path, status, out)
}

// wantRefused checks Garage's 400 for an old path, and its message.
func wantRefused(t *testing.T, r reply, message string) {
	t.Helper()
	if e := wantError(t, r, http.StatusBadRequest, "InvalidRequest"); e.Message != message {
		t.Fatalf("message %q, want %q", e.Message, message)
	}
}

func (e *env) testV1Paths(t *testing.T) {
	tok := e.c.Nodes[0].AdminToken
	var h clusterHealth
	e.old(t, tok, http.MethodGet, "/v1/health", nil, http.StatusOK, &h)
	if h.Status != "healthy" || h.StorageNodes != 3 {
		t.Fatalf("v1 health: %+v", h)
	}
	var l clusterLayout
	e.old(t, tok, http.MethodGet, "/v1/layout", nil, http.StatusOK, &l)
	if l.Version != 1 || len(l.Roles) != 3 {
		t.Fatalf("v1 layout: %+v", l)
	}
	// Refused, as Garage v2 refuses them, before any authentication.
	wantRefused(t, e.raw(t, 0, http.MethodGet, "/v1/status", "", nil), "v1/ endpoint is no longer supported: GetClusterStatus")
	wantRefused(t, e.raw(t, 0, http.MethodPost, "/v1/layout", tok, []byte(`[]`)), "v1/ endpoint is no longer supported: UpdateClusterLayout")
	wantRefused(t, e.raw(t, 0, http.MethodOptions, "/v1/bucket", "", nil), "v1/ endpoint is no longer supported: Options")
	wantRefused(t, e.raw(t, 0, http.MethodGet, "/v1/nothing", tok, nil), "Unknown API endpoint: GET /v1/nothing")
	wantRefused(t, e.raw(t, 0, http.MethodDelete, "/v1/key", tok, nil), "Unknown API endpoint: DELETE /v1/key")
	wantRefused(t, e.raw(t, 0, http.MethodGet, "/v1/bucket?id=a&id=b", tok, nil), "Query parameter repeated: 'id'")
	wantError(t, e.raw(t, 0, http.MethodGet, "/v1/health", "", nil), http.StatusForbidden, "AccessDenied")

	// Keys.
	var k keyInfo
	e.old(t, tok, http.MethodPost, "/v1/key", map[string]any{"name": "v1-key"}, http.StatusOK, &k)
	if k.Name != "v1-key" || k.SecretAccessKey == nil || !strings.HasPrefix(k.AccessKeyID, "GK") {
		t.Fatalf("v1 create key: %+v", k)
	}
	var keys []keyListItem
	e.old(t, tok, http.MethodGet, "/v1/key", nil, http.StatusOK, &keys)
	if !slices.ContainsFunc(keys, func(i keyListItem) bool { return i.ID == k.AccessKeyID }) {
		t.Fatalf("v1 list keys: %+v", keys)
	}
	var got keyInfo
	e.old(t, tok, http.MethodGet, "/v1/key?id="+k.AccessKeyID, nil, http.StatusOK, &got)
	if got.AccessKeyID != k.AccessKeyID || got.SecretAccessKey != nil {
		t.Fatalf("v1 key by id (no secret asked): %+v", got)
	}
	e.old(t, tok, http.MethodGet, "/v1/key?search=v1-key&showSecretKey=true", nil, http.StatusOK, &got)
	if got.SecretAccessKey == nil || *got.SecretAccessKey != *k.SecretAccessKey {
		t.Fatalf("v1 key by search with its secret: %+v", got)
	}
	e.old(t, tok, http.MethodPost, "/v1/key?id="+k.AccessKeyID, map[string]any{"name": "v1-renamed", "allow": map[string]bool{"createBucket": true}}, http.StatusOK, &got)
	if got.Name != "v1-renamed" || !got.Permissions.CreateBucket {
		t.Fatalf("v1 update key: %+v", got)
	}
	imported := "GK" + strings.Repeat("1a", 12)
	e.old(t, tok, http.MethodPost, "/v1/key/import", map[string]any{"accessKeyId": imported, "secretAccessKey": strings.Repeat("5e", 32), "name": "v1-imported"}, http.StatusOK, &got)
	if got.AccessKeyID != imported || got.Name != "v1-imported" {
		t.Fatalf("v1 import key: %+v", got)
	}
	// DELETE answered 204 in v1; Garage v2 refuses it, and nothing goes.
	wantRefused(t, e.raw(t, 0, http.MethodDelete, "/v1/key?id="+imported, tok, nil), "v1/ endpoint is no longer supported: DeleteKey")
	e.old(t, tok, http.MethodGet, "/v1/key?id="+imported, nil, http.StatusOK, &got)

	// Buckets.
	var b bucketInfo
	e.old(t, tok, http.MethodPost, "/v1/bucket", map[string]any{"globalAlias": "v1-bucket"}, http.StatusOK, &b)
	if len(b.ID) != 64 || !slices.Equal(b.GlobalAliases, []string{"v1-bucket"}) {
		t.Fatalf("v1 create bucket: %+v", b)
	}
	var buckets []bucketListItem
	e.old(t, tok, http.MethodGet, "/v1/bucket", nil, http.StatusOK, &buckets)
	if !slices.ContainsFunc(buckets, func(i bucketListItem) bool { return i.ID == b.ID }) {
		t.Fatalf("v1 list buckets: %+v", buckets)
	}
	var gotB bucketInfo
	e.old(t, tok, http.MethodGet, "/v1/bucket?id="+b.ID, nil, http.StatusOK, &gotB)
	if gotB.ID != b.ID {
		t.Fatalf("v1 bucket by id: %+v", gotB)
	}
	e.old(t, tok, http.MethodGet, "/v1/bucket?globalAlias=v1-bucket", nil, http.StatusOK, &gotB)
	if gotB.ID != b.ID {
		t.Fatalf("v1 bucket by alias: %+v", gotB)
	}
	e.old(t, tok, http.MethodPut, "/v1/bucket?id="+b.ID, map[string]any{"quotas": map[string]any{"maxSize": 1 << 30, "maxObjects": nil}}, http.StatusOK, &gotB)
	if gotB.Quotas.MaxSize == nil || *gotB.Quotas.MaxSize != 1<<30 || gotB.Quotas.MaxObjects != nil {
		t.Fatalf("v1 update bucket: %+v", gotB.Quotas)
	}
	perm := map[string]any{"bucketId": b.ID, "accessKeyId": k.AccessKeyID, "permissions": map[string]bool{"read": true, "write": true}}
	e.old(t, tok, http.MethodPost, "/v1/bucket/allow", perm, http.StatusOK, &gotB)
	if len(gotB.Keys) != 1 || gotB.Keys[0].Permissions != (perms{Read: true, Write: true}) {
		t.Fatalf("v1 allow: %+v", gotB.Keys)
	}
	perm["permissions"] = map[string]bool{"write": true}
	e.old(t, tok, http.MethodPost, "/v1/bucket/deny", perm, http.StatusOK, &gotB)
	if len(gotB.Keys) != 1 || gotB.Keys[0].Permissions != (perms{Read: true}) {
		t.Fatalf("v1 deny: %+v", gotB.Keys)
	}
	e.old(t, tok, http.MethodPut, "/v1/bucket/alias/global?id="+b.ID+"&alias=v1-other", nil, http.StatusOK, &gotB)
	if !slices.Equal(gotB.GlobalAliases, []string{"v1-bucket", "v1-other"}) {
		t.Fatalf("v1 global alias: %+v", gotB.GlobalAliases)
	}
	e.old(t, tok, http.MethodDelete, "/v1/bucket/alias/global?id="+b.ID+"&alias=v1-other", nil, http.StatusOK, &gotB)
	if !slices.Equal(gotB.GlobalAliases, []string{"v1-bucket"}) {
		t.Fatalf("v1 global unalias: %+v", gotB.GlobalAliases)
	}
	local := "/v1/bucket/alias/local?id=" + b.ID + "&accessKeyId=" + k.AccessKeyID + "&alias=mine"
	e.old(t, tok, http.MethodPut, local, nil, http.StatusOK, &gotB)
	if len(gotB.Keys) != 1 || !slices.Equal(gotB.Keys[0].BucketLocalAliases, []string{"mine"}) {
		t.Fatalf("v1 local alias: %+v", gotB.Keys)
	}
	e.old(t, tok, http.MethodDelete, local, nil, http.StatusOK, &gotB)
	if len(gotB.Keys) != 1 || len(gotB.Keys[0].BucketLocalAliases) != 0 {
		t.Fatalf("v1 local unalias: %+v", gotB.Keys)
	}
	wantRefused(t, e.raw(t, 0, http.MethodPut, "/v1/bucket/alias/global?id="+b.ID, tok, nil), "Missing argument `alias` for endpoint")
	wantRefused(t, e.raw(t, 0, http.MethodPut, "/v1/bucket/alias/local?id="+b.ID+"&alias=x", tok, nil), "Missing argument `access_key_id` for endpoint")
	wantRefused(t, e.raw(t, 0, http.MethodDelete, "/v1/bucket?id="+b.ID, tok, nil), "v1/ endpoint is no longer supported: DeleteBucket")
	e.old(t, tok, http.MethodGet, "/v1/bucket?id="+b.ID, nil, http.StatusOK, &gotB)
	// A translated call fails as its v2 endpoint does.
	wantError(t, e.raw(t, 0, http.MethodGet, "/v1/bucket?globalAlias=no-such-bucket", tok, nil), http.StatusNotFound, "NoSuchBucket")
	wantError(t, e.raw(t, 0, http.MethodPost, "/v1/bucket/allow", tok, []byte(`{"bucketId":`)), http.StatusBadRequest, "InvalidRequest")
}

func (e *env) testV0Paths(t *testing.T) {
	tok := e.c.Nodes[0].AdminToken
	var k keyInfo
	e.old(t, tok, http.MethodPost, "/v0/key", map[string]any{"name": "v0-key"}, http.StatusOK, &k)
	var got keyInfo
	e.old(t, tok, http.MethodGet, "/v0/key?id="+k.AccessKeyID, nil, http.StatusOK, &got)
	if got.SecretAccessKey == nil || *got.SecretAccessKey != *k.SecretAccessKey {
		t.Fatalf("v0 key info always has the secret: %+v", got)
	}
	var buckets []bucketListItem
	e.old(t, tok, http.MethodGet, "/v0/bucket", nil, http.StatusOK, &buckets)
	if len(buckets) == 0 {
		t.Fatal("v0 list buckets: none")
	}
	wantRefused(t, e.raw(t, 0, http.MethodGet, "/v0/status", tok, nil), "v0/ endpoint is no longer supported: GetClusterStatus")
	wantRefused(t, e.raw(t, 0, http.MethodPost, "/v0/key/import", tok, []byte(`{}`)), "v0/ endpoint is no longer supported: ImportKey")
	wantRefused(t, e.raw(t, 0, http.MethodGet, "/v0/health", tok, nil), "v0/ endpoint is no longer supported: GetClusterHealth")
	// v0's DeleteKey is v1's, which Garage v2 refuses.
	wantRefused(t, e.raw(t, 0, http.MethodDelete, "/v0/key?id="+k.AccessKeyID, tok, nil), "v1/ endpoint is no longer supported: DeleteKey")
}

// testV1Scopes: a v1 call is authorized as the v2 endpoint it maps to.
func (e *env) testV1Scopes(t *testing.T) {
	token := func(scope ...string) string {
		var c createdToken
		e.call(t, "CreateAdminToken", nil, map[string]any{"name": "v1-" + scope[0], "scope": scope}, http.StatusOK, &c)
		return c.SecretToken
	}
	status := token("GetClusterStatus")
	wantError(t, e.raw(t, 0, http.MethodGet, "/v1/bucket", status, nil), http.StatusForbidden, "AccessDenied")
	wantError(t, e.raw(t, 0, http.MethodGet, "/v1/health", status, nil), http.StatusForbidden, "AccessDenied")
	e.callAs(t, status, "GetClusterStatus", nil, nil, http.StatusOK, nil)
	list := token("ListBuckets")
	var buckets []bucketListItem
	e.old(t, list, http.MethodGet, "/v1/bucket", nil, http.StatusOK, &buckets)
	wantError(t, e.raw(t, 0, http.MethodGet, "/v1/key", list, nil), http.StatusForbidden, "AccessDenied")
	// GlobalAliasBucket is AddBucketAlias in v2, and scoped as such.
	alias := token("AddBucketAlias")
	var b bucketInfo
	e.call(t, "GetBucketInfo", q("globalAlias", "v1-bucket"), nil, http.StatusOK, &b)
	e.old(t, alias, http.MethodPut, "/v1/bucket/alias/global?id="+b.ID+"&alias=v1-scoped", nil, http.StatusOK, &b)
	wantError(t, e.raw(t, 0, http.MethodDelete, "/v1/bucket/alias/global?id="+b.ID+"&alias=v1-scoped", alias, nil), http.StatusForbidden, "AccessDenied")
}

func (e *env) s3Client() *s3.Client {
	return s3.New(s3.Options{Region: localcluster.Region, BaseEndpoint: aws.String(e.c.Nodes[0].Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(e.c.KeyID, e.c.Secret, ""), HTTPClient: awshttp.NewBuildableClient()})
}

func s3ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

func (e *env) bucketID(t *testing.T, alias string) string {
	var b bucketInfo
	e.call(t, "GetBucketInfo", q("globalAlias", alias), nil, http.StatusOK, &b)
	return b.ID
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

func (e *env) testInspectObject(t *testing.T) {
	cl, ctx := e.s3Client(), s3ctx(t)
	bucket := e.c.Bucket
	id := e.bucketID(t, bucket)
	small := []byte("a small object, stored inline")
	_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("small"), Body: bytes.NewReader(small),
		ContentType: aws.String("text/plain"), Metadata: map[string]string{"color": "blue"}})
	must(t, err)
	big := bytes.Repeat([]byte("0123456789abcdef"), 100_000) // 1.6 MB: two blocks of 1 MiB at most
	_, err = cl.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("big"), Body: bytes.NewReader(big)})
	must(t, err)
	up, err := cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: aws.String("big")})
	must(t, err)
	part := bytes.Repeat([]byte("p"), 10_000)
	_, err = cl.UploadPart(ctx, &s3.UploadPartInput{Bucket: &bucket, Key: aws.String("big"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader(part)})
	must(t, err)

	var o inspectedObject
	e.call(t, "InspectObject", q("bucketId", id, "key", "small"), nil, http.StatusOK, &o)
	if o.BucketID != id || o.Key != "small" || len(o.Versions) != 1 {
		t.Fatalf("inspect small: %+v", o)
	}
	v := o.Versions[0]
	if !v.Inline || v.Uploading || v.Aborted || v.DeleteMarker || v.Encrypted || v.Size == nil || *v.Size != uint64(len(small)) ||
		v.Etag == nil || *v.Etag != md5hex(small) || len(v.Blocks) != 0 {
		t.Fatalf("inspect small: %+v", v)
	}
	if !slices.Contains(v.Headers, [2]string{"content-type", "text/plain"}) || !slices.Contains(v.Headers, [2]string{"x-amz-meta-color", "blue"}) {
		t.Fatalf("inspect small: headers %v", v.Headers)
	}
	if ts, err := time.Parse(time.RFC3339, v.Timestamp); err != nil || time.Since(ts) > time.Minute || time.Since(ts) < 0 {
		t.Fatalf("inspect small: timestamp %q (%v)", v.Timestamp, err)
	}

	o = inspectedObject{}
	e.call(t, "InspectObject", q("bucketId", id, "key", "big"), nil, http.StatusOK, &o)
	if len(o.Versions) != 2 {
		t.Fatalf("inspect big: want the object and the upload, got %+v", o)
	}
	done, upl := o.Versions[0], o.Versions[1] // oldest first
	if done.Inline || done.Uploading || done.Size == nil || *done.Size != uint64(len(big)) || *done.Etag != md5hex(big) || len(done.Blocks) < 2 {
		t.Fatalf("inspect big, complete: %+v", done)
	}
	var off uint64
	for _, b := range done.Blocks {
		if b.PartNumber != 1 || b.Offset != off || len(b.Hash) != 64 {
			t.Fatalf("inspect big, blocks: %+v", done.Blocks)
		}
		off += b.Size
	}
	if off != uint64(len(big)) {
		t.Fatalf("inspect big: blocks hold %d bytes, want %d", off, len(big))
	}
	if !upl.Uploading || upl.Size != nil || upl.Etag != nil || len(upl.Blocks) != 1 || upl.Blocks[0].PartNumber != 1 || upl.Blocks[0].Size != uint64(len(part)) {
		t.Fatalf("inspect big, upload: %+v", upl)
	}
	_, err = cl.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &bucket, Key: aws.String("big"), UploadId: up.UploadId})
	must(t, err)
	_, err = cl.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: aws.String("small")})
	must(t, err)
	o = inspectedObject{} // decoding into a used value would keep its omitted fields
	e.call(t, "InspectObject", q("bucketId", id, "key", "small"), nil, http.StatusOK, &o)
	if last := o.Versions[len(o.Versions)-1]; !last.DeleteMarker || last.Size != nil || last.Etag != nil || last.Headers != nil {
		t.Fatalf("inspect small after delete: %+v", o.Versions)
	}

	wantError(t, e.call(t, "InspectObject", q("bucketId", id, "key", "nothing here"), nil, http.StatusNotFound, nil), http.StatusNotFound, "NoSuchKey")
	wantError(t, e.call(t, "InspectObject", q("bucketId", strings.Repeat("0", 64), "key", "small"), nil, http.StatusNotFound, nil), http.StatusNotFound, "NoSuchBucket")
	wantError(t, e.call(t, "InspectObject", q("bucketId", "xyz", "key", "small"), nil, http.StatusBadRequest, nil), http.StatusBadRequest, "InvalidRequest")
	wantError(t, e.call(t, "InspectObject", q("bucketId", id), nil, http.StatusBadRequest, nil), http.StatusBadRequest, "InvalidRequest")
}

func (e *env) testCleanupIncompleteUploads(t *testing.T) {
	cl, ctx := e.s3Client(), s3ctx(t)
	bucket := "cleanup-uploads"
	var b bucketInfo
	e.call(t, "CreateBucket", nil, map[string]any{"globalAlias": bucket}, http.StatusOK, &b)
	e.call(t, "AllowBucketKey", nil, map[string]any{"bucketId": b.ID, "accessKeyId": e.c.KeyID,
		"permissions": map[string]bool{"read": true, "write": true, "owner": true}}, http.StatusOK, nil)
	start := func(key string) string {
		up, err := cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: aws.String(key)})
		must(t, err)
		_, err = cl.UploadPart(ctx, &s3.UploadPartInput{Bucket: &bucket, Key: aws.String(key), UploadId: up.UploadId, PartNumber: aws.Int32(1),
			Body: bytes.NewReader(bytes.Repeat([]byte(key), 2000))})
		must(t, err)
		return *up.UploadId
	}
	listed := func() []string {
		out, err := cl.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: &bucket})
		must(t, err)
		var ids []string
		for _, u := range out.Uploads {
			ids = append(ids, *u.UploadId)
		}
		return ids
	}
	clean := func(age uint64) uint64 {
		var res uploadsCleaned
		e.call(t, "CleanupIncompleteUploads", nil, map[string]any{"bucketId": b.ID, "olderThanSecs": age}, http.StatusOK, &res)
		return res.UploadsDeleted
	}
	old := start("old")
	time.Sleep(2500 * time.Millisecond)
	young := start("young")
	if n := clean(3600); n != 0 || len(listed()) != 2 {
		t.Fatalf("olderThanSecs 3600: %d deleted, uploads %v; want 0 and both", n, listed())
	}
	if n := clean(2); n != 1 {
		t.Fatalf("olderThanSecs 2: %d deleted, want the old upload only", n)
	}
	if got := listed(); !slices.Equal(got, []string{young}) {
		t.Fatalf("after olderThanSecs 2: uploads %v, want only %s (not %s)", got, young, old)
	}
	var o inspectedObject
	e.call(t, "InspectObject", q("bucketId", b.ID, "key", "old"), nil, http.StatusOK, &o)
	if len(o.Versions) != 1 || !o.Versions[0].Aborted || o.Versions[0].Uploading {
		t.Fatalf("the old upload after cleanup: %+v", o.Versions)
	}
	if n := clean(0); n != 1 || len(listed()) != 0 {
		t.Fatalf("olderThanSecs 0: %d deleted, uploads %v; want 1 and none", n, listed())
	}
	if _, err := cl.UploadPart(ctx, &s3.UploadPartInput{Bucket: &bucket, Key: aws.String("young"), UploadId: &young, PartNumber: aws.Int32(2),
		Body: strings.NewReader("late")}); err == nil {
		t.Fatal("a part of a cleaned-up upload was accepted")
	}

	wantError(t, e.call(t, "CleanupIncompleteUploads", nil, map[string]any{"bucketId": b.ID}, http.StatusBadRequest, nil), http.StatusBadRequest, "InvalidRequest")
	wantError(t, e.call(t, "CleanupIncompleteUploads", nil, map[string]any{"bucketId": "nope", "olderThanSecs": 1}, http.StatusBadRequest, nil), http.StatusBadRequest, "InvalidRequest")
	wantError(t, e.call(t, "CleanupIncompleteUploads", nil, map[string]any{"bucketId": b.ID, "olderThanSecs": -1}, http.StatusBadRequest, nil), http.StatusBadRequest, "InvalidRequest")
	wantError(t, e.call(t, "CleanupIncompleteUploads", nil, map[string]any{"bucketId": strings.Repeat("0", 64), "olderThanSecs": 1}, http.StatusNotFound, nil), http.StatusNotFound, "NoSuchBucket")
}

// health asks /health on node 0 with an Accept header ("" for none).
func (e *env) health(t *testing.T, accept string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.c.Nodes[0].AdminEndpoint+"/health", nil)
	must(t, err)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
	must(t, err)
	defer resp.Body.Close()
	var body bytes.Buffer
	_, err = body.ReadFrom(resp.Body)
	must(t, err)
	return reply{resp.StatusCode, resp.Header, body.Bytes()}
}

func decodeHealth(t *testing.T, r reply) clusterHealth {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("JSON health: content type %q: %s", ct, r.body)
	}
	var h clusterHealth
	d := json.NewDecoder(bytes.NewReader(r.body))
	d.DisallowUnknownFields()
	must(t, d.Decode(&h))
	return h
}

func (e *env) testHealthJSON(t *testing.T) {
	for _, accept := range []string{"", "*/*", "text/plain", "application/json;q=0.5, text/plain", "application/json, text/plain"} {
		r := e.health(t, accept)
		if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") ||
			!strings.HasPrefix(string(r.body), "Garage is fully operational\n") {
			t.Fatalf("Accept %q: %d %s %q", accept, r.status, r.header.Get("Content-Type"), r.body)
		}
	}
	for _, accept := range []string{"application/json", "text/plain;q=0.2, application/json", "application/*"} {
		r := e.health(t, accept)
		if h := decodeHealth(t, r); r.status != http.StatusOK || h.Status != "healthy" || h.StorageNodes != 3 || h.StorageNodesOk != 3 || h.PartitionsAllOk != h.Partitions {
			t.Fatalf("Accept %q: %d %+v", accept, r.status, h)
		}
	}
	must(t, e.c.Kill(1))
	waitFor(t, "a degraded JSON health", func() bool {
		r := e.health(t, "application/json")
		return r.status == http.StatusOK && decodeHealth(t, r).Status == "degraded"
	})
	must(t, e.c.Kill(2))
	waitFor(t, "an unavailable JSON health", func() bool {
		r := e.health(t, "application/json")
		return r.status == http.StatusServiceUnavailable && decodeHealth(t, r).Status == "unavailable"
	})
	if r := e.health(t, ""); r.status != http.StatusServiceUnavailable || !strings.HasPrefix(string(r.body), "Quorum is not available") {
		t.Fatalf("text health, two nodes down: %d %s", r.status, r.body)
	}
}
