package s3xml

import "encoding/xml"

// CopyObjectResult answers CopyObject.
type CopyObjectResult struct {
	XMLName      xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ CopyObjectResult"`
	ETag         ETag     `xml:"ETag"`
	LastModified string   `xml:"LastModified"` // formatted with Time
	Checksums
	ChecksumType string `xml:"ChecksumType,omitempty"`
}

// CopyPartResult answers UploadPartCopy.
type CopyPartResult struct {
	XMLName      xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ CopyPartResult"`
	ETag         ETag     `xml:"ETag"`
	LastModified string   `xml:"LastModified"` // formatted with Time
	Checksums
}

// PostResponse answers PostObject when success_action_status is 201.
type PostResponse struct {
	XMLName  xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ PostResponse"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     ETag     `xml:"ETag"`
}
