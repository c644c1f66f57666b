package sigv4

import (
	"net/url"
	"slices"
	"strings"
)

// canonicalRequest is the text a SigV4 signature covers, built exactly as
// AWS builds it for S3.
func canonicalRequest(req Request, signedHeaders []string, payloadHash string, presigned bool) string {
	return canonicalRequestWith(req, canonicalURI(req.EscapedPath), signedHeaders, payloadHash, presigned)
}

// canonicalRequestWith is canonicalRequest with the canonical URI given:
// services other than S3 build theirs differently (serviceURI).
func canonicalRequestWith(req Request, uri string, signedHeaders []string, payloadHash string, presigned bool) string {
	var b strings.Builder
	b.WriteString(req.Method)
	b.WriteByte('\n')
	b.WriteString(uri)
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(req.Query, presigned))
	b.WriteByte('\n')
	for _, name := range signedHeaders {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(canonicalHeaderValue(req, name))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signedHeaders, ";"))
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

// canonicalURI encodes the path once, as S3 signers do: no dot-segment
// removal, no merging of slashes, no double encoding. Clients disagree on
// which reserved characters they escape on the wire ("$" or "%24"), so
// escapes are decoded first and every byte is then encoded by the AWS
// rules; an escaped slash stays escaped because it is part of a key, not a
// path separator.
func canonicalURI(escapedPath string) string {
	if escapedPath == "" {
		return "/"
	}
	var b strings.Builder
	b.Grow(len(escapedPath))
	for i := 0; i < len(escapedPath); i++ {
		c := escapedPath[i]
		switch {
		case c == '%' && i+2 < len(escapedPath) && isHex(escapedPath[i+1]) && isHex(escapedPath[i+2]):
			writeEncoded(&b, unhex(escapedPath[i+1])<<4|unhex(escapedPath[i+2]))
			i += 2
		case c == '/':
			b.WriteByte('/')
		default:
			writeEncoded(&b, c)
		}
	}
	return b.String()
}

// serviceURI is the canonical URI of a service other than S3: the path as
// the client sent it, percent-encoded once more (slashes kept, "%" becoming
// "%25"). AWS's signers encode paths twice for every service but S3, and
// Garage's K2V API verifies them so; the path is not normalized, so that a
// partition key such as "a/../b" stays itself.
func serviceURI(escapedPath string) string {
	if escapedPath == "" {
		return "/"
	}
	var b strings.Builder
	b.Grow(len(escapedPath))
	for i := 0; i < len(escapedPath); i++ {
		if c := escapedPath[i]; c == '/' {
			b.WriteByte('/')
		} else {
			writeEncoded(&b, c)
		}
	}
	return b.String()
}

// canonicalQuery is the query string with every name and value encoded by
// the AWS rules, sorted by name and then by value. A presigned URL's own
// signature is left out, since it cannot sign itself.
func canonicalQuery(query url.Values, presigned bool) string {
	type pair struct{ name, value string }
	var pairs []pair
	for name, values := range query {
		if presigned && name == querySignature {
			continue
		}
		for _, v := range values {
			pairs = append(pairs, pair{uriEncode(name), uriEncode(v)})
		}
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		return strings.Compare(a.value, b.value)
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.name)
		b.WriteByte('=')
		b.WriteString(p.value)
	}
	return b.String()
}

// canonicalHeaderValue joins the header's values with commas, each trimmed
// and with inner runs of spaces collapsed. The host comes from req.Host,
// where Go keeps it.
func canonicalHeaderValue(req Request, name string) string {
	values := req.headerValues(name)
	if name == "host" && req.Host != "" {
		values = []string{req.Host}
	}
	var b strings.Builder
	for i, v := range values {
		if i > 0 {
			b.WriteByte(',')
		}
		writeTrimmed(&b, v)
	}
	return b.String()
}

// writeTrimmed writes v without leading or trailing spaces and with every
// run of spaces inside it reduced to one.
func writeTrimmed(b *strings.Builder, v string) {
	v = strings.Trim(v, " \t")
	space := false
	for i := 0; i < len(v); i++ {
		if v[i] == ' ' {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteByte(v[i])
	}
}

// uriEncode encodes every byte but the RFC 3986 unreserved characters, as
// AWS's UriEncode does: a space is %20, a slash %2F.
func uriEncode(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		writeEncoded(&b, s[i])
	}
	return b.String()
}

func writeEncoded(b *strings.Builder, c byte) {
	if isUnreserved(c) {
		b.WriteByte(c)
		return
	}
	const digits = "0123456789ABCDEF"
	b.WriteByte('%')
	b.WriteByte(digits[c>>4])
	b.WriteByte(digits[c&0xf])
}

func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}
