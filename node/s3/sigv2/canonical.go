package sigv2

import (
	"net/url"
	"slices"
	"strings"
)

// subResources are the query parameters a V2 signature covers, in byte
// order. AWS's list ("Constructing the CanonicalizedResource element"):
// acl, delete, lifecycle, location, logging, notification, partNumber,
// policy, requestPayment, torrent, uploadId, uploads, versionId,
// versioning, versions, website and the response-* overrides. It predates
// the sub-resources S3 added since; AWS's own SDK (botocore's HmacV1Auth)
// signs those too, and so must a server that accepts its signatures:
// accelerate, analytics, cors, inventory, metrics, object-lock,
// replication, restore, select, select-type and tagging. Every other
// parameter (prefix, max-keys, list-type, ...) is outside the signature,
// as in S3.
var subResources = []string{
	"accelerate", "acl", "analytics", "cors", "delete", "inventory", "lifecycle", "location", "logging",
	"metrics", "notification", "object-lock", "partNumber", "policy", "replication", "requestPayment",
	"response-cache-control", "response-content-disposition", "response-content-encoding",
	"response-content-language", "response-content-type", "response-expires",
	"restore", "select", "select-type", "tagging", "torrent", "uploadId", "uploads",
	"versionId", "versioning", "versions", "website",
}

// stringToSign is what a V2 signature signs, for one canonical resource.
func stringToSign(req Request, dateLine, resource string) string {
	var b strings.Builder
	b.WriteString(req.Method)
	b.WriteByte('\n')
	b.WriteString(req.headerLine("Content-MD5"))
	b.WriteByte('\n')
	b.WriteString(req.headerLine("Content-Type"))
	b.WriteByte('\n')
	b.WriteString(dateLine)
	b.WriteByte('\n')
	b.WriteString(canonicalAmzHeaders(req))
	b.WriteString(resource)
	return b.String()
}

// canonicalAmzHeaders is every x-amz-* header as "name:value\n", names
// lowercased and sorted, repeated headers joined with commas, values
// unfolded and trimmed.
func canonicalAmzHeaders(req Request) string {
	values := map[string][]string{}
	for _, k := range sortedKeys(req.Header) {
		lower := strings.ToLower(k)
		if strings.HasPrefix(lower, "x-amz-") {
			values[lower] = append(values[lower], req.Header[k]...)
		}
	}
	var b strings.Builder
	for _, name := range sortedKeys(values) {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(joinValues(values[name]))
		b.WriteByte('\n')
	}
	return b.String()
}

// canonicalResources are the resources a signature of req may cover, the
// one AWS defines first: "/" + the bucket if the Host header named it,
// then the path as sent, then the sub-resources.
//
// A path-style request for a bucket itself ("/bucket", no slash) may also
// be signed as "/bucket/": botocore signs a bucket operation's resource
// so whatever the addressing style. Both name the same resource and
// operation, so accepting either gives a signature no reach it lacks.
func canonicalResources(req Request) []string {
	path := req.EscapedPath
	if path == "" {
		path = "/"
	}
	if req.VirtualHost && req.Bucket != "" {
		path = "/" + req.Bucket + path
	}
	sub := canonicalSubResources(req.Query)
	resources := []string{path + sub}
	if !req.VirtualHost && req.Bucket != "" && path == "/"+req.Bucket {
		resources = append(resources, path+"/"+sub)
	}
	return resources
}

// canonicalSubResources is "?name[=value]&..." for the subResources
// present, values decoded as AWS signs them, or "" if there are none.
func canonicalSubResources(q url.Values) string {
	var parts []string
	for _, name := range subResources {
		for _, v := range q[name] {
			if v == "" {
				parts = append(parts, name)
			} else {
				parts = append(parts, name+"="+v)
			}
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "?" + strings.Join(parts, "&")
}

// sortedKeys returns the keys of m in byte order, for walks whose order
// shows.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
