package s3xml

import (
	"bytes"
	"encoding/xml"
	"slices"
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

// awsLocationConstraints are the location constraints of AWS's regions
// (the S3 API's BucketLocationConstraint values, and us-east-1, which AWS
// names by no constraint at all).
var awsLocationConstraints = []string{
	"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
	"ca-central-1", "ca-west-1", "cn-north-1", "cn-northwest-1", "EU", "eu-central-1", "eu-central-2", "eu-north-1",
	"eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1",
	"mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-gov-east-1", "us-gov-west-1", "us-west-1", "us-west-2",
}

// usEast1 is the region whose buckets S3 creates without a location
// constraint: one naming it is refused there, as AWS refuses it.
const usEast1 = "us-east-1"

// CheckRegion accepts a configuration naming no region, or the server's,
// and answers as AWS's endpoint of that region does otherwise: a region
// AWS has is IllegalLocationConstraintException (the bucket would be
// elsewhere); a name that is no region, or us-east-1 named explicitly to
// us-east-1, is InvalidLocationConstraint. ("EU" is AWS's old name for
// eu-west-1.)
func (c CreateBucketConfiguration) CheckRegion(region string) error {
	lc := c.LocationConstraint
	if lc == "EU" && region == "eu-west-1" {
		lc = region
	}
	switch {
	case lc == "":
		return nil
	case lc == region && region != usEast1:
		return nil
	case lc != region && slices.Contains(awsLocationConstraints, lc):
		return s3err.New(s3err.IllegalLocationConstraintExcept,
			"The %s location constraint is incompatible for the region specific endpoint this request was sent to.", lc)
	}
	return s3err.New(s3err.InvalidLocationConstraint, "The specified location-constraint is not valid")
}

// RegionlessCreate reports whether region is the one where re-creating a
// bucket one already owns succeeds: us-east-1, for legacy compatibility,
// answers 200 (and resets the bucket's ACL) where others answer
// BucketAlreadyOwnedByYou.
func RegionlessCreate(region string) bool { return region == usEast1 }

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
	BucketRegion string `xml:"BucketRegion,omitempty"`
}
