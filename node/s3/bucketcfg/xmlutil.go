package bucketcfg

import (
	"encoding/xml"

	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/s3/s3xml"
)

// unknownElement catches elements a configuration does not define: S3
// refuses them rather than silently storing less than the client sent.
type unknownElement struct {
	XMLName xml.Name
}

// rejectUnknown reports the first unexpected element found inside parent.
func rejectUnknown(parent string, found []unknownElement) error {
	if len(found) == 0 {
		return nil
	}
	return s3xml.Malformed("unexpected element <" + found[0].XMLName.Local + "> in <" + parent + ">")
}

// notImplemented reports an element this store understands but cannot act
// on.
func notImplemented(element, where string) *s3err.Error {
	return s3err.New(s3err.NotImplemented, "%s in %s is not implemented", element, where)
}

func invalidArgument(format string, args ...any) *s3err.Error {
	return s3err.New(s3err.InvalidArgument, format, args...)
}

func invalidRequest(format string, args ...any) *s3err.Error {
	return s3err.New(s3err.InvalidRequest, format, args...)
}
