package bucketcfg

import (
	"encoding/xml"
	"errors"

	"github.com/garagego/garage/node/s3/s3xml"
	"github.com/garagego/garage/node/s3/sse"
	"github.com/garagego/garage/node/wire"
)

// Encryption is a bucket's default encryption (PutBucketEncryption): the
// objects written to it without encryption headers are encrypted with
// SSE-S3. AES256 is the only algorithm; BucketKeyEnabled is kept and
// answered back, and means nothing without KMS.
type Encryption struct {
	BucketKeyEnabled bool
}

type encryptionDoc struct {
	XMLName xml.Name         `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ServerSideEncryptionConfiguration"`
	Rules   []encryptionRule `xml:"Rule"`
	Unknown []unknownElement `xml:",any"`
}

type encryptionRule struct {
	Default          *encryptionDefault `xml:"ApplyServerSideEncryptionByDefault"`
	BucketKeyEnabled *bool              `xml:"BucketKeyEnabled"`
	Blocked          *blockedTypes      `xml:"BlockedEncryptionTypes"`
	Unknown          []unknownElement   `xml:",any"`
}

type encryptionDefault struct {
	SSEAlgorithm   string           `xml:"SSEAlgorithm"`
	KMSMasterKeyID *string          `xml:"KMSMasterKeyID"`
	Unknown        []unknownElement `xml:",any"`
}

type blockedTypes struct {
	Types   []string         `xml:"EncryptionType"`
	Unknown []unknownElement `xml:",any"`
}

// ParseEncryption reads a <ServerSideEncryptionConfiguration>: one rule
// with a default algorithm. KMS algorithms are NotImplemented; blocking an
// encryption type is too, but for NONE, which blocks nothing.
func ParseEncryption(body []byte) (Encryption, error) {
	var doc encryptionDoc
	if err := s3xml.Decode(body, s3xml.MaxBodySize, &doc); err != nil {
		return Encryption{}, err
	}
	if err := rejectUnknown("ServerSideEncryptionConfiguration", doc.Unknown); err != nil {
		return Encryption{}, err
	}
	if len(doc.Rules) != 1 {
		return Encryption{}, s3xml.Malformed("a ServerSideEncryptionConfiguration holds exactly one <Rule>")
	}
	r := doc.Rules[0]
	if err := rejectUnknown("Rule", r.Unknown); err != nil {
		return Encryption{}, err
	}
	if r.Default == nil {
		return Encryption{}, s3xml.Malformed("the <Rule> needs an <ApplyServerSideEncryptionByDefault>")
	}
	if err := rejectUnknown("ApplyServerSideEncryptionByDefault", r.Default.Unknown); err != nil {
		return Encryption{}, err
	}
	if _, err := sse.CheckAlgorithm(r.Default.SSEAlgorithm); err != nil {
		return Encryption{}, err
	}
	if r.Default.KMSMasterKeyID != nil {
		return Encryption{}, invalidArgument("KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse.")
	}
	if r.Blocked != nil {
		if err := rejectUnknown("BlockedEncryptionTypes", r.Blocked.Unknown); err != nil {
			return Encryption{}, err
		}
		for _, t := range r.Blocked.Types {
			if t != "NONE" {
				return Encryption{}, notImplemented("BlockedEncryptionTypes "+t, "ServerSideEncryptionConfiguration")
			}
		}
	}
	return Encryption{BucketKeyEnabled: r.BucketKeyEnabled != nil && *r.BucketKeyEnabled}, nil
}

// XML renders the configuration as GetBucketEncryption answers it.
func (c Encryption) XML() []byte {
	enabled := c.BucketKeyEnabled
	return s3xml.Marshal(encryptionDoc{Rules: []encryptionRule{{
		Default:          &encryptionDefault{SSEAlgorithm: sse.AES256},
		BucketKeyEnabled: &enabled,
	}}})
}

// Encode writes c canonically for the bucket table.
func (c Encryption) Encode(e *wire.Encoder) {
	e.Uint8(formatVersion)
	e.String(sse.AES256)
	e.Bool(c.BucketKeyEnabled)
}

// DecodeEncryption reads what Encode wrote.
func DecodeEncryption(d *wire.Decoder) Encryption {
	decodeVersion(d, "encryption")
	algo := d.String()
	c := Encryption{BucketKeyEnabled: d.Bool()}
	if !checkDecoded(d, "encryption", func() error {
		if algo != sse.AES256 {
			return errors.New("unknown algorithm " + algo)
		}
		return nil
	}) {
		return Encryption{}
	}
	return c
}
