package s3api_test

// Object lock end to end, on a 3-node cluster, each request on another
// node: buckets with lock, default retention, retention and legal holds
// on versions, and every way of deleting a locked version refused.

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	minio "github.com/minio/minio-go/v7"
)

func TestE2EObjectLock(t *testing.T) {
	a := startAccessEnv(t)
	for _, tc := range []struct {
		name string
		run  func(*testing.T, *accessEnv)
	}{
		{"Buckets", testLockBuckets},
		{"BucketWithoutLock", testLockRefusedWithoutLock},
		{"DefaultRetention", testDefaultRetention},
		{"Compliance", testComplianceRetention},
		{"Governance", testGovernanceBypass},
		{"LegalHold", testLegalHold},
		{"MultipartAndCopy", testLockMultipartAndCopy},
		{"NullVersion", testLockNullVersion},
		{"Minio", testLockMinio},
		{"Boto3", testLockBoto3},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, a) })
	}
}

// lockBucket creates a bucket with object lock through node 0.
func lockBucket(t *testing.T, e *env, name string) {
	t.Helper()
	_, err := e.s3(t, 0).CreateBucket(testCtx(t), &s3.CreateBucketInput{Bucket: aws.String(name), ObjectLockEnabledForBucket: aws.Bool(true)})
	must(t, err, "create a bucket with lock")
}

// putLocked puts key with in's lock fields and returns its version id.
func putLocked(t *testing.T, cl *s3.Client, bucket, key string, in *s3.PutObjectInput) string {
	t.Helper()
	if in == nil {
		in = &s3.PutObjectInput{}
	}
	in.Bucket, in.Key, in.Body = aws.String(bucket), aws.String(key), bytes.NewReader([]byte("worm "+key))
	out, err := cl.PutObject(testCtx(t), in)
	must(t, err, "put "+key)
	if out.VersionId == nil || *out.VersionId == "null" {
		t.Fatalf("put %s in a lock bucket answered version %v", key, out.VersionId)
	}
	return *out.VersionId
}

func deleteVersionErr(cl *s3.Client, bucket, key, id string, bypass bool) error {
	in := &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: aws.String(id)}
	if bypass {
		in.BypassGovernanceRetention = aws.Bool(true)
	}
	_, err := cl.DeleteObject(context.Background(), in)
	return err
}

// wantVersionKept checks that version id of key still reads.
func wantVersionKept(t *testing.T, cl *s3.Client, bucket, key, id string) {
	t.Helper()
	if got := getVersion(testCtx(t), t, cl, bucket, key, id); got != "worm "+key {
		t.Fatalf("locked version %s of %s reads %q", id, key, got)
	}
}

// wantDeleteObjectsRefused deletes id through DeleteObjects and wants the
// entry's AccessDenied.
func wantDeleteObjectsRefused(t *testing.T, cl *s3.Client, bucket, key, id string, bypass bool) {
	t.Helper()
	in := &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String(key), VersionId: aws.String(id)}}}}
	if bypass {
		in.BypassGovernanceRetention = aws.Bool(true)
	}
	out, err := cl.DeleteObjects(testCtx(t), in)
	must(t, err, "DeleteObjects")
	if len(out.Errors) != 1 || aws.ToString(out.Errors[0].Code) != "AccessDenied" || len(out.Deleted) != 0 {
		t.Fatalf("DeleteObjects of a locked version: deleted %d, errors %+v; want one AccessDenied", len(out.Deleted), out.Errors)
	}
}

func testLockBuckets(t *testing.T, a *accessEnv) {
	ctx := testCtx(t)
	const bucket = "lock-created"
	lockBucket(t, a.env, bucket)
	v, err := a.s3(t, 1).GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(bucket)})
	must(t, err, "get versioning")
	if v.Status != types.BucketVersioningStatusEnabled {
		t.Fatalf("a bucket created with lock has versioning %q", v.Status)
	}
	cfg, err := a.s3(t, 2).GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String(bucket)})
	must(t, err, "get lock configuration")
	if c := cfg.ObjectLockConfiguration; c == nil || c.ObjectLockEnabled != types.ObjectLockEnabledEnabled || c.Rule != nil {
		t.Fatalf("lock configuration %+v, want Enabled without a rule", c)
	}
	_, err = a.s3(t, 0).PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
	wantAPIError(t, err, "InvalidBucketState", http.StatusConflict)
	setVersioning(ctx, t, a.s3(t, 1), bucket, types.BucketVersioningStatusEnabled) // re-enabling is fine

	// Lock on an existing bucket needs versioning enabled first.
	const later = "lock-later"
	a.createBucket(t, later)
	enable := &s3.PutObjectLockConfigurationInput{Bucket: aws.String(later),
		ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled}}
	_, err = a.s3(t, 1).PutObjectLockConfiguration(ctx, enable)
	wantAPIError(t, err, "InvalidBucketState", http.StatusConflict)
	_, err = a.s3(t, 1).GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String(later)})
	wantAPIError(t, err, "ObjectLockConfigurationNotFoundError", http.StatusNotFound)
	setVersioning(ctx, t, a.s3(t, 2), later, types.BucketVersioningStatusEnabled)
	_, err = a.s3(t, 0).PutObjectLockConfiguration(ctx, enable)
	must(t, err, "enable lock on a versioned bucket")
	if _, err := a.s3(t, 1).GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String(later)}); err != nil {
		t.Fatalf("lock configuration after enabling: %v", err)
	}

	// A configuration that does not say Enabled cannot disable lock;
	// malformed rules are refused.
	for _, c := range []struct {
		body, code string
	}{
		{`<ObjectLockConfiguration/>`, "MalformedXML"},
		{`<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days><Years>1</Years></DefaultRetention></Rule></ObjectLockConfiguration>`, "MalformedXML"},
		{`<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode></DefaultRetention></Rule></ObjectLockConfiguration>`, "MalformedXML"},
		{`<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>FOREVER</Mode><Days>1</Days></DefaultRetention></Rule></ObjectLockConfiguration>`, "MalformedXML"},
		{`<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>0</Days></DefaultRetention></Rule></ObjectLockConfiguration>`, "InvalidArgument"},
		{`<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Years>101</Years></DefaultRetention></Rule></ObjectLockConfiguration>`, "InvalidArgument"},
	} {
		req := newRequest(t, http.MethodPut, a.c.Nodes[0].Endpoint+"/"+later+"?object-lock", strings.NewReader(c.body))
		req.Header.Set("Content-MD5", md5B64([]byte(c.body)))
		wantHTTPError(t, httpDo(t, signRaw(t, a.env, req)), c.code, http.StatusBadRequest)
	}
	// A key without the owner right may not change the configuration.
	a.allow(t, later, a.keyB, true, true, false)
	_, err = a.b(t).PutObjectLockConfiguration(ctx, enable)
	wantAPIError(t, err, "AccessDenied", http.StatusForbidden)
}

func testLockRefusedWithoutLock(t *testing.T, a *accessEnv) {
	ctx := testCtx(t)
	const bucket = "no-lock"
	a.createBucket(t, bucket)
	setVersioning(ctx, t, a.s3(t, 0), bucket, types.BucketVersioningStatusEnabled)
	cl := a.s3(t, 1, noRetries)
	_, err := cl.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String(bucket)})
	wantAPIError(t, err, "ObjectLockConfigurationNotFoundError", http.StatusNotFound)
	for name, in := range map[string]*s3.PutObjectInput{
		"retention":  {ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: aws.Time(time.Now().Add(time.Hour))},
		"legal-hold": {ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn},
	} {
		in.Bucket, in.Key, in.Body = aws.String(bucket), aws.String("k"), strings.NewReader("x")
		_, err := cl.PutObject(ctx, in)
		wantAPIError(t, err, "InvalidRequest", http.StatusBadRequest)
		if t.Failed() {
			t.Fatalf("%s accepted in a bucket without lock", name)
		}
	}
	putBytes(t, cl, bucket, "k", []byte("plain"))
	_, err = cl.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: aws.String(bucket), Key: aws.String("k"),
		Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: aws.Time(time.Now().Add(time.Hour))}})
	wantAPIError(t, err, "InvalidRequest", http.StatusBadRequest)
	_, err = cl.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String(bucket), Key: aws.String("k")})
	wantAPIError(t, err, "InvalidRequest", http.StatusBadRequest)
	_, err = cl.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String(bucket), Key: aws.String("k"),
		LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOn}})
	wantAPIError(t, err, "InvalidRequest", http.StatusBadRequest)
	// Versioning can still be suspended there.
	setVersioning(ctx, t, a.s3(t, 2), bucket, types.BucketVersioningStatusSuspended)
}

func testDefaultRetention(t *testing.T, a *accessEnv) {
	ctx := testCtx(t)
	const bucket = "lock-default"
	lockBucket(t, a.env, bucket)
	_, err := a.s3(t, 1).PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String(bucket),
		ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled,
			Rule: &types.ObjectLockRule{DefaultRetention: &types.DefaultRetention{Mode: types.ObjectLockRetentionModeGovernance, Days: aws.Int32(2)}}}})
	must(t, err, "set a default retention")
	cfg, err := a.s3(t, 2).GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String(bucket)})
	must(t, err, "get lock configuration")
	if r := cfg.ObjectLockConfiguration.Rule; r == nil || r.DefaultRetention.Mode != types.ObjectLockRetentionModeGovernance || aws.ToInt32(r.DefaultRetention.Days) != 2 || r.DefaultRetention.Years != nil {
		t.Fatalf("default rule %+v", r)
	}
	before := time.Now()
	id := putLocked(t, a.s3(t, 0), bucket, "k", nil)
	head, err := a.s3(t, 1).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")})
	must(t, err, "head")
	want := before.Add(48 * time.Hour)
	if head.ObjectLockMode != types.ObjectLockModeGovernance || head.ObjectLockRetainUntilDate == nil ||
		head.ObjectLockRetainUntilDate.Sub(want).Abs() > time.Minute {
		t.Fatalf("head of a default-retained version: mode %q until %v, want GOVERNANCE near %v", head.ObjectLockMode, head.ObjectLockRetainUntilDate, want)
	}
	ret, err := a.s3(t, 2).GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String(bucket), Key: aws.String("k"), VersionId: aws.String(id)})
	must(t, err, "get retention")
	if ret.Retention.Mode != types.ObjectLockRetentionModeGovernance || !ret.Retention.RetainUntilDate.Equal(*head.ObjectLockRetainUntilDate) {
		t.Fatalf("retention %+v, head said %v", ret.Retention, head.ObjectLockRetainUntilDate)
	}
	if err := deleteVersionErr(a.s3(t, 0), bucket, "k", id, false); err == nil {
		t.Fatal("a default-retained version was deleted")
	}
	// A form upload gets the default too; a form naming a lock is refused
	// (PostObject takes no lock fields here).
	resp := postForm(t, a.c.Nodes[2].Endpoint+"/"+bucket, signedFormIn(t, a.env, bucket, "posted", nil), "f.txt", []byte("posted"))
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("PostObject: %d", resp.StatusCode)
	}
	head, err = a.s3(t, 0).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("posted")})
	must(t, err, "head the posted object")
	if head.ObjectLockMode != types.ObjectLockModeGovernance || head.ObjectLockRetainUntilDate.Sub(want).Abs() > time.Minute {
		t.Fatalf("posted object: mode %q until %v", head.ObjectLockMode, head.ObjectLockRetainUntilDate)
	}
	resp = postForm(t, a.c.Nodes[1].Endpoint+"/"+bucket, signedFormIn(t, a.env, bucket, "posted-held", map[string]string{"x-amz-object-lock-legal-hold": "ON"}), "f.txt", []byte("x"))
	wantHTTPError(t, resp, "NotImplemented", http.StatusNotImplemented)
	// A request's own retention wins over the default; in years too.
	_, err = a.s3(t, 1).PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String(bucket),
		ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled,
			Rule: &types.ObjectLockRule{DefaultRetention: &types.DefaultRetention{Mode: types.ObjectLockRetentionModeCompliance, Years: aws.Int32(1)}}}})
	must(t, err, "default in years")
	until := time.Now().Add(3 * time.Hour).Truncate(time.Second)
	putLocked(t, a.s3(t, 2), bucket, "own", &s3.PutObjectInput{ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: aws.Time(until)})
	head, err = a.s3(t, 0).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("own")})
	must(t, err, "head")
	if head.ObjectLockMode != types.ObjectLockModeGovernance || !head.ObjectLockRetainUntilDate.Equal(until) {
		t.Fatalf("own retention: %q until %v, want GOVERNANCE until %v", head.ObjectLockMode, head.ObjectLockRetainUntilDate, until)
	}
	// Removing the rule leaves lock on, with no default.
	_, err = a.s3(t, 1).PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String(bucket),
		ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled}})
	must(t, err, "remove the rule")
	putLocked(t, a.s3(t, 2), bucket, "free", nil)
	_, err = a.s3(t, 0).GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String(bucket), Key: aws.String("free")})
	wantAPIError(t, err, "NoSuchObjectLockConfiguration", http.StatusNotFound)
}

func testComplianceRetention(t *testing.T, a *accessEnv) {
	ctx := testCtx(t)
	const bucket = "lock-compliance"
	lockBucket(t, a.env, bucket)
	until := time.Now().Add(time.Hour).Truncate(time.Millisecond)
	id := putLocked(t, a.s3(t, 0), bucket, "k", &s3.PutObjectInput{ObjectLockMode: types.ObjectLockModeCompliance, ObjectLockRetainUntilDate: aws.Time(until)})
	for _, bypass := range []bool{false, true} {
		wantAPIError(t, deleteVersionErr(a.s3(t, 1, noRetries), bucket, "k", id, bypass), "AccessDenied", http.StatusForbidden)
		wantDeleteObjectsRefused(t, a.s3(t, 2), bucket, "k", id, bypass)
	}
	wantVersionKept(t, a.s3(t, 0), bucket, "k", id)

	setRetention := func(i int, r *types.ObjectLockRetention, bypass bool) error {
		in := &s3.PutObjectRetentionInput{Bucket: aws.String(bucket), Key: aws.String("k"), VersionId: aws.String(id), Retention: r}
		if bypass {
			in.BypassGovernanceRetention = aws.Bool(true)
		}
		_, err := a.s3(t, i, noRetries).PutObjectRetention(ctx, in)
		return err
	}
	comp := func(d time.Time) *types.ObjectLockRetention {
		return &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeCompliance, RetainUntilDate: aws.Time(d)}
	}
	wantAPIError(t, setRetention(1, comp(until.Add(-time.Minute)), true), "AccessDenied", http.StatusForbidden)
	wantAPIError(t, setRetention(2, &types.ObjectLockRetention{}, true), "AccessDenied", http.StatusForbidden)
	wantAPIError(t, setRetention(0, &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: aws.Time(until.Add(time.Hour))}, true), "AccessDenied", http.StatusForbidden)
	wantAPIError(t, setRetention(1, comp(time.Now().Add(-time.Minute)), false), "InvalidArgument", http.StatusBadRequest)
	longer := until.Add(2 * time.Hour)
	must(t, setRetention(2, comp(longer), false), "extend a COMPLIANCE retention")
	ret, err := a.s3(t, 0).GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String(bucket), Key: aws.String("k"), VersionId: aws.String(id)})
	must(t, err, "get retention")
	if ret.Retention.Mode != types.ObjectLockRetentionModeCompliance || !ret.Retention.RetainUntilDate.Equal(longer) {
		t.Fatalf("retention after extending: %+v, want COMPLIANCE until %v", ret.Retention, longer)
	}
	wantAPIError(t, setRetention(1, comp(until.Add(time.Hour)), true), "AccessDenied", http.StatusForbidden)

	// A delete without versionId adds a marker, as S3 does: the locked
	// version stays, readable by its id.
	del, err := a.s3(t, 2).DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")})
	must(t, err, "delete without a version id")
	if !aws.ToBool(del.DeleteMarker) || del.VersionId == nil {
		t.Fatalf("delete answered marker %v version %v", del.DeleteMarker, del.VersionId)
	}
	_, err = a.s3(t, 0).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")})
	wantAPIError(t, err, "NoSuchKey", http.StatusNotFound)
	wantVersionKept(t, a.s3(t, 1), bucket, "k", id)
	// The marker itself carries no lock: it may be removed by id.
	if err := deleteVersionErr(a.s3(t, 1), bucket, "k", *del.VersionId, false); err != nil {
		t.Fatalf("removing the delete marker: %v", err)
	}
	wantReadable(t, a.s3(t, 2), bucket, "k", "worm k")
	// The bucket holds a locked version: it cannot be deleted.
	_, err = a.s3(t, 0).DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
	wantAPIError(t, err, "BucketNotEmpty", http.StatusConflict)
	// Retention on a version that does not exist.
	_, err = a.s3(t, 1).GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String(bucket), Key: aws.String("nothing")})
	wantAPIError(t, err, "NoSuchKey", http.StatusNotFound)
	err = setRetention(2, comp(longer), false)
	if err != nil {
		t.Fatalf("re-setting the same retention: %v", err)
	}
}

func testGovernanceBypass(t *testing.T, a *accessEnv) {
	ctx := testCtx(t)
	const bucket = "lock-governance"
	lockBucket(t, a.env, bucket)
	a.allow(t, bucket, a.keyB, true, true, false) // read and write, not owner
	gov := &s3.PutObjectInput{ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: aws.Time(time.Now().Add(time.Hour))}
	ids := map[string]string{}
	for _, k := range []string{"by-b", "by-owner", "by-policy", "shorten", "denied"} {
		ids[k] = putLocked(t, a.s3(t, 0), bucket, k, &s3.PutObjectInput{ObjectLockMode: gov.ObjectLockMode, ObjectLockRetainUntilDate: gov.ObjectLockRetainUntilDate})
	}
	// Without the header, nobody deletes it; with it, only who may bypass.
	wantAPIError(t, deleteVersionErr(a.s3(t, 1, noRetries), bucket, "by-owner", ids["by-owner"], false), "AccessDenied", http.StatusForbidden)
	wantAPIError(t, deleteVersionErr(a.b(t), bucket, "by-b", ids["by-b"], false), "AccessDenied", http.StatusForbidden)
	wantAPIError(t, deleteVersionErr(a.b(t), bucket, "by-b", ids["by-b"], true), "AccessDenied", http.StatusForbidden)
	wantDeleteObjectsRefused(t, a.b(t), bucket, "by-b", ids["by-b"], true)
	wantDeleteObjectsRefused(t, a.s3(t, 2), bucket, "by-owner", ids["by-owner"], false)
	wantVersionKept(t, a.s3(t, 0), bucket, "by-b", ids["by-b"])
	_, err := a.b(t).PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: aws.String(bucket), Key: aws.String("shorten"),
		VersionId: aws.String(ids["shorten"]), BypassGovernanceRetention: aws.Bool(true), Retention: &types.ObjectLockRetention{}})
	wantAPIError(t, err, "AccessDenied", http.StatusForbidden)

	// The owner key may bypass: delete by id, and shorten then remove.
	if err := deleteVersionErr(a.s3(t, 2), bucket, "by-owner", ids["by-owner"], true); err != nil {
		t.Fatalf("owner's bypassed delete: %v", err)
	}
	_, err = a.s3(t, 0).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("by-owner"), VersionId: aws.String(ids["by-owner"])})
	wantAPIError(t, err, "NoSuchVersion", http.StatusNotFound)
	_, err = a.s3(t, 1).PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: aws.String(bucket), Key: aws.String("shorten"),
		VersionId: aws.String(ids["shorten"]), BypassGovernanceRetention: aws.Bool(true),
		Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: aws.Time(time.Now().Add(time.Minute))}})
	must(t, err, "owner shortens a GOVERNANCE retention with bypass")
	_, err = a.s3(t, 2).PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: aws.String(bucket), Key: aws.String("shorten"),
		VersionId: aws.String(ids["shorten"]), BypassGovernanceRetention: aws.Bool(true), Retention: &types.ObjectLockRetention{}})
	must(t, err, "owner removes a GOVERNANCE retention with bypass")
	_, err = a.s3(t, 0).GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String(bucket), Key: aws.String("shorten"), VersionId: aws.String(ids["shorten"])})
	wantAPIError(t, err, "NoSuchObjectLockConfiguration", http.StatusNotFound)
	if err := deleteVersionErr(a.b(t), bucket, "shorten", ids["shorten"], false); err != nil {
		t.Fatalf("delete once the retention is removed: %v", err)
	}

	// A bucket policy granting s3:BypassGovernanceRetention lets B bypass.
	// and an explicit Deny takes the owner's bypass away.
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":[%q]},"Action":"s3:BypassGovernanceRetention","Resource":"arn:aws:s3:::%s/by-*"},`+
		`{"Effect":"Deny","Principal":{"AWS":[%q]},"Action":"s3:BypassGovernanceRetention","Resource":"arn:aws:s3:::%s/denied"}]}`, a.keyB, bucket, a.c.KeyID, bucket)
	must(t, putPolicy(t, a.s3(t, 0), bucket, policy), "put policy")
	wantAPIError(t, deleteVersionErr(a.s3(t, 1, noRetries), bucket, "denied", ids["denied"], true), "AccessDenied", http.StatusForbidden)
	wantVersionKept(t, a.s3(t, 2), bucket, "denied", ids["denied"])
	wantAPIError(t, deleteVersionErr(a.b(t), bucket, "by-b", ids["by-b"], false), "AccessDenied", http.StatusForbidden)
	out, err := a.b(t).DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), BypassGovernanceRetention: aws.Bool(true),
		Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("by-b"), VersionId: aws.String(ids["by-b"])}, {Key: aws.String("by-policy"), VersionId: aws.String(ids["by-policy"])}}}})
	must(t, err, "DeleteObjects with bypass")
	if len(out.Deleted) != 2 || len(out.Errors) != 0 {
		t.Fatalf("DeleteObjects with a policy's bypass: deleted %d, errors %+v", len(out.Deleted), out.Errors)
	}
	if got := listVersionIDs(ctx, t, a.s3(t, 1), bucket, "by-", 100); len(got) != 0 {
		t.Fatalf("versions left: %v", got)
	}
}

func testLegalHold(t *testing.T, a *accessEnv) {
	ctx := testCtx(t)
	const bucket = "lock-hold"
	lockBucket(t, a.env, bucket)
	id := putLocked(t, a.s3(t, 0), bucket, "k", nil)
	_, err := a.s3(t, 1).GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: aws.String(bucket), Key: aws.String("k")})
	wantAPIError(t, err, "NoSuchObjectLockConfiguration", http.StatusNotFound)
	hold := func(i int, s types.ObjectLockLegalHoldStatus) {
		t.Helper()
		_, err := a.s3(t, i).PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String(bucket), Key: aws.String("k"),
			VersionId: aws.String(id), LegalHold: &types.ObjectLockLegalHold{Status: s}})
		must(t, err, "put legal hold")
	}
	hold(1, types.ObjectLockLegalHoldStatusOn)
	out, err := a.s3(t, 2).GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: aws.String(bucket), Key: aws.String("k"), VersionId: aws.String(id)})
	must(t, err, "get legal hold")
	if out.LegalHold.Status != types.ObjectLockLegalHoldStatusOn {
		t.Fatalf("legal hold %q, want ON", out.LegalHold.Status)
	}
	head, err := a.s3(t, 0).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")})
	must(t, err, "head")
	if head.ObjectLockLegalHoldStatus != types.ObjectLockLegalHoldStatusOn || head.ObjectLockMode != "" {
		t.Fatalf("head: hold %q mode %q", head.ObjectLockLegalHoldStatus, head.ObjectLockMode)
	}
	wantAPIError(t, deleteVersionErr(a.s3(t, 1, noRetries), bucket, "k", id, true), "AccessDenied", http.StatusForbidden)
	wantDeleteObjectsRefused(t, a.s3(t, 2), bucket, "k", id, true)
	wantVersionKept(t, a.s3(t, 0), bucket, "k", id)
	// A put with the hold header, and a bad value.
	held := putLocked(t, a.s3(t, 1), bucket, "held", &s3.PutObjectInput{ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn})
	wantAPIError(t, deleteVersionErr(a.s3(t, 2, noRetries), bucket, "held", held, true), "AccessDenied", http.StatusForbidden)
	_, err = a.s3(t, 0, noRetries).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("bad"), Body: strings.NewReader("x"),
		ObjectLockLegalHoldStatus: "MAYBE"})
	wantAPIError(t, err, "InvalidArgument", http.StatusBadRequest)
	_, err = a.s3(t, 0, noRetries).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("bad"), Body: strings.NewReader("x"),
		ObjectLockMode: types.ObjectLockModeGovernance})
	wantAPIError(t, err, "InvalidArgument", http.StatusBadRequest)
	// Lifted, the version may go.
	hold(2, types.ObjectLockLegalHoldStatusOff)
	out, err = a.s3(t, 0).GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: aws.String(bucket), Key: aws.String("k"), VersionId: aws.String(id)})
	must(t, err, "get legal hold")
	if out.LegalHold.Status != types.ObjectLockLegalHoldStatusOff {
		t.Fatalf("legal hold %q, want OFF", out.LegalHold.Status)
	}
	if err := deleteVersionErr(a.s3(t, 1), bucket, "k", id, false); err != nil {
		t.Fatalf("delete after lifting the hold: %v", err)
	}
}

func testLockMultipartAndCopy(t *testing.T, a *accessEnv) {
	ctx := testCtx(t)
	const bucket = "lock-mpu"
	lockBucket(t, a.env, bucket)
	until := time.Now().Add(time.Hour).Truncate(time.Second)
	up, err := a.s3(t, 0).CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mpu"),
		ObjectLockMode: types.ObjectLockModeCompliance, ObjectLockRetainUntilDate: aws.Time(until), ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOff})
	must(t, err, "create upload")
	part, err := a.s3(t, 1).UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("mpu"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("worm mpu"))})
	must(t, err, "upload part")
	done, err := a.s3(t, 2).CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mpu"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}})
	must(t, err, "complete")
	head, err := a.s3(t, 0).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("mpu")})
	must(t, err, "head")
	if head.ObjectLockMode != types.ObjectLockModeCompliance || !head.ObjectLockRetainUntilDate.Equal(until) || head.ObjectLockLegalHoldStatus != types.ObjectLockLegalHoldStatusOff {
		t.Fatalf("completed upload: mode %q until %v hold %q", head.ObjectLockMode, head.ObjectLockRetainUntilDate, head.ObjectLockLegalHoldStatus)
	}
	wantAPIError(t, deleteVersionErr(a.s3(t, 1, noRetries), bucket, "mpu", aws.ToString(done.VersionId), true), "AccessDenied", http.StatusForbidden)

	// A copy takes the lock its request names, never its source's.
	cp, err := a.s3(t, 1).CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy"), CopySource: aws.String(bucket + "/mpu")})
	must(t, err, "copy a locked object")
	_, err = a.s3(t, 2).GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String(bucket), Key: aws.String("copy"), VersionId: cp.VersionId})
	wantAPIError(t, err, "NoSuchObjectLockConfiguration", http.StatusNotFound)
	if err := deleteVersionErr(a.s3(t, 0), bucket, "copy", aws.ToString(cp.VersionId), false); err != nil {
		t.Fatalf("delete an unlocked copy of a locked object: %v", err)
	}
	cp, err = a.s3(t, 2).CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("held-copy"), CopySource: aws.String(bucket + "/mpu"),
		ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn})
	must(t, err, "copy with a legal hold")
	wantAPIError(t, deleteVersionErr(a.s3(t, 0, noRetries), bucket, "held-copy", aws.ToString(cp.VersionId), true), "AccessDenied", http.StatusForbidden)
	// Into a bucket without lock, lock headers are refused.
	a.createBucket(t, "no-lock-target")
	_, err = a.s3(t, 0, noRetries).CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("no-lock-target"), Key: aws.String("c"), CopySource: aws.String(bucket + "/mpu"),
		ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn})
	wantAPIError(t, err, "InvalidRequest", http.StatusBadRequest)
	// A plain copy out of a lock bucket carries no lock either.
	_, err = a.s3(t, 1).CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("no-lock-target"), Key: aws.String("c"), CopySource: aws.String(bucket + "/mpu")})
	must(t, err, "copy out of a lock bucket")
	head, err = a.s3(t, 2).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("no-lock-target"), Key: aws.String("c")})
	must(t, err, "head the copy")
	if head.ObjectLockMode != "" || head.ObjectLockRetainUntilDate != nil {
		t.Fatalf("a copy into a bucket without lock carries mode %q until %v", head.ObjectLockMode, head.ObjectLockRetainUntilDate)
	}
	_, err = a.s3(t, 0).DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("no-lock-target"), Key: aws.String("c")})
	must(t, err, "delete the copy")
}

// testLockNullVersion: the null version written before lock was enabled
// can be locked like any version, and then cannot be deleted by its id.
func testLockNullVersion(t *testing.T, a *accessEnv) {
	ctx := testCtx(t)
	const bucket = "lock-null"
	a.createBucket(t, bucket)
	putBytes(t, a.s3(t, 0), bucket, "k", []byte("worm k"))
	setVersioning(ctx, t, a.s3(t, 1), bucket, types.BucketVersioningStatusEnabled)
	_, err := a.s3(t, 2).PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String(bucket),
		ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled}})
	must(t, err, "enable lock")
	_, err = a.s3(t, 0).PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: aws.String(bucket), Key: aws.String("k"), VersionId: aws.String("null"),
		Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: aws.Time(time.Now().Add(time.Hour))}})
	must(t, err, "retain the null version")
	wantAPIError(t, deleteVersionErr(a.s3(t, 1, noRetries), bucket, "k", "null", false), "AccessDenied", http.StatusForbidden)
	putLocked(t, a.s3(t, 2), bucket, "k", nil) // a new version beside it
	wantVersionKept(t, a.s3(t, 0), bucket, "k", "null")
	_, err = a.s3(t, 1).PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
	wantAPIError(t, err, "InvalidBucketState", http.StatusConflict)
}

func testLockMinio(t *testing.T, a *accessEnv) {
	ctx := testCtx(t)
	const bucket = "lock-minio"
	mc := a.minio(t, 0)
	must(t, mc.MakeBucket(ctx, bucket, minio.MakeBucketOptions{ObjectLocking: true}), "make a bucket with lock")
	mode, days, unit := minio.Governance, uint(1), minio.Days
	must(t, a.minio(t, 1).SetObjectLockConfig(ctx, bucket, &mode, &days, &unit), "set lock config")
	enabled, gotMode, gotDays, gotUnit, err := a.minio(t, 2).GetObjectLockConfig(ctx, bucket)
	must(t, err, "get lock config")
	if enabled != "Enabled" || gotMode == nil || *gotMode != minio.Governance || gotDays == nil || *gotDays != 1 || gotUnit == nil || *gotUnit != minio.Days {
		t.Fatalf("lock config %q %v %v %v", enabled, gotMode, gotDays, gotUnit)
	}
	info, err := mc.PutObject(ctx, bucket, "k", bytes.NewReader([]byte("worm k")), 6, minio.PutObjectOptions{})
	must(t, err, "put")
	// The default GOVERNANCE retention: refused, then bypassed by the owner.
	err = a.minio(t, 1).RemoveObject(ctx, bucket, "k", minio.RemoveObjectOptions{VersionID: info.VersionID})
	if r := minio.ToErrorResponse(err); r.StatusCode != http.StatusForbidden || r.Code != "AccessDenied" {
		t.Fatalf("remove a retained version: %v", err)
	}
	comp := minio.Compliance
	until := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second) // later than the default's day
	must(t, a.minio(t, 2).PutObjectRetention(ctx, bucket, "k", minio.PutObjectRetentionOptions{VersionID: info.VersionID, Mode: &comp, RetainUntilDate: &until}),
		"GOVERNANCE to COMPLIANCE")
	gotRet, gotUntil, err := mc.GetObjectRetention(ctx, bucket, "k", info.VersionID)
	must(t, err, "get retention")
	if gotRet == nil || *gotRet != minio.Compliance || gotUntil == nil || !gotUntil.Equal(until) {
		t.Fatalf("retention %v until %v", gotRet, gotUntil)
	}
	err = a.minio(t, 1).RemoveObject(ctx, bucket, "k", minio.RemoveObjectOptions{VersionID: info.VersionID, GovernanceBypass: true})
	if r := minio.ToErrorResponse(err); r.StatusCode != http.StatusForbidden {
		t.Fatalf("remove a COMPLIANCE version with bypass: %v", err)
	}
	on := minio.LegalHoldEnabled
	must(t, a.minio(t, 2).PutObjectLegalHold(ctx, bucket, "k", minio.PutObjectLegalHoldOptions{VersionID: info.VersionID, Status: &on}), "legal hold")
	st, err := mc.GetObjectLegalHold(ctx, bucket, "k", minio.GetObjectLegalHoldOptions{VersionID: info.VersionID})
	must(t, err, "get legal hold")
	if st == nil || *st != minio.LegalHoldEnabled {
		t.Fatalf("legal hold %v", st)
	}
	// RemoveObjects reports the refusal per object.
	objs := make(chan minio.ObjectInfo, 1)
	objs <- minio.ObjectInfo{Key: "k", VersionID: info.VersionID}
	close(objs)
	n := 0
	for e := range a.minio(t, 1).RemoveObjects(ctx, bucket, objs, minio.RemoveObjectsOptions{GovernanceBypass: true}) {
		n++
		if minio.ToErrorResponse(e.Err).Code != "AccessDenied" {
			t.Fatalf("RemoveObjects of a held version: %v", e.Err)
		}
	}
	if n != 1 {
		t.Fatalf("RemoveObjects reported %d errors, want 1", n)
	}
	// A plain remove (a delete marker) still succeeds.
	must(t, a.minio(t, 2).RemoveObject(ctx, bucket, "k", minio.RemoveObjectOptions{}), "remove without a version id")
	if _, err := mc.StatObject(ctx, bucket, "k", minio.StatObjectOptions{VersionID: info.VersionID}); err != nil {
		t.Fatalf("the locked version after a delete marker: %v", err)
	}
}

// testLockBoto3: the same refusals through boto3, whose request shapes
// (Content-MD5 on the lock documents, the bypass flag) differ again.
func testLockBoto3(t *testing.T, a *accessEnv) {
	out := a.boto3(t, 1, `
import datetime
b = "lock-boto3"
s3.create_bucket(Bucket=b, ObjectLockEnabledForBucket=True)
s3.put_object_lock_configuration(Bucket=b, ObjectLockConfiguration={"ObjectLockEnabled": "Enabled",
    "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
rule = s3.get_object_lock_configuration(Bucket=b)["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]
v = s3.put_object(Bucket=b, Key="k", Body=b"worm")["VersionId"]
until = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)
s3.put_object_retention(Bucket=b, Key="k", VersionId=v, Retention={"Mode": "COMPLIANCE", "RetainUntilDate": until})
ret = s3.get_object_retention(Bucket=b, Key="k", VersionId=v)["Retention"]
shorten = error_code(lambda: s3.put_object_retention(Bucket=b, Key="k", VersionId=v, BypassGovernanceRetention=True,
    Retention={"Mode": "COMPLIANCE", "RetainUntilDate": until - datetime.timedelta(hours=1)}))
delete = error_code(lambda: s3.delete_object(Bucket=b, Key="k", VersionId=v, BypassGovernanceRetention=True))
s3.put_object_legal_hold(Bucket=b, Key="k", VersionId=v, LegalHold={"Status": "ON"})
hold = s3.get_object_legal_hold(Bucket=b, Key="k", VersionId=v)["LegalHold"]["Status"]
res = s3.delete_objects(Bucket=b, BypassGovernanceRetention=True, Delete={"Objects": [{"Key": "k", "VersionId": v}]})
marker = s3.delete_object(Bucket=b, Key="k").get("DeleteMarker")
suspend = error_code(lambda: s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Suspended"}))
print(json.dumps({"rule": rule, "mode": ret["Mode"], "shorten": shorten, "delete": delete, "hold": hold,
    "errors": [e["Code"] for e in res.get("Errors", [])], "deleted": len(res.get("Deleted", [])), "marker": marker,
    "suspend": suspend, "still": s3.get_object(Bucket=b, Key="k", VersionId=v)["Body"].read().decode()}))
`)
	var got struct {
		Rule struct {
			Mode string
			Days int
		}
		Mode, Shorten, Delete, Hold, Suspend, Still string
		Errors                                      []string
		Deleted                                     int
		Marker                                      bool
	}
	if err := jsonUnmarshal(out, &got); err != nil {
		t.Fatalf("boto3 printed %q: %v", out, err)
	}
	if got.Rule.Mode != "GOVERNANCE" || got.Rule.Days != 1 || got.Mode != "COMPLIANCE" || got.Shorten != "AccessDenied" ||
		got.Delete != "AccessDenied" || got.Hold != "ON" || len(got.Errors) != 1 || got.Errors[0] != "AccessDenied" ||
		got.Deleted != 0 || !got.Marker || got.Suspend != "InvalidBucketState" || got.Still != "worm" {
		t.Fatalf("boto3: %+v", got)
	}
}
