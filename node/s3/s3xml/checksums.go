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
	ChecksumSHA512    string `xml:"ChecksumSHA512,omitempty"`
	ChecksumMD5       string `xml:"ChecksumMD5,omitempty"`
}

// field is the element of the algorithm named name (S3's upper-case name:
// "CRC32"), nil if there is none.
func (c *Checksums) field(name string) *string {
	switch name {
	case "CRC32":
		return &c.ChecksumCRC32
	case "CRC32C":
		return &c.ChecksumCRC32C
	case "SHA1":
		return &c.ChecksumSHA1
	case "SHA256":
		return &c.ChecksumSHA256
	case "CRC64NVME":
		return &c.ChecksumCRC64NVME
	case "SHA512":
		return &c.ChecksumSHA512
	case "MD5":
		return &c.ChecksumMD5
	}
	return nil
}

// ChecksumOf holds one checksum, of the algorithm named name ("CRC32"); an
// unknown name or an empty value gives no checksum.
func ChecksumOf(name, value string) Checksums {
	var c Checksums
	if f := c.field(name); f != nil {
		*f = value
	}
	return c
}

// checksumNames are the algorithms in the order of the fields.
var checksumNames = []string{"CRC32", "CRC32C", "SHA1", "SHA256", "CRC64NVME", "SHA512", "MD5"}

// Set lists the checksums present: the algorithms' names and values.
func (c Checksums) Set() (names, values []string) {
	for _, n := range checksumNames {
		if v := *c.field(n); v != "" {
			names, values = append(names, n), append(values, v)
		}
	}
	return names, values
}

// trimmed returns c with blanks around each value removed, so a
// pretty-printed request compares equal to a compact one.
func (c Checksums) trimmed() Checksums {
	for _, n := range checksumNames {
		f := c.field(n)
		*f = strings.TrimSpace(*f)
	}
	return c
}
