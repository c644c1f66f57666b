package s3api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"
)

// TestE2EVersioning drives a versioned bucket through aws-sdk-go-v2 on a
// 3-node cluster, each request on another node: versions kept, read and
// copied by id, delete markers, deletion by id, ListObjectVersions with
// pages, the null version from before versioning and under suspension,
// and the refusals S3 answers.
func TestE2EVersioning(t *testing.T) {
	e := startEnv(t, 3)
	ctx := testCtx(t)
	const bucket = "versioned"
	e.createBucket(t, bucket)
	cl := func(i int) *s3.Client { return e.s3(t, i%3) }

	status := func(i int) types.BucketVersioningStatus {
		out, err := cl(i).GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(bucket)})
		must(t, err, "get versioning")
		return out.Status
	}
	if s := status(0); s != "" {
		t.Fatalf("a new bucket's versioning is %q, want unset", s)
	}
	putBytes(t, cl(0), bucket, "k", []byte("null version"))
	setVersioning(ctx, t, cl(1), bucket, types.BucketVersioningStatusEnabled)
	if s := status(2); s != types.BucketVersioningStatusEnabled {
		t.Fatalf("versioning %q after enabling", s)
	}

	var ids []string
	for i, body := range []string{"first", "second", "third"} {
		out, err := cl(i).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), Body: bytes.NewReader([]byte(body))})
		must(t, err, "versioned put")
		if out.VersionId == nil || *out.VersionId == "" || *out.VersionId == "null" {
			t.Fatalf("put %d answered version id %v", i, out.VersionId)
		}
		ids = append(ids, *out.VersionId)
	}
	for i, want := range []string{"first", "second", "third"} {
		if got := getVersion(ctx, t, cl(i+1), bucket, "k", ids[i]); got != want {
			t.Fatalf("version %s reads %q, want %q", ids[i], got, want)
		}
	}
	if got := getVersion(ctx, t, cl(0), bucket, "k", "null"); got != "null version" {
		t.Fatalf("the null version reads %q", got)
	}
	if got := string(getBytes(t, cl(1), bucket, "k")); got != "third" {
		t.Fatalf("current version reads %q", got)
	}

	// A copy of an old version becomes the newest.
	cp, err := cl(2).CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"),
		CopySource: aws.String(bucket + "/k?versionId=" + ids[0])})
	must(t, err, "copy a version")
	if cp.CopySourceVersionId == nil || *cp.CopySourceVersionId != ids[0] || cp.VersionId == nil {
		t.Fatalf("copy answered source version %v, version %v", cp.CopySourceVersionId, cp.VersionId)
	}
	ids = append(ids, *cp.VersionId)
	if got := string(getBytes(t, cl(0), bucket, "k")); got != "first" {
		t.Fatalf("after copying the first version over, the object reads %q", got)
	}

	// A delete adds a marker: GET is 404 with x-amz-delete-marker, the
	// versions stay.
	del, err := cl(0).DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")})
	must(t, err, "delete")
	if del.DeleteMarker == nil || !*del.DeleteMarker || del.VersionId == nil {
		t.Fatalf("delete answered marker %v version %v", del.DeleteMarker, del.VersionId)
	}
	marker := *del.VersionId
	_, err = cl(1).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")})
	wantAPIError(t, err, "NoSuchKey", 404)
	_, err = cl(1).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), VersionId: aws.String(marker)})
	wantAPIError(t, err, "MethodNotAllowed", 405)
	_, err = cl(2).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), VersionId: aws.String("0123456789abcdef0123456789abcdef")})
	wantAPIError(t, err, "NoSuchVersion", 404)
	_, err = cl(2).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), VersionId: aws.String("not-a-version")})
	wantAPIError(t, err, "InvalidArgument", 400)

	// Every version, newest first, in pages of two.
	want := []string{marker, ids[3], ids[2], ids[1], ids[0], "null"}
	if got := listVersionIDs(ctx, t, cl(1), bucket, "k", 2); !slices.Equal(got, want) {
		t.Fatalf("versions %v, want %v", got, want)
	}
	if _, err := cl(0).DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)}); err == nil {
		t.Fatal("a bucket holding versions was deleted")
	}

	// Deleting the marker by id brings the copy back; deleting versions
	// by id removes them for good.
	dm, err := cl(2).DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), VersionId: aws.String(marker)})
	must(t, err, "delete the marker")
	if dm.DeleteMarker == nil || !*dm.DeleteMarker {
		t.Fatal("deleting a marker by id did not say it was a marker")
	}
	if got := string(getBytes(t, cl(0), bucket, "k")); got != "first" {
		t.Fatalf("after deleting the marker the object reads %q", got)
	}
	dels, err := cl(1).DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("k"), VersionId: aws.String(ids[3])}, {Key: aws.String("k"), VersionId: aws.String(ids[1])}}}})
	must(t, err, "delete versions")
	if len(dels.Deleted) != 2 || len(dels.Errors) != 0 {
		t.Fatalf("DeleteObjects: %d deleted, %v", len(dels.Deleted), dels.Errors)
	}
	if got := string(getBytes(t, cl(2), bucket, "k")); got != "third" {
		t.Fatalf("after deleting the newest version the object reads %q, want the previous one", got)
	}
	if got := listVersionIDs(ctx, t, cl(0), bucket, "", 1000); !slices.Equal(got, []string{ids[2], ids[0], "null"}) {
		t.Fatalf("versions after deletions %v", got)
	}

	// Suspended: a put replaces the null version, the others stay.
	setVersioning(ctx, t, cl(0), bucket, types.BucketVersioningStatusSuspended)
	out, err := cl(1).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), Body: bytes.NewReader([]byte("suspended"))})
	must(t, err, "put while suspended")
	if out.VersionId == nil || *out.VersionId != "null" {
		t.Fatalf("a put while suspended answered version %v, want null", out.VersionId)
	}
	if got := listVersionIDs(ctx, t, cl(2), bucket, "", 1000); !slices.Equal(got, []string{"null", ids[2], ids[0]}) {
		t.Fatalf("versions after a suspended put %v", got)
	}
	if got := getVersion(ctx, t, cl(0), bucket, "k", "null"); got != "suspended" {
		t.Fatalf("the null version reads %q", got)
	}

	// minio-go lists the same versions and removes them all; the bucket
	// can then go.
	mc := e.minio(t, 2)
	var seen []minio.ObjectInfo
	for o := range mc.ListObjects(ctx, bucket, minio.ListObjectsOptions{WithVersions: true, Recursive: true}) {
		must(t, o.Err, "minio list versions")
		seen = append(seen, o)
	}
	if len(seen) != 3 || !seen[0].IsLatest || seen[1].IsLatest {
		t.Fatalf("minio-go listed %d versions: %+v", len(seen), seen)
	}
	for _, o := range seen {
		must(t, mc.RemoveObject(ctx, bucket, o.Key, minio.RemoveObjectOptions{VersionID: o.VersionID}), "minio remove version")
	}
	_, err = cl(0).DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
	must(t, err, "delete the emptied bucket")
}

// TestE2EUnversionedBucketListsVersions: ListObjectVersions works on a
// bucket that never had versioning, listing each object once with version
// id null and no trace of deleted objects, as S3 does.
func TestE2EUnversionedBucketListsVersions(t *testing.T) {
	e := startEnv(t, 3)
	ctx := testCtx(t)
	e.createBucket(t, "plain")
	for i := range 3 {
		putBytes(t, e.s3(t, i), "plain", fmt.Sprintf("k%d", i), []byte("x"))
	}
	_, err := e.s3(t, 1).DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("plain"), Key: aws.String("k1")})
	must(t, err, "delete")
	out, err := e.s3(t, 2).ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("plain")})
	must(t, err, "list versions")
	if len(out.Versions) != 2 || len(out.DeleteMarkers) != 0 {
		t.Fatalf("%d versions and %d markers, want 2 and 0", len(out.Versions), len(out.DeleteMarkers))
	}
	for _, v := range out.Versions {
		if aws.ToString(v.VersionId) != "null" || !aws.ToBool(v.IsLatest) {
			t.Fatalf("version %+v", v)
		}
	}
	// versionId=null addresses the object; another id is no such version.
	if got := getVersion(ctx, t, e.s3(t, 0), "plain", "k0", "null"); got != "x" {
		t.Fatalf("k0?versionId=null reads %q", got)
	}
	// Not a versioned bucket: no version id in answers.
	put, err := e.s3(t, 0).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("plain"), Key: aws.String("k3"), Body: bytes.NewReader(nil)})
	must(t, err, "put")
	if put.VersionId != nil {
		t.Fatalf("an unversioned put answered version %q", *put.VersionId)
	}
}

func setVersioning(ctx context.Context, t *testing.T, cl *s3.Client, bucket string, s types.BucketVersioningStatus) {
	t.Helper()
	_, err := cl.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: s}})
	must(t, err, "put versioning "+string(s))
}

func getVersion(ctx context.Context, t *testing.T, cl *s3.Client, bucket, key, id string) string {
	t.Helper()
	out, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: aws.String(id)})
	must(t, err, "get version "+id)
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	must(t, err, "read version "+id)
	if aws.ToString(out.VersionId) != id {
		t.Fatalf("get of version %s answered version %q", id, aws.ToString(out.VersionId))
	}
	return string(b)
}

// listVersionIDs lists every version and delete marker under prefix, in
// pages of pageSize, in listing order (S3's SDK splits the two kinds; a
// page holds one key's versions newest first, markers among them).
func listVersionIDs(ctx context.Context, t *testing.T, cl *s3.Client, bucket, prefix string, pageSize int32) []string {
	t.Helper()
	type entry struct {
		key, id  string
		modified int64
		latest   bool
	}
	var out []string
	in := &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), Prefix: aws.String(prefix), MaxKeys: aws.Int32(pageSize)}
	for range 100 {
		page, err := cl.ListObjectVersions(ctx, in)
		must(t, err, "list versions")
		var es []entry
		for _, v := range page.Versions {
			es = append(es, entry{aws.ToString(v.Key), aws.ToString(v.VersionId), v.LastModified.UnixNano(), aws.ToBool(v.IsLatest)})
		}
		for _, m := range page.DeleteMarkers {
			es = append(es, entry{aws.ToString(m.Key), aws.ToString(m.VersionId), m.LastModified.UnixNano(), aws.ToBool(m.IsLatest)})
		}
		// Back in listing order: by key, newest first.
		slices.SortStableFunc(es, func(a, b entry) int {
			if a.key != b.key {
				if a.key < b.key {
					return -1
				}
				return 1
			}
			switch {
			case a.latest != b.latest:
				if a.latest {
					return -1
				}
				return 1
			case a.modified > b.modified:
				return -1
			case a.modified < b.modified:
				return 1
			}
			return 0
		})
		for _, x := range es {
			out = append(out, x.id)
		}
		if !aws.ToBool(page.IsTruncated) {
			return out
		}
		in.KeyMarker, in.VersionIdMarker = page.NextKeyMarker, page.NextVersionIdMarker
	}
	t.Fatal("ListObjectVersions never ended")
	return nil
}

// TestE2EObjectACLOfVersions: in a versioned bucket, PutObjectAcl changes
// the ACL of the version it names (or the current one) in place: no new
// version, and the other versions keep theirs.
func TestE2EObjectACLOfVersions(t *testing.T) {
	e := startEnv(t, 3)
	ctx := testCtx(t)
	const bucket = "versioned-acl"
	e.createBucket(t, bucket)
	cl := e.s3(t, 0)
	if _, err := cl.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String(bucket),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}}}}); err != nil {
		t.Fatalf("enable ACLs: %v", err)
	}
	setVersioning(ctx, t, cl, bucket, types.BucketVersioningStatusEnabled)
	first, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), Body: bytes.NewReader([]byte("one"))})
	must(t, err, "put v1")
	putBytes(t, cl, bucket, "k", []byte("two"))
	_, err = e.s3(t, 1).PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String(bucket), Key: aws.String("k"), VersionId: first.VersionId,
		ACL: types.ObjectCannedACLPublicRead})
	must(t, err, "put the ACL of v1")
	if ids := listVersionIDs(ctx, t, cl, bucket, "k", 100); len(ids) != 2 {
		t.Fatalf("versions after PutObjectAcl: %v, want the two written", ids)
	}
	public := func(version *string) bool {
		got, err := e.s3(t, 2).GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String(bucket), Key: aws.String("k"), VersionId: version})
		must(t, err, "get acl")
		for _, g := range got.Grants {
			if g.Grantee != nil && aws.ToString(g.Grantee.URI) == "http://acs.amazonaws.com/groups/global/AllUsers" {
				return true
			}
		}
		return false
	}
	if !public(first.VersionId) || public(nil) {
		t.Fatalf("v1 public %v (want true), current public %v (want false)", public(first.VersionId), public(nil))
	}
}
