package bucketcfg

import (
	"encoding/xml"
	"strings"

	"github.com/garagego/garage/node/s3/s3xml"
)

// corsDoc is the <CORSConfiguration> document of PutBucketCors and
// GetBucketCors.
type corsDoc struct {
	XMLName xml.Name         `xml:"http://s3.amazonaws.com/doc/2006-03-01/ CORSConfiguration"`
	Rules   []corsRuleDoc    `xml:"CORSRule"`
	Unknown []unknownElement `xml:",any"`
}

type corsRuleDoc struct {
	ID             string           `xml:"ID,omitempty"`
	AllowedOrigins []string         `xml:"AllowedOrigin"`
	AllowedMethods []string         `xml:"AllowedMethod"`
	AllowedHeaders []string         `xml:"AllowedHeader"`
	ExposeHeaders  []string         `xml:"ExposeHeader"`
	MaxAgeSeconds  *int32           `xml:"MaxAgeSeconds"`
	Unknown        []unknownElement `xml:",any"`
}

// ParseCORS reads and validates the body of PutBucketCors.
func ParseCORS(body []byte) (CORS, error) {
	var doc corsDoc
	if err := s3xml.Decode(body, MaxConfigSize, &doc); err != nil {
		return CORS{}, err
	}
	if err := rejectUnknown("CORSConfiguration", doc.Unknown); err != nil {
		return CORS{}, err
	}
	var c CORS
	for _, rd := range doc.Rules {
		if err := rejectUnknown("CORSRule", rd.Unknown); err != nil {
			return CORS{}, err
		}
		r := Rule{
			ID:             rd.ID,
			AllowedOrigins: trimEach(rd.AllowedOrigins),
			AllowedMethods: trimEach(rd.AllowedMethods),
			AllowedHeaders: trimEach(rd.AllowedHeaders),
			ExposeHeaders:  trimEach(rd.ExposeHeaders),
		}
		if rd.MaxAgeSeconds != nil {
			age := int(*rd.MaxAgeSeconds)
			r.MaxAgeSeconds = &age
		}
		c.Rules = append(c.Rules, r)
	}
	if err := c.validate(); err != nil {
		return CORS{}, err
	}
	return c, nil
}

// XML renders c as the body of GetBucketCors.
func (c CORS) XML() []byte {
	var doc corsDoc
	for _, r := range c.Rules {
		rd := corsRuleDoc{
			ID:             r.ID,
			AllowedOrigins: r.AllowedOrigins,
			AllowedMethods: r.AllowedMethods,
			AllowedHeaders: r.AllowedHeaders,
			ExposeHeaders:  r.ExposeHeaders,
		}
		if r.MaxAgeSeconds != nil {
			age := int32(*r.MaxAgeSeconds)
			rd.MaxAgeSeconds = &age
		}
		doc.Rules = append(doc.Rules, rd)
	}
	return s3xml.Marshal(doc)
}

// trimEach strips the blanks around each value (pretty-printed documents
// put them there), keeping nil as nil.
func trimEach(values []string) []string {
	if values == nil {
		return nil
	}
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = strings.TrimSpace(v)
	}
	return out
}
