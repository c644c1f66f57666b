package sigv2

import (
	"strconv"
	"strings"
	"time"
)

// dateLayouts are the forms of a Date or x-amz-date header V2 accepts: the
// three of RFC 2616 (section 3.3.1), and RFC 1123 with a numeric zone,
// which AWS's own examples use ("Tue, 27 Mar 2007 19:36:42 +0000"). The
// zone names are literal, so that no layout depends on the local time zone.
var dateLayouts = []string{
	"Mon, 02 Jan 2006 15:04:05 GMT",
	"Mon, 02 Jan 2006 15:04:05 UTC",
	"Mon, 02 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 GMT",
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Monday, 02-Jan-06 15:04:05 GMT",
	"Mon Jan _2 15:04:05 2006",
}

// parseDate reads a header's date. A date before the epoch is refused as
// invalid, as S3 refuses it (rather than as skewed).
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range dateLayouts {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			if t.Before(time.Unix(0, 0)) {
				return time.Time{}, false
			}
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// parseExpires reads a presigned URL's Expires: seconds since the epoch,
// in decimal digits.
func parseExpires(s string) (time.Time, bool) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	// Past the year 9999 no date formats back: such an expiry is not one.
	if err != nil || n > 253402300799 {
		return time.Time{}, false
	}
	return time.Unix(n, 0).UTC(), true
}

// serverTimeLayout is how error documents write times.
const serverTimeLayout = "2006-01-02T15:04:05Z"
