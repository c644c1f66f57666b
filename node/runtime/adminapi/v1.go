package adminapi

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// The admin API's older paths, /v1/... and /v0/..., as Garage v2 still
// routes them: a request is matched against the old version's routes
// (method, path, and for some a query parameter that must be given), its
// mandatory parameters are checked, and it is then either translated to
// the v2 endpoint Garage translates it to, authorized and answered exactly
// as that endpoint (with its v2 answer), or refused with Garage's 400
// "v1/ endpoint is no longer supported" (an endpoint whose semantics
// changed: GetClusterStatus, UpdateClusterLayout, DeleteKey and
// DeleteBucket, whose HTTP DELETE answered 204, and OPTIONS). A /v0/ call
// first goes through Garage's v0-to-v1 table, which refuses more.
// Everything up to the refusal happens before authentication, as in
// Garage.

// oldRoute is one route of Garage's router_v0/router_v1, in their order.
type oldRoute struct {
	method string // "" matches any (OPTIONS routes are matched apart)
	path   string // after the /v1 or /v0 prefix
	// given: the route matches only if this query parameter is given.
	given string
	name  string // Garage's name of the old endpoint
	// need are the mandatory query parameters, by wire name.
	need []string
}

var oldRoutes = []oldRoute{
	{method: http.MethodGet, path: "/status", name: "GetClusterStatus"},
	{method: http.MethodGet, path: "/health", name: "GetClusterHealth"},
	{method: http.MethodPost, path: "/connect", name: "ConnectClusterNodes"},
	{method: http.MethodGet, path: "/layout", name: "GetClusterLayout"},
	{method: http.MethodPost, path: "/layout", name: "UpdateClusterLayout"},
	{method: http.MethodPost, path: "/layout/apply", name: "ApplyClusterLayout"},
	{method: http.MethodPost, path: "/layout/revert", name: "RevertClusterLayout"},
	{method: http.MethodGet, path: "/key", given: "id", name: "GetKeyInfo"},
	{method: http.MethodGet, path: "/key", given: "search", name: "GetKeyInfo"},
	{method: http.MethodPost, path: "/key", given: "id", name: "UpdateKey", need: []string{"id"}},
	{method: http.MethodPost, path: "/key", name: "CreateKey"},
	{method: http.MethodPost, path: "/key/import", name: "ImportKey"},
	{method: http.MethodDelete, path: "/key", given: "id", name: "DeleteKey", need: []string{"id"}},
	{method: http.MethodGet, path: "/key", name: "ListKeys"},
	{method: http.MethodGet, path: "/bucket", given: "id", name: "GetBucketInfo"},
	{method: http.MethodGet, path: "/bucket", given: "globalAlias", name: "GetBucketInfo"},
	{method: http.MethodGet, path: "/bucket", name: "ListBuckets"},
	{method: http.MethodPost, path: "/bucket", name: "CreateBucket"},
	{method: http.MethodDelete, path: "/bucket", given: "id", name: "DeleteBucket", need: []string{"id"}},
	{method: http.MethodPut, path: "/bucket", given: "id", name: "UpdateBucket", need: []string{"id"}},
	{method: http.MethodPost, path: "/bucket/allow", name: "BucketAllowKey"},
	{method: http.MethodPost, path: "/bucket/deny", name: "BucketDenyKey"},
	{method: http.MethodPut, path: "/bucket/alias/global", name: "GlobalAliasBucket", need: []string{"id", "alias"}},
	{method: http.MethodDelete, path: "/bucket/alias/global", name: "GlobalUnaliasBucket", need: []string{"id", "alias"}},
	{method: http.MethodPut, path: "/bucket/alias/local", name: "LocalAliasBucket", need: []string{"id", "accessKeyId", "alias"}},
	{method: http.MethodDelete, path: "/bucket/alias/local", name: "LocalUnaliasBucket", need: []string{"id", "accessKeyId", "alias"}},
}

// oldParams are the query parameters the old routers read (v0 has no
// showSecretKey); the others are ignored. rustNames name them in the
// missing-argument message, as Garage's fields are named.
var (
	oldParams = map[string][]string{
		"v1": {"format", "id", "search", "globalAlias", "alias", "accessKeyId", "showSecretKey"},
		"v0": {"format", "id", "search", "globalAlias", "alias", "accessKeyId"},
	}
	rustNames = map[string]string{"id": "id", "alias": "alias", "accessKeyId": "access_key_id"}
)

// fromV0 are the v0 endpoints Garage serves as their v1 selves; the
// others changed their wire format and are refused.
var fromV0 = map[string]bool{
	"ConnectClusterNodes": true, "RevertClusterLayout": true, "ListKeys": true, "CreateKey": true, "GetKeyInfo": true,
	"DeleteKey": true, "GetBucketInfo": true, "ListBuckets": true, "CreateBucket": true, "DeleteBucket": true,
	"UpdateBucket": true, "BucketAllowKey": true, "BucketDenyKey": true, "GlobalAliasBucket": true,
	"GlobalUnaliasBucket": true, "LocalAliasBucket": true, "LocalUnaliasBucket": true,
}

// fromV1 maps the v1 endpoints Garage v2 serves to their v2 endpoints.
var fromV1 = map[string]string{
	"GetClusterHealth": "GetClusterHealth", "ConnectClusterNodes": "ConnectClusterNodes",
	"GetClusterLayout": "GetClusterLayout", "ApplyClusterLayout": "ApplyClusterLayout", "RevertClusterLayout": "RevertClusterLayout",
	"ListKeys": "ListKeys", "GetKeyInfo": "GetKeyInfo", "CreateKey": "CreateKey", "ImportKey": "ImportKey", "UpdateKey": "UpdateKey",
	"ListBuckets": "ListBuckets", "GetBucketInfo": "GetBucketInfo", "CreateBucket": "CreateBucket", "UpdateBucket": "UpdateBucket",
	"BucketAllowKey": "AllowBucketKey", "BucketDenyKey": "DenyBucketKey",
	"GlobalAliasBucket": "AddBucketAlias", "GlobalUnaliasBucket": "RemoveBucketAlias",
	"LocalAliasBucket": "AddBucketAlias", "LocalUnaliasBucket": "RemoveBucketAlias",
}

// oldVersion is "v1" or "v0" for a path Garage v2 routes through its old
// routers, "" otherwise.
func oldVersion(path string) string {
	for _, v := range []string{"v1", "v0"} {
		if strings.HasPrefix(path, "/"+v+"/") {
			return v
		}
	}
	return ""
}

// serveOld answers a request to a /v1/ or /v0/ path.
func (rq *request) serveOld(version string) error {
	params, err := oldQuery(rq.query, oldParams[version])
	if err != nil {
		return err
	}
	name, err := matchOld(rq.r.Method, rq.r.URL.Path, version, params)
	if err != nil {
		return err
	}
	rq.endpoint = name
	if version == "v0" {
		if !fromV0[name] {
			return badRequest("v0/ endpoint is no longer supported: %s", name)
		}
		if name == "GetKeyInfo" {
			params["showSecretKey"] = "true" // v0 always answered the secret
		}
	}
	v2 := fromV1[name]
	if v2 == "" {
		return badRequest("v1/ endpoint is no longer supported: %s", name)
	}
	ep := rq.api.byName[v2]
	if ep == nil {
		return fmt.Errorf("v1 endpoint %s maps to %s, which is not served", name, v2)
	}
	rq.query, rq.r.Body = translateOld(name, params, rq.r.Body)
	return rq.runEndpoint(ep)
}

// oldQuery reads the parameters the old router knows: empty values are
// ignored, a repeated one is refused, as Garage's parser does.
func oldQuery(q url.Values, known []string) (map[string]string, error) {
	out := map[string]string{}
	for _, name := range known {
		for _, v := range q[name] {
			if v == "" {
				continue
			}
			if _, dup := out[name]; dup {
				return nil, badRequest("Query parameter repeated: '%s'", name)
			}
			out[name] = v
		}
	}
	return out, nil
}

// matchOld finds the old endpoint of a request, in the old router's order.
func matchOld(method, path, version string, params map[string]string) (string, error) {
	if method == http.MethodOptions {
		return "Options", nil
	}
	sub := strings.TrimPrefix(path, "/"+version)
	for _, r := range oldRoutes {
		if r.method != method || r.path != sub {
			continue
		}
		if _, ok := params[r.given]; r.given != "" && !ok {
			continue
		}
		for _, p := range r.need {
			if _, ok := params[p]; !ok {
				return "", badRequest("Missing argument `%s` for endpoint", rustNames[p])
			}
		}
		return r.name, nil
	}
	return "", badRequest("Unknown API endpoint: %s %s", method, path)
}

// translateOld builds the v2 request of a served old endpoint: the query
// parameters its v2 handler reads, and for the alias endpoints (query
// parameters in v1, a body in v2) the body.
func translateOld(name string, p map[string]string, body io.ReadCloser) (url.Values, io.ReadCloser) {
	q := url.Values{}
	set := func(names ...string) {
		for _, n := range names {
			if v, ok := p[n]; ok {
				q.Set(n, v)
			}
		}
	}
	switch name {
	case "GetKeyInfo":
		set("id", "search")
		if p["showSecretKey"] == "true" { // anything else is false in v1
			q.Set("showSecretKey", "true")
		}
	case "UpdateKey", "UpdateBucket":
		set("id")
	case "GetBucketInfo":
		set("id", "globalAlias") // v1 has no search
	case "GlobalAliasBucket", "GlobalUnaliasBucket", "LocalAliasBucket", "LocalUnaliasBucket":
		alias, id := p["alias"], p["id"]
		req := BucketAliasRequest{BucketID: id, GlobalAlias: &alias}
		if strings.HasPrefix(name, "Local") {
			key := p["accessKeyId"]
			req = BucketAliasRequest{BucketID: id, LocalAlias: &alias, AccessKeyID: &key}
		}
		b, _ := json.Marshal(req) //nolint:errcheck // strings only: cannot fail
		body = io.NopCloser(strings.NewReader(string(b)))
	}
	return q, body
}
