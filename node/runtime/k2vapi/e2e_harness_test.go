package k2vapi_test

// The end-to-end suite: raw HTTP requests signed with AWS's own SigV4
// signer (service "k2v") against a real 3-node cluster talking over TCP
// on 127.0.0.1 (internal/localcluster). This file holds the harness; the
// e2e_*_test.go files hold the tests.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/garagego/garage/internal/localcluster"
	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/runtime/server"
)

// e2eTimeout bounds any one test's work against the cluster.
const e2eTimeout = 3 * time.Minute

// httpClient keeps enough idle connections for the benchmarks' 16
// concurrent clients (the default keeps 2 per host).
var httpClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

// env is a running cluster and what the tests need to reach it.
type env struct {
	c     *localcluster.Cluster
	creds aws.Credentials
}

// startEnv starts a 3-node cluster, stopped when t ends.
func startEnv(t testing.TB) *env {
	t.Helper()
	c, err := localcluster.Start(localcluster.Options{Nodes: 3, Dir: t.TempDir()})
	if err != nil {
		t.Fatalf("start cluster: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("close cluster: %v", err)
		}
	})
	return &env{c: c, creds: aws.Credentials{AccessKeyID: c.KeyID, SecretAccessKey: c.Secret}}
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), e2eTimeout)
	t.Cleanup(cancel)
	return ctx
}

// call is one K2V request.
type call struct {
	node     int    // whose K2V endpoint
	method   string // GET, PUT, POST, DELETE, SEARCH
	bucket   string // default: the cluster's
	pk       string // partition key, "" for the bucket's endpoints
	query    url.Values
	header   http.Header
	body     []byte
	creds    *aws.Credentials // default: the cluster's key
	service  string           // signed for; default "k2v"
	region   string           // default localcluster.Region
	unsigned bool
}

// reply is a response with its body read.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) String() string { return fmt.Sprintf("%d %s", r.status, r.body) }

// do signs c with AWS's SigV4 signer and sends it.
func (e *env) do(t testing.TB, c call) reply {
	t.Helper()
	if c.bucket == "" {
		c.bucket = e.c.Bucket
	}
	if c.service == "" {
		c.service = "k2v"
	}
	if c.region == "" {
		c.region = localcluster.Region
	}
	creds := e.creds
	if c.creds != nil {
		creds = *c.creds
	}
	u := e.c.Nodes[c.node].K2VEndpoint + "/" + c.bucket
	if c.pk != "" {
		u += "/" + url.PathEscape(c.pk)
	}
	if len(c.query) > 0 {
		u += "?" + c.query.Encode()
	}
	req, err := http.NewRequestWithContext(testCtx(t), c.method, u, bytes.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	if !c.unsigned {
		sum := sha256.Sum256(c.body)
		hash := hex.EncodeToString(sum[:])
		req.Header.Set("X-Amz-Content-Sha256", hash)
		if err := v4.NewSigner().SignHTTP(req.Context(), creds, req, hash, c.service, c.region, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", c.method, u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read the body: %v", c.method, u, err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: body}
}

// want fails t unless r has the status.
func want(t testing.TB, r reply, status int, what string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: got %s, want %d", what, r, status)
	}
}

// wantError fails t unless r is a K2V JSON error with status and code.
func wantError(t testing.TB, r reply, status int, code, what string) {
	t.Helper()
	want(t, r, status, what)
	var body struct{ Code, Message, Region, Path string }
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatalf("%s: error body is not JSON: %v: %s", what, err, r.body)
	}
	if body.Code != code || body.Message == "" || body.Region != localcluster.Region || body.Path == "" {
		t.Fatalf("%s: error body %+v, want code %s with a message, region and path", what, body, code)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("%s: error Content-Type %q", what, ct)
	}
}

func sortKey(sk string) url.Values { return url.Values{"sort_key": {sk}} }

func jsonBody(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decode[T any](t testing.TB, r reply) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode %s: %v", r, err)
	}
	return v
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// insert writes one item (token "" for none) and checks it was accepted.
func (e *env) insert(t testing.TB, node int, pk, sk, value, token string) {
	t.Helper()
	h := http.Header{}
	if token != "" {
		h.Set("X-Garage-Causality-Token", token)
	}
	want(t, e.do(t, call{node: node, method: "PUT", pk: pk, query: sortKey(sk), header: h, body: []byte(value)}), http.StatusNoContent, "InsertItem "+pk+"/"+sk)
}

// readJSON reads an item as JSON: its values (nil for tombstones) and
// its token.
func (e *env) readJSON(t testing.TB, node int, pk, sk string) ([]*string, string) {
	t.Helper()
	r := e.do(t, call{node: node, method: "GET", pk: pk, query: sortKey(sk)})
	want(t, r, http.StatusOK, "ReadItem "+pk+"/"+sk)
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("ReadItem without Accept: Content-Type %q", ct)
	}
	tok := r.header.Get("X-Garage-Causality-Token")
	if tok == "" {
		t.Fatalf("ReadItem %s/%s: no causality token", pk, sk)
	}
	return decode[[]*string](t, r), tok
}

// values decodes JSON values into strings ("<nil>" for a tombstone).
func values(t testing.TB, vs []*string) []string {
	t.Helper()
	var out []string
	for _, v := range vs {
		if v == nil {
			out = append(out, "<nil>")
			continue
		}
		d, err := base64.StdEncoding.DecodeString(*v)
		if err != nil {
			t.Fatalf("value %q is not base64", *v)
		}
		out = append(out, string(d))
	}
	return out
}

// newKey creates a key with the given rights on the cluster's bucket.
func (e *env) newKey(t testing.TB, read, write bool) *aws.Credentials {
	t.Helper()
	ctx := testCtx(t)
	res, err := e.c.Do(ctx, admin.CreateKey{Name: "k2v-" + t.Name(), ID: server.NewKeyID(), Secret: server.NewSecret()})
	if err != nil {
		t.Fatal(err)
	}
	key := res.(admin.KeyInfo)
	if read || write {
		if _, err := e.c.Do(ctx, admin.SetBucketPerms{Bucket: e.c.Bucket, Key: key.ID, Read: read, Write: write, Allow: true}); err != nil {
			t.Fatal(err)
		}
	}
	return &aws.Credentials{AccessKeyID: key.ID, SecretAccessKey: key.Secret}
}
