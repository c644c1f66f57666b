package k2vapi

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// endpoint is a K2V operation as the router found it: what it addresses,
// the right it needs, and what runs it.
type endpoint struct {
	name string
	need need
	// writes: the endpoint changes items, and runs to its end even if its
	// client leaves.
	writes bool
	run    func(*request) error

	bucket    string
	partition string // "" for the bucket's endpoints
	sort      string // the sort_key parameter of item endpoints
}

// keywords are the query parameters that select a bucket endpoint, as
// Garage's router reads them (their values are ignored).
var keywords = []string{"delete", "search", "poll_range"}

// route finds the endpoint of a request as Garage's K2V router does: the
// first path segment is the bucket, the rest (percent-decoded) the
// partition key; the method, whether there is a partition key, and the
// keyword among the query parameters choose the endpoint.
//
// The rights are Garage's: PollItem, ReadBatch, ReadIndex and ReadItem
// need read; every other endpoint, PollRange included, needs write.
func route(method, escapedPath string, q url.Values) (endpoint, error) {
	path := strings.TrimLeft(escapedPath, "/")
	bucket, rawKey, _ := strings.Cut(path, "/")
	if bucket == "" {
		return endpoint{}, badRequest("Missing bucket name")
	}
	var ep endpoint
	var err error
	if ep.bucket, err = url.PathUnescape(bucket); err != nil {
		return endpoint{}, badRequest("Invalid bucket name %q", bucket)
	}
	if ep.partition, err = url.PathUnescape(strings.TrimLeft(rawKey, "/")); err != nil {
		return endpoint{}, badRequest("Invalid partition key: %v", err)
	}
	if !utf8.ValidString(ep.partition) {
		return endpoint{}, &Error{Status: http.StatusBadRequest, Code: codeInvalidUtf8, Message: "Invalid UTF-8: the partition key"}
	}
	for name, values := range q {
		if len(values) > 1 {
			return endpoint{}, badRequest("Query parameter repeated: %q", name)
		}
	}
	keyword := ""
	for _, k := range keywords {
		if q.Has(k) {
			if keyword != "" {
				return endpoint{}, badRequest("Conflicting query parameters %q and %q", keyword, k)
			}
			keyword = k
		}
	}
	item := ep.partition != ""
	found := true
	switch {
	case method == http.MethodGet && item && keyword == "" && q.Has("causality_token"):
		ep.name, ep.need, ep.run = "PollItem", needRead, (*request).pollItem
	case method == http.MethodGet && item && keyword == "":
		ep.name, ep.need, ep.run = "ReadItem", needRead, (*request).readItem
	case method == http.MethodGet && !item && keyword == "":
		ep.name, ep.need, ep.run = "ReadIndex", needRead, (*request).readIndex
	case (method == "SEARCH" || method == http.MethodPost) && item && keyword == "poll_range":
		ep.name, ep.need, ep.run = "PollRange", needWrite, (*request).pollRange
	case method == "SEARCH" && !item && keyword == "",
		method == http.MethodPost && !item && keyword == "search":
		ep.name, ep.need, ep.run = "ReadBatch", needRead, (*request).readBatch
	case method == http.MethodPost && !item && keyword == "":
		ep.name, ep.need, ep.writes, ep.run = "InsertBatch", needWrite, true, (*request).insertBatch
	case method == http.MethodPost && !item && keyword == "delete":
		ep.name, ep.need, ep.writes, ep.run = "DeleteBatch", needWrite, true, (*request).deleteBatch
	case method == http.MethodPut && item && keyword == "":
		ep.name, ep.need, ep.writes, ep.run = "InsertItem", needWrite, true, (*request).insertItem
	case method == http.MethodDelete && item && keyword == "":
		ep.name, ep.need, ep.writes, ep.run = "DeleteItem", needWrite, true, (*request).deleteItem
	default:
		found = false
	}
	if !found {
		switch method {
		case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, "SEARCH":
			return endpoint{}, badRequest("No K2V endpoint for %s %s", method, describe(item, keyword))
		}
		return endpoint{}, badRequest("Unknown method %s", method)
	}
	if ep.partition != "" && ep.name != "PollRange" {
		if !q.Has("sort_key") {
			return endpoint{}, badRequest("Missing argument sort_key for %s", ep.name)
		}
		ep.sort = q.Get("sort_key")
		if !utf8.ValidString(ep.sort) {
			return endpoint{}, &Error{Status: http.StatusBadRequest, Code: codeInvalidUtf8, Message: "Invalid UTF-8: the sort key"}
		}
	}
	return ep, nil
}

func describe(item bool, keyword string) string {
	what := "a bucket"
	if item {
		what = "a partition key"
	}
	if keyword != "" {
		what += " with ?" + keyword
	}
	return what
}

// optUint parses an optional unsigned query parameter.
func optUint(q url.Values, name string) (*uint64, error) {
	if !q.Has(name) {
		return nil, nil
	}
	n, err := strconv.ParseUint(q.Get(name), 10, 64)
	if err != nil {
		return nil, badRequest("Invalid value for %s: %q is not an unsigned integer", name, q.Get(name))
	}
	return &n, nil
}

// optBool parses an optional boolean query parameter ("true", "false").
func optBool(q url.Values, name string) (bool, error) {
	if !q.Has(name) {
		return false, nil
	}
	switch q.Get(name) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, badRequest("Invalid value for %s: %q is not true or false", name, q.Get(name))
}

// optString is an optional string query parameter, nil when absent.
func optString(q url.Values, name string) (*string, error) {
	if !q.Has(name) {
		return nil, nil
	}
	v := q.Get(name)
	if !utf8.ValidString(v) {
		return nil, &Error{Status: http.StatusBadRequest, Code: codeInvalidUtf8, Message: "Invalid UTF-8: parameter " + name}
	}
	return &v, nil
}
