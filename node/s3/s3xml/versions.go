package s3xml

import "encoding/xml"

// ListVersionsResult answers ListObjectVersions. Versions holds the
// versions and delete markers in listing order, each element named by its
// kind (Version or DeleteMarker), as S3 interleaves them.
type ListVersionsResult struct {
	XMLName             xml.Name        `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListVersionsResult"`
	Name                string          `xml:"Name"`
	Prefix              string          `xml:"Prefix"`
	KeyMarker           string          `xml:"KeyMarker"`
	VersionIDMarker     string          `xml:"VersionIdMarker"`
	NextKeyMarker       string          `xml:"NextKeyMarker,omitempty"`
	NextVersionIDMarker string          `xml:"NextVersionIdMarker,omitempty"`
	MaxKeys             int             `xml:"MaxKeys"`
	Delimiter           string          `xml:"Delimiter,omitempty"`
	IsTruncated         bool            `xml:"IsTruncated"`
	EncodingType        string          `xml:"EncodingType,omitempty"`
	Versions            []ObjectVersion `xml:",any"`
	CommonPrefixes      []CommonPrefix  `xml:"CommonPrefixes"`
}

// ObjectVersion is one listed version: a Version (with ETag, Size and
// StorageClass) or a DeleteMarker (without).
type ObjectVersion struct {
	XMLName      xml.Name
	Key          string  `xml:"Key"`
	VersionID    string  `xml:"VersionId"`
	IsLatest     bool    `xml:"IsLatest"`
	LastModified string  `xml:"LastModified"` // formatted with Time
	ETag         ETag    `xml:"ETag,omitempty"`
	Size         *uint64 `xml:"Size,omitempty"`
	StorageClass string  `xml:"StorageClass,omitempty"`
	Owner        *Owner  `xml:"Owner,omitempty"`
}

// VersionElement and DeleteMarkerElement name the two kinds of
// ObjectVersion.
var (
	VersionElement      = xml.Name{Local: "Version"}
	DeleteMarkerElement = xml.Name{Local: "DeleteMarker"}
)
