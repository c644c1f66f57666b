package k2vapi_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// testAuth: what a signature must be. Signed for another service or
// region, the scope is refused as Garage refuses it (400
// AuthorizationHeaderMalformed); a signature that does not match, an
// unknown key and an unsigned request are 403 AccessDenied.
func testAuth(t *testing.T, e *env) {
	read := call{node: 0, method: "GET", pk: "auth", query: sortKey("k")}
	ok := e.do(t, read)
	wantError(t, ok, http.StatusNotFound, "NoSuchKey", "a well-signed read")

	c := read
	c.service = "s3"
	wantError(t, e.do(t, c), http.StatusBadRequest, "AuthorizationHeaderMalformed", "signed for the service s3")
	c = read
	c.region = "elsewhere"
	wantError(t, e.do(t, c), http.StatusBadRequest, "AuthorizationHeaderMalformed", "signed for another region")
	c = read
	c.creds = &aws.Credentials{AccessKeyID: e.c.KeyID, SecretAccessKey: "wrong"}
	wantError(t, e.do(t, c), http.StatusForbidden, "AccessDenied", "a wrong secret")
	c = read
	c.creds = &aws.Credentials{AccessKeyID: "GK0000000000000000000000", SecretAccessKey: "x"}
	wantError(t, e.do(t, c), http.StatusForbidden, "AccessDenied", "an unknown key")
	c = read
	c.unsigned = true
	wantError(t, e.do(t, c), http.StatusForbidden, "AccessDenied", "an unsigned request")

	// A signature made for s3 under a scope rewritten to say k2v: the
	// scope passes, the signature must not.
	req, _ := http.NewRequest("GET", e.c.Nodes[1].K2VEndpoint+"/"+e.c.Bucket+"/auth?sort_key=k", nil)
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	if err := v4.NewSigner().SignHTTP(context.Background(), e.creds, req, "UNSIGNED-PAYLOAD", "s3", "garage", time.Now()); err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", strings.Replace(req.Header.Get("Authorization"), "/s3/aws4_request", "/k2v/aws4_request", 1))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("an s3 signature under a k2v scope: %d, want 403", resp.StatusCode)
	}

	// A body that does not match the hash the signature covers.
	req, _ = http.NewRequest("PUT", e.c.Nodes[1].K2VEndpoint+"/"+e.c.Bucket+"/auth?sort_key=k", bytes.NewReader([]byte("sent")))
	req.Header.Set("X-Amz-Content-Sha256", strings.Repeat("0", 64))
	if err := v4.NewSigner().SignHTTP(context.Background(), e.creds, req, strings.Repeat("0", 64), "k2v", "garage", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a body that does not match its signed hash: %d, want 400", resp.StatusCode)
	}
	if r := e.do(t, read); r.status != http.StatusNotFound {
		t.Fatalf("the refused write was stored: %s", r)
	}

	c = read
	c.bucket = "no-such-bucket"
	wantError(t, e.do(t, c), http.StatusNotFound, "NoSuchBucket", "an unknown bucket")
}

// testPermissions: the key's rights on the bucket decide, as in Garage's
// router: reads need read; writes, and PollRange, need write.
func testPermissions(t *testing.T, e *env) {
	e.insert(t, 0, "perms", "k", "v", "")
	readOnly := e.newKey(t, true, false)
	writeOnly := e.newKey(t, false, true)
	none := e.newKey(t, false, false)

	r := e.do(t, call{node: 1, method: "GET", pk: "perms", query: sortKey("k"), creds: readOnly})
	want(t, r, http.StatusOK, "ReadItem with read")
	r = e.do(t, call{node: 1, method: "PUT", pk: "perms", query: sortKey("k"), body: []byte("x"), creds: readOnly})
	wantError(t, r, http.StatusForbidden, "AccessDenied", "InsertItem without write")
	r = e.do(t, call{node: 1, method: "POST", body: []byte(`[{"pk":"perms","sk":"k","ct":null,"v":"eA=="}]`), creds: readOnly})
	wantError(t, r, http.StatusForbidden, "AccessDenied", "InsertBatch without write")
	r = e.do(t, call{node: 1, method: "POST", pk: "perms", query: url.Values{"poll_range": {""}}, body: []byte(`{}`), creds: readOnly})
	wantError(t, r, http.StatusForbidden, "AccessDenied", "PollRange without write (Garage classifies it as a write)")
	r = e.do(t, call{node: 1, method: "POST", query: url.Values{"search": {""}}, body: []byte(`[{"partitionKey":"perms"}]`), creds: readOnly})
	want(t, r, http.StatusOK, "ReadBatch with read")
	r = e.do(t, call{node: 1, method: "GET", creds: readOnly})
	want(t, r, http.StatusOK, "ReadIndex with read")

	r = e.do(t, call{node: 2, method: "GET", pk: "perms", query: sortKey("k"), creds: writeOnly})
	wantError(t, r, http.StatusForbidden, "AccessDenied", "ReadItem without read")
	r = e.do(t, call{node: 2, method: "PUT", pk: "perms", query: sortKey("w"), body: []byte("x"), creds: writeOnly})
	want(t, r, http.StatusNoContent, "InsertItem with write")
	r = e.do(t, call{node: 2, method: "POST", pk: "perms", query: url.Values{"poll_range": {""}}, body: []byte(`{"prefix":"w"}`), creds: writeOnly})
	want(t, r, http.StatusOK, "PollRange with write")

	r = e.do(t, call{node: 0, method: "GET", pk: "perms", query: sortKey("k"), creds: none})
	wantError(t, r, http.StatusForbidden, "AccessDenied", "ReadItem with no rights")
}

// testClientErrors: a client's mistakes are 4xx with Garage's codes,
// never a 500, and change nothing.
func testClientErrors(t *testing.T, e *env) {
	const pk = "mistakes"
	post := func(q url.Values, body string) reply {
		return e.do(t, call{node: 0, method: "POST", query: q, body: []byte(body)})
	}
	for _, tc := range []struct {
		name string
		r    reply
		code string
	}{
		{"InsertBatch of bad JSON", post(nil, `[{"pk":`), "InvalidRequest"},
		{"InsertBatch of an object", post(nil, `{"pk":"a","sk":"b"}`), "InvalidRequest"},
		{"InsertBatch of null", post(nil, `null`), "InvalidRequest"},
		{"InsertBatch without sk", post(nil, `[{"pk":"a","v":null}]`), "InvalidRequest"},
		{"InsertBatch of bad base64", post(nil, `[{"pk":"a","sk":"b","ct":null,"v":"!!"}]`), "InvalidRequest"},
		{"InsertBatch with a bad token", post(nil, `[{"pk":"a","sk":"b","ct":"AAAA","v":null}]`), "CausalityToken"},
		{"InsertBatch of invalid UTF-8", post(nil, "[{\"pk\":\"\xff\",\"sk\":\"b\"}]"), "InvalidRequest"},
		{"ReadBatch without partitionKey", post(url.Values{"search": {""}}, `[{"start":"a"}]`), "InvalidRequest"},
		{"ReadBatch with a negative limit", post(url.Values{"search": {""}}, `[{"partitionKey":"a","limit":-1}]`), "InvalidRequest"},
		{"ReadBatch singleItem with a limit", post(url.Values{"search": {""}}, `[{"partitionKey":"a","start":"x","singleItem":true,"limit":2}]`), "InvalidRequest"},
		{"ReadBatch singleItem without start", post(url.Values{"search": {""}}, `[{"partitionKey":"a","singleItem":true}]`), "InvalidRequest"},
		{"ReadBatch start outside the prefix", post(url.Values{"search": {""}}, `[{"partitionKey":"a","prefix":"p","start":"q"}]`), "InvalidRequest"},
		{"DeleteBatch singleItem with a prefix", post(url.Values{"delete": {""}}, `[{"partitionKey":"a","start":"x","singleItem":true,"prefix":"x"}]`), "InvalidRequest"},
		{"two keywords", post(url.Values{"delete": {""}, "search": {""}}, `[]`), "InvalidRequest"},
		{"ReadIndex with a bad limit", e.do(t, call{method: "GET", query: url.Values{"limit": {"ten"}}}), "InvalidRequest"},
		{"ReadIndex with a bad reverse", e.do(t, call{method: "GET", query: url.Values{"reverse": {"yes"}}}), "InvalidRequest"},
		{"ReadItem without sort_key", e.do(t, call{method: "GET", pk: pk}), "InvalidRequest"},
		{"InsertItem with a bad token", e.do(t, call{method: "PUT", pk: pk, query: sortKey("k"), header: http.Header{"X-Garage-Causality-Token": {"bad token"}}}), "CausalityToken"},
		{"PUT on a bucket", e.do(t, call{method: "PUT"}), "InvalidRequest"},
		{"an unknown method", e.do(t, call{method: "PATCH", pk: pk}), "InvalidRequest"},
		{"a repeated parameter", e.do(t, call{method: "GET", pk: pk, query: url.Values{"sort_key": {"a", "b"}}}), "InvalidRequest"},
	} {
		wantError(t, tc.r, http.StatusBadRequest, tc.code, tc.name)
	}
	big := make([]byte, 10<<20+1)
	r := e.do(t, call{method: "PUT", pk: pk, query: sortKey("big"), body: big})
	wantError(t, r, http.StatusRequestEntityTooLarge, "EntityTooLarge", "a value over 10 MiB")
	r = e.do(t, call{method: "GET", pk: pk, query: sortKey("k")})
	wantError(t, r, http.StatusNotFound, "NoSuchKey", "after the refused writes")
}
