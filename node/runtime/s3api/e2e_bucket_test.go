package s3api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/garagego/garage/internal/localcluster"
	"github.com/garagego/garage/node/runtime/s3api"
)

func testBuckets(t *testing.T, e *env) {
	ctx := testCtx(t)
	cl := e.s3(t, 0)
	other := e.s3(t, 1) // bucket changes are seen through any node

	t.Run("create without and with location constraint", func(t *testing.T) {
		_, err := cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("plain-bucket")})
		must(t, err, "create plain-bucket")
		_, err = cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("located-bucket"),
			CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(localcluster.Region)}})
		must(t, err, "create located-bucket")
		_, err = cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("elsewhere-bucket"),
			CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintUsWest2}})
		wantAPIError(t, err, "IllegalLocationConstraintException", 400)
		_, err = other.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("elsewhere-bucket")})
		wantAPIError(t, err, "NotFound", 404)
		_, err = cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("plain-bucket")})
		wantAPIError(t, err, "BucketAlreadyOwnedByYou", 409)
		_, err = cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("Bad_Name")})
		wantAPIError(t, err, "InvalidBucketName", 400)
	})

	t.Run("list and head", func(t *testing.T) {
		out, err := other.ListBuckets(ctx, &s3.ListBucketsInput{})
		must(t, err, "list buckets")
		var names []string
		for _, b := range out.Buckets {
			names = append(names, aws.ToString(b.Name))
			if b.CreationDate == nil || time.Since(*b.CreationDate) > time.Hour || time.Until(*b.CreationDate) > time.Minute {
				t.Errorf("bucket %s: creation date %v is not about now", aws.ToString(b.Name), b.CreationDate)
			}
		}
		for _, want := range []string{"bucket", "plain-bucket", "located-bucket"} {
			if !slices.Contains(names, want) {
				t.Errorf("ListBuckets %v lacks %s", names, want)
			}
		}
		if !slices.IsSorted(names) {
			t.Errorf("ListBuckets is not sorted by name: %v", names)
		}
		if slices.Contains(names, "elsewhere-bucket") {
			t.Errorf("a refused bucket is listed")
		}
		if out.Owner == nil || aws.ToString(out.Owner.ID) == "" {
			t.Errorf("ListBuckets without an owner")
		}
		// Paged and under a prefix: the SDK's paginator follows the tokens.
		var paged []string
		pages := s3.NewListBucketsPaginator(other, &s3.ListBucketsInput{MaxBuckets: aws.Int32(1), Prefix: aws.String("pla")})
		for n := 0; pages.HasMorePages() && n < 10; n++ {
			page, err := pages.NextPage(ctx)
			must(t, err, "list buckets page")
			for _, b := range page.Buckets {
				paged = append(paged, aws.ToString(b.Name))
			}
		}
		if !slices.Equal(paged, []string{"plain-bucket"}) {
			t.Errorf("ListBuckets prefix \"pla\", one a page: %v", paged)
		}
		var all []string
		pages = s3.NewListBucketsPaginator(other, &s3.ListBucketsInput{MaxBuckets: aws.Int32(1)})
		for n := 0; pages.HasMorePages() && n < 20; n++ {
			page, err := pages.NextPage(ctx)
			must(t, err, "list buckets page")
			if len(page.Buckets) > 1 {
				t.Errorf("a page of %d buckets with max-buckets 1", len(page.Buckets))
			}
			for _, b := range page.Buckets {
				all = append(all, aws.ToString(b.Name))
			}
		}
		// Other tests create buckets meanwhile: the pages must hold every
		// bucket listed before them and nothing missing from a list after.
		after, err := other.ListBuckets(ctx, &s3.ListBucketsInput{})
		must(t, err, "list buckets again")
		var namesAfter []string
		for _, b := range after.Buckets {
			namesAfter = append(namesAfter, aws.ToString(b.Name))
		}
		for _, n := range names {
			if !slices.Contains(all, n) {
				t.Errorf("paged ListBuckets %v misses %q, listed unpaged before", all, n)
			}
		}
		for _, n := range all {
			if !slices.Contains(namesAfter, n) {
				t.Errorf("paged ListBuckets lists %q, missing from the unpaged list after: %v", n, namesAfter)
			}
		}
		if !slices.IsSorted(all) || len(slices.Compact(slices.Clone(all))) != len(all) {
			t.Errorf("paged ListBuckets not sorted and unique: %v", all)
		}
		h, err := other.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("plain-bucket")})
		must(t, err, "head plain-bucket")
		if aws.ToString(h.BucketRegion) != localcluster.Region {
			t.Errorf("HeadBucket region %q", aws.ToString(h.BucketRegion))
		}
		_, err = other.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("no-such-bucket")})
		wantAPIError(t, err, "NotFound", 404)
	})

	t.Run("location and versioning", func(t *testing.T) {
		loc, err := other.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("bucket")})
		must(t, err, "get location")
		if string(loc.LocationConstraint) != localcluster.Region {
			t.Errorf("location %q, want %q", loc.LocationConstraint, localcluster.Region)
		}
		v, err := other.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("bucket")})
		must(t, err, "get versioning")
		if v.Status != "" || v.MFADelete != "" {
			t.Errorf("versioning %q/%q on a bucket that never had it", v.Status, v.MFADelete)
		}
		_, err = cl.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("plain-bucket"),
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled, MFADelete: types.MFADeleteEnabled}})
		wantAPIError(t, err, "NotImplemented", 501)
	})

	t.Run("delete refused while not empty", func(t *testing.T) {
		e.createBucket(t, "doomed-bucket")
		putBytes(t, cl, "doomed-bucket", "obj", []byte("x"))
		_, err := other.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("doomed-bucket")})
		wantAPIError(t, err, "BucketNotEmpty", 409)
		if got := getBytes(t, other, "doomed-bucket", "obj"); string(got) != "x" {
			t.Errorf("object after a refused bucket delete: %q", got)
		}
		_, err = cl.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("doomed-bucket"), Key: aws.String("obj")})
		must(t, err, "delete obj")
		_, err = other.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("doomed-bucket")})
		must(t, err, "delete empty bucket")
		_, err = cl.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("doomed-bucket")})
		wantAPIError(t, err, "NotFound", 404)
		_, err = cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("doomed-bucket"), Key: aws.String("obj"), Body: strings.NewReader("y")})
		wantAPIError(t, err, "NoSuchBucket", 404)
		out, err := cl.ListBuckets(ctx, &s3.ListBucketsInput{})
		must(t, err, "list buckets")
		for _, b := range out.Buckets {
			if aws.ToString(b.Name) == "doomed-bucket" {
				t.Errorf("a deleted bucket is listed")
			}
		}
		_, err = cl.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("doomed-bucket")})
		wantAPIError(t, err, "NoSuchBucket", 404)
	})
}

func testBucketCORS(t *testing.T, e *env) {
	ctx := testCtx(t)
	cl := e.s3(t, 0)
	const bucket = "cors-bucket"
	e.createBucket(t, bucket)
	_, err := cl.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String(bucket)})
	wantAPIError(t, err, "NoSuchCORSConfiguration", 404)
	putBytes(t, cl, bucket, "page.html", []byte("<p>hi</p>"))

	// Without CORS rules, a preflight is refused.
	preflight := func(origin, method, headers string) *http.Response {
		req := newRequest(t, http.MethodOptions, e.c.Nodes[1].Endpoint+"/"+bucket+"/page.html", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", method)
		if headers != "" {
			req.Header.Set("Access-Control-Request-Headers", headers)
		}
		return httpDo(t, req)
	}
	wantHTTPError(t, preflight("https://good.example", "GET", ""), "AccessForbidden", 403)

	rules := []types.CORSRule{{
		AllowedOrigins: []string{"https://good.example"},
		AllowedMethods: []string{"GET", "PUT"},
		AllowedHeaders: []string{"*"},
		ExposeHeaders:  []string{"ETag", "x-amz-meta-color"},
		MaxAgeSeconds:  aws.Int32(300),
	}, {
		AllowedOrigins: []string{"*"},
		AllowedMethods: []string{"HEAD"},
	}}
	_, err = cl.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String(bucket), CORSConfiguration: &types.CORSConfiguration{CORSRules: rules}})
	must(t, err, "put cors")
	got, err := e.s3(t, 2).GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String(bucket)})
	must(t, err, "get cors")
	if len(got.CORSRules) != 2 {
		t.Fatalf("got %d CORS rules, want 2", len(got.CORSRules))
	}
	r := got.CORSRules[0]
	if !slices.Equal(r.AllowedOrigins, rules[0].AllowedOrigins) || !slices.Equal(r.AllowedMethods, rules[0].AllowedMethods) ||
		!slices.Equal(r.AllowedHeaders, rules[0].AllowedHeaders) || !slices.Equal(r.ExposeHeaders, rules[0].ExposeHeaders) ||
		aws.ToInt32(r.MaxAgeSeconds) != 300 {
		t.Errorf("CORS rule round trip: got %+v, want %+v", r, rules[0])
	}
	if !slices.Equal(got.CORSRules[1].AllowedMethods, []string{"HEAD"}) {
		t.Errorf("second rule: %+v", got.CORSRules[1])
	}

	t.Run("preflight allowed", func(t *testing.T) {
		resp := preflight("https://good.example", "PUT", "Content-Type, X-Amz-Meta-Color")
		body := readAll(t, resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("preflight: %d %s", resp.StatusCode, body)
		}
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "https://good.example" {
			t.Errorf("Access-Control-Allow-Origin %q", got)
		}
		if got := resp.Header.Get("Access-Control-Allow-Methods"); !strings.Contains(got, "PUT") {
			t.Errorf("Access-Control-Allow-Methods %q lacks PUT", got)
		}
		if got := strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers")); !strings.Contains(got, "content-type") || !strings.Contains(got, "x-amz-meta-color") {
			t.Errorf("Access-Control-Allow-Headers %q", got)
		}
		if got := resp.Header.Get("Access-Control-Max-Age"); got != "300" {
			t.Errorf("Access-Control-Max-Age %q", got)
		}
	})
	t.Run("preflight refused", func(t *testing.T) {
		wantHTTPError(t, preflight("https://evil.example", "GET", ""), "AccessForbidden", 403)
		wantHTTPError(t, preflight("https://good.example", "DELETE", ""), "AccessForbidden", 403)
		// The HEAD rule allows no request headers.
		wantHTTPError(t, preflight("https://evil.example", "HEAD", "X-Custom"), "AccessForbidden", 403)
		resp := preflight("https://evil.example", "HEAD", "")
		readAll(t, resp.Body)
		if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") == "" {
			t.Errorf("the wildcard HEAD rule: %d, ACAO %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
		}
		req := newRequest(t, http.MethodOptions, e.c.Nodes[0].Endpoint+"/no-such-bucket/k", nil)
		req.Header.Set("Origin", "https://good.example")
		req.Header.Set("Access-Control-Request-Method", "GET")
		wantHTTPError(t, httpDo(t, req), "NoSuchBucket", 404)
	})

	t.Run("headers on a GET with Origin", func(t *testing.T) {
		withOrigin := func(origin string) func(*s3.Options) {
			return func(o *s3.Options) {
				o.APIOptions = append(o.APIOptions, smithyhttp.AddHeaderValue("Origin", origin))
			}
		}
		out, err := e.s3(t, 1, withOrigin("https://good.example")).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("page.html")})
		must(t, err, "get with origin")
		readAll(t, out.Body)
		h := rawHeader(out.ResultMetadata)
		if got := h.Get("Access-Control-Allow-Origin"); got != "https://good.example" {
			t.Errorf("GET with an allowed Origin: Access-Control-Allow-Origin %q", got)
		}
		if got := strings.ToLower(h.Get("Access-Control-Expose-Headers")); !strings.Contains(got, "etag") {
			t.Errorf("Access-Control-Expose-Headers %q", got)
		}
		out, err = e.s3(t, 1, withOrigin("https://evil.example")).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("page.html")})
		must(t, err, "get with other origin")
		readAll(t, out.Body)
		if got := rawHeader(out.ResultMetadata).Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("GET with a disallowed Origin: Access-Control-Allow-Origin %q", got)
		}
	})

	_, err = cl.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: aws.String(bucket)})
	must(t, err, "delete cors")
	_, err = e.s3(t, 2).GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String(bucket)})
	wantAPIError(t, err, "NoSuchCORSConfiguration", 404)
	wantHTTPError(t, preflight("https://good.example", "GET", ""), "AccessForbidden", 403)
}

// rawHeader is the HTTP header of an SDK call's response.
func rawHeader(md middleware.Metadata) http.Header {
	if r, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response); ok {
		return r.Header
	}
	return http.Header{}
}

func testBucketWebsite(t *testing.T, e *env) {
	ctx := testCtx(t)
	cl := e.s3(t, 0)
	const bucket = "website-bucket"
	e.createBucket(t, bucket)
	_, err := cl.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: aws.String(bucket)})
	wantAPIError(t, err, "NoSuchWebsiteConfiguration", 404)
	_, err = cl.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: aws.String(bucket), WebsiteConfiguration: &types.WebsiteConfiguration{
		IndexDocument: &types.IndexDocument{Suffix: aws.String("index.html")},
		ErrorDocument: &types.ErrorDocument{Key: aws.String("errors/404.html")},
	}})
	must(t, err, "put website")
	got, err := e.s3(t, 1).GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: aws.String(bucket)})
	must(t, err, "get website")
	if got.IndexDocument == nil || aws.ToString(got.IndexDocument.Suffix) != "index.html" {
		t.Errorf("index document %+v", got.IndexDocument)
	}
	if got.ErrorDocument == nil || aws.ToString(got.ErrorDocument.Key) != "errors/404.html" {
		t.Errorf("error document %+v", got.ErrorDocument)
	}
	_, err = cl.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: aws.String(bucket), WebsiteConfiguration: &types.WebsiteConfiguration{
		RedirectAllRequestsTo: &types.RedirectAllRequestsTo{HostName: aws.String("example.com"), Protocol: types.ProtocolHttps},
	}})
	must(t, err, "put redirecting website")
	got, err = e.s3(t, 2).GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: aws.String(bucket)})
	must(t, err, "get website")
	if got.RedirectAllRequestsTo == nil || aws.ToString(got.RedirectAllRequestsTo.HostName) != "example.com" ||
		got.RedirectAllRequestsTo.Protocol != types.ProtocolHttps || got.IndexDocument != nil {
		t.Errorf("redirecting website: %+v %+v", got.RedirectAllRequestsTo, got.IndexDocument)
	}
	_, err = cl.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: aws.String(bucket), WebsiteConfiguration: &types.WebsiteConfiguration{}})
	wantAPIError(t, err, "InvalidArgument", 400)
	_, err = cl.DeleteBucketWebsite(ctx, &s3.DeleteBucketWebsiteInput{Bucket: aws.String(bucket)})
	must(t, err, "delete website")
	_, err = e.s3(t, 1).GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: aws.String(bucket)})
	wantAPIError(t, err, "NoSuchWebsiteConfiguration", 404)
}

func testBucketLifecycle(t *testing.T, e *env) {
	ctx := testCtx(t)
	cl := e.s3(t, 0)
	const bucket = "lifecycle-config"
	e.createBucket(t, bucket)
	_, err := cl.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(bucket)})
	wantAPIError(t, err, "NoSuchLifecycleConfiguration", 404)
	_, err = cl.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String(bucket),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{
			{ID: aws.String("logs"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("logs/")},
				Expiration: &types.LifecycleExpiration{Days: aws.Int32(30)}},
			{ID: aws.String("uploads"), Status: types.ExpirationStatusDisabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")},
				AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(7)}},
		}}})
	must(t, err, "put lifecycle")
	got, err := e.s3(t, 2).GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(bucket)})
	must(t, err, "get lifecycle")
	if len(got.Rules) != 2 {
		t.Fatalf("%d rules, want 2", len(got.Rules))
	}
	r0, r1 := got.Rules[0], got.Rules[1]
	if aws.ToString(r0.ID) != "logs" || r0.Status != types.ExpirationStatusEnabled || r0.Filter == nil ||
		aws.ToString(r0.Filter.Prefix) != "logs/" || r0.Expiration == nil || aws.ToInt32(r0.Expiration.Days) != 30 {
		t.Errorf("rule 0: %+v filter %+v expiration %+v", r0, r0.Filter, r0.Expiration)
	}
	if aws.ToString(r1.ID) != "uploads" || r1.Status != types.ExpirationStatusDisabled || r1.AbortIncompleteMultipartUpload == nil ||
		aws.ToInt32(r1.AbortIncompleteMultipartUpload.DaysAfterInitiation) != 7 || r1.Expiration != nil {
		t.Errorf("rule 1: %+v abort %+v", r1, r1.AbortIncompleteMultipartUpload)
	}
	// A rule that does nothing is refused, and the stored rules stay.
	_, err = cl.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String(bucket),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{
			{ID: aws.String("empty"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("x/")}},
		}}})
	wantAPIError(t, err, "InvalidArgument", 400)
	got, err = e.s3(t, 1).GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(bucket)})
	must(t, err, "get lifecycle")
	if len(got.Rules) != 2 {
		t.Errorf("a refused configuration replaced the stored one: %d rules", len(got.Rules))
	}
	_, err = cl.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: aws.String(bucket)})
	must(t, err, "delete lifecycle")
	_, err = e.s3(t, 1).GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(bucket)})
	wantAPIError(t, err, "NoSuchLifecycleConfiguration", 404)
}

// testLifecycleWorker runs lifecycle passes as of a clock three days
// ahead: an object under the expiring prefix goes, one outside it stays,
// and a stale multipart upload is aborted while one outside the rule's
// prefix stays.
func testLifecycleWorker(t *testing.T, e *env) {
	ctx := testCtx(t)
	cl := e.s3(t, 0)
	const bucket = "lifecycle-worker"
	e.createBucket(t, bucket)
	putBytes(t, cl, bucket, "tmp/old", []byte("expires"))
	putBytes(t, cl, bucket, "keep/old", []byte("stays"))
	putBytes(t, cl, bucket, "tmpfile", []byte("not under tmp/"))
	stale, err := cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("uploads/stale")})
	must(t, err, "create stale upload")
	_, err = cl.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("uploads/stale"), UploadId: stale.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("part")})
	must(t, err, "upload part")
	kept, err := cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("other/upload")})
	must(t, err, "create kept upload")
	_, err = cl.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String(bucket),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{
			{ID: aws.String("tmp"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("tmp/")},
				Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}},
			{ID: aws.String("uploads"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("uploads/")},
				AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(1)}},
		}}})
	must(t, err, "put lifecycle")

	// As of now, nothing is due. Other tests' buckets with lifecycle rules
	// hold nothing the rules apply to.
	stats, err := e.c.Nodes[1].API.LifecyclePass(ctx)
	must(t, err, "lifecycle pass now")
	if stats.Expired != 0 || stats.Aborted != 0 || stats.Buckets < 1 {
		t.Errorf("a pass as of now: %+v, want nothing expired or aborted", stats)
	}
	future := time.Now().Add(72 * time.Hour)
	later := s3api.New(s3api.Config{Region: localcluster.Region, Now: func() time.Time { return future }}, e.c.Nodes[2].Server)
	stats, err = later.LifecyclePass(ctx)
	must(t, err, "lifecycle pass in three days")
	if stats.Expired != 1 || stats.Aborted != 1 {
		t.Errorf("a pass in three days: %+v, want 1 expired and 1 aborted", stats)
	}
	_, err = cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("tmp/old")})
	wantAPIError(t, err, "NotFound", 404)
	if got := getBytes(t, cl, bucket, "keep/old"); string(got) != "stays" {
		t.Errorf("keep/old: %q", got)
	}
	if got := getBytes(t, cl, bucket, "tmpfile"); string(got) != "not under tmp/" {
		t.Errorf("tmpfile: %q", got)
	}
	_, err = cl.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String("uploads/stale"), UploadId: stale.UploadId})
	wantAPIError(t, err, "NoSuchUpload", 404)
	ups, err := cl.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	must(t, err, "list uploads")
	if len(ups.Uploads) != 1 || aws.ToString(ups.Uploads[0].UploadId) != aws.ToString(kept.UploadId) {
		t.Errorf("uploads left: %+v, want only other/upload", ups.Uploads)
	}
	// A second pass finds nothing more to do.
	stats, err = later.LifecyclePass(ctx)
	must(t, err, "second pass")
	if stats.Expired != 0 || stats.Aborted != 0 {
		t.Errorf("second pass: %+v", stats)
	}
	_, err = cl.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("other/upload"), UploadId: kept.UploadId})
	must(t, err, "abort kept upload")
}
