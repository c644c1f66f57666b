package adminapi

import (
	"io"
	"net/http"
	"net/url"
	"testing"
)

// matchOld follows Garage's old routers: route order, routes that need a
// parameter given, mandatory parameters named as Garage's fields.
func TestMatchOld(t *testing.T) {
	for _, c := range []struct {
		method, path string
		params       map[string]string
		want, err    string
	}{
		{"GET", "/v1/key", nil, "ListKeys", ""},
		{"GET", "/v1/key", map[string]string{"search": "x"}, "GetKeyInfo", ""},
		{"POST", "/v1/key", map[string]string{"id": "x"}, "UpdateKey", ""},
		{"POST", "/v1/key", nil, "CreateKey", ""},
		{"GET", "/v1/bucket", map[string]string{"search": "x"}, "ListBuckets", ""}, // v1 buckets have no search
		{"GET", "/v0/bucket", map[string]string{"globalAlias": "x"}, "GetBucketInfo", ""},
		{"PUT", "/v1/bucket", nil, "", "Unknown API endpoint: PUT /v1/bucket"},
		{"DELETE", "/v1/bucket/alias/local", map[string]string{"id": "b", "alias": "a"}, "", "Missing argument `access_key_id` for endpoint"},
		{"OPTIONS", "/v1/anything", nil, "Options", ""},
		{"GET", "/v1/v1/key", nil, "", "Unknown API endpoint: GET /v1/v1/key"},
	} {
		version := oldVersion(c.path)
		got, err := matchOld(c.method, c.path, version, c.params)
		if got != c.want || (err == nil) != (c.err == "") || err != nil && err.Error() != c.err {
			t.Errorf("%s %s %v: %q, %v; want %q, %q", c.method, c.path, c.params, got, err, c.want, c.err)
		}
	}
	if v := oldVersion("/v2/ListKeys"); v != "" {
		t.Errorf("a v2 path is %q", v)
	}
}

// translateOld gives the v2 handler what it reads: showSecretKey only
// when v1 said "true", the alias parameters as a body.
func TestTranslateOld(t *testing.T) {
	q, _ := translateOld("GetKeyInfo", map[string]string{"id": "GK1", "showSecretKey": "yes"}, http.NoBody)
	if q.Encode() != "id=GK1" {
		t.Errorf("GetKeyInfo: %s", q.Encode())
	}
	q, body := translateOld("LocalUnaliasBucket", map[string]string{"id": "b", "alias": "a", "accessKeyId": "GK1"}, http.NoBody)
	b, _ := io.ReadAll(body)
	if len(q) != 0 || string(b) != `{"bucketId":"b","localAlias":"a","accessKeyId":"GK1"}` {
		t.Errorf("LocalUnaliasBucket: %v %s", q, b)
	}
	if _, err := oldQuery(url.Values{"alias": {"a", "", "b"}}, oldParams["v1"]); err == nil || err.Error() != "Query parameter repeated: 'alias'" {
		t.Errorf("a repeated parameter: %v", err)
	}
	if p, err := oldQuery(url.Values{"showSecretKey": {"true"}, "other": {"x", "y"}}, oldParams["v0"]); err != nil || len(p) != 0 {
		t.Errorf("v0 knows no showSecretKey, ignores the unknown: %v %v", p, err)
	}
}

func TestPrefersJSON(t *testing.T) {
	for accept, want := range map[string]bool{
		"": false, "*/*": false, "text/plain": false, "application/json": true, "application/*": true,
		"application/json, text/plain": false, "text/plain;q=0.5, application/json": true,
		"application/json;q=0.5, text/*": false, "text/*;q=0.1, */*;q=0.5": true, "application/json;q=0": false,
		"application/json;q=bad": false, "APPLICATION/JSON": true,
	} {
		var h []string
		if accept != "" {
			h = []string{accept}
		}
		if got := prefersJSON(h); got != want {
			t.Errorf("Accept %q: prefers JSON %v, want %v", accept, got, want)
		}
	}
}
