package s3xml

import (
	"encoding/xml"
	"strings"

	"github.com/garagego/garage/node/s3/s3err"
)

// VersioningConfiguration answers GetBucketVersioning (this store never
// versions, so the answer is empty) and is the body of PutBucketVersioning.
type VersioningConfiguration struct {
	XMLName   xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ VersioningConfiguration"`
	Status    string   `xml:"Status,omitempty"`
	MfaDelete string   `xml:"MfaDelete,omitempty"`
}

// ParseVersioning reads a PutBucketVersioning body: Status Enabled or
// Suspended (suspending versioning that was never enabled is accepted, as
// S3 does). MFA delete is NotImplemented.
func ParseVersioning(body []byte) (VersioningConfiguration, error) {
	var c VersioningConfiguration
	if err := Decode(body, MaxBodySize, &c); err != nil {
		return VersioningConfiguration{}, err
	}
	c.XMLName = xml.Name{} // parsed values compare equal to literals
	c.Status = strings.TrimSpace(c.Status)
	c.MfaDelete = strings.TrimSpace(c.MfaDelete)
	switch c.Status {
	case "", "Suspended", "Enabled":
	default:
		return VersioningConfiguration{}, Malformed("Status must be Enabled or Suspended")
	}
	switch c.MfaDelete {
	case "", "Disabled":
	case "Enabled":
		return VersioningConfiguration{}, s3err.New(s3err.NotImplemented, "MFA delete is not implemented: MfaDelete Enabled cannot be set")
	default:
		return VersioningConfiguration{}, Malformed("MfaDelete must be Enabled or Disabled")
	}
	return c, nil
}
