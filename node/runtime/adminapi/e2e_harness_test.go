package adminapi_test

// The end-to-end suite: plain net/http against the admin API of a real
// 3-node cluster (internal/localcluster), with a small client of its own:
// the request and answer structs below are written from the OpenAPI
// document and Garage's field names, not shared with the server, and
// answers are decoded strictly, so a field the server names differently
// fails the tests.

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/garagego/garage/internal/localcluster"
	"github.com/garagego/garage/node/runtime/s3api"
)

type env struct {
	c *localcluster.Cluster
}

func startEnv(t *testing.T) *env {
	t.Helper()
	c, err := localcluster.Start(localcluster.Options{Nodes: 3, Dir: t.TempDir(),
		TuneAPI: func(_ int, cfg *s3api.Config) { cfg.RootDomain = ".s3.garage.test" }})
	if err != nil {
		t.Fatalf("start cluster: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("close cluster: %v", err)
		}
	})
	return &env{c: c}
}

// reply is an answer with its body read.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// raw sends one request to node i's admin API; token "" sends none.
func (e *env) raw(t *testing.T, i int, method, path, token string, body []byte) reply {
	t.Helper()
	req, err := http.NewRequest(method, e.c.Nodes[i].AdminEndpoint+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	client := &http.Client{Timeout: time.Minute}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return reply{resp.StatusCode, resp.Header, b}
}

// call calls endpoint fn on node 0 with the admin token: GET without a
// body, POST with in encoded; it expects status and decodes the answer
// strictly into out (if not nil).
func (e *env) call(t *testing.T, fn string, query url.Values, in any, status int, out any) reply {
	t.Helper()
	return e.callAs(t, e.c.Nodes[0].AdminToken, fn, query, in, status, out)
}

// postNoBody marks a POST endpoint called without a body.
type postNoBody struct{}

func (e *env) callAs(t *testing.T, token, fn string, query url.Values, in any, status int, out any) reply {
	t.Helper()
	method, path := http.MethodGet, "/v2/"+fn
	if len(query) > 0 {
		path += "?" + query.Encode()
	}
	var body []byte
	switch v := in.(type) {
	case nil:
	case postNoBody:
		method = http.MethodPost
	case []byte:
		method, body = http.MethodPost, v
	default:
		method = http.MethodPost
		var err error
		if body, err = json.Marshal(in); err != nil {
			t.Fatal(err)
		}
	}
	return expect(t, e.raw(t, 0, method, path, token, body), method, path, status, out)
}

// expect checks r's status and decodes its body strictly into out (if not
// nil).
func expect(t *testing.T, r reply, method, path string, status int, out any) reply {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, status, r.body)
	}
	if out != nil {
		d := json.NewDecoder(bytes.NewReader(r.body))
		d.DisallowUnknownFields()
		if err := d.Decode(out); err != nil {
			t.Fatalf("%s %s: decode into %T: %v\n%s", method, path, out, err, r.body)
		}
	}
	return r
}

// openAPIDoc is the server's OpenAPI document, as much as the tests read.
type openAPIDoc struct {
	OpenAPI    string                               `json:"openapi"`
	Paths      map[string]map[string]map[string]any `json:"paths"`
	Components struct {
		Schemas map[string]map[string]any `json:"schemas"`
	} `json:"components"`
}

// openAPI fetches the document from node 0, without a token.
func (e *env) openAPI(t *testing.T) openAPIDoc {
	t.Helper()
	r := e.raw(t, 0, http.MethodGet, "/v2/openapi.json", "", nil)
	if r.status != http.StatusOK {
		t.Fatalf("openapi.json: %d %s", r.status, r.body)
	}
	var doc openAPIDoc
	must(t, json.Unmarshal(r.body, &doc))
	return doc
}

// wantError checks an error answer: Garage's four fields, the code.
func wantError(t *testing.T, r reply, status int, code string) apiError {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	var e apiError
	d := json.NewDecoder(bytes.NewReader(r.body))
	d.DisallowUnknownFields()
	if err := d.Decode(&e); err != nil {
		t.Fatalf("error body: %v\n%s", err, r.body)
	}
	if e.Code != code || e.Message == "" || e.Region != localcluster.Region || !strings.HasPrefix(e.Path, "/") {
		t.Fatalf("error %+v, want code %s with a message, region %s and the path", e, code, localcluster.Region)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("error content type %q", ct)
	}
	return e
}

func q(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
