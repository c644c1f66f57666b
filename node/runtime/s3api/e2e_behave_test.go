package s3api_test

// AWS's answers to the corners of listings, part reads, copy ranges,
// bucket creation and ListBuckets paging, and storage classes, through
// aws-sdk-go-v2, boto3, minio-go and raw signed HTTP.

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	minio "github.com/minio/minio-go/v7"

	"github.com/garagego/garage/internal/localcluster"
	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/runtime/s3api"
)

// rawListing is a ListBucketResult (either version) as it is on the wire.
type rawListing struct {
	Prefix         string   `xml:"Prefix"`
	Delimiter      string   `xml:"Delimiter"`
	Marker         string   `xml:"Marker"`
	NextMarker     string   `xml:"NextMarker"`
	StartAfter     string   `xml:"StartAfter"`
	EncodingType   string   `xml:"EncodingType"`
	IsTruncated    bool     `xml:"IsTruncated"`
	Keys           []string `xml:"Contents>Key"`
	Classes        []string `xml:"Contents>StorageClass"`
	CommonPrefixes []string `xml:"CommonPrefixes>Prefix"`
}

// rawList sends a signed GET of the bucket with the query and parses the
// listing; a status other than 200 fails the test.
func rawList(t *testing.T, e *env, bucket string, q url.Values) rawListing {
	t.Helper()
	u := e.c.Nodes[1].Endpoint + "/" + bucket + "?" + strings.ReplaceAll(q.Encode(), "+", "%20")
	resp := httpDo(t, signRaw(t, e, newRequest(t, http.MethodGet, u, nil)))
	body := readAll(t, resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, body)
	}
	var l rawListing
	if err := xml.Unmarshal(body, &l); err != nil {
		t.Fatalf("listing %s: %v", body, err)
	}
	return l
}

// encodingKeys are keys whose names a listing must encode with
// encoding-type=url: spaces, '+', '%', unicode, and characters XML 1.0
// cannot carry.
var encodingKeys = []string{"a b/1", "a b/2", "c+d", "e%f", "plain", "tab\there", "ctl\x01x", "ü/ñ"}

// testListEncoding: with encoding-type=url, Key, Prefix, Delimiter,
// StartAfter, Marker, NextMarker and CommonPrefixes are encoded (as
// AWS's API reference lists them), '/' left as it is; without it nothing
// is. An empty continuation-token is refused, as AWS refuses it.
func testListEncoding(t *testing.T, e *env) {
	ctx := testCtx(t)
	const bucket = "enc-bucket"
	e.createBucket(t, bucket)
	cl := e.s3(t, 0)
	for _, k := range encodingKeys {
		putBytes(t, cl, bucket, k, []byte(k))
	}

	t.Run("raw v2", func(t *testing.T) {
		l := rawList(t, e, bucket, url.Values{"list-type": {"2"}, "encoding-type": {"url"}, "delimiter": {"/"}, "start-after": {"a b/1"}})
		if l.EncodingType != "url" || l.Delimiter != "/" || l.StartAfter != "a%20b/1" {
			t.Errorf("EncodingType %q Delimiter %q StartAfter %q", l.EncodingType, l.Delimiter, l.StartAfter)
		}
		// "a b/" is not after start-after "a b/1": it is not listed again.
		if want := []string{"c%2Bd", "ctl%01x", "e%25f", "plain", "tab%09here"}; !slices.Equal(l.Keys, want) {
			t.Errorf("keys %q, want %q", l.Keys, want)
		}
		if want := []string{"%C3%BC/"}; !slices.Equal(l.CommonPrefixes, want) {
			t.Errorf("common prefixes %q, want %q", l.CommonPrefixes, want)
		}
		l = rawList(t, e, bucket, url.Values{"list-type": {"2"}, "encoding-type": {"url"}, "prefix": {"a b/"}})
		if l.Prefix != "a%20b/" || !slices.Equal(l.Keys, []string{"a%20b/1", "a%20b/2"}) {
			t.Errorf("prefix %q keys %q", l.Prefix, l.Keys)
		}
		// The delimiter is encoded too.
		l = rawList(t, e, bucket, url.Values{"list-type": {"2"}, "encoding-type": {"url"}, "delimiter": {"+"}, "prefix": {"c"}})
		if l.Delimiter != "%2B" || !slices.Equal(l.CommonPrefixes, []string{"c%2B"}) || !slices.Equal(l.Keys, []string{"ctl%01x"}) {
			t.Errorf("delimiter +: Delimiter %q prefixes %q keys %q", l.Delimiter, l.CommonPrefixes, l.Keys)
		}
	})

	t.Run("raw v1 markers", func(t *testing.T) {
		l := rawList(t, e, bucket, url.Values{"encoding-type": {"url"}, "delimiter": {"/"}, "max-keys": {"1"}, "marker": {"a b"}})
		if l.Marker != "a%20b" || !l.IsTruncated || l.NextMarker != "a%20b/" || !slices.Equal(l.CommonPrefixes, []string{"a%20b/"}) {
			t.Errorf("Marker %q NextMarker %q truncated %v prefixes %q", l.Marker, l.NextMarker, l.IsTruncated, l.CommonPrefixes)
		}
		l = rawList(t, e, bucket, url.Values{"encoding-type": {"url"}, "delimiter": {"/"}, "max-keys": {"1"}, "marker": {"a b/"}})
		if l.NextMarker != "c%2Bd" || !slices.Equal(l.Keys, []string{"c%2Bd"}) {
			t.Errorf("after the prefix: NextMarker %q keys %q", l.NextMarker, l.Keys)
		}
	})

	t.Run("raw without encoding-type", func(t *testing.T) {
		l := rawList(t, e, bucket, url.Values{"list-type": {"2"}, "prefix": {"a b/"}, "start-after": {"a b/1"}})
		if l.EncodingType != "" || l.Prefix != "a b/" || l.StartAfter != "a b/1" || !slices.Equal(l.Keys, []string{"a b/2"}) {
			t.Errorf("EncodingType %q Prefix %q StartAfter %q keys %q", l.EncodingType, l.Prefix, l.StartAfter, l.Keys)
		}
		l = rawList(t, e, bucket, url.Values{"prefix": {"e%"}, "marker": {"c+d"}, "delimiter": {"%"}})
		if l.Prefix != "e%" || l.Marker != "c+d" || l.Delimiter != "%" || !slices.Equal(l.Keys, []string{"e%f"}) {
			t.Errorf("v1: Prefix %q Marker %q Delimiter %q keys %q", l.Prefix, l.Marker, l.Delimiter, l.Keys)
		}
	})

	t.Run("empty continuation-token", func(t *testing.T) {
		u := e.c.Nodes[2].Endpoint + "/" + bucket + "?list-type=2&continuation-token="
		wantHTTPError(t, httpDo(t, signRaw(t, e, newRequest(t, http.MethodGet, u, nil))), "InvalidArgument", 400)
		_, err := e.s3(t, 2).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), ContinuationToken: aws.String("")})
		wantAPIError(t, err, "InvalidArgument", 400)
	})

	t.Run("aws-sdk-go-v2", func(t *testing.T) {
		// The SDK hands the encoded values back as they came: the
		// application decodes them.
		var keys, prefixes []string
		pages := s3.NewListObjectsV2Paginator(cl, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), EncodingType: types.EncodingTypeUrl,
			Delimiter: aws.String("/"), MaxKeys: aws.Int32(2)})
		for n := 0; pages.HasMorePages() && n < 20; n++ {
			page, err := pages.NextPage(ctx)
			must(t, err, "list page")
			if page.EncodingType != types.EncodingTypeUrl || aws.ToString(page.Delimiter) != "/" {
				t.Errorf("page EncodingType %q Delimiter %q", page.EncodingType, aws.ToString(page.Delimiter))
			}
			for _, o := range page.Contents {
				k, err := url.QueryUnescape(aws.ToString(o.Key))
				must(t, err, "decode key")
				keys = append(keys, k)
			}
			for _, p := range page.CommonPrefixes {
				k, err := url.QueryUnescape(aws.ToString(p.Prefix))
				must(t, err, "decode prefix")
				prefixes = append(prefixes, k)
			}
		}
		if want := []string{"c+d", "ctl\x01x", "e%f", "plain", "tab\there"}; !slices.Equal(keys, want) {
			t.Errorf("decoded keys %q, want %q", keys, want)
		}
		if want := []string{"a b/", "ü/"}; !slices.Equal(prefixes, want) {
			t.Errorf("decoded prefixes %q, want %q", prefixes, want)
		}
		out, err := cl.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("a b/")})
		must(t, err, "list without encoding")
		if aws.ToString(out.Prefix) != "a b/" || !slices.Equal(keysOf(out.Contents), []string{"a b/1", "a b/2"}) {
			t.Errorf("without encoding-type: prefix %q keys %q", aws.ToString(out.Prefix), keysOf(out.Contents))
		}
	})

	t.Run("boto3", func(t *testing.T) {
		// botocore asks for encoding-type=url itself and decodes what
		// comes back, in both versions, following NextMarker decoded.
		got := e.boto3(t, 0, `
v2 = [o["Key"] for p in s3.get_paginator("list_objects_v2").paginate(Bucket="enc-bucket", PaginationConfig={"PageSize": 3}) for o in p.get("Contents", [])]
v1, prefixes = [], []
for p in s3.get_paginator("list_objects").paginate(Bucket="enc-bucket", Delimiter="/", PaginationConfig={"PageSize": 1}):
    v1 += [o["Key"] for o in p.get("Contents", [])]
    prefixes += [c["Prefix"] for c in p.get("CommonPrefixes", [])]
pre = s3.list_objects_v2(Bucket="enc-bucket", Prefix="a b/", StartAfter="a b/1")
print(json.dumps({"v2": v2, "v1": v1, "prefixes": prefixes, "prefix": pre["Prefix"], "start": pre["StartAfter"],
    "after": [o["Key"] for o in pre["Contents"]],
    "empty_token": error_code(lambda: s3.list_objects_v2(Bucket="enc-bucket", ContinuationToken=""))}))
`)
		want := fmt.Sprintf(`{"v2": %s, "v1": %s, "prefixes": ["a b/", "\u00fc/"], "prefix": "a b/", "start": "a b/1", "after": ["a b/2"], "empty_token": "InvalidArgument"}`,
			jsonList(slices.Sorted(slices.Values(encodingKeys))), jsonList([]string{"c+d", "ctl\x01x", "e%f", "plain", "tab\there"}))
		if got != want {
			t.Errorf("boto3:\n got %s\nwant %s", got, want)
		}
	})
}

// jsonList renders strs as Python's json.dumps does (ASCII, ", " between).
func jsonList(strs []string) string {
	var b strings.Builder
	b.WriteString("[")
	for i, s := range strs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(`"`)
		for _, r := range s {
			switch {
			case r == '"' || r == '\\':
				b.WriteString(`\` + string(r))
			case r == '\t':
				b.WriteString(`\t`)
			case r < 0x20 || r > 0x7e:
				fmt.Fprintf(&b, `\u%04x`, r)
			default:
				b.WriteRune(r)
			}
		}
		b.WriteString(`"`)
	}
	b.WriteString("]")
	return b.String()
}

// testPartNumberPastEnd: a part number past an object's last part is
// 416 InvalidPartNumber on GET and HEAD; one outside [1, 10000] is 400
// InvalidArgument.
func testPartNumberPastEnd(t *testing.T, e *env) {
	ctx := testCtx(t)
	const bucket, key = "bucket", "partnum/two-parts"
	c0, c1 := e.s3(t, 0), e.s3(t, 1)
	u := createUpload(t, c0, bucket, key)
	p1, p2 := randomBytes(91, 5*mib), randomBytes(92, 1000)
	_, err := u.complete(c0, completed(1, u.part(c0, 1, p1)), completed(2, u.part(c1, 2, p2)))
	must(t, err, "complete")

	g, err := c1.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), PartNumber: aws.Int32(2)})
	must(t, err, "get the last part")
	if got := readAll(t, g.Body); !bytes.Equal(got, p2) || aws.ToInt32(g.PartsCount) != 2 {
		t.Errorf("part 2: %d bytes, parts count %d", len(got), aws.ToInt32(g.PartsCount))
	}
	_, err = c1.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), PartNumber: aws.Int32(3)})
	wantAPIError(t, err, "InvalidPartNumber", http.StatusRequestedRangeNotSatisfiable)
	_, err = c1.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), PartNumber: aws.Int32(3)})
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusRequestedRangeNotSatisfiable {
		t.Errorf("HEAD part 3: %v, want 416", err)
	}
	endpoint := e.c.Nodes[2].Endpoint + "/" + bucket + "/" + key
	wantHTTPError(t, httpDo(t, signRaw(t, e, newRequest(t, http.MethodGet, endpoint+"?partNumber=3", nil))), "InvalidPartNumber", 416)
	resp := httpDo(t, signRaw(t, e, newRequest(t, http.MethodHead, endpoint+"?partNumber=10000", nil)))
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestedRangeNotSatisfiable {
		t.Errorf("raw HEAD part 10000: %d, want 416", resp.StatusCode)
	}
	for _, bad := range []string{"0", "10001", "x"} {
		wantHTTPError(t, httpDo(t, signRaw(t, e, newRequest(t, http.MethodGet, endpoint+"?partNumber="+bad, nil))), "InvalidArgument", 400)
	}
}

// rawErrorArgs is an error document's code and the argument it names.
type rawErrorArgs struct {
	Code          string `xml:"Code"`
	Message       string `xml:"Message"`
	ArgumentName  string `xml:"ArgumentName"`
	ArgumentValue string `xml:"ArgumentValue"`
}

// testUploadPartCopyRangeErrors: a malformed x-amz-copy-source-range is
// InvalidArgument, one ending past the source InvalidArgument, one
// starting past it InvalidRequest, as AWS answers them.
func testUploadPartCopyRangeErrors(t *testing.T, e *env) {
	ctx := testCtx(t)
	const bucket, src = "bucket", "copyrange/src"
	cl := e.s3(t, 0)
	putBytes(t, cl, bucket, src, []byte("12345"))
	u := createUpload(t, cl, bucket, "copyrange/dst")
	copyPart := func(rng string) error {
		_, err := cl.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String(bucket), Key: aws.String("copyrange/dst"), UploadId: u.id,
			PartNumber: aws.Int32(1), CopySource: aws.String(bucket + "/" + src), CopySourceRange: aws.String(rng)})
		return err
	}
	for _, tc := range []struct{ rng, code string }{
		{"bytes=0-21", "InvalidArgument"}, // past the end
		{"bytes=4-5", "InvalidArgument"},
		{"bytes=5-9", "InvalidRequest"}, // starts past the end
		{"bytes=hello-world", "InvalidArgument"},
		{"bytes=0-bar", "InvalidArgument"},
		{"bytes=hello-", "InvalidArgument"},
		{"bytes=0", "InvalidArgument"},
		{"0-2", "InvalidArgument"},
		{"bytes=0-2,3-5", "InvalidArgument"},
		{"bytes=3-1", "InvalidArgument"},
	} {
		t.Run(tc.rng, func(t *testing.T) { wantAPIError(t, copyPart(tc.rng), tc.code, 400) })
	}
	must(t, copyPart("bytes=1-3"), "copy a range within the source")

	// The error names the header, as AWS's does.
	req := newRequest(t, http.MethodPut, e.c.Nodes[1].Endpoint+"/"+bucket+"/copyrange/dst?partNumber=2&uploadId="+aws.ToString(u.id), nil)
	req.Header.Set("x-amz-copy-source", bucket+"/"+src)
	req.Header.Set("x-amz-copy-source-range", "bytes=0-21")
	resp := httpDo(t, signRaw(t, e, req))
	body := readAll(t, resp.Body)
	var doc rawErrorArgs
	if err := xml.Unmarshal(body, &doc); err != nil || resp.StatusCode != 400 || doc.Code != "InvalidArgument" ||
		doc.ArgumentName != "x-amz-copy-source-range" || doc.ArgumentValue != "bytes=0-21" ||
		doc.Message != "Range specified is not valid for source object of size: 5" {
		t.Errorf("raw copy past the end: %d %s (%v)", resp.StatusCode, body, err)
	}
}

// testCreateBucketAnswers: another key's name is BucketAlreadyExists, the
// key's own BucketAlreadyOwnedByYou (outside us-east-1); a location
// constraint that is AWS's other region IllegalLocationConstraintException,
// one that is no region InvalidLocationConstraint.
func testCreateBucketAnswers(t *testing.T, e *env) {
	ctx := testCtx(t)
	owner := e.s3(t, 0)
	e.createBucket(t, "taken-bucket")
	k := newKey(t, e, "bucket-creator")
	_, err := e.c.Do(ctx, admin.SetKeyFlags{Pattern: k.ID, CreateBucket: true, Allow: true})
	must(t, err, "allow the key to create buckets")
	other := newS3(t, e.c.Nodes[1].Endpoint, k.ID, k.Secret, noRetries)

	_, err = other.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("taken-bucket")})
	wantAPIError(t, err, "BucketAlreadyExists", 409)
	// Read rights on it do not make it the key's.
	e.allow(t, "taken-bucket", k.ID, true, false, false)
	_, err = other.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("taken-bucket")})
	wantAPIError(t, err, "BucketAlreadyExists", 409)
	_, err = owner.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("taken-bucket")})
	wantAPIError(t, err, "BucketAlreadyOwnedByYou", 409)
	// Owner rights do.
	e.allow(t, "taken-bucket", k.ID, true, true, true)
	_, err = other.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("taken-bucket")})
	wantAPIError(t, err, "BucketAlreadyOwnedByYou", 409)

	for lc, code := range map[string]string{"us-west-2": "IllegalLocationConstraintException", "EU": "IllegalLocationConstraintException",
		"us-east-1": "IllegalLocationConstraintException", "not-a-region": "InvalidLocationConstraint"} {
		_, err := owner.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("lc-bucket"),
			CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(lc)}})
		t.Run(lc, func(t *testing.T) { wantAPIError(t, err, code, 400) })
	}
	_, err = owner.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("lc-bucket")})
	wantAPIError(t, err, "NotFound", 404)

	got := e.boto3(t, 2, `
print(error_code(lambda: s3.create_bucket(Bucket="taken-bucket")),
      error_code(lambda: s3.create_bucket(Bucket="lc-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})))
`)
	if got != "BucketAlreadyOwnedByYou IllegalLocationConstraintException" {
		t.Errorf("boto3: %s", got)
	}
}

// TestE2ECreateBucketUsEast1: in a store whose region is us-east-1,
// re-creating a bucket one owns answers 200 and resets its ACL, as AWS's
// North Virginia region does; another key's name is still
// BucketAlreadyExists, and naming us-east-1 as the location constraint is
// InvalidLocationConstraint there, as in AWS.
func TestE2ECreateBucketUsEast1(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end tests start a cluster")
	}
	const region = "us-east-1"
	e := startEnvWith(t, localcluster.Options{Nodes: 3, TuneAPI: func(_ int, cfg *s3api.Config) { cfg.Region = region }})
	ctx := testCtx(t)
	inRegion := func(o *s3.Options) { o.Region = region }
	cl := e.s3(t, 0, inRegion, noRetries)
	_, err := cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("legacy"), ObjectOwnership: types.ObjectOwnershipObjectWriter})
	must(t, err, "create")
	_, err = cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("legacy"), ACL: types.BucketCannedACLPublicRead})
	must(t, err, "re-create with public-read: 200 in us-east-1")
	allUsersRead := func() bool {
		acl, err := e.s3(t, 1, inRegion).GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("legacy")})
		must(t, err, "get acl")
		for _, g := range acl.Grants {
			if g.Grantee != nil && strings.HasSuffix(aws.ToString(g.Grantee.URI), "/global/AllUsers") && g.Permission == types.PermissionRead {
				return true
			}
		}
		return false
	}
	if !allUsersRead() {
		t.Errorf("re-creating with public-read did not reset the ACL to it")
	}
	_, err = cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("legacy")})
	must(t, err, "re-create without an ACL")
	if allUsersRead() {
		t.Errorf("re-creating without an ACL did not reset it to private")
	}
	_, err = cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("explicit"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: region}})
	wantAPIError(t, err, "InvalidLocationConstraint", 400)
	k := newKey(t, e, "other")
	_, err = e.c.Do(ctx, admin.SetKeyFlags{Pattern: k.ID, CreateBucket: true, Allow: true})
	must(t, err, "allow the key to create buckets")
	_, err = newS3(t, e.c.Nodes[2].Endpoint, k.ID, k.Secret, inRegion, noRetries).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("legacy")})
	wantAPIError(t, err, "BucketAlreadyExists", 409)
	// Raw: the 200 is an empty answer with the bucket's Location.
	req := newRequest(t, http.MethodPut, e.c.Nodes[1].Endpoint+"/legacy", nil)
	resp := httpDo(t, signRawIn(t, e, req, region))
	body := readAll(t, resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Location") != "/legacy" {
		t.Errorf("raw re-create: %d Location %q %s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
}

// testListBucketsPaging: seven buckets, two a page, through the SDK's
// paginator: all of them in order, once each, each naming its region.
func testListBucketsPaging(t *testing.T, e *env) {
	ctx := testCtx(t)
	var want []string
	for i := range 7 {
		name := fmt.Sprintf("pgb-%d", i)
		want = append(want, name)
		e.createBucket(t, name)
	}
	cl := e.s3(t, 1)
	var got []string
	pages := s3.NewListBucketsPaginator(cl, &s3.ListBucketsInput{MaxBuckets: aws.Int32(2), Prefix: aws.String("pgb-")})
	n := 0
	for ; pages.HasMorePages() && n < 10; n++ {
		page, err := pages.NextPage(ctx)
		must(t, err, "list buckets page")
		if len(page.Buckets) > 2 || aws.ToString(page.Prefix) != "pgb-" {
			t.Errorf("page of %d buckets, prefix %q", len(page.Buckets), aws.ToString(page.Prefix))
		}
		for _, b := range page.Buckets {
			got = append(got, aws.ToString(b.Name))
			if aws.ToString(b.BucketRegion) != localcluster.Region {
				t.Errorf("bucket %s: region %q", aws.ToString(b.Name), aws.ToString(b.BucketRegion))
			}
		}
	}
	if !slices.Equal(got, want) || n != 4 {
		t.Errorf("paged ListBuckets %v in %d pages, want %v in 4", got, n, want)
	}
	// An empty token is no token; a region other than the store's has none
	// of its buckets.
	out, err := cl.ListBuckets(ctx, &s3.ListBucketsInput{ContinuationToken: aws.String(""), Prefix: aws.String("pgb-"), MaxBuckets: aws.Int32(100)})
	must(t, err, "list with an empty token")
	if len(out.Buckets) != 7 || out.ContinuationToken != nil {
		t.Errorf("empty token: %d buckets, token %v", len(out.Buckets), out.ContinuationToken)
	}
	out, err = cl.ListBuckets(ctx, &s3.ListBucketsInput{BucketRegion: aws.String("us-west-2"), Prefix: aws.String("pgb-")})
	must(t, err, "list another region")
	if len(out.Buckets) != 0 {
		t.Errorf("bucket-region us-west-2 lists %d buckets", len(out.Buckets))
	}
	got2 := e.boto3(t, 0, `
names = [b["Name"] for p in s3.get_paginator("list_buckets").paginate(Prefix="pgb-", PaginationConfig={"PageSize": 3}) for b in p["Buckets"]]
print(" ".join(names))
`)
	if got2 != strings.Join(want, " ") {
		t.Errorf("boto3 paged ListBuckets %q", got2)
	}
}

// signRawIn signs req, its headers as they are, with an unsigned payload,
// for region.
func signRawIn(t *testing.T, e *env, req *http.Request, region string) *http.Request {
	t.Helper()
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	creds := aws.Credentials{AccessKeyID: e.c.KeyID, SecretAccessKey: e.c.Secret}
	err := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).
		SignHTTP(testCtx(t), creds, req, "UNSIGNED-PAYLOAD", "s3", region, time.Now())
	must(t, err, "sign")
	return req
}

// testStorageClasses: every general purpose class is kept with the object
// and answered back on HEAD/GET (none for STANDARD), in both listings, in
// the multipart upload lists, and by copies (which take the class the
// request names, STANDARD otherwise). Data is readable at once whatever
// the class. Classes of other infrastructure and unknown ones are 400
// InvalidStorageClass, and nothing is written.
func testStorageClasses(t *testing.T, e *env) {
	ctx := testCtx(t)
	const bucket = "class-bucket"
	e.createBucket(t, bucket)
	cl := e.s3(t, 0)
	classes := []types.StorageClass{types.StorageClassStandard, types.StorageClassReducedRedundancy, types.StorageClassStandardIa,
		types.StorageClassOnezoneIa, types.StorageClassIntelligentTiering, types.StorageClassGlacier, types.StorageClassDeepArchive,
		types.StorageClassGlacierIr}

	t.Run("put, head, get, list", func(t *testing.T) {
		for _, c := range classes {
			key := "obj/" + string(c)
			_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(key), StorageClass: c})
			must(t, err, "put "+key)
			h, err := e.s3(t, 1).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			must(t, err, "head "+key)
			want := c
			if c == types.StorageClassStandard {
				want = "" // S3 omits the header for STANDARD
			}
			if h.StorageClass != want {
				t.Errorf("%s: HEAD storage class %q, want %q", key, h.StorageClass, want)
			}
			g, err := e.s3(t, 2).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			must(t, err, "get "+key) // no RestoreObject, even for GLACIER
			if got := readAll(t, g.Body); string(got) != key || g.StorageClass != want {
				t.Errorf("%s: GET %q class %q", key, got, g.StorageClass)
			}
		}
		v2, err := cl.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("obj/")})
		must(t, err, "list v2")
		v1, err := cl.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String(bucket), Prefix: aws.String("obj/")})
		must(t, err, "list v1")
		if len(v2.Contents) != len(classes) || len(v1.Contents) != len(classes) {
			t.Fatalf("listed %d and %d objects", len(v2.Contents), len(v1.Contents))
		}
		for i := range v2.Contents {
			key := aws.ToString(v2.Contents[i].Key)
			if string(v2.Contents[i].StorageClass) != strings.TrimPrefix(key, "obj/") || string(v1.Contents[i].StorageClass) != strings.TrimPrefix(key, "obj/") {
				t.Errorf("%s listed as %q (v2) and %q (v1)", key, v2.Contents[i].StorageClass, v1.Contents[i].StorageClass)
			}
		}
		// Raw: the header is there for GLACIER, absent for STANDARD.
		for key, want := range map[string]string{"obj/GLACIER": "GLACIER", "obj/STANDARD": ""} {
			resp := httpDo(t, signRaw(t, e, newRequest(t, http.MethodHead, e.c.Nodes[0].Endpoint+"/"+bucket+"/"+key, nil)))
			resp.Body.Close()
			if v, present := resp.Header["X-Amz-Storage-Class"]; resp.StatusCode != 200 || (want == "") == present || want != "" && v[0] != want {
				t.Errorf("raw HEAD %s: %d x-amz-storage-class %q", key, resp.StatusCode, v)
			}
		}
	})

	t.Run("refused", func(t *testing.T) {
		for _, c := range []types.StorageClass{types.StorageClassOutposts, types.StorageClassSnow, types.StorageClassExpressOnezone,
			types.StorageClassFsxOpenzfs, "standard", "BOGUS"} {
			key := "refused/" + string(c)
			_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("x"), StorageClass: c})
			wantAPIError(t, err, "InvalidStorageClass", 400)
			_, err = cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), StorageClass: c})
			wantAPIError(t, err, "InvalidStorageClass", 400)
			_, err = cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), CopySource: aws.String(bucket + "/obj/STANDARD"), StorageClass: c})
			wantAPIError(t, err, "InvalidStorageClass", 400)
			_, err = cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			wantAPIError(t, err, "NotFound", 404)
		}
	})

	t.Run("copies", func(t *testing.T) {
		copyOf := func(dst, src string, c types.StorageClass, directive types.MetadataDirective) types.StorageClass {
			t.Helper()
			_, err := cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String(dst), CopySource: aws.String(bucket + "/" + src),
				StorageClass: c, MetadataDirective: directive})
			must(t, err, "copy to "+dst)
			h, err := cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(dst)})
			must(t, err, "head "+dst)
			return h.StorageClass
		}
		if got := copyOf("copy/plain", "obj/GLACIER", "", ""); got != "" {
			t.Errorf("a copy of GLACIER without a class is %q, want STANDARD", got)
		}
		if got := copyOf("copy/ia", "obj/GLACIER", types.StorageClassStandardIa, ""); got != types.StorageClassStandardIa {
			t.Errorf("copy with STANDARD_IA is %q", got)
		}
		if got := copyOf("copy/replace", "obj/STANDARD", types.StorageClassDeepArchive, types.MetadataDirectiveReplace); got != types.StorageClassDeepArchive {
			t.Errorf("copy REPLACE with DEEP_ARCHIVE is %q", got)
		}
		// Changing the class alone is a legal copy onto itself.
		putBytes(t, cl, bucket, "copy/self", []byte("self"))
		if got := copyOf("copy/self", "copy/self", types.StorageClassGlacierIr, ""); got != types.StorageClassGlacierIr {
			t.Errorf("copy onto itself with GLACIER_IR is %q", got)
		}
		if got := getBytes(t, cl, bucket, "copy/self"); string(got) != "self" {
			t.Errorf("copied onto itself: %q", got)
		}
		_, err := cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy/self"), CopySource: aws.String(bucket + "/copy/self")})
		wantAPIError(t, err, "InvalidRequest", 400)
	})

	t.Run("multipart", func(t *testing.T) {
		const key = "mpu/onezone"
		u := createUpload(t, cl, bucket, key, func(in *s3.CreateMultipartUploadInput) { in.StorageClass = types.StorageClassOnezoneIa })
		part := randomBytes(93, 1000)
		etag := u.part(cl, 1, part)
		ups, err := e.s3(t, 1).ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket), Prefix: aws.String("mpu/")})
		must(t, err, "list uploads")
		if len(ups.Uploads) != 1 || ups.Uploads[0].StorageClass != types.StorageClassOnezoneIa {
			t.Errorf("uploads %+v", ups.Uploads)
		}
		parts, err := e.s3(t, 2).ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: u.id})
		must(t, err, "list parts")
		if parts.StorageClass != types.StorageClassOnezoneIa {
			t.Errorf("ListParts storage class %q", parts.StorageClass)
		}
		_, err = u.complete(cl, completed(1, etag))
		must(t, err, "complete")
		h, err := cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		must(t, err, "head")
		if h.StorageClass != types.StorageClassOnezoneIa {
			t.Errorf("completed object's class %q", h.StorageClass)
		}
		plain := createUpload(t, cl, bucket, "mpu/plain")
		parts, err = cl.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String("mpu/plain"), UploadId: plain.id})
		must(t, err, "list parts of a STANDARD upload")
		if parts.StorageClass != types.StorageClassStandard {
			t.Errorf("ListParts of a STANDARD upload: %q", parts.StorageClass)
		}
	})

	t.Run("minio-go", func(t *testing.T) {
		mc := e.minio(t, 1)
		_, err := mc.PutObject(ctx, bucket, "minio/rr", bytes.NewReader([]byte("rr")), 2, minio.PutObjectOptions{StorageClass: "REDUCED_REDUNDANCY"})
		must(t, err, "minio put")
		st, err := mc.StatObject(ctx, bucket, "minio/rr", minio.StatObjectOptions{})
		must(t, err, "minio stat")
		// minio-go's StatObject leaves StorageClass to the raw headers.
		if got := st.Metadata.Get("X-Amz-Storage-Class"); got != "REDUCED_REDUNDANCY" {
			t.Errorf("minio stat class %q", got)
		}
		for o := range mc.ListObjects(ctx, bucket, minio.ListObjectsOptions{Prefix: "minio/"}) {
			must(t, o.Err, "minio list")
			if o.StorageClass != "REDUCED_REDUNDANCY" {
				t.Errorf("minio list %s class %q", o.Key, o.StorageClass)
			}
		}
		_, err = mc.PutObject(ctx, bucket, "minio/bad", bytes.NewReader([]byte("x")), 1, minio.PutObjectOptions{StorageClass: "SNOW"})
		if er := minio.ToErrorResponse(err); er.Code != "InvalidStorageClass" || er.StatusCode != 400 {
			t.Errorf("minio SNOW: %v", err)
		}
	})

	t.Run("boto3", func(t *testing.T) {
		got := e.boto3(t, 2, `
s3.put_object(Bucket="class-bucket", Key="boto/deep", Body=b"deep", StorageClass="DEEP_ARCHIVE")
h = s3.head_object(Bucket="class-bucket", Key="boto/deep")
body = s3.get_object(Bucket="class-bucket", Key="boto/deep")["Body"].read().decode()
listed = [o["StorageClass"] for o in s3.list_objects_v2(Bucket="class-bucket", Prefix="boto/")["Contents"]]
print(h.get("StorageClass"), body, listed[0],
      error_code(lambda: s3.put_object(Bucket="class-bucket", Key="boto/x", Body=b"x", StorageClass="EXPRESS_ONEZONE")))
`)
		if got != "DEEP_ARCHIVE deep DEEP_ARCHIVE InvalidStorageClass" {
			t.Errorf("boto3: %s", got)
		}
	})
}
