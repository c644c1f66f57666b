package s3xml

import (
	"encoding/xml"
	"strconv"
	"strings"
	"time"

	"github.com/garagego/garage/node/s3/s3err"
)

// MaxDeleteKeys is the most keys one DeleteObjects request may name.
const MaxDeleteKeys = 1000

// Delete is the body of DeleteObjects.
type Delete struct {
	XMLName xml.Name           `xml:"Delete"`
	Quiet   bool               `xml:"Quiet"`
	Objects []ObjectIdentifier `xml:"Object"`
}

// ObjectIdentifier names one key of a DeleteObjects request, with the
// conditions its deletion is under: ETag (If-Match), LastModifiedTime and
// Size, as parsed into Modified and SizeIs. VersionID is kept for the
// answer, though this store has one version per key.
type ObjectIdentifier struct {
	Key              string  `xml:"Key"`
	VersionID        string  `xml:"VersionId,omitempty"`
	ETag             string  `xml:"ETag,omitempty"`
	LastModifiedTime *string `xml:"LastModifiedTime,omitempty"`
	Size             *string `xml:"Size,omitempty"`

	Modified *time.Time `xml:"-"`
	SizeIs   *uint64    `xml:"-"`
}

// ParseDelete reads a DeleteObjects body: 1 to 1000 objects, each with a
// key, and with a LastModifiedTime (ISO 8601) and a Size (bytes) that
// parse if given.
func ParseDelete(body []byte) (Delete, error) {
	var d Delete
	if err := Decode(body, MaxDeleteSize, &d); err != nil {
		return Delete{}, err
	}
	d.XMLName = xml.Name{} // parsed values compare equal to literals
	if len(d.Objects) == 0 {
		return Delete{}, Malformed("Delete names no Object")
	}
	if len(d.Objects) > MaxDeleteKeys {
		return Delete{}, Malformed("Delete names more than 1000 objects")
	}
	for i := range d.Objects {
		o := &d.Objects[i]
		if o.Key == "" {
			return Delete{}, Malformed("Object " + strconv.Itoa(i+1) + " has no Key")
		}
		if o.LastModifiedTime != nil {
			t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(*o.LastModifiedTime))
			if err != nil {
				return Delete{}, Malformed("Object " + strconv.Itoa(i+1) + " has a LastModifiedTime that is not an ISO 8601 timestamp")
			}
			o.Modified = &t
		}
		if o.Size != nil {
			n, err := strconv.ParseUint(strings.TrimSpace(*o.Size), 10, 64)
			if err != nil {
				return Delete{}, Malformed("Object " + strconv.Itoa(i+1) + " has a Size that is not a number of bytes")
			}
			o.SizeIs = &n
		}
	}
	return d, nil
}

// DeleteResult answers DeleteObjects: the keys deleted (none in quiet mode)
// and those that could not be.
type DeleteResult struct {
	XMLName xml.Name        `xml:"http://s3.amazonaws.com/doc/2006-03-01/ DeleteResult"`
	Deleted []DeletedObject `xml:"Deleted"`
	Errors  []DeleteError   `xml:"Error"`
}

// DeletedObject is a key DeleteObjects deleted.
type DeletedObject struct {
	Key                   string `xml:"Key"`
	VersionID             string `xml:"VersionId,omitempty"`
	DeleteMarker          bool   `xml:"DeleteMarker,omitempty"`
	DeleteMarkerVersionID string `xml:"DeleteMarkerVersionId,omitempty"`
}

// DeleteError is a key DeleteObjects could not delete, and why.
type DeleteError struct {
	Key       string     `xml:"Key"`
	VersionID string     `xml:"VersionId,omitempty"`
	Code      s3err.Code `xml:"Code"`
	Message   string     `xml:"Message"`
}
