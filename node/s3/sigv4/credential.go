package sigv4

import (
	"strings"
	"time"

	"github.com/garagego/garage/node/s3/s3err"
)

// The fixed parts of a SigV4 credential scope and of its timestamps.
const (
	algorithm      = "AWS4-HMAC-SHA256"
	scopeTerminal  = "aws4_request"
	serviceS3      = "s3"
	iso8601Layout  = "20060102T150405Z"
	scopeDayLayout = "20060102"
)

// Credential is an X-Amz-Credential value: whose key signed, and the scope
// (day, region, service) the signature is valid for.
type Credential struct {
	AccessKey string
	Date      string // the scope's day, yyyymmdd
	Region    string
	Service   string
}

// Scope is the credential scope, date/region/service/aws4_request.
func (c Credential) Scope() string {
	return c.Date + "/" + c.Region + "/" + c.Service + "/" + scopeTerminal
}

// ParseCredential parses "AKID/yyyymmdd/region/service/aws4_request", as
// found in a POST form's x-amz-credential field. Its errors are
// InvalidArgument; Parse reports the same problems under the code of the
// header or query authentication they occur in.
func ParseCredential(s string) (Credential, error) {
	c, problem := parseCredential(s)
	if problem != "" {
		return Credential{}, s3err.New(s3err.InvalidArgument, "Error parsing the X-Amz-Credential parameter; %s", problem)
	}
	return c, nil
}

// parseCredential returns the credential in s, or what is wrong with it.
// The access key is everything before the last four parts, so an odd key
// containing '/' cannot shift the scope.
func parseCredential(s string) (Credential, string) {
	parts := strings.Split(s, "/")
	n := len(parts)
	if n < 5 {
		return Credential{}, "the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\"."
	}
	c := Credential{
		AccessKey: strings.Join(parts[:n-4], "/"),
		Date:      parts[n-4],
		Region:    parts[n-3],
		Service:   parts[n-2],
	}
	switch {
	case parts[n-1] != scopeTerminal:
		return Credential{}, "incorrect terminal \"" + parts[n-1] + "\". This endpoint uses \"aws4_request\"."
	case c.AccessKey == "":
		return Credential{}, "the access key is empty."
	case !validScopeDay(c.Date):
		return Credential{}, "incorrect date format \"" + c.Date + "\". This date in the credential must be in the format \"yyyyMMdd\"."
	case c.Region == "":
		return Credential{}, "the region is empty."
	case c.Service == "":
		return Credential{}, "the service is empty."
	}
	return c, ""
}

func validScopeDay(s string) bool {
	t, err := time.Parse(scopeDayLayout, s)
	return err == nil && t.Format(scopeDayLayout) == s
}

// parseAmzDate parses an ISO 8601 basic timestamp, 20060102T150405Z. It
// insists on the exact form, because the signed string carries the text
// and time.Parse would accept variants that format back differently.
func parseAmzDate(s string) (time.Time, bool) {
	t, err := time.Parse(iso8601Layout, s)
	if err != nil || t.Format(iso8601Layout) != s {
		return time.Time{}, false
	}
	return t, true
}

// formatAmzDate writes t as signatures carry it, in UTC whatever t's
// location.
func formatAmzDate(t time.Time) string { return t.UTC().Format(iso8601Layout) }

// httpDateLayouts are the forms of an HTTP Date header (RFC 9110 5.6.7),
// tried when a request has no X-Amz-Date.
var httpDateLayouts = []string{
	"Mon, 02 Jan 2006 15:04:05 GMT",  // IMF-fixdate
	"Monday, 02-Jan-06 15:04:05 GMT", // RFC 850
	"Mon Jan _2 15:04:05 2006",       // asctime
}

func parseHTTPDate(s string) (time.Time, bool) {
	if t, ok := parseAmzDate(s); ok {
		return t, true
	}
	for _, layout := range httpDateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
