package s3xml

import "encoding/xml"

// GetObjectAttributesResponse answers GetObjectAttributes: the attributes
// asked for, each omitted otherwise. ETag is written without quotes, as S3
// writes it there.
type GetObjectAttributesResponse struct {
	XMLName      xml.Name         `xml:"http://s3.amazonaws.com/doc/2006-03-01/ GetObjectAttributesResponse"`
	ETag         string           `xml:"ETag,omitempty"`
	Checksum     *ObjectChecksum  `xml:"Checksum,omitempty"`
	ObjectParts  *ObjectPartsInfo `xml:"ObjectParts,omitempty"`
	StorageClass string           `xml:"StorageClass,omitempty"`
	ObjectSize   *uint64          `xml:"ObjectSize,omitempty"`
}

// ObjectChecksum is an object's checksum and its type.
type ObjectChecksum struct {
	Checksums
	ChecksumType string `xml:"ChecksumType,omitempty"`
}

// ObjectPartsInfo is one page of a multipart object's parts.
type ObjectPartsInfo struct {
	TotalPartsCount      int          `xml:"PartsCount"`
	PartNumberMarker     int          `xml:"PartNumberMarker"`
	NextPartNumberMarker int          `xml:"NextPartNumberMarker"`
	MaxParts             int          `xml:"MaxParts"`
	IsTruncated          bool         `xml:"IsTruncated"`
	Parts                []ObjectPart `xml:"Part"`
}

// ObjectPart is one part of an object: its number, size and checksum.
type ObjectPart struct {
	PartNumber int    `xml:"PartNumber"`
	Size       uint64 `xml:"Size"`
	Checksums
}
