package s3api_test

// Access control end to end: ACLs, ownership controls, bucket policies and
// the public access block, with a second and a third key, anonymous
// requests, and TLS in front of the nodes.

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	minio "github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/garagego/garage/internal/localcluster"
	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/runtime/s3api"
	"github.com/garagego/garage/node/runtime/server"
)

// accessEnv is a cluster with the harness's key (which creates and owns
// the buckets) and two more keys with no rights anywhere until a test
// gives them some: B and C. Node 2 trusts 127.0.0.0/8 as a reverse proxy.
type accessEnv struct {
	*env
	keyB, secretB string
	keyC, secretC string
}

func startAccessEnv(t *testing.T) *accessEnv {
	t.Helper()
	e := startEnvWith(t, localcluster.Options{Nodes: 3, TuneAPI: func(i int, cfg *s3api.Config) {
		if i == 2 {
			cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
		}
	}})
	a := &accessEnv{env: e}
	a.keyB, a.secretB = e.newKey(t, "key-b")
	a.keyC, a.secretC = e.newKey(t, "key-c")
	return a
}

// newKey creates a key with no rights, through the cluster's admin API.
func (e *env) newKey(t *testing.T, name string) (id, secret string) {
	t.Helper()
	res, err := e.c.Do(testCtx(t), admin.CreateKey{Name: name, ID: server.NewKeyID(), Secret: server.NewSecret()})
	must(t, err, "create key "+name)
	k := res.(admin.KeyInfo)
	return k.ID, k.Secret
}

// allow gives key rights on bucket (garage bucket allow).
func (e *env) allow(t *testing.T, bucket, key string, read, write, owner bool) {
	t.Helper()
	_, err := e.c.Do(testCtx(t), admin.SetBucketPerms{Bucket: bucket, Key: key, Read: read, Write: write, Owner: owner, Allow: true})
	must(t, err, "allow "+key+" on "+bucket)
}

func (a *accessEnv) b(t *testing.T) *s3.Client {
	return newS3(t, a.c.Nodes[1].Endpoint, a.keyB, a.secretB, noRetries)
}

func (a *accessEnv) cKey(t *testing.T) *s3.Client {
	return newS3(t, a.c.Nodes[2].Endpoint, a.keyC, a.secretC, noRetries)
}

func (a *accessEnv) anon(t *testing.T, i int) *s3.Client {
	return newS3(t, a.c.Nodes[i].Endpoint, "", "", anonymous, noRetries)
}

// ownedBucket creates a bucket of the harness's key with an ownership
// setting ("" for the default) and a canned ACL ("" for none).
func (a *accessEnv) ownedBucket(t *testing.T, name string, ownership types.ObjectOwnership, cannedACL types.BucketCannedACL) {
	t.Helper()
	_, err := a.s3(t, 0).CreateBucket(testCtx(t), &s3.CreateBucketInput{Bucket: aws.String(name), ObjectOwnership: ownership, ACL: cannedACL})
	must(t, err, "create bucket "+name)
}

func putPolicy(t *testing.T, cl *s3.Client, bucket, doc string) error {
	t.Helper()
	_, err := cl.PutBucketPolicy(testCtx(t), &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(doc)})
	return err
}

func getObject(t *testing.T, cl *s3.Client, bucket, key string) ([]byte, error) {
	t.Helper()
	out, err := cl.GetObject(testCtx(t), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, err
	}
	return readAll(t, out.Body), nil
}

// wantReadable checks that cl reads bucket/key and gets want.
func wantReadable(t *testing.T, cl *s3.Client, bucket, key, want string) {
	t.Helper()
	got, err := getObject(t, cl, bucket, key)
	if err != nil {
		t.Errorf("read %s/%s: %v", bucket, key, err)
		return
	}
	if string(got) != want {
		t.Errorf("read %s/%s: %q, want %q", bucket, key, got, want)
	}
}

// wantDenied checks that cl may not read bucket/key.
func wantDenied(t *testing.T, cl *s3.Client, bucket, key string) {
	t.Helper()
	_, err := getObject(t, cl, bucket, key)
	wantAPIError(t, err, "AccessDenied", http.StatusForbidden)
}

func put(t *testing.T, cl *s3.Client, in *s3.PutObjectInput, body string) {
	t.Helper()
	in.Body = strings.NewReader(body)
	_, err := cl.PutObject(testCtx(t), in)
	must(t, err, "put "+aws.ToString(in.Key))
}

func listKeys(t *testing.T, cl *s3.Client, bucket, prefix string) ([]string, error) {
	t.Helper()
	out, err := cl.ListObjectsV2(testCtx(t), &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	return keys, nil
}

// grantsOf renders an ACL's grants as "grantee=PERMISSION", sorted.
func grantsOf(grants []types.Grant) []string {
	var out []string
	for _, g := range grants {
		who := aws.ToString(g.Grantee.ID)
		if g.Grantee.URI != nil {
			who = aws.ToString(g.Grantee.URI)
		}
		out = append(out, who+"="+string(g.Permission))
	}
	slices.Sort(out)
	return out
}

const allUsers = "http://acs.amazonaws.com/groups/global/AllUsers"

func TestE2EAccess(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end tests start a cluster")
	}
	a := startAccessEnv(t)
	for _, tc := range []struct {
		name string
		run  func(*testing.T, *accessEnv)
	}{
		{"ObjectACLs", testObjectACLs},
		{"BucketACLs", testBucketACLs},
		{"OwnershipControls", testOwnershipControls},
		{"PolicyPrefixGrant", testPolicyPrefixGrant},
		{"PolicyDeny", testPolicyDeny},
		{"PolicySourceIP", testPolicySourceIP},
		{"PolicySecureTransport", testPolicySecureTransport},
		{"PublicAccessBlock", testPublicAccessBlock},
		{"MalformedPolicy", testMalformedPolicy},
		{"NoRights", testNoRights},
		{"Anonymous", testAnonymous},
		{"PostObjectACL", testPostObjectACL},
		{"Boto3", testAccessBoto3},
		{"Minio", testAccessMinio},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, a)
		})
	}
}

func testObjectACLs(t *testing.T, a *accessEnv) {
	ctx := testCtx(t)
	const bucket = "acl-objects"
	a.ownedBucket(t, bucket, types.ObjectOwnershipObjectWriter, "")
	own := a.s3(t, 0)
	put(t, own, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("pub"), ACL: types.ObjectCannedACLPublicRead}, "public")
	put(t, own, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("priv")}, "private")
	put(t, own, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("granted"), GrantRead: aws.String(`id="` + a.keyB + `"`)}, "for b")
	put(t, own, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("authread"), ACL: types.ObjectCannedACLAuthenticatedRead}, "for keys")
	anon, b, c := a.anon(t, 1), a.b(t), a.cKey(t)

	t.Run("public-read is read unsigned", func(t *testing.T) {
		wantReadable(t, anon, bucket, "pub", "public")
		resp := httpDo(t, newRequest(t, http.MethodGet, a.c.Nodes[2].Endpoint+"/"+bucket+"/pub", nil))
		if body := readAll(t, resp.Body); resp.StatusCode != http.StatusOK || string(body) != "public" {
			t.Errorf("unsigned GET: %d %q", resp.StatusCode, body)
		}
		wantReadable(t, b, bucket, "pub", "public")
	})
	t.Run("a grant gives access to its object only", func(t *testing.T) {
		wantReadable(t, b, bucket, "granted", "for b")
		wantDenied(t, c, bucket, "granted")
		wantDenied(t, anon, bucket, "granted")
		wantDenied(t, b, bucket, "priv") // the neighbour
		wantDenied(t, anon, bucket, "priv")
		_, err := listKeys(t, b, bucket, "")
		wantAPIError(t, err, "AccessDenied", http.StatusForbidden)
		// READ is not READ_ACP, nor WRITE_ACP.
		_, err = b.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String(bucket), Key: aws.String("granted")})
		wantAPIError(t, err, "AccessDenied", http.StatusForbidden)
		_, err = b.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String(bucket), Key: aws.String("granted"), ACL: types.ObjectCannedACLPublicRead})
		wantAPIError(t, err, "AccessDenied", http.StatusForbidden)
		wantDenied(t, anon, bucket, "granted")
	})
	t.Run("authenticated-read", func(t *testing.T) {
		wantReadable(t, b, bucket, "authread", "for keys")
		wantReadable(t, c, bucket, "authread", "for keys")
		wantDenied(t, anon, bucket, "authread")
	})
	t.Run("GetObjectAcl", func(t *testing.T) {
		out, err := own.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String(bucket), Key: aws.String("pub")})
		must(t, err, "get object acl")
		want := []string{a.c.KeyID + "=FULL_CONTROL", allUsers + "=READ"}
		if aws.ToString(out.Owner.ID) != a.c.KeyID || !slices.Equal(grantsOf(out.Grants), want) {
			t.Errorf("ACL: owner %s grants %v, want %s %v", aws.ToString(out.Owner.ID), grantsOf(out.Grants), a.c.KeyID, want)
		}
	})
	t.Run("PutObjectAcl keeps the data", func(t *testing.T) {
		put(t, own, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("flip"), ACL: types.ObjectCannedACLPublicRead}, "flip data")
		before, err := own.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("flip")})
		must(t, err, "head")
		wantReadable(t, anon, bucket, "flip", "flip data")
		_, err = own.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String(bucket), Key: aws.String("flip"), ACL: types.ObjectCannedACLPrivate})
		must(t, err, "put object acl private")
		wantDenied(t, anon, bucket, "flip")
		after, err := own.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("flip")})
		must(t, err, "head")
		if aws.ToString(after.ETag) != aws.ToString(before.ETag) || !aws.ToTime(after.LastModified).Equal(aws.ToTime(before.LastModified)) {
			t.Errorf("ETag or Last-Modified changed: %s %v -> %s %v", aws.ToString(before.ETag), before.LastModified, aws.ToString(after.ETag), after.LastModified)
		}
		wantReadable(t, own, bucket, "flip", "flip data")
		// An AccessControlPolicy body: B may read and read the ACL.
		_, err = own.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String(bucket), Key: aws.String("flip"), AccessControlPolicy: &types.AccessControlPolicy{
			Owner: &types.Owner{ID: aws.String(a.c.KeyID)},
			Grants: []types.Grant{
				{Grantee: &types.Grantee{Type: types.TypeCanonicalUser, ID: aws.String(a.c.KeyID)}, Permission: types.PermissionFullControl},
				{Grantee: &types.Grantee{Type: types.TypeCanonicalUser, ID: aws.String(a.keyB)}, Permission: types.PermissionRead},
				{Grantee: &types.Grantee{Type: types.TypeCanonicalUser, ID: aws.String(a.keyB)}, Permission: types.PermissionReadAcp},
			}}})
		must(t, err, "put object acl document")
		wantReadable(t, b, bucket, "flip", "flip data")
		got, err := b.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String(bucket), Key: aws.String("flip")})
		must(t, err, "B reads the ACL")
		want := []string{a.c.KeyID + "=FULL_CONTROL", a.keyB + "=READ", a.keyB + "=READ_ACP"}
		slices.Sort(want)
		if !slices.Equal(grantsOf(got.Grants), want) {
			t.Errorf("grants %v, want %v", grantsOf(got.Grants), want)
		}
		wantDenied(t, c, bucket, "flip")
	})
	t.Run("refused grantees", func(t *testing.T) {
		_, err := own.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("mail"), Body: strings.NewReader("x"),
			GrantRead: aws.String(`emailAddress="someone@example.com"`)})
		wantAPIError(t, err, "UnresolvableGrantByEmailAddress", http.StatusBadRequest)
		_, err = own.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("mail"), Body: strings.NewReader("x"),
			GrantRead: aws.String(`uri="http://acs.amazonaws.com/groups/s3/LogDelivery"`)})
		wantAPIError(t, err, "InvalidArgument", http.StatusBadRequest)
		_, err = own.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("mail"), Body: strings.NewReader("x"),
			ACL: types.ObjectCannedACLPublicRead, GrantRead: aws.String(`id="` + a.keyB + `"`)})
		wantAPIError(t, err, "InvalidRequest", http.StatusBadRequest)
		_, err = own.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("mail")})
		wantAPIError(t, err, "NotFound", http.StatusNotFound)
	})
	t.Run("a writer owns what it writes", func(t *testing.T) {
		a.allow(t, bucket, a.keyC, false, true, false)
		put(t, c, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("c-owned")}, "mine")
		wantReadable(t, c, bucket, "c-owned", "mine") // no read right: its owner's full control
		out, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String(bucket), Key: aws.String("c-owned")})
		must(t, err, "owner reads its ACL")
		if aws.ToString(out.Owner.ID) != a.keyC {
			t.Errorf("owner %s, want %s", aws.ToString(out.Owner.ID), a.keyC)
		}
		wantDenied(t, c, bucket, "priv")
		wantReadable(t, own, bucket, "c-owned", "mine") // the bucket owner's rights hold
	})
	t.Run("copies and uploads take the ACL asked for", func(t *testing.T) {
		_, err := own.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("copied-pub"),
			CopySource: aws.String(bucket + "/priv"), ACL: types.ObjectCannedACLPublicRead})
		must(t, err, "copy public")
		wantReadable(t, anon, bucket, "copied-pub", "private")
		_, err = own.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("copied-plain"), CopySource: aws.String(bucket + "/pub")})
		must(t, err, "copy plain")
		wantDenied(t, anon, bucket, "copied-plain") // the source's ACL stays with the source
		up, err := own.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mpu-pub"), ACL: types.ObjectCannedACLPublicRead})
		must(t, err, "create upload")
		part, err := own.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("mpu-pub"), UploadId: up.UploadId,
			PartNumber: aws.Int32(1), Body: strings.NewReader("multipart public")})
		must(t, err, "upload part")
		wantDenied(t, anon, bucket, "mpu-pub")
		_, err = own.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mpu-pub"), UploadId: up.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}})
		must(t, err, "complete")
		wantReadable(t, anon, bucket, "mpu-pub", "multipart public")
	})
}

func testBucketACLs(t *testing.T, a *accessEnv) {
	ctx := testCtx(t)
	const bucket = "acl-bucket"
	a.ownedBucket(t, bucket, types.ObjectOwnershipObjectWriter, types.BucketCannedACLPublicRead)
	own, anon := a.s3(t, 0), a.anon(t, 2)
	put(t, own, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("listed")}, "not readable")
	keys, err := listKeys(t, anon, bucket, "")
	must(t, err, "anonymous listing")
	if !slices.Equal(keys, []string{"listed"}) {
		t.Errorf("anonymous listing: %v", keys)
	}
	wantDenied(t, anon, bucket, "listed") // bucket READ lists, it does not read objects
	_, err = anon.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("anon"), Body: strings.NewReader("x")})
	wantAPIError(t, err, "AccessDenied", http.StatusForbidden)
	acl, err := own.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String(bucket)})
	must(t, err, "get bucket acl")
	if want := []string{a.c.KeyID + "=FULL_CONTROL", allUsers + "=READ"}; !slices.Equal(grantsOf(acl.Grants), want) || aws.ToString(acl.Owner.ID) != a.c.KeyID {
		t.Errorf("bucket ACL %v owner %s, want %v", grantsOf(acl.Grants), aws.ToString(acl.Owner.ID), want)
	}

	_, err = own.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String(bucket), ACL: types.BucketCannedACLPublicReadWrite})
	must(t, err, "public-read-write")
	_, err = anon.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("anon"), Body: strings.NewReader("from anyone")})
	must(t, err, "anonymous put")
	wantReadable(t, own, bucket, "anon", "from anyone")
	out, err := own.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String(bucket), Key: aws.String("anon")})
	must(t, err, "acl of the anonymous object")
	if aws.ToString(out.Owner.ID) != a.c.KeyID {
		t.Errorf("an anonymous write is owned by %s, want the bucket owner", aws.ToString(out.Owner.ID))
	}
	_, err = anon.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("anon")})
	must(t, err, "anonymous delete")

	_, err = own.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String(bucket), ACL: types.BucketCannedACLPrivate})
	must(t, err, "private")
	_, err = listKeys(t, anon, bucket, "")
	wantAPIError(t, err, "AccessDenied", http.StatusForbidden)

	// Documents: the owner must be the bucket's; headers and a body are
	// one ACL too many; no ACL at all is none.
	grantB := []types.Grant{{Grantee: &types.Grantee{Type: types.TypeCanonicalUser, ID: aws.String(a.keyB)}, Permission: types.PermissionRead}}
	_, err = own.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String(bucket), AccessControlPolicy: &types.AccessControlPolicy{
		Owner: &types.Owner{ID: aws.String(a.keyB)}, Grants: grantB}})
	wantAPIError(t, err, "AccessDenied", http.StatusForbidden)
	_, err = own.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String(bucket), ACL: types.BucketCannedACLPublicRead,
		AccessControlPolicy: &types.AccessControlPolicy{Owner: &types.Owner{ID: aws.String(a.c.KeyID)}, Grants: grantB}})
	wantAPIError(t, err, "UnexpectedContent", http.StatusBadRequest)
	_, err = own.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String(bucket)})
	wantAPIError(t, err, "MissingSecurityHeader", http.StatusBadRequest)
	_, err = listKeys(t, anon, bucket, "")
	wantAPIError(t, err, "AccessDenied", http.StatusForbidden)
	_, err = own.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String(bucket), AccessControlPolicy: &types.AccessControlPolicy{
		Owner: &types.Owner{ID: aws.String(a.c.KeyID)}, Grants: grantB}})
	must(t, err, "a document granting B READ")
	keys, err = listKeys(t, a.b(t), bucket, "")
	must(t, err, "B lists by the bucket ACL")
	if !slices.Equal(keys, []string{"listed"}) {
		t.Errorf("B's listing: %v", keys)
	}
}

func testOwnershipControls(t *testing.T, a *accessEnv) {
	ctx := testCtx(t)
	own, anon := a.s3(t, 0), a.anon(t, 0)
	const enforced = "own-default"
	a.ownedBucket(t, enforced, "", "")
	got, err := own.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String(enforced)})
	must(t, err, "get ownership controls")
	if o := got.OwnershipControls.Rules[0].ObjectOwnership; o != types.ObjectOwnershipBucketOwnerEnforced {
		t.Errorf("a new bucket's ownership is %s", o)
	}
	t.Run("BucketOwnerEnforced refuses ACLs", func(t *testing.T) {
		for _, in := range []*s3.PutObjectInput{
			{ACL: types.ObjectCannedACLPublicRead}, {ACL: types.ObjectCannedACLAuthenticatedRead},
			{GrantRead: aws.String(`id="` + a.keyB + `"`)}, {GrantFullControl: aws.String(`id="` + a.c.KeyID + `"`)},
		} {
			in.Bucket, in.Key, in.Body = aws.String(enforced), aws.String("refused"), strings.NewReader("x")
			_, err := own.PutObject(ctx, in)
			wantAPIError(t, err, "AccessControlListNotSupported", http.StatusBadRequest)
		}
		_, err := own.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(enforced), Key: aws.String("refused")})
		wantAPIError(t, err, "NotFound", http.StatusNotFound)
		for _, canned := range []types.ObjectCannedACL{types.ObjectCannedACLPrivate, types.ObjectCannedACLBucketOwnerFullControl} {
			put(t, own, &s3.PutObjectInput{Bucket: aws.String(enforced), Key: aws.String("accepted"), ACL: canned}, "ok")
		}
		_, err = own.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String(enforced), Key: aws.String("accepted"), ACL: types.ObjectCannedACLPublicRead})
		wantAPIError(t, err, "AccessControlListNotSupported", http.StatusBadRequest)
		_, err = own.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String(enforced), ACL: types.BucketCannedACLPublicRead})
		wantAPIError(t, err, "AccessControlListNotSupported", http.StatusBadRequest)
		acl, err := own.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String(enforced)})
		must(t, err, "get bucket acl")
		if want := []string{a.c.KeyID + "=FULL_CONTROL"}; !slices.Equal(grantsOf(acl.Grants), want) {
			t.Errorf("grants %v, want %v", grantsOf(acl.Grants), want)
		}
		wantDenied(t, anon, enforced, "accepted")
		_, err = own.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("own-refused"), ACL: types.BucketCannedACLPublicRead})
		wantAPIError(t, err, "InvalidBucketAclWithObjectOwnership", http.StatusBadRequest)
		_, err = own.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("own-refused")})
		wantAPIError(t, err, "NotFound", http.StatusNotFound)
	})
	t.Run("a bucket made with the CLI has ACLs off", func(t *testing.T) {
		got, err := own.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("bucket")})
		must(t, err, "get ownership controls")
		if o := got.OwnershipControls.Rules[0].ObjectOwnership; o != types.ObjectOwnershipBucketOwnerEnforced {
			t.Errorf("the CLI's bucket's ownership is %s", o)
		}
		_, err = own.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String("access/public"), Body: strings.NewReader("x"), ACL: types.ObjectCannedACLPublicRead})
		wantAPIError(t, err, "AccessControlListNotSupported", http.StatusBadRequest)
	})
	t.Run("BucketOwnerPreferred", func(t *testing.T) {
		const bucket = "own-preferred"
		a.ownedBucket(t, bucket, types.ObjectOwnershipBucketOwnerPreferred, "")
		a.allow(t, bucket, a.keyC, false, true, false)
		c := a.cKey(t)
		put(t, c, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("given"), ACL: types.ObjectCannedACLBucketOwnerFullControl}, "given")
		put(t, c, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("kept")}, "kept")
		for key, owner := range map[string]string{"given": a.c.KeyID, "kept": a.keyC} {
			out, err := own.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			must(t, err, "get object acl")
			if aws.ToString(out.Owner.ID) != owner {
				t.Errorf("%s is owned by %s, want %s", key, aws.ToString(out.Owner.ID), owner)
			}
		}
		wantReadable(t, c, bucket, "kept", "kept")
		wantDenied(t, c, bucket, "given")
	})
	t.Run("switching ownership", func(t *testing.T) {
		const bucket = "own-writer"
		a.ownedBucket(t, bucket, types.ObjectOwnershipObjectWriter, types.BucketCannedACLPublicRead)
		put(t, own, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("pub"), ACL: types.ObjectCannedACLPublicRead}, "public")
		wantReadable(t, anon, bucket, "pub", "public")
		enforce := &s3.PutBucketOwnershipControlsInput{Bucket: aws.String(bucket), OwnershipControls: &types.OwnershipControls{
			Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced}}}}
		_, err := own.PutBucketOwnershipControls(ctx, enforce)
		wantAPIError(t, err, "InvalidBucketAclWithObjectOwnership", http.StatusBadRequest)
		_, err = own.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String(bucket), ACL: types.BucketCannedACLPrivate})
		must(t, err, "private bucket ACL")
		_, err = own.PutBucketOwnershipControls(ctx, enforce)
		must(t, err, "enforce")
		// ACLs now count for nothing: the public object is not.
		wantDenied(t, anon, bucket, "pub")
		_, err = own.DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: aws.String(bucket)})
		must(t, err, "delete ownership controls")
		_, err = own.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String(bucket)})
		wantAPIError(t, err, "OwnershipControlsNotFoundError", http.StatusNotFound)
		wantReadable(t, anon, bucket, "pub", "public") // ObjectWriter again
	})
}

func testPolicyPrefixGrant(t *testing.T, a *accessEnv) {
	ctx := testCtx(t)
	const bucket = "pol-prefix"
	a.ownedBucket(t, bucket, "", "")
	own, b := a.s3(t, 0), a.b(t)
	put(t, own, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("shared/a")}, "shared")
	put(t, own, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("private/a")}, "private")
	doc := `{"Version": "2012-10-17", "Statement": [
	  {"Sid": "ReadShared", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::` + a.keyB + `:root"},
	   "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pol-prefix/shared/*"},
	  {"Sid": "ListShared", "Effect": "Allow", "Principal": {"AWS": ["` + a.keyB + `"]}, "Action": "s3:ListBucket",
	   "Resource": "arn:aws:s3:::pol-prefix", "Condition": {"StringLike": {"s3:prefix": "shared/*"}}}]}`
	must(t, putPolicy(t, own, bucket, doc), "put policy")
	got, err := own.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
	must(t, err, "get policy")
	if aws.ToString(got.Policy) != doc {
		t.Errorf("GetBucketPolicy answered %s", aws.ToString(got.Policy))
	}
	status, err := own.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String(bucket)})
	must(t, err, "policy status")
	if aws.ToBool(status.PolicyStatus.IsPublic) {
		t.Error("a policy for one key is not public")
	}

	wantReadable(t, b, bucket, "shared/a", "shared")
	wantDenied(t, b, bucket, "private/a")
	wantDenied(t, a.cKey(t), bucket, "shared/a")
	wantDenied(t, a.anon(t, 0), bucket, "shared/a")
	keys, err := listKeys(t, b, bucket, "shared/")
	must(t, err, "list shared/")
	if !slices.Equal(keys, []string{"shared/a"}) {
		t.Errorf("listing shared/: %v", keys)
	}
	for _, prefix := range []string{"private/", ""} {
		_, err := listKeys(t, b, bucket, prefix)
		wantAPIError(t, err, "AccessDenied", http.StatusForbidden)
	}
	_, err = b.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("shared/b"), Body: strings.NewReader("x")})
	wantAPIError(t, err, "AccessDenied", http.StatusForbidden)
	_, err = b.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
	wantAPIError(t, err, "AccessDenied", http.StatusForbidden)

	// The classic drop box: C may write only handing the object over.
	must(t, putPolicy(t, own, bucket, `{"Statement": {"Effect": "Allow", "Principal": {"AWS": "`+a.keyC+`"}, "Action": "s3:PutObject",
	  "Resource": "arn:aws:s3:::pol-prefix/inbox/*", "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}}`), "drop box policy")
	c := a.cKey(t)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("inbox/a"), Body: strings.NewReader("x")})
	wantAPIError(t, err, "AccessDenied", http.StatusForbidden)
	put(t, c, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("inbox/a"), ACL: types.ObjectCannedACLBucketOwnerFullControl}, "dropped")
	wantReadable(t, own, bucket, "inbox/a", "dropped")
	wantDenied(t, c, bucket, "inbox/a")
}

func testPolicyDeny(t *testing.T, a *accessEnv) {
	ctx := testCtx(t)
	const bucket = "pol-deny"
	a.ownedBucket(t, bucket, "", "")
	own, b := a.s3(t, 0), a.b(t)
	for _, k := range []string{"locked/x", "open/x", "keep/x", "drop/x"} {
		put(t, own, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)}, k)
	}
	must(t, putPolicy(t, own, bucket, `{"Statement": [
	  {"Effect": "Allow", "Principal": {"AWS": "`+a.keyB+`"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pol-deny/*"},
	  {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pol-deny/locked/*"},
	  {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::pol-deny/keep/*"}]}`), "put policy")
	wantDenied(t, own, bucket, "locked/x") // the Deny beats the key's own rights
	wantDenied(t, b, bucket, "locked/x")   // and the policy's Allow
	wantReadable(t, b, bucket, "open/x", "open/x")
	wantReadable(t, own, bucket, "open/x", "open/x")
	_, err := own.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("keep/x")})
	wantAPIError(t, err, "AccessDenied", http.StatusForbidden)
	res, err := own.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{
		Objects: []types.ObjectIdentifier{{Key: aws.String("keep/x")}, {Key: aws.String("drop/x")}}}})
	must(t, err, "delete objects")
	if len(res.Errors) != 1 || aws.ToString(res.Errors[0].Key) != "keep/x" || aws.ToString(res.Errors[0].Code) != "AccessDenied" ||
		len(res.Deleted) != 1 || aws.ToString(res.Deleted[0].Key) != "drop/x" {
		t.Errorf("DeleteObjects: deleted %v errors %v", res.Deleted, res.Errors)
	}
	wantReadable(t, own, bucket, "keep/x", "keep/x")

	// A policy denying its owners everything cannot lock them out of it.
	must(t, putPolicy(t, own, bucket, `{"Statement": {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::pol-deny", "arn:aws:s3:::pol-deny/*"]}}`), "deny all")
	_, err = listKeys(t, own, bucket, "")
	wantAPIError(t, err, "AccessDenied", http.StatusForbidden)
	_, err = own.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
	must(t, err, "the owner reads the policy that denies everything")
	_, err = own.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(bucket)})
	must(t, err, "the owner deletes it")
	wantReadable(t, own, bucket, "locked/x", "locked/x")
	wantDenied(t, b, bucket, "open/x")
}

func testPolicySourceIP(t *testing.T, a *accessEnv) {
	const bucket = "pol-ip"
	a.ownedBucket(t, bucket, "", "")
	own, anon := a.s3(t, 0), a.anon(t, 1)
	for _, k := range []string{"local/a", "other/a", "local/denied"} {
		put(t, own, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)}, k)
	}
	must(t, putPolicy(t, own, bucket, `{"Statement": [
	  {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pol-ip/local/*", "Condition": {"IpAddress": {"aws:SourceIp": "127.0.0.1/32"}}},
	  {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pol-ip/other/*", "Condition": {"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "10.0.0.0/8"]}}},
	  {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pol-ip/local/denied", "Condition": {"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]}`), "put policy")
	wantReadable(t, anon, bucket, "local/a", "local/a")
	wantDenied(t, anon, bucket, "other/a")
	wantDenied(t, anon, bucket, "local/denied")
	wantDenied(t, own, bucket, "local/denied")
	status, err := own.GetBucketPolicyStatus(testCtx(t), &s3.GetBucketPolicyStatusInput{Bucket: aws.String(bucket)})
	must(t, err, "policy status")
	if aws.ToBool(status.PolicyStatus.IsPublic) {
		t.Error("a policy pinned to IP ranges is not public")
	}
}

func testPolicySecureTransport(t *testing.T, a *accessEnv) {
	const bucket = "pol-tls"
	a.ownedBucket(t, bucket, "", "")
	own := a.s3(t, 0)
	put(t, own, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("tls/a")}, "over tls")
	must(t, putPolicy(t, own, bucket, `{"Statement": {"Effect": "Allow", "Principal": {"AWS": "`+a.keyB+`"}, "Action": "s3:GetObject",
	  "Resource": "arn:aws:s3:::pol-tls/tls/*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}}`), "put policy")
	keyB := func(endpoint string, client interface {
		Do(*http.Request) (*http.Response, error)
	}) *s3.Client {
		return newS3(t, endpoint, a.keyB, a.secretB, noRetries, func(o *s3.Options) { o.HTTPClient = requestIDChecker{t: t, next: client} })
	}

	t.Run("plain HTTP is refused", func(t *testing.T) {
		wantDenied(t, a.b(t), bucket, "tls/a")
	})
	t.Run("TLS terminated by the node", func(t *testing.T) {
		srv := httptest.NewUnstartedServer(a.c.Nodes[1].API)
		srv.StartTLS()
		t.Cleanup(srv.Close)
		wantReadable(t, keyB(srv.URL, srv.Client()), bucket, "tls/a", "over tls")
	})
	t.Run("tlsFront passes bytes, so the node sees plain HTTP", func(t *testing.T) {
		endpoint, client := tlsFront(t, a.c.Nodes[1].Endpoint)
		wantDenied(t, keyB(endpoint, client), bucket, "tls/a")
	})
	// A reverse proxy that says X-Forwarded-Proto: https is believed by
	// node 2, which trusts 127.0.0.0/8 as its proxy, not by node 0.
	proxy := func(node int) (string, *http.Client) {
		target, err := url.Parse(a.c.Nodes[node].Endpoint)
		must(t, err, "node URL")
		srv := httptest.NewTLSServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Host = r.In.Host // the host the client signed
			r.SetXForwarded()
		}})
		t.Cleanup(srv.Close)
		return srv.URL, srv.Client()
	}
	t.Run("a trusted proxy's X-Forwarded-Proto", func(t *testing.T) {
		endpoint, client := proxy(2)
		wantReadable(t, keyB(endpoint, client), bucket, "tls/a", "over tls")
	})
	t.Run("an untrusted proxy's X-Forwarded-Proto", func(t *testing.T) {
		endpoint, client := proxy(0)
		wantDenied(t, keyB(endpoint, client), bucket, "tls/a")
	})
}

func testPublicAccessBlock(t *testing.T, a *accessEnv) {
	ctx := testCtx(t)
	const bucket = "pab"
	a.ownedBucket(t, bucket, types.ObjectOwnershipObjectWriter, "")
	own, anon, b, c := a.s3(t, 0), a.anon(t, 2), a.b(t), a.cKey(t)
	a.allow(t, bucket, a.keyC, false, true, false) // C has a right on the bucket, but not read
	put(t, own, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("acl/pub"), ACL: types.ObjectCannedACLPublicRead}, "by acl")
	put(t, own, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("pol/x")}, "by policy")
	public := `{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pab/pol/*"}}`
	must(t, putPolicy(t, own, bucket, public), "public policy")
	status, err := own.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String(bucket)})
	must(t, err, "policy status")
	if !aws.ToBool(status.PolicyStatus.IsPublic) {
		t.Error("a policy granting GetObject to * is public")
	}
	wantReadable(t, anon, bucket, "acl/pub", "by acl")
	wantReadable(t, anon, bucket, "pol/x", "by policy")
	_, err = own.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(bucket)})
	wantAPIError(t, err, "NoSuchPublicAccessBlockConfiguration", http.StatusNotFound)

	block := func(cfg types.PublicAccessBlockConfiguration) {
		t.Helper()
		_, err := own.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(bucket), PublicAccessBlockConfiguration: &cfg})
		must(t, err, "put public access block")
	}
	t.Run("IgnorePublicAcls", func(t *testing.T) {
		block(types.PublicAccessBlockConfiguration{IgnorePublicAcls: aws.Bool(true)})
		wantDenied(t, anon, bucket, "acl/pub")
		wantDenied(t, b, bucket, "acl/pub")
		wantReadable(t, anon, bucket, "pol/x", "by policy")
	})
	t.Run("BlockPublicAcls", func(t *testing.T) {
		block(types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true)})
		wantReadable(t, anon, bucket, "acl/pub", "by acl") // existing ACLs still count
		_, err := own.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("acl/new"), Body: strings.NewReader("x"), ACL: types.ObjectCannedACLPublicRead})
		wantAPIError(t, err, "AccessDenied", http.StatusForbidden)
		_, err = own.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("acl/new"), Body: strings.NewReader("x"), GrantRead: aws.String(`uri="` + allUsers + `"`)})
		wantAPIError(t, err, "AccessDenied", http.StatusForbidden)
		_, err = own.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String(bucket), ACL: types.BucketCannedACLPublicRead})
		wantAPIError(t, err, "AccessDenied", http.StatusForbidden)
		_, err = own.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String(bucket), Key: aws.String("pol/x"), ACL: types.ObjectCannedACLAuthenticatedRead})
		wantAPIError(t, err, "AccessDenied", http.StatusForbidden)
		put(t, own, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("acl/new"), GrantRead: aws.String(`id="` + a.keyB + `"`)}, "for b")
		wantReadable(t, b, bucket, "acl/new", "for b")
	})
	t.Run("RestrictPublicBuckets", func(t *testing.T) {
		block(types.PublicAccessBlockConfiguration{RestrictPublicBuckets: aws.Bool(true)})
		wantDenied(t, anon, bucket, "pol/x")
		wantDenied(t, b, bucket, "pol/x")                  // no right on the bucket
		wantReadable(t, c, bucket, "pol/x", "by policy")   // a right on the bucket
		wantReadable(t, anon, bucket, "acl/pub", "by acl") // ACLs are not its business
		// Nor are they for an object both the policy and an ACL make public.
		put(t, own, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("pol/acl"), ACL: types.ObjectCannedACLPublicRead}, "both")
		wantReadable(t, anon, bucket, "pol/acl", "both")
	})
	t.Run("BlockPublicPolicy", func(t *testing.T) {
		block(types.PublicAccessBlockConfiguration{BlockPublicPolicy: aws.Bool(true)})
		wantAPIError(t, putPolicy(t, own, bucket, strings.Replace(public, "pol/*", "other/*", 1)), "AccessDenied", http.StatusForbidden)
		must(t, putPolicy(t, own, bucket, `{"Statement": {"Effect": "Allow", "Principal": {"AWS": "`+a.keyB+`"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pab/pol/*"}}`), "non-public policy")
		wantReadable(t, b, bucket, "pol/x", "by policy")
		wantDenied(t, anon, bucket, "pol/x")
	})
	t.Run("all four, read back, deleted", func(t *testing.T) {
		all := types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}
		block(all)
		got, err := own.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(bucket)})
		must(t, err, "get public access block")
		if g := got.PublicAccessBlockConfiguration; !aws.ToBool(g.BlockPublicAcls) || !aws.ToBool(g.IgnorePublicAcls) || !aws.ToBool(g.BlockPublicPolicy) || !aws.ToBool(g.RestrictPublicBuckets) {
			t.Errorf("read back %+v", g)
		}
		wantDenied(t, anon, bucket, "acl/pub")
		_, err = own.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String(bucket)})
		must(t, err, "delete public access block")
		_, err = own.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(bucket)})
		wantAPIError(t, err, "NoSuchPublicAccessBlockConfiguration", http.StatusNotFound)
		wantReadable(t, anon, bucket, "acl/pub", "by acl")
	})
}

func testMalformedPolicy(t *testing.T, a *accessEnv) {
	const bucket = "pol-bad"
	a.ownedBucket(t, bucket, "", "")
	own := a.s3(t, 0)
	ok := `"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pol-bad/*"`
	for _, doc := range []string{
		`not json`,
		`{"Statement": []}`,
		`{"Statement": {"Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pol-bad/*"}}`,
		`{"Statement": {` + ok + `, "Condition": {"StringEqualz": {"s3:prefix": "a"}}}}`,
		`{"Statement": {` + ok + `, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-123"}}}}`,
		`{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::another-bucket/*"}}`,
		`{"Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pol-bad/*"}}`,
		`{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:ReadEverything", "Resource": "arn:aws:s3:::pol-bad/*"}}`,
	} {
		wantAPIError(t, putPolicy(t, own, bucket, doc), "MalformedPolicy", http.StatusBadRequest)
	}
	_, err := own.GetBucketPolicy(testCtx(t), &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
	wantAPIError(t, err, "NoSuchBucketPolicy", http.StatusNotFound)
}

func testNoRights(t *testing.T, a *accessEnv) {
	ctx := testCtx(t)
	const bucket = "no-rights"
	a.ownedBucket(t, bucket, types.ObjectOwnershipObjectWriter, "")
	put(t, a.s3(t, 0), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("obj")}, "x")
	a.allow(t, bucket, a.keyC, true, false, false)
	policyDoc := `{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::no-rights/*"}}`
	bkt, key := aws.String(bucket), aws.String("obj")
	enforce := &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced}}}
	changes := map[string]func(*s3.Client) error{
		"PutBucketAcl": func(cl *s3.Client) error {
			_, err := cl.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: bkt, ACL: types.BucketCannedACLPublicRead})
			return err
		},
		"PutObjectAcl": func(cl *s3.Client) error {
			_, err := cl.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: bkt, Key: key, ACL: types.ObjectCannedACLPublicRead})
			return err
		},
		"PutBucketPolicy": func(cl *s3.Client) error { return putPolicy(t, cl, bucket, policyDoc) },
		"DeleteBucketPolicy": func(cl *s3.Client) error {
			_, err := cl.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: bkt})
			return err
		},
		"GetBucketPolicy": func(cl *s3.Client) error {
			_, err := cl.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: bkt})
			return err
		},
		"GetBucketPolicyStatus": func(cl *s3.Client) error {
			_, err := cl.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: bkt})
			return err
		},
		"PutPublicAccessBlock": func(cl *s3.Client) error {
			_, err := cl.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: bkt, PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{}})
			return err
		},
		"DeletePublicAccessBlock": func(cl *s3.Client) error {
			_, err := cl.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: bkt})
			return err
		},
		"PutBucketOwnershipControls": func(cl *s3.Client) error {
			_, err := cl.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: bkt, OwnershipControls: enforce})
			return err
		},
		"DeleteBucketOwnershipControls": func(cl *s3.Client) error {
			_, err := cl.DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: bkt})
			return err
		},
	}
	reads := map[string]func(*s3.Client) error{
		"GetBucketAcl": func(cl *s3.Client) error {
			_, err := cl.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: bkt})
			return err
		},
		"GetObjectAcl": func(cl *s3.Client) error {
			_, err := cl.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: bkt, Key: key})
			return err
		},
	}
	// B has no right at all: every one is refused.
	for name, f := range changes {
		if err := f(a.b(t)); err == nil {
			t.Errorf("key B (no rights): %s accepted", name)
		} else {
			wantAPIError(t, err, "AccessDenied", http.StatusForbidden)
		}
	}
	for name, f := range reads {
		if err := f(a.b(t)); err == nil {
			t.Errorf("key B (no rights): %s accepted", name)
		} else {
			wantAPIError(t, err, "AccessDenied", http.StatusForbidden)
		}
	}
	// C may read, which reads ACLs, but changes nothing.
	for name, f := range reads {
		must(t, f(a.cKey(t)), "key C (read): "+name)
	}
	for name, f := range changes {
		if err := f(a.cKey(t)); err == nil {
			t.Errorf("key C (read only): %s accepted", name)
		} else {
			wantAPIError(t, err, "AccessDenied", http.StatusForbidden)
		}
	}
	wantDenied(t, a.anon(t, 0), bucket, "obj") // nothing was made public
}

func testAnonymous(t *testing.T, a *accessEnv) {
	ctx := testCtx(t)
	anon := a.anon(t, 0)
	_, err := anon.ListBuckets(ctx, &s3.ListBucketsInput{})
	wantAPIError(t, err, "AccessDenied", http.StatusForbidden)
	_, err = anon.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("anon-made")})
	wantAPIError(t, err, "AccessDenied", http.StatusForbidden)
	wantDenied(t, anon, "bucket", "anything")
	_, err = listKeys(t, anon, "bucket", "")
	wantAPIError(t, err, "AccessDenied", http.StatusForbidden)
	_, err = anon.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String("anon"), Body: strings.NewReader("x")})
	wantAPIError(t, err, "AccessDenied", http.StatusForbidden)
	_, err = anon.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("bucket")})
	wantAPIError(t, err, "AccessDenied", http.StatusForbidden)
	_, err = anon.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("bucket"), Policy: aws.String(`{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::bucket/*"}}`)})
	wantAPIError(t, err, "AccessDenied", http.StatusForbidden)

	// An aws-chunked body carries signatures an anonymous request cannot
	// have: refused, not stored with its framing.
	const publicRW = "anon-rw"
	a.ownedBucket(t, publicRW, types.ObjectOwnershipObjectWriter, types.BucketCannedACLPublicReadWrite)
	for _, h := range []http.Header{{"Content-Encoding": {"aws-chunked"}}, {"X-Amz-Content-Sha256": {"STREAMING-UNSIGNED-PAYLOAD-TRAILER"}}} {
		req := newRequest(t, http.MethodPut, a.c.Nodes[0].Endpoint+"/"+publicRW+"/chunked", strings.NewReader("5\r\nhello\r\n0\r\n\r\n"))
		for k, v := range h {
			req.Header[k] = v
		}
		req.Header.Set("X-Amz-Decoded-Content-Length", "5")
		wantHTTPError(t, httpDo(t, req), "AccessDenied", http.StatusForbidden)
	}
	resp := httpDo(t, newRequest(t, http.MethodPut, a.c.Nodes[0].Endpoint+"/"+publicRW+"/plain", strings.NewReader("plain anonymous body")))
	if body := readAll(t, resp.Body); resp.StatusCode != http.StatusOK {
		t.Errorf("anonymous plain PUT into a public-read-write bucket: %d %s", resp.StatusCode, body)
	}
	wantReadable(t, a.s3(t, 1), publicRW, "plain", "plain anonymous body")
	_, err = a.s3(t, 1).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(publicRW), Key: aws.String("chunked")})
	wantAPIError(t, err, "NotFound", http.StatusNotFound)

	// Anonymous requests name buckets by global alias only.
	const bucket = "anon-public"
	a.ownedBucket(t, bucket, types.ObjectOwnershipObjectWriter, types.BucketCannedACLPublicRead)
	_, err = a.c.Do(ctx, admin.AliasBucket{Bucket: bucket, Alias: "mine", LocalKey: a.c.KeyID})
	must(t, err, "local alias")
	_, err = listKeys(t, a.s3(t, 1), "mine", "")
	must(t, err, "the key lists by its local alias")
	_, err = listKeys(t, anon, bucket, "")
	must(t, err, "anonymous listing by the global alias")
	_, err = listKeys(t, anon, "mine", "")
	wantAPIError(t, err, "NoSuchBucket", http.StatusNotFound)
}

// testPostObjectACL: a browser form's acl field, signed in its policy by
// boto3, makes the uploaded object public.
func testPostObjectACL(t *testing.T, a *accessEnv) {
	const bucket = "post-acl"
	a.ownedBucket(t, bucket, types.ObjectOwnershipObjectWriter, "")
	out := a.boto3(t, 0, `
post = s3.generate_presigned_post("post-acl", "form/pub.txt", Fields={"acl": "public-read"}, Conditions=[{"acl": "public-read"}], ExpiresIn=600)
print(json.dumps(post))
`)
	var post struct {
		URL    string            `json:"url"`
		Fields map[string]string `json:"fields"`
	}
	must(t, jsonUnmarshal(out, &post), "boto3's form")
	resp := postForm(t, post.URL, post.Fields, "pub.txt", []byte("posted publicly"))
	if body := readAll(t, resp.Body); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST: %d %s", resp.StatusCode, body)
	}
	wantReadable(t, a.anon(t, 1), bucket, "form/pub.txt", "posted publicly")

	// The same form into a bucket that refuses ACLs is refused.
	a.ownedBucket(t, "post-enforced", "", "")
	out = a.boto3(t, 0, `
post = s3.generate_presigned_post("post-enforced", "form/pub.txt", Fields={"acl": "public-read"}, Conditions=[{"acl": "public-read"}], ExpiresIn=600)
print(json.dumps(post))
`)
	must(t, jsonUnmarshal(out, &post), "boto3's form")
	wantHTTPError(t, postForm(t, post.URL, post.Fields, "pub.txt", []byte("x")), "AccessControlListNotSupported", http.StatusBadRequest)
}

func testAccessBoto3(t *testing.T, a *accessEnv) {
	a.ownedBucket(t, "boto-access", types.ObjectOwnershipObjectWriter, "")
	got := runBoto3(t, a.c.Nodes[1].Endpoint, a.c.KeyID, a.c.Secret, strings.NewReplacer("KEY_B", a.keyB, "SECRET_B", a.secretB).Replace(`
from botocore import UNSIGNED
key_b, secret_b = "KEY_B", "SECRET_B"
bkt = "boto-access"
out = {}
s3.put_object(Bucket=bkt, Key="pub/a", Body=b"public via boto3", ACL="public-read")
s3.put_object(Bucket=bkt, Key="team/a", Body=b"team data")
s3.put_object(Bucket=bkt, Key="other/a", Body=b"other data")
anon = client(signature_version=UNSIGNED)
out["anon_pub"] = anon.get_object(Bucket=bkt, Key="pub/a")["Body"].read().decode()
out["anon_team"] = error_code(lambda: anon.get_object(Bucket=bkt, Key="team/a"))
acl = s3.get_object_acl(Bucket=bkt, Key="pub/a")
out["grants"] = sorted(g["Permission"] + ":" + g["Grantee"].get("URI", g["Grantee"].get("ID", "")) for g in acl["Grants"])
s3.put_bucket_policy(Bucket=bkt, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": [key_b]}, "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::boto-access/team/*"]},
    {"Effect": "Allow", "Principal": {"AWS": [key_b]}, "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::boto-access",
     "Condition": {"StringEquals": {"s3:prefix": ["team/"]}}}]}))
b = client(key_id=key_b, secret=secret_b)
out["b_team"] = b.get_object(Bucket=bkt, Key="team/a")["Body"].read().decode()
out["b_other"] = error_code(lambda: b.get_object(Bucket=bkt, Key="other/a"))
out["b_list_team"] = [o["Key"] for o in b.list_objects_v2(Bucket=bkt, Prefix="team/")["Contents"]]
out["b_list_all"] = error_code(lambda: b.list_objects_v2(Bucket=bkt))
out["status_public"] = s3.get_bucket_policy_status(Bucket=bkt)["PolicyStatus"]["IsPublic"]
out["malformed"] = error_code(lambda: s3.put_bucket_policy(Bucket=bkt, Policy='{"Statement": {"Effect": "Perhaps"}}'))
s3.put_public_access_block(Bucket=bkt, PublicAccessBlockConfiguration={"BlockPublicAcls": True, "IgnorePublicAcls": True})
out["pab_put"] = error_code(lambda: s3.put_object(Bucket=bkt, Key="pub/b", Body=b"x", ACL="public-read"))
out["pab_read"] = error_code(lambda: anon.get_object(Bucket=bkt, Key="pub/a"))
out["pab"] = s3.get_public_access_block(Bucket=bkt)["PublicAccessBlockConfiguration"]
s3.create_bucket(Bucket="boto-listed", ACL="public-read", ObjectOwnership="ObjectWriter")
s3.put_object(Bucket="boto-listed", Key="seen", Body=b"x")
out["anon_list"] = [o["Key"] for o in anon.list_objects(Bucket="boto-listed")["Contents"]]
out["anon_list_private"] = error_code(lambda: anon.list_objects(Bucket=bkt))
print(json.dumps(out, sort_keys=True))
`))
	want := `{"anon_list": ["seen"], "anon_list_private": "AccessDenied", "anon_pub": "public via boto3", "anon_team": "AccessDenied", "b_list_all": "AccessDenied", "b_list_team": ["team/a"], ` +
		`"b_other": "AccessDenied", "b_team": "team data", "grants": ["FULL_CONTROL:` + a.c.KeyID + `", "READ:` + allUsers + `"], ` +
		`"malformed": "MalformedPolicy", "pab": {"BlockPublicAcls": true, "BlockPublicPolicy": false, "IgnorePublicAcls": true, "RestrictPublicBuckets": false}, ` +
		`"pab_put": "AccessDenied", "pab_read": "AccessDenied", "status_public": false}`
	if got != want {
		t.Errorf("boto3 saw\n%s\nwant\n%s", got, want)
	}
}

func testAccessMinio(t *testing.T, a *accessEnv) {
	ctx := testCtx(t)
	const bucket = "minio-access"
	a.ownedBucket(t, bucket, "", "")
	mc := a.minio(t, 2)
	put(t, a.s3(t, 0), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("public/a")}, "minio public")
	put(t, a.s3(t, 0), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("private/a")}, "minio private")
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":["s3:GetObject"],"Resource":["arn:aws:s3:::minio-access/public/*"]},` +
		`{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":["s3:ListBucket"],"Resource":["arn:aws:s3:::minio-access"],"Condition":{"StringEquals":{"s3:prefix":["public/"]}}}]}`
	must(t, mc.SetBucketPolicy(ctx, bucket, doc), "minio SetBucketPolicy")
	got, err := mc.GetBucketPolicy(ctx, bucket)
	must(t, err, "minio GetBucketPolicy")
	if got != doc {
		t.Errorf("minio read back %s", got)
	}
	anon := a.minio(t, 0, func(o *minio.Options) { o.Creds = miniocreds.NewStaticV4("", "", "") })
	obj, err := anon.GetObject(ctx, bucket, "public/a", minio.GetObjectOptions{})
	must(t, err, "anonymous minio get")
	body, err := io.ReadAll(obj)
	must(t, err, "anonymous minio read")
	if string(body) != "minio public" {
		t.Errorf("anonymous minio read %q", body)
	}
	var listed []string
	for o := range anon.ListObjects(ctx, bucket, minio.ListObjectsOptions{Prefix: "public/"}) {
		must(t, o.Err, "anonymous minio list")
		listed = append(listed, o.Key)
	}
	if !slices.Equal(listed, []string{"public/a"}) {
		t.Errorf("anonymous minio listing %v", listed)
	}
	_, err = anon.StatObject(ctx, bucket, "private/a", minio.StatObjectOptions{})
	if minio.ToErrorResponse(err).StatusCode != http.StatusForbidden {
		t.Errorf("anonymous minio stat of a private object: %v", err)
	}
	for o := range anon.ListObjects(ctx, bucket, minio.ListObjectsOptions{Prefix: "private/"}) {
		if minio.ToErrorResponse(o.Err).Code != "AccessDenied" {
			t.Errorf("anonymous minio listing of private/: %+v", o)
		}
	}
	must(t, mc.SetBucketPolicy(ctx, bucket, ""), "minio removes the policy")
	_, err = anon.StatObject(ctx, bucket, "public/a", minio.StatObjectOptions{})
	if minio.ToErrorResponse(err).StatusCode != http.StatusForbidden {
		t.Errorf("after the policy's removal: %v", err)
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
