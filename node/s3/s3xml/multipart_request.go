package s3xml

import (
	"encoding/xml"
	"strconv"

	"github.com/garagego/garage/node/s3/s3err"
)

// MaxPartNumber is the highest part number of a multipart upload.
const MaxPartNumber = 10000

// CompleteMultipartUpload is the body of CompleteMultipartUpload: the parts
// to assemble, in ascending part order.
type CompleteMultipartUpload struct {
	XMLName xml.Name        `xml:"CompleteMultipartUpload"`
	Parts   []CompletedPart `xml:"Part"`
}

// CompletedPart names one part to assemble. ETag is bare: the quotes
// clients send are removed.
type CompletedPart struct {
	PartNumber int    `xml:"PartNumber"`
	ETag       string `xml:"ETag"`
	Checksums
}

// ParseCompleteMultipart reads a CompleteMultipartUpload body: at least one
// part, each with an ETag and a number from 1 to 10000, numbers strictly
// ascending.
func ParseCompleteMultipart(body []byte) (CompleteMultipartUpload, error) {
	var c CompleteMultipartUpload
	if err := Decode(body, MaxCompleteSize, &c); err != nil {
		return CompleteMultipartUpload{}, err
	}
	c.XMLName = xml.Name{} // parsed values compare equal to literals
	if len(c.Parts) == 0 {
		return CompleteMultipartUpload{}, Malformed("CompleteMultipartUpload names no Part")
	}
	for i := range c.Parts {
		p := &c.Parts[i]
		p.ETag = bareETag(p.ETag)
		p.Checksums = p.Checksums.trimmed()
		if p.PartNumber < 1 || p.PartNumber > MaxPartNumber {
			return CompleteMultipartUpload{}, s3err.New(s3err.InvalidArgument,
				"Part number must be an integer between 1 and %d, inclusive (part %d has %d)", MaxPartNumber, i+1, p.PartNumber)
		}
		if p.ETag == "" {
			return CompleteMultipartUpload{}, Malformed("Part " + strconv.Itoa(p.PartNumber) + " has no ETag")
		}
		if i > 0 && p.PartNumber <= c.Parts[i-1].PartNumber {
			return CompleteMultipartUpload{}, s3err.New(s3err.InvalidPartOrder,
				"The list of parts was not in ascending order. Parts must be ordered by part number (part %d follows part %d).",
				p.PartNumber, c.Parts[i-1].PartNumber)
		}
	}
	return c, nil
}
