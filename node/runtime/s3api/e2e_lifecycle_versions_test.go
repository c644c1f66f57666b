package s3api_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/garagego/garage/internal/localcluster"
	"github.com/garagego/garage/node/runtime/s3api"
)

// TestE2ELifecycleVersions runs lifecycle passes, as of a clock 40 days
// ahead, over a versioned bucket on a cluster of its own (a pass covers
// every bucket, so it would act on other tests'): rules filtering by tags
// (set at creation and in place) and by size, noncurrent versions expiring
// with the newest kept, and a lone delete marker removed while one with a
// version behind it stays.
func TestE2ELifecycleVersions(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end tests start a cluster")
	}
	e := startEnv(t, 3)
	ctx := testCtx(t)
	cl := e.s3(t, 0, noRetries)
	const bucket = "lifecycle-versions"
	e.createBucket(t, bucket)
	setVersioning(ctx, t, cl, bucket, types.BucketVersioningStatusEnabled)

	put := func(key, body, tagging string) string {
		t.Helper()
		in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)}
		if tagging != "" {
			in.Tagging = aws.String(tagging)
		}
		out, err := cl.PutObject(ctx, in)
		must(t, err, "put "+key)
		return aws.ToString(out.VersionId)
	}
	del := func(key, id string) string {
		t.Helper()
		in := &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
		if id != "" {
			in.VersionId = aws.String(id)
		}
		out, err := cl.DeleteObject(ctx, in)
		must(t, err, "delete "+key)
		return aws.ToString(out.VersionId)
	}
	nc1, nc2, nc3 := put("nc/k", "one", ""), put("nc/k", "two", ""), put("nc/k", "three", "")
	put("nc/tagged", "a", "")
	lone := put("markers/lone", "x", "")
	loneMarker := del("markers/lone", "")
	del("markers/lone", lone) // only the marker is left
	keptVersion := put("markers/kept", "x", "")
	keptMarker := del("markers/kept", "")
	put("tagged/a", "a", "class=tmp")
	put("tagged/b", "b", "class=keep")
	put("tagged/c", "c", "")
	_, err := cl.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("tagged/c"),
		Tagging: &types.Tagging{TagSet: tagSet("class", "tmp", "other", "x")}})
	must(t, err, "tag tagged/c")
	put("size/big", strings.Repeat("b", 20), "")
	put("size/small", "small", "")

	rules := []types.LifecycleRule{
		{ID: aws.String("noncurrent"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("nc/")},
			NoncurrentVersionExpiration: &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(30), NewerNoncurrentVersions: aws.Int32(1)}},
		{ID: aws.String("markers"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("markers/")},
			Expiration: &types.LifecycleExpiration{ExpiredObjectDeleteMarker: aws.Bool(true)}},
		{ID: aws.String("tagged"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{And: &types.LifecycleRuleAndOperator{
			Prefix: aws.String("tagged/"), Tags: tagSet("class", "tmp")}}, Expiration: &types.LifecycleExpiration{Days: aws.Int32(10)}},
		{ID: aws.String("size"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{And: &types.LifecycleRuleAndOperator{
			Prefix: aws.String("size/"), ObjectSizeGreaterThan: aws.Int64(10)}}, Expiration: &types.LifecycleExpiration{Days: aws.Int32(10)}},
	}
	_, err = cl.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String(bucket),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: rules}})
	must(t, err, "put lifecycle")
	got, err := e.s3(t, 1).GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(bucket)})
	must(t, err, "get lifecycle")
	if len(got.Rules) != 4 {
		t.Fatalf("read back %d rules", len(got.Rules))
	}
	if r := got.Rules[0]; r.NoncurrentVersionExpiration == nil || aws.ToInt32(r.NoncurrentVersionExpiration.NoncurrentDays) != 30 ||
		aws.ToInt32(r.NoncurrentVersionExpiration.NewerNoncurrentVersions) != 1 {
		t.Errorf("noncurrent rule read back as %+v", r.NoncurrentVersionExpiration)
	}
	if r := got.Rules[1]; r.Expiration == nil || !aws.ToBool(r.Expiration.ExpiredObjectDeleteMarker) {
		t.Errorf("marker rule read back as %+v", r.Expiration)
	}
	if r := got.Rules[2]; r.Filter == nil || r.Filter.And == nil || aws.ToString(r.Filter.And.Prefix) != "tagged/" || !reflect.DeepEqual(tagPairs(r.Filter.And.Tags), []string{"class=tmp"}) {
		t.Errorf("tag rule read back as %+v", r.Filter)
	}
	// Transitions are still refused.
	_, err = cl.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String(bucket),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{ID: aws.String("t"), Status: types.ExpirationStatusEnabled,
			Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")}, Transitions: []types.Transition{{Days: aws.Int32(30), StorageClass: types.TransitionStorageClassGlacier}}}}}})
	wantAPIError(t, err, "NotImplemented", http.StatusNotImplemented)
	_, err = cl.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String(bucket),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{ID: aws.String("both"), Status: types.ExpirationStatusEnabled,
			Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")}, Expiration: &types.LifecycleExpiration{Days: aws.Int32(1), ExpiredObjectDeleteMarker: aws.Bool(true)}}}}})
	wantAPIError(t, err, "InvalidArgument", http.StatusBadRequest)

	// As of now, only the lone marker is due: it needs no delay.
	stats, err := e.c.Nodes[1].API.LifecyclePass(ctx)
	must(t, err, "pass now")
	if want := (s3api.LifecycleStats{Buckets: 1, Markers: 1}); stats != want {
		t.Errorf("a pass now: %+v, want %+v", stats, want)
	}
	if ids := listVersionIDs(ctx, t, cl, bucket, "markers/", 100); !reflect.DeepEqual(ids, []string{keptMarker, keptVersion}) {
		t.Errorf("markers/ versions %v, want the kept marker and version [%s %s] (lone marker %s gone)", ids, keptMarker, keptVersion, loneMarker)
	}

	future := time.Now().Add(40 * 24 * time.Hour)
	later := s3api.New(s3api.Config{Region: localcluster.Region, Now: func() time.Time { return future }}, e.c.Nodes[2].Server)
	stats, err = later.LifecyclePass(ctx)
	must(t, err, "pass in 40 days")
	if want := (s3api.LifecycleStats{Buckets: 1, Expired: 3, Noncurrent: 1}); stats != want {
		t.Errorf("a pass in 40 days: %+v, want %+v", stats, want)
	}
	// nc/k: the oldest noncurrent version went, the newest noncurrent one
	// is kept (NewerNoncurrentVersions 1), the current one stays.
	if ids := listVersionIDs(ctx, t, cl, bucket, "nc/k", 100); !reflect.DeepEqual(ids, []string{nc3, nc2}) {
		t.Errorf("nc/k versions %v, want [%s %s] (%s expired)", ids, nc3, nc2, nc1)
	}
	_, err = cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("nc/k"), VersionId: aws.String(nc1)})
	wantAPIError(t, err, "NoSuchVersion", http.StatusNotFound)
	for key, gone := range map[string]bool{"tagged/a": true, "tagged/b": false, "tagged/c": true, "size/big": true, "size/small": false, "nc/tagged": false} {
		_, err := cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if gone {
			wantAPIError(t, err, "NotFound", http.StatusNotFound)
		} else {
			must(t, err, "head "+key)
		}
	}
	// Expiring a current version in a versioned bucket keeps it, noncurrent,
	// under a delete marker.
	if ids := listVersionIDs(ctx, t, cl, bucket, "tagged/a", 100); len(ids) != 2 {
		t.Errorf("tagged/a versions %v, want a marker over the expired version", ids)
	}
	if ids := listVersionIDs(ctx, t, cl, bucket, "markers/", 100); !reflect.DeepEqual(ids, []string{keptMarker, keptVersion}) {
		t.Errorf("markers/ after the second pass: %v", ids)
	}
	stats, err = later.LifecyclePass(ctx)
	must(t, err, "third pass")
	if want := (s3api.LifecycleStats{Buckets: 1}); stats != want {
		t.Errorf("a pass with nothing left to do: %+v", stats)
	}
}

// TestE2ELifecycleKeepsLockedVersions: a noncurrent version that a rule
// expires but whose retention still holds is left, and counted as
// refused; the unlocked one beside it goes.
func TestE2ELifecycleKeepsLockedVersions(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end tests start a cluster")
	}
	e := startEnv(t, 3)
	ctx := testCtx(t)
	cl := e.s3(t, 0, noRetries)
	const bucket = "lifecycle-locked"
	_, err := cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket), ObjectLockEnabledForBucket: aws.Bool(true)})
	must(t, err, "create a lock bucket")
	put := func(key string, lock bool) string {
		t.Helper()
		in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(key)}
		if lock {
			in.ObjectLockMode, in.ObjectLockRetainUntilDate = types.ObjectLockModeCompliance, aws.Time(time.Now().Add(365*24*time.Hour))
		}
		out, err := cl.PutObject(ctx, in)
		must(t, err, "put "+key)
		return aws.ToString(out.VersionId)
	}
	locked, free := put("a", true), put("b", false)
	put("a", false)
	put("b", false) // both first versions are noncurrent now
	_, err = cl.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String(bucket),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{ID: aws.String("nc"), Status: types.ExpirationStatusEnabled,
			Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")}, NoncurrentVersionExpiration: &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(1)}}}}})
	must(t, err, "put lifecycle")
	// The rules are judged 40 days from now; the lock by the nodes' clocks.
	future := time.Now().Add(40 * 24 * time.Hour)
	later := s3api.New(s3api.Config{Region: localcluster.Region, Now: func() time.Time { return future }}, e.c.Nodes[1].Server)
	stats, err := later.LifecyclePass(ctx)
	must(t, err, "pass")
	if stats.Noncurrent != 1 || stats.Refused != 1 {
		t.Fatalf("pass: %+v, want one noncurrent version deleted and one refused", stats)
	}
	if got := getVersion(ctx, t, cl, bucket, "a", locked); got != "a" {
		t.Fatalf("the locked version reads %q", got)
	}
	_, err = cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("b"), VersionId: aws.String(free)})
	wantAPIError(t, err, "NoSuchVersion", http.StatusNotFound)
}
