package s3xml

import (
	"encoding/xml"
	"strings"
	"time"
)

// Marshal renders a response document with the XML header S3 sends.
func Marshal(v any) []byte {
	out, err := xml.Marshal(v)
	if err != nil { // only a caller passing a non-document value gets here
		return []byte(xml.Header + "<Error><Code>InternalError</Code><Message>response not representable as XML</Message></Error>")
	}
	return append([]byte(xml.Header), out...)
}

// timeLayout is ISO 8601 with milliseconds, as S3 writes timestamps in
// listings.
const timeLayout = "2006-01-02T15:04:05.000Z"

// Time formats t as S3 does in XML documents, in UTC with milliseconds.
func Time(t time.Time) string { return t.UTC().Format(timeLayout) }

// ETag is an entity tag. S3 writes it in double quotes in XML; the value
// held here is bare, and quotes a caller leaves on it are not doubled.
type ETag string

// MarshalText writes the tag in quotes.
func (e ETag) MarshalText() ([]byte, error) {
	return []byte(`"` + bareETag(string(e)) + `"`), nil
}

// UnmarshalText reads a tag with or without quotes.
func (e *ETag) UnmarshalText(b []byte) error {
	*e = ETag(bareETag(string(b)))
	return nil
}

// bareETag strips the quotes and blanks around an entity tag. A cut set,
// not a single pair, so that stripping twice changes nothing.
func bareETag(s string) string { return strings.Trim(s, "\" \t\r\n") }
