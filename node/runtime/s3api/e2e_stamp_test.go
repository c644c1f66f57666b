package s3api_test

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/garagego/garage/node/runtime/s3api"
)

// stampOf reads x-garage-stamp from an SDK call's raw response.
func stampOf(t *testing.T, md middleware.Metadata) string {
	t.Helper()
	raw, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response)
	if !ok {
		t.Fatal("no raw response")
	}
	return raw.Header.Get(s3api.StampHeader)
}

// TestE2EStampHeaders: every object write, read and delete names the
// version it wrote or read, in an order that matches the writes' order;
// a listing asked for stamps gives each entry's. The chaos harness checks
// real clients' histories with them.
func TestE2EStampHeaders(t *testing.T) {
	e := startHostileEnv(t)
	ctx := testCtx(t)
	cl := e.s3(t, 0)
	put := func(body string) string {
		out, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String("stamp/k"), Body: strings.NewReader(body)})
		must(t, err, "put")
		return stampOf(t, out.ResultMetadata)
	}
	first := put("one")
	second := put("two")
	if first == "" || second <= first {
		t.Fatalf("stamps of two puts: %q then %q, want increasing", first, second)
	}
	got, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("stamp/k")})
	must(t, err, "get")
	readAll(t, got.Body)
	if s := stampOf(t, got.ResultMetadata); s != second {
		t.Errorf("get stamp %q, want the second put's %q", s, second)
	}
	// The listing, raw, with the stamps asked for.
	req := signedRequest(t, e, http.MethodGet, e.c.Nodes[0].Endpoint+"/bucket?list-type=2&prefix=stamp/", nil, time.Now(), "")
	req.Header.Set(s3api.StampsHeader, "true")
	resp := httpDo(t, req)
	var listing struct {
		Contents []struct {
			Key   string `xml:"Key"`
			Stamp string `xml:"GarageStamp"`
		} `xml:"Contents"`
	}
	must(t, xml.NewDecoder(bytes.NewReader(readAll(t, resp.Body))).Decode(&listing), "decode listing")
	if len(listing.Contents) != 1 || listing.Contents[0].Stamp != second {
		t.Errorf("listing %+v, want stamp/k at %q", listing.Contents, second)
	}
	del, err := cl.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bucket"), Key: aws.String("stamp/k")})
	must(t, err, "delete")
	marker := stampOf(t, del.ResultMetadata)
	if marker <= second {
		t.Fatalf("delete stamp %q, want after %q", marker, second)
	}
	_, err = cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bucket"), Key: aws.String("stamp/k")})
	wantAPIError(t, err, "NotFound", http.StatusNotFound)
	raw := httpDo(t, signedRequest(t, e, http.MethodGet, e.c.Nodes[0].Endpoint+"/bucket/stamp/k", nil, time.Now(), ""))
	readAll(t, raw.Body)
	if s := raw.Header.Get(s3api.StampHeader); raw.StatusCode != http.StatusNotFound || s != marker {
		t.Errorf("get of a deleted key: %d with stamp %q, want 404 with the marker's %q", raw.StatusCode, s, marker)
	}
}
