package k2vapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/garagego/garage/internal/localcluster"
)

// testCORS: a bucket's CORS rules (set through S3) answer preflights on
// the K2V port and add their headers to K2V answers, so a browser
// application can call K2V from an allowed origin, and only from there.
func testCORS(t *testing.T, e *env) {
	ctx := testCtx(t)
	bucket := "k2v-cors"
	cl := s3.New(s3.Options{Region: localcluster.Region, BaseEndpoint: aws.String(e.c.Nodes[0].Endpoint), UsePathStyle: true,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return e.creds, nil })})
	if _, err := cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	origin := "https://app.example.com"
	// Before any rule: a preflight is refused.
	pre := func(origin, method string) reply {
		return e.do(t, call{node: 1, method: http.MethodOptions, bucket: bucket, pk: "notes", unsigned: true,
			header: http.Header{"Origin": {origin}, "Access-Control-Request-Method": {method}}})
	}
	want(t, pre(origin, "PUT"), http.StatusForbidden, "preflight without CORS rules")
	_, err := cl.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String(bucket), CORSConfiguration: &types.CORSConfiguration{
		CORSRules: []types.CORSRule{{AllowedOrigins: []string{origin}, AllowedMethods: []string{"GET", "PUT"}, AllowedHeaders: []string{"*"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	r := pre(origin, "PUT")
	want(t, r, http.StatusOK, "preflight from an allowed origin")
	if got := r.header.Get("Access-Control-Allow-Origin"); got != origin {
		t.Fatalf("preflight Access-Control-Allow-Origin %q, want %q", got, origin)
	}
	want(t, pre("https://evil.example.com", "PUT"), http.StatusForbidden, "preflight from another origin")
	want(t, pre(origin, "DELETE"), http.StatusForbidden, "preflight of a method the rules do not allow")
	want(t, e.do(t, call{node: 1, method: http.MethodOptions, bucket: "no-such-bucket", unsigned: true,
		header: http.Header{"Origin": {origin}, "Access-Control-Request-Method": {"GET"}}}), http.StatusNotFound, "preflight on an unknown bucket")
	// The signed request that follows carries the rule's headers.
	r = e.do(t, call{node: 2, method: http.MethodPut, bucket: bucket, pk: "notes", query: sortKey("a"), body: []byte("x"),
		header: http.Header{"Origin": {origin}}})
	want(t, r, http.StatusNoContent, "InsertItem from an allowed origin")
	if got := r.header.Get("Access-Control-Allow-Origin"); got != origin {
		t.Fatalf("InsertItem Access-Control-Allow-Origin %q, want %q", got, origin)
	}
}
