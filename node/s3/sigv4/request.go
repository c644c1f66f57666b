package sigv4

import (
	"net/url"
	"slices"
	"strings"
)

// Request is what authentication needs from an HTTP request. The HTTP layer
// fills it from an *http.Request: EscapedPath from r.URL.EscapedPath(), Query
// from r.URL.Query(), Header from r.Header and Host from r.Host (Go moves
// the Host header out of r.Header).
//
// Go also moves Transfer-Encoding out of r.Header; a client that signs it
// needs the HTTP layer to put it back.
type Request struct {
	Method      string
	EscapedPath string // the path as the client sent it, still percent-encoded
	Query       url.Values
	Header      map[string][]string // any key case; http.Header's canonical keys are usual
	Host        string
}

// headerValues returns every value of the header called name, whatever the
// case of its key.
func (r Request) headerValues(name string) []string { return HeaderValues(r.Header, name) }

// HeaderValues returns every value of the header called name in h, whatever
// the case of its key. Keys differing only in case are visited in sorted
// order so that the result never depends on map order.
func HeaderValues(h map[string][]string, name string) []string {
	var keys []string
	for k := range h {
		if strings.EqualFold(k, name) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 1 {
		return h[keys[0]]
	}
	slices.Sort(keys)
	var values []string
	for _, k := range keys {
		values = append(values, h[k]...)
	}
	return values
}

// header returns the first value of the header called name, or "".
func (r Request) header(name string) string {
	if v := r.headerValues(name); len(v) > 0 {
		return v[0]
	}
	return ""
}

// hasHeader reports whether the header called name is present at all.
func (r Request) hasHeader(name string) bool {
	return len(r.headerValues(name)) > 0
}
