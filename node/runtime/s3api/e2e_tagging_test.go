package s3api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	minio "github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/tags"
)

// TestE2ETagging: object and bucket tags through aws-sdk-go-v2, minio-go,
// boto3 and raw HTTP on a 3-node cluster of their own.
func TestE2ETagging(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end tests start a cluster")
	}
	e := startEnv(t, 3)
	for _, tc := range []struct {
		name string
		run  func(*testing.T, *env)
	}{
		{"ObjectTags", testObjectTags},
		{"ObjectTagLimits", testObjectTagLimits},
		{"VersionTags", testVersionTags},
		{"WriteTags", testWriteTags},
		{"CopyTags", testCopyTags},
		{"PostTags", testPostTags},
		{"BucketTags", testBucketTags},
		{"TagPolicies", testTagPolicies},
		{"MinioTags", testMinioTags},
		{"Boto3Tags", testBoto3Tags},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, e)
		})
	}
}

func tagSet(kv ...string) []types.Tag {
	var out []types.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

func tagPairs(ts []types.Tag) []string {
	out := []string{}
	for _, tg := range ts {
		out = append(out, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
	}
	return out
}

// objectTagsOf reads the tags of bucket/key (of version id, if not "").
func objectTagsOf(t *testing.T, cl *s3.Client, bucket, key, id string) []string {
	t.Helper()
	in := &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if id != "" {
		in.VersionId = aws.String(id)
	}
	out, err := cl.GetObjectTagging(testCtx(t), in)
	must(t, err, "get tagging of "+key)
	if id != "" && aws.ToString(out.VersionId) != id {
		t.Errorf("tagging of version %s answered version %q", id, aws.ToString(out.VersionId))
	}
	return tagPairs(out.TagSet)
}

func wantTags(t *testing.T, got []string, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tags %q, want %q", got, want)
	}
}

// taggingCount is the x-amz-tagging-count a GET and a HEAD answer (0 when
// absent), which must agree.
func taggingCount(t *testing.T, cl *s3.Client, bucket, key string) int32 {
	t.Helper()
	ctx := testCtx(t)
	get, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	must(t, err, "get "+key)
	get.Body.Close()
	head, err := cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	must(t, err, "head "+key)
	if aws.ToInt32(get.TagCount) != aws.ToInt32(head.TagCount) {
		t.Errorf("%s: GET counts %d tags, HEAD %d", key, aws.ToInt32(get.TagCount), aws.ToInt32(head.TagCount))
	}
	return aws.ToInt32(get.TagCount)
}

// testObjectTags: PutObjectTagging replaces the tags in place (no new
// ETag or Last-Modified), GetObjectTagging reads them back from any node,
// DeleteObjectTagging removes them, an untagged object answers an empty
// TagSet, and a missing key is NoSuchKey.
func testObjectTags(t *testing.T, e *env) {
	ctx := testCtx(t)
	const bucket = "tags-objects"
	e.createBucket(t, bucket)
	cl := e.s3(t, 0)
	putBytes(t, cl, bucket, "k", []byte("tagged"))
	wantTags(t, objectTagsOf(t, e.s3(t, 1), bucket, "k", ""))
	if n := taggingCount(t, cl, bucket, "k"); n != 0 {
		t.Errorf("an untagged object counts %d tags", n)
	}
	before, err := cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")})
	must(t, err, "head")
	time.Sleep(1100 * time.Millisecond) // a new Last-Modified would differ by a second
	_, err = cl.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("k"),
		Tagging: &types.Tagging{TagSet: tagSet("project", "blue", "empty", "", "ünï cødé", "välue/with spaces+&=")}})
	must(t, err, "put tagging")
	wantTags(t, objectTagsOf(t, e.s3(t, 2), bucket, "k", ""), "project=blue", "empty=", "ünï cødé=välue/with spaces+&=")
	if n := taggingCount(t, e.s3(t, 1), bucket, "k"); n != 3 {
		t.Errorf("x-amz-tagging-count %d, want 3", n)
	}
	after, err := cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")})
	must(t, err, "head after tagging")
	if aws.ToString(after.ETag) != aws.ToString(before.ETag) || !after.LastModified.Equal(*before.LastModified) {
		t.Errorf("tagging changed the object: ETag %s -> %s, Last-Modified %v -> %v",
			aws.ToString(before.ETag), aws.ToString(after.ETag), before.LastModified, after.LastModified)
	}
	if got := getBytes(t, cl, bucket, "k"); string(got) != "tagged" {
		t.Errorf("the data became %q", got)
	}
	// A second put replaces the set whole.
	_, err = cl.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("k"),
		Tagging: &types.Tagging{TagSet: tagSet("only", "one")}})
	must(t, err, "replace tagging")
	wantTags(t, objectTagsOf(t, cl, bucket, "k", ""), "only=one")
	_, err = e.s3(t, 1).DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("k")})
	must(t, err, "delete tagging")
	wantTags(t, objectTagsOf(t, e.s3(t, 2), bucket, "k", ""))
	if n := taggingCount(t, cl, bucket, "k"); n != 0 {
		t.Errorf("after DeleteObjectTagging: %d tags counted", n)
	}
	// Tags given at creation are overridden by a put, and a delete leaves
	// none, not the creation's.
	_, err = cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("created"), Body: strings.NewReader("x"), Tagging: aws.String("a=1&b=2")})
	must(t, err, "put with tags")
	_, err = cl.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("created")})
	must(t, err, "delete creation tags")
	wantTags(t, objectTagsOf(t, cl, bucket, "created", ""))

	for name, err := range map[string]error{
		"get": func() error {
			_, err := cl.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("missing")})
			return err
		}(),
		"put": func() error {
			_, err := cl.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("missing"), Tagging: &types.Tagging{TagSet: tagSet("a", "b")}})
			return err
		}(),
		"delete": func() error {
			_, err := cl.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("missing")})
			return err
		}(),
	} {
		t.Run(name+" of a missing key", func(t *testing.T) { wantAPIError(t, err, "NoSuchKey", http.StatusNotFound) })
	}
	wantAbsentIn(t, e, bucket, "missing")
}

// testObjectTagLimits: AWS's limits are refused with InvalidTag, a body
// that is no Tagging document with MalformedXML, a bad x-amz-tagging with
// InvalidArgument; a refused request changes nothing.
func testObjectTagLimits(t *testing.T, e *env) {
	ctx := testCtx(t)
	const bucket = "tags-limits"
	e.createBucket(t, bucket)
	cl := e.s3(t, 0, noRetries)
	_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), Body: strings.NewReader("x"), Tagging: aws.String("keep=me")})
	must(t, err, "put")
	ten := []string{}
	for i := range 10 {
		ten = append(ten, fmt.Sprintf("k%d", i), "v")
	}
	_, err = cl.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("k"), Tagging: &types.Tagging{TagSet: tagSet(ten...)}})
	must(t, err, "ten tags")
	for name, set := range map[string][]types.Tag{
		"eleven tags":    tagSet(append(ten, "k10", "v")...),
		"long key":       tagSet(strings.Repeat("k", 129), "v"),
		"long value":     tagSet("k", strings.Repeat("v", 257)),
		"long unicode":   tagSet(strings.Repeat("é", 129), "v"),
		"duplicate keys": tagSet("k", "1", "k", "2"),
		"empty key":      tagSet("", "v"),
	} {
		_, err := cl.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("k"), Tagging: &types.Tagging{TagSet: set}})
		t.Run(name, func(t *testing.T) { wantAPIError(t, err, "InvalidTag", http.StatusBadRequest) })
	}
	// The longest key and value, counted in characters, not bytes.
	_, err = cl.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("k"),
		Tagging: &types.Tagging{TagSet: tagSet(strings.Repeat("é", 128), strings.Repeat("日", 256))}})
	must(t, err, "longest key and value")
	if got := objectTagsOf(t, cl, bucket, "k", ""); len(got) != 1 {
		t.Errorf("longest tag: %q", got)
	}
	// Over the header: the same limits, and the header's own encoding.
	for name, c := range map[string]struct{ header, code string }{
		"eleven in the header": {strings.Repeat("a=1&", 0) + "k0=v&k1=v&k2=v&k3=v&k4=v&k5=v&k6=v&k7=v&k8=v&k9=v&k10=v", "InvalidTag"},
		"duplicate in header":  {"a=1&a=2", "InvalidArgument"},
		"misencoded header":    {"a=%zz", "InvalidArgument"},
	} {
		_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("refused"), Body: strings.NewReader("x"), Tagging: aws.String(c.header)})
		t.Run(name, func(t *testing.T) { wantAPIError(t, err, c.code, http.StatusBadRequest) })
	}
	wantAbsentIn(t, e, bucket, "refused")
	// Bodies that are no Tagging document, over raw HTTP.
	u := e.c.Nodes[1].Endpoint + "/" + bucket + "/k?tagging"
	for _, body := range []string{"", "<Tagging>", "<Tagging></Tagging>", "<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>", "<NotTagging/>"} {
		wantHTTPError(t, httpDo(t, signedRequest(t, e, http.MethodPut, u, []byte(body), time.Now(), "")), "MalformedXML", http.StatusBadRequest)
	}
	if got := objectTagsOf(t, cl, bucket, "k", ""); len(got) != 1 || !strings.HasPrefix(got[0], "éé") {
		t.Errorf("refused requests changed the tags: %q", got)
	}
}

// testVersionTags: with versionId, tagging reads and changes one version
// and leaves the others as they were; a delete marker cannot be tagged
// (405 MethodNotAllowed), and a key whose current version is a marker is
// NoSuchKey without a versionId.
func testVersionTags(t *testing.T, e *env) {
	ctx := testCtx(t)
	const bucket = "tags-versions"
	e.createBucket(t, bucket)
	cl := e.s3(t, 0, noRetries)
	setVersioning(ctx, t, cl, bucket, types.BucketVersioningStatusEnabled)
	v1, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), Body: strings.NewReader("one"), Tagging: aws.String("gen=1")})
	must(t, err, "put v1")
	v2, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), Body: strings.NewReader("two"), Tagging: aws.String("gen=2")})
	must(t, err, "put v2")
	id1, id2 := aws.ToString(v1.VersionId), aws.ToString(v2.VersionId)
	wantTags(t, objectTagsOf(t, e.s3(t, 1), bucket, "k", ""), "gen=2")
	wantTags(t, objectTagsOf(t, e.s3(t, 2), bucket, "k", id1), "gen=1")

	out, err := cl.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("k"), VersionId: aws.String(id1),
		Tagging: &types.Tagging{TagSet: tagSet("gen", "old", "retagged", "yes")}})
	must(t, err, "tag v1")
	if aws.ToString(out.VersionId) != id1 {
		t.Errorf("tagging v1 answered version %q", aws.ToString(out.VersionId))
	}
	wantTags(t, objectTagsOf(t, cl, bucket, "k", id1), "gen=old", "retagged=yes")
	wantTags(t, objectTagsOf(t, cl, bucket, "k", id2), "gen=2")
	wantTags(t, objectTagsOf(t, cl, bucket, "k", ""), "gen=2")
	if got := getVersion(ctx, t, cl, bucket, "k", id1); got != "one" {
		t.Errorf("v1 reads %q", got)
	}
	// Tagging made no version: still v2 over v1.
	if ids := listVersionIDs(ctx, t, cl, bucket, "k", 100); !reflect.DeepEqual(ids, []string{id2, id1}) {
		t.Errorf("versions %v, want [%s %s]", ids, id2, id1)
	}
	_, err = cl.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("k"), VersionId: aws.String(id2)})
	must(t, err, "untag v2")
	wantTags(t, objectTagsOf(t, cl, bucket, "k", id2))
	wantTags(t, objectTagsOf(t, cl, bucket, "k", id1), "gen=old", "retagged=yes")

	del, err := cl.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")})
	must(t, err, "delete")
	marker := aws.ToString(del.VersionId)
	_, err = cl.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("k"), VersionId: aws.String(marker),
		Tagging: &types.Tagging{TagSet: tagSet("a", "b")}})
	wantAPIError(t, err, "MethodNotAllowed", http.StatusMethodNotAllowed)
	_, err = cl.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("k"), VersionId: aws.String(marker)})
	wantAPIError(t, err, "MethodNotAllowed", http.StatusMethodNotAllowed)
	_, err = cl.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("k")})
	wantAPIError(t, err, "NoSuchKey", http.StatusNotFound)
	_, err = cl.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("k"),
		Tagging: &types.Tagging{TagSet: tagSet("a", "b")}})
	wantAPIError(t, err, "NoSuchKey", http.StatusNotFound)
	// The old versions keep their tags and can still be tagged.
	wantTags(t, objectTagsOf(t, cl, bucket, "k", id1), "gen=old", "retagged=yes")
	_, err = cl.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("k"), VersionId: aws.String("0123456789abcdef0123456789abcdef")})
	wantAPIError(t, err, "NoSuchVersion", http.StatusNotFound)
	_, err = cl.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("k"), VersionId: aws.String("not-an-id")})
	wantAPIError(t, err, "InvalidArgument", http.StatusBadRequest)
}

// testWriteTags: x-amz-tagging on PutObject and CreateMultipartUpload (the
// completed object gets them), and x-amz-tagging-count.
func testWriteTags(t *testing.T, e *env) {
	ctx := testCtx(t)
	const bucket = "tags-writes"
	e.createBucket(t, bucket)
	cl := e.s3(t, 0)
	_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("put"), Body: strings.NewReader("x"),
		Tagging: aws.String("a=1&b%20c=x%2By&flag")})
	must(t, err, "put with tags")
	wantTags(t, objectTagsOf(t, e.s3(t, 1), bucket, "put", ""), "a=1", "b c=x+y", "flag=")
	if n := taggingCount(t, e.s3(t, 2), bucket, "put"); n != 3 {
		t.Errorf("x-amz-tagging-count %d, want 3", n)
	}
	// The internal header never reaches a client.
	head, err := cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("put")})
	must(t, err, "head")
	for k := range head.Metadata {
		if strings.Contains(strings.ToLower(k), "tag") {
			t.Errorf("metadata %q leaked", k)
		}
	}
	resp := httpDo(t, newRequest(t, http.MethodGet, presignGet(t, cl, bucket, "put"), nil))
	readAll(t, resp.Body)
	for name := range resp.Header {
		if strings.HasPrefix(strings.ToLower(name), "x-garage-tag") {
			t.Errorf("GET answered the internal header %s", name)
		}
	}

	up, err := cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mp"), Tagging: aws.String("multi=part")})
	must(t, err, "create upload")
	part, err := cl.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("part one")})
	must(t, err, "upload part")
	_, err = cl.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mp"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}}})
	must(t, err, "complete")
	wantTags(t, objectTagsOf(t, e.s3(t, 1), bucket, "mp", ""), "multi=part")
	_, err = e.s3(t, 0, noRetries).CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mp2"), Tagging: aws.String("k=" + strings.Repeat("v", 257))})
	wantAPIError(t, err, "InvalidTag", http.StatusBadRequest)
}

// testCopyTags: a copy takes its source's tags (as they are now, after a
// PutObjectTagging), or with REPLACE the request's (none without
// x-amz-tagging); an unknown directive is InvalidArgument.
func testCopyTags(t *testing.T, e *env) {
	ctx := testCtx(t)
	const bucket = "tags-copy"
	e.createBucket(t, bucket)
	cl := e.s3(t, 0, noRetries)
	_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("src"), Body: strings.NewReader("source"), Tagging: aws.String("at=creation")})
	must(t, err, "put source")
	_, err = cl.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("src"), Tagging: &types.Tagging{TagSet: tagSet("set", "later")}})
	must(t, err, "retag source")
	src := aws.String(bucket + "/src")
	for _, c := range []struct {
		key, directive, tagging string
		want                    []string
	}{
		{"default", "", "", []string{"set=later"}},
		{"copy", "COPY", "ignored=yes", []string{"set=later"}},
		{"replace", "REPLACE", "new=tags&x=y", []string{"new=tags", "x=y"}},
		{"replace-none", "REPLACE", "", []string{}},
	} {
		in := &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String(c.key), CopySource: src, TaggingDirective: types.TaggingDirective(c.directive)}
		if c.tagging != "" {
			in.Tagging = aws.String(c.tagging)
		}
		_, err := cl.CopyObject(ctx, in)
		must(t, err, "copy "+c.key)
		wantTags(t, objectTagsOf(t, e.s3(t, 1), bucket, c.key, ""), c.want...)
	}
	_, err = cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("bad"), CopySource: src, TaggingDirective: "MERGE"})
	wantAPIError(t, err, "InvalidArgument", http.StatusBadRequest)
	_, err = cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("bad"), CopySource: src, TaggingDirective: types.TaggingDirectiveReplace,
		Tagging: aws.String(strings.Repeat("k", 129) + "=v")})
	wantAPIError(t, err, "InvalidTag", http.StatusBadRequest)
	wantAbsentIn(t, e, bucket, "bad")
	// The source is unchanged.
	wantTags(t, objectTagsOf(t, cl, bucket, "src", ""), "set=later")
}

// testPostTags: PostObject's tagging field is a Tagging document.
func testPostTags(t *testing.T, e *env) {
	const bucket = "tags-post"
	e.createBucket(t, bucket)
	doc := `<Tagging><TagSet><Tag><Key>via</Key><Value>form</Value></Tag></TagSet></Tagging>`
	u := e.c.Nodes[0].Endpoint + "/" + bucket
	f := policyForm(t, e, []any{eq("bucket", bucket), eq("key", "posted"), eq("tagging", doc)}, "key", "posted", "tagging", doc)
	wantPosted(t, e, sendPostForm(t, u, f), http.StatusNoContent, bucket, "posted", f.file)
	wantTags(t, objectTagsOf(t, e.s3(t, 2), bucket, "posted", ""), "via=form")

	bad := policyForm(t, e, []any{eq("bucket", bucket), eq("key", "refused"), []any{"starts-with", "$tagging", ""}}, "key", "refused", "tagging", "a=b")
	resp := sendPostForm(t, u, bad)
	wantHTTPError(t, resp, "MalformedXML", http.StatusBadRequest)
	wantAbsentIn(t, e, bucket, "refused")
}

// testBucketTags: Put/Get/DeleteBucketTagging, NoSuchTagSet without tags,
// and the limits (50 tags, no aws: keys).
func testBucketTags(t *testing.T, e *env) {
	ctx := testCtx(t)
	const bucket = "tags-bucket"
	e.createBucket(t, bucket)
	cl := e.s3(t, 0, noRetries)
	_, err := cl.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(bucket)})
	wantAPIError(t, err, "NoSuchTagSet", http.StatusNotFound)
	var fifty []string
	for i := range 50 {
		fifty = append(fifty, fmt.Sprintf("key%02d", i), fmt.Sprint(i))
	}
	_, err = cl.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(bucket), Tagging: &types.Tagging{TagSet: tagSet(fifty...)}})
	must(t, err, "fifty bucket tags")
	got, err := e.s3(t, 1).GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(bucket)})
	must(t, err, "get bucket tagging")
	if len(got.TagSet) != 50 || aws.ToString(got.TagSet[7].Key) != "key07" || aws.ToString(got.TagSet[7].Value) != "7" {
		t.Errorf("bucket tags: %q", tagPairs(got.TagSet))
	}
	for name, set := range map[string][]types.Tag{
		"51 tags":   tagSet(append(fifty, "one", "more")...),
		"aws: key":  tagSet("aws:cloudformation:stack-name", "x"),
		"duplicate": tagSet("a", "1", "a", "2"),
		"long key":  tagSet(strings.Repeat("k", 129), "v"),
	} {
		_, err := cl.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(bucket), Tagging: &types.Tagging{TagSet: set}})
		t.Run(name, func(t *testing.T) { wantAPIError(t, err, "InvalidTag", http.StatusBadRequest) })
	}
	wantHTTPError(t, httpDo(t, signedRequest(t, e, http.MethodPut, e.c.Nodes[0].Endpoint+"/"+bucket+"?tagging", []byte("<Tagging/>"), time.Now(), "")), "MalformedXML", http.StatusBadRequest)
	got, err = cl.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(bucket)})
	must(t, err, "get bucket tagging after refusals")
	if len(got.TagSet) != 50 {
		t.Errorf("refused requests changed the bucket tags: %d", len(got.TagSet))
	}
	_, err = cl.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(bucket), Tagging: &types.Tagging{TagSet: tagSet("team", "storage")}})
	must(t, err, "replace bucket tags")
	got, err = e.s3(t, 2).GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(bucket)})
	must(t, err, "get replaced")
	wantTags(t, tagPairs(got.TagSet), "team=storage")
	_, err = cl.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: aws.String(bucket)})
	must(t, err, "delete bucket tagging")
	_, err = e.s3(t, 1).GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(bucket)})
	wantAPIError(t, err, "NoSuchTagSet", http.StatusNotFound)
	_, err = cl.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("tags-no-such-bucket")})
	wantAPIError(t, err, "NoSuchBucket", http.StatusNotFound)
}

// testTagPolicies: a bucket policy's s3:ExistingObjectTag condition sees
// an object's tags, those it was written with and those set later.
func testTagPolicies(t *testing.T, e *env) {
	ctx := testCtx(t)
	const bucket = "tags-policy"
	e.createBucket(t, bucket)
	own := e.s3(t, 0, noRetries)
	anon := newS3(t, e.c.Nodes[1].Endpoint, "", "", anonymous, noRetries)
	_, err := own.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("public"), Body: strings.NewReader("for all"), Tagging: aws.String("visibility=public")})
	must(t, err, "put public")
	_, err = own.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("secret"), Body: strings.NewReader("hidden"), Tagging: aws.String("class=secret")})
	must(t, err, "put secret")
	putBytes(t, own, bucket, "plain", []byte("untagged"))
	must(t, putPolicy(t, own, bucket, `{"Statement": [
	  {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::tags-policy/*",
	   "Condition": {"StringEquals": {"s3:ExistingObjectTag/visibility": "public"}}},
	  {"Effect": "Deny", "Principal": "*", "Action": ["s3:GetObject", "s3:GetObjectTagging"], "Resource": "arn:aws:s3:::tags-policy/*",
	   "Condition": {"StringEquals": {"s3:ExistingObjectTag/class": "secret"}}}]}`), "put policy")
	wantReadable(t, anon, bucket, "public", "for all")
	wantDenied(t, anon, bucket, "plain")
	wantDenied(t, own, bucket, "secret")
	_, err = own.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("secret")})
	wantAPIError(t, err, "AccessDenied", http.StatusForbidden)
	wantReadable(t, own, bucket, "plain", "untagged")
	// Tags set in place count at once.
	_, err = own.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("plain"), Tagging: &types.Tagging{TagSet: tagSet("visibility", "public")}})
	must(t, err, "publish plain")
	wantReadable(t, anon, bucket, "plain", "untagged")
	_, err = own.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("secret"), Tagging: &types.Tagging{TagSet: tagSet("class", "open")}})
	must(t, err, "declassify")
	wantReadable(t, own, bucket, "secret", "hidden")
	_, err = own.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("public")})
	must(t, err, "unpublish")
	wantDenied(t, anon, bucket, "public")
}

// testMinioTags: minio-go's tagging calls, and its UserTags on PutObject.
func testMinioTags(t *testing.T, e *env) {
	ctx := testCtx(t)
	const bucket = "tags-minio"
	e.createBucket(t, bucket)
	mc := e.minio(t, 1)
	_, err := mc.PutObject(ctx, bucket, "obj", bytes.NewReader([]byte("minio")), 5, minio.PutObjectOptions{UserTags: map[string]string{"from": "minio", "n": "1"}})
	must(t, err, "minio put with tags")
	got, err := mc.GetObjectTagging(ctx, bucket, "obj", minio.GetObjectTaggingOptions{})
	must(t, err, "minio get tagging")
	if m := got.ToMap(); !reflect.DeepEqual(m, map[string]string{"from": "minio", "n": "1"}) {
		t.Errorf("minio tags %v", m)
	}
	st, err := mc.StatObject(ctx, bucket, "obj", minio.StatObjectOptions{})
	must(t, err, "stat")
	if st.UserTagCount != 2 {
		t.Errorf("minio UserTagCount %d, want 2", st.UserTagCount)
	}
	set, err := tags.NewTags(map[string]string{"replaced": "yes"}, true)
	must(t, err, "tags")
	must(t, mc.PutObjectTagging(ctx, bucket, "obj", set, minio.PutObjectTaggingOptions{}), "minio put tagging")
	wantTags(t, objectTagsOf(t, e.s3(t, 0), bucket, "obj", ""), "replaced=yes")
	must(t, mc.RemoveObjectTagging(ctx, bucket, "obj", minio.RemoveObjectTaggingOptions{}), "minio remove tagging")
	wantTags(t, objectTagsOf(t, e.s3(t, 2), bucket, "obj", ""))

	bset, err := tags.NewTags(map[string]string{"cost-centre": "42"}, false)
	must(t, err, "bucket tags")
	must(t, mc.SetBucketTagging(ctx, bucket, bset), "minio set bucket tagging")
	bgot, err := mc.GetBucketTagging(ctx, bucket)
	must(t, err, "minio get bucket tagging")
	if m := bgot.ToMap(); !reflect.DeepEqual(m, map[string]string{"cost-centre": "42"}) {
		t.Errorf("minio bucket tags %v", m)
	}
	must(t, mc.RemoveBucketTagging(ctx, bucket), "minio remove bucket tagging")
	_, err = mc.GetBucketTagging(ctx, bucket)
	if minio.ToErrorResponse(err).Code != "NoSuchTagSet" {
		t.Errorf("minio get of removed bucket tags: %v", err)
	}
}

// testBoto3Tags: boto3's tagging calls and their refusals.
func testBoto3Tags(t *testing.T, e *env) {
	e.createBucket(t, "tags-boto3")
	got := e.boto3(t, 2, `
b = "tags-boto3"
s3.put_object(Bucket=b, Key="k", Body=b"boto", Tagging="a=1&b=two%20words")
tags = s3.get_object_tagging(Bucket=b, Key="k")["TagSet"]
count = s3.head_object(Bucket=b, Key="k").get("TagCount")
if count is None:
    count = int(s3.head_object(Bucket=b, Key="k")["ResponseMetadata"]["HTTPHeaders"].get("x-amz-tagging-count", 0))
s3.put_object_tagging(Bucket=b, Key="k", Tagging={"TagSet": [{"Key": "z", "Value": "last"}]})
after = s3.get_object_tagging(Bucket=b, Key="k")["TagSet"]
eleven = error_code(lambda: s3.put_object_tagging(Bucket=b, Key="k", Tagging={"TagSet": [{"Key": "k%d" % i, "Value": "v"} for i in range(11)]}))
nobucket = error_code(lambda: s3.get_bucket_tagging(Bucket=b))
s3.put_bucket_tagging(Bucket=b, Tagging={"TagSet": [{"Key": "env", "Value": "test"}]})
btags = s3.get_bucket_tagging(Bucket=b)["TagSet"]
s3.delete_bucket_tagging(Bucket=b)
gone = error_code(lambda: s3.get_bucket_tagging(Bucket=b))
print(json.dumps({"tags": tags, "count": count, "after": after, "eleven": eleven, "nobucket": nobucket, "btags": btags, "gone": gone}, sort_keys=True))
`)
	want := `{"after": [{"Key": "z", "Value": "last"}], "btags": [{"Key": "env", "Value": "test"}], "count": 2, "eleven": "InvalidTag", "gone": "NoSuchTagSet", "nobucket": "NoSuchTagSet", "tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "two words"}]}`
	if got != want {
		t.Errorf("boto3 saw\n%s\nwant\n%s", got, want)
	}
}
