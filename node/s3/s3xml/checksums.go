package s3xml

import "strings"

// Checksums are the additional checksums of an object or a part, base64
// encoded; each is written only when set.
type Checksums struct {
	ChecksumCRC32     string `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string `xml:"ChecksumCRC32C,omitempty"`
	ChecksumSHA1      string `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string `xml:"ChecksumSHA256,omitempty"`
	ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
}

// trimmed returns c with blanks around each value removed, so a
// pretty-printed request compares equal to a compact one.
func (c Checksums) trimmed() Checksums {
	return Checksums{
		ChecksumCRC32:     strings.TrimSpace(c.ChecksumCRC32),
		ChecksumCRC32C:    strings.TrimSpace(c.ChecksumCRC32C),
		ChecksumSHA1:      strings.TrimSpace(c.ChecksumSHA1),
		ChecksumSHA256:    strings.TrimSpace(c.ChecksumSHA256),
		ChecksumCRC64NVME: strings.TrimSpace(c.ChecksumCRC64NVME),
	}
}
