package webapi

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/garagego/garage/node/s3/bucketcfg"
	"github.com/garagego/garage/node/s3/s3err"
)

// What a website request asks for, decided from its host, its path and
// the bucket's website configuration alone: which bucket (hostBucket),
// which object (objectKey), and whether a routing rule sends it elsewhere
// (matchRule, redirectFor). Nothing here reads the store.

// authorityToHost is the host name of a Host header: without its port, an
// IPv6 literal kept in its brackets, lower-cased.
func authorityToHost(authority string) (string, error) {
	if authority == "" {
		return "", s3err.New(s3err.InvalidRequest, "A Host header is required.")
	}
	host := authority
	if strings.HasPrefix(authority, "[") {
		end := strings.IndexByte(authority, ']')
		if end < 0 {
			return "", s3err.New(s3err.InvalidRequest, "Host %q has an illegal format.", authority)
		}
		host = authority[:end+1]
		if rest := authority[end+1:]; rest != "" && !strings.HasPrefix(rest, ":") {
			return "", s3err.New(s3err.InvalidRequest, "Host %q has an illegal format.", authority)
		}
	} else if i := strings.IndexByte(authority, ':'); i >= 0 {
		host = authority[:i]
	}
	return strings.ToLower(host), nil
}

// hostBucket is the bucket a host names: the labels before the root
// domain ("site" for site.web.example.com under .web.example.com), else
// the whole host, which a bucket's global alias may equal (a bucket named
// after the site's own domain, example.com).
func hostBucket(host, rootDomain string) string {
	root := strings.TrimPrefix(strings.ToLower(rootDomain), ".")
	if root == "" {
		return host
	}
	if b, ok := strings.CutSuffix(host, "."+root); ok && b != "" {
		return b
	}
	return host
}

// requestKey is the key a request path names, without the index document:
// "" for the root, "dir/" for a directory. The path is already decoded.
func requestKey(path string) (string, error) {
	base, ok := strings.CutPrefix(path, "/")
	if !ok {
		return "", s3err.New(s3err.InvalidRequest, "The path must start with a / (slash).")
	}
	return base, nil
}

// isDirectory reports whether a request key names a directory (the root,
// or a key ending in "/"): its index document is served.
func isDirectory(base string) bool { return base == "" || strings.HasSuffix(base, "/") }

// objectKey is the object a request key is served from: the directory's
// index document for a directory, else the key itself.
func objectKey(base, index string) string {
	if isDirectory(base) {
		return base + index
	}
	return base
}

// matchRule finds the first routing rule for a request key. With status 0
// it looks among the rules without an error-code condition, which apply
// before anything is read; with a status, among the rules whose condition
// is that error code, which apply once the request failed with it. A rule
// must also meet its key-prefix condition, if any.
func matchRule(rules []bucketcfg.RoutingRule, base string, status int) (bucketcfg.RoutingRule, bool) {
	for _, r := range rules {
		code := r.Condition.HTTPErrorCodeReturnedEquals
		switch {
		case status == 0 && code != "":
			continue
		case status != 0 && code != strconv.Itoa(status):
			continue
		}
		if strings.HasPrefix(base, r.Condition.KeyPrefixEquals) {
			return r, true
		}
	}
	return bucketcfg.RoutingRule{}, false
}

// origin is what a redirect keeps of the request: its protocol and host.
type origin struct {
	proto string // "http" or "https"
	host  string // the Host header, port included
}

// redirect is an answer sending the client elsewhere.
type redirect struct {
	location string
	code     int
}

// redirectFor is where rule sends a request for base: the key with the
// matched prefix replaced (ReplaceKeyPrefixWith), or replaced whole
// (ReplaceKeyWith), or kept; on the rule's host and protocol, else the
// request's. Without a host or protocol to change, the location is a path
// on the same site (absolute if the path would read as a host).
func redirectFor(rule bucketcfg.RoutingRule, base string, o origin) redirect {
	d := rule.Redirect
	key := base
	switch {
	case d.ReplaceKeyWith != nil:
		key = *d.ReplaceKeyWith
	case d.ReplaceKeyPrefixWith != nil:
		key = *d.ReplaceKeyPrefixWith + strings.TrimPrefix(base, rule.Condition.KeyPrefixEquals)
	}
	code := http.StatusMovedPermanently
	if n, err := strconv.Atoi(d.HTTPRedirectCode); err == nil {
		code = n
	}
	path := escapePath("/" + key)
	// "//x" would be read as another host's address: keep it on this one.
	if d.HostName == "" && d.Protocol == "" && !strings.HasPrefix(path, "//") {
		return redirect{location: path, code: code}
	}
	return redirect{location: absolute(d.Protocol, d.HostName, o) + path, code: code}
}

// redirectAll is where RedirectAllRequestsTo sends a request: the same
// path and query on the configured host.
func redirectAll(ra *bucketcfg.RedirectAll, requestURI string, o origin) redirect {
	return redirect{location: absolute(ra.Protocol, ra.HostName, o) + requestURI, code: http.StatusMovedPermanently}
}

// directoryRedirect sends a request for a directory's name without its
// slash to the directory, as S3 and Garage answer it: 302 Found.
func directoryRedirect(base string) redirect {
	return redirect{location: escapePath("/" + base + "/"), code: http.StatusFound}
}

// absolute is "proto://host", each defaulting to the request's own.
func absolute(proto, host string, o origin) string {
	if proto == "" {
		proto = o.proto
	}
	if host == "" {
		host = o.host
	}
	return proto + "://" + host
}

// escapePath percent-encodes a path for a Location header.
func escapePath(p string) string { return (&url.URL{Path: p}).EscapedPath() }
