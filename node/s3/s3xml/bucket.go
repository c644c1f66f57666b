package s3xml

import (
	"bytes"
	"encoding/xml"
	"strings"

	"github.com/garagego/garage/node/s3/s3err"
)

// CreateBucketConfiguration is the optional body of CreateBucket.
type CreateBucketConfiguration struct {
	XMLName            xml.Name `xml:"CreateBucketConfiguration"`
	LocationConstraint string   `xml:"LocationConstraint"`
}

// ParseCreateBucket reads a CreateBucket body; an empty body is the zero
// configuration (the server's own region).
func ParseCreateBucket(body []byte) (CreateBucketConfiguration, error) {
	var c CreateBucketConfiguration
	if len(bytes.TrimSpace(body)) == 0 {
		return c, nil
	}
	if err := Decode(body, MaxBodySize, &c); err != nil {
		return CreateBucketConfiguration{}, err
	}
	c.XMLName = xml.Name{} // parsed values compare equal to literals
	c.LocationConstraint = strings.TrimSpace(c.LocationConstraint)
	return c, nil
}

// CheckRegion accepts a configuration naming no region or the server's.
func (c CreateBucketConfiguration) CheckRegion(region string) error {
	if c.LocationConstraint == "" || c.LocationConstraint == region {
		return nil
	}
	return s3err.New(s3err.InvalidLocationConstraint,
		"The specified location constraint %q is not valid: this server's region is %q", c.LocationConstraint, region)
}

// LocationConstraint answers GetBucketLocation.
type LocationConstraint struct {
	XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ LocationConstraint"`
	Region  string   `xml:",chardata"`
}

// Owner identifies an account: the owner of buckets and objects, or the
// initiator of a multipart upload.
type Owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

// ListAllMyBucketsResult answers ListBuckets.
type ListAllMyBucketsResult struct {
	XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListAllMyBucketsResult"`
	Owner   Owner    `xml:"Owner"`
	Buckets []Bucket `xml:"Buckets>Bucket"`
	// Prefix echoes the request's; ContinuationToken, when set, asks for
	// the next page (ListBuckets with max-buckets).
	Prefix            string `xml:"Prefix,omitempty"`
	ContinuationToken string `xml:"ContinuationToken,omitempty"`
}

// Bucket is one entry of ListAllMyBucketsResult.
type Bucket struct {
	Name         string `xml:"Name"`
	CreationDate string `xml:"CreationDate"` // formatted with Time
}
