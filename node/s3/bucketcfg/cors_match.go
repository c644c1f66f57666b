package bucketcfg

import (
	"slices"
	"strconv"
	"strings"
)

// Match finds the first rule that lets origin send method with
// requestHeaders. For a preflight, method and requestHeaders are those the
// browser asks about (Access-Control-Request-Method and -Headers); for an
// actual request, its method and no headers. requestHeaders may hold
// comma-separated lists, as the header carries them.
func (c CORS) Match(origin, method string, requestHeaders []string) (Rule, bool) {
	if origin == "" {
		return Rule{}, false
	}
	headers := splitHeaderNames(requestHeaders)
	for _, r := range c.Rules {
		if r.originPattern(origin) != "" && slices.Contains(r.AllowedMethods, method) && r.allowsHeaders(headers) {
			return r, true
		}
	}
	return Rule{}, false
}

// varyCORS names the request headers a CORS answer depends on, as S3 sends
// it, so caches keep one answer per origin and preflight question.
const varyCORS = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"

// ResponseHeaders are the headers answering a request from origin that r
// matched. A preflight also gets the requested headers r allows.
func (r Rule) ResponseHeaders(origin string, preflight bool, requestHeaders []string) map[string]string {
	h := map[string]string{
		"Access-Control-Allow-Methods": strings.Join(r.AllowedMethods, ", "),
		"Vary":                         varyCORS,
	}
	if r.originPattern(origin) == "*" {
		h["Access-Control-Allow-Origin"] = "*"
	} else {
		// A named origin may send credentials; a wildcard answer cannot.
		h["Access-Control-Allow-Origin"] = origin
		h["Access-Control-Allow-Credentials"] = "true"
	}
	if preflight {
		var allowed []string
		for _, name := range splitHeaderNames(requestHeaders) {
			if r.allowsHeader(name) {
				allowed = append(allowed, name)
			}
		}
		if len(allowed) > 0 {
			h["Access-Control-Allow-Headers"] = strings.Join(allowed, ", ")
		}
	}
	if len(r.ExposeHeaders) > 0 {
		h["Access-Control-Expose-Headers"] = strings.Join(r.ExposeHeaders, ", ")
	}
	if r.MaxAgeSeconds != nil {
		h["Access-Control-Max-Age"] = strconv.Itoa(*r.MaxAgeSeconds)
	}
	return h
}

// originPattern returns the first allowed origin matching origin, or "".
func (r Rule) originPattern(origin string) string {
	for _, pattern := range r.AllowedOrigins {
		if wildcardMatch(pattern, origin) {
			return pattern
		}
	}
	return ""
}

func (r Rule) allowsHeaders(names []string) bool {
	for _, name := range names {
		if !r.allowsHeader(name) {
			return false
		}
	}
	return true
}

// allowsHeader matches a header name against the allowed ones; header
// names have no case.
func (r Rule) allowsHeader(name string) bool {
	name = strings.ToLower(name)
	for _, pattern := range r.AllowedHeaders {
		if wildcardMatch(strings.ToLower(pattern), name) {
			return true
		}
	}
	return false
}

// splitHeaderNames flattens header values that list names separated by
// commas, dropping blanks.
func splitHeaderNames(values []string) []string {
	var names []string
	for _, v := range values {
		for name := range strings.SplitSeq(v, ",") {
			if name = strings.TrimSpace(name); name != "" {
				names = append(names, name)
			}
		}
	}
	return names
}
