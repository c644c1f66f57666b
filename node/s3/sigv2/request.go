package sigv2

import (
	"net/url"
	"strings"

	"github.com/garagego/garage/node/s3/sigv4"
)

// Request is what V2 authentication reads of an HTTP request.
type Request struct {
	Method string
	// EscapedPath is the path exactly as the request line carried it,
	// still percent-encoded: V2 signs it literally.
	EscapedPath string
	Query       url.Values
	Header      map[string][]string // any key case
	// Bucket is the bucket the request addresses, "" for none, and
	// VirtualHost tells whether the Host header named it (virtual-hosted
	// style) rather than the path: the signed resource then starts with
	// "/" + Bucket although the path does not.
	Bucket      string
	VirtualHost bool
}

// headerValues returns every value of the header called name, whatever the
// case of its key (as SigV4 reads them).
func (r Request) headerValues(name string) []string { return sigv4.HeaderValues(r.Header, name) }

// hasHeader reports whether the header called name is present, even empty.
func (r Request) hasHeader(name string) bool { return len(r.headerValues(name)) > 0 }

// headerLine is the value a header contributes to the string to sign: its
// values unfolded, trimmed and joined with commas, as AWS combines
// repeated headers (RFC 2616 section 4.2).
func (r Request) headerLine(name string) string {
	return joinValues(r.headerValues(name))
}

func joinValues(values []string) string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = unfold(v)
	}
	return strings.Join(out, ",")
}

// unfold replaces each line break of a folded header value, with the
// blanks around it, by a single space, and trims the value.
func unfold(v string) string {
	if !strings.ContainsAny(v, "\r\n") {
		return strings.Trim(v, " \t")
	}
	var b strings.Builder
	for i, line := range strings.FieldsFunc(v, func(r rune) bool { return r == '\r' || r == '\n' }) {
		line = strings.Trim(line, " \t")
		if line == "" {
			continue
		}
		if i > 0 && b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(line)
	}
	return b.String()
}
